// core::is_https_or_loopback / is_fetchable_url: the one URL rule of redirect URIs, issuers,
// JWKS URIs and provider endpoints.
#include <gtest/gtest.h>

#include <string>

#include "core/url_rule.hpp"

using namespace twofold::core;

TEST(UrlRule, HttpsAnywhereAndHttpOnlyToLoopback) {
  for (const char* url : {"https://idp.example", "https://idp.example/x?y=1", "https://a",
                          "http://127.0.0.1", "http://127.0.0.1/", "http://127.0.0.1:8080/cb",
                          "http://localhost", "http://localhost:1/jwks", "http://[::1]",
                          "http://[::1]:9/x", "http://localhost:8080?x=1", "http://localhost:"})
    EXPECT_TRUE(is_https_or_loopback(url)) << url;
  for (const char* url :
       {"", "https://", "http://", "http://example.com", "http://127.0.0.1.evil.com",
        "http://127.0.0.1.evil.com/x", "http://localhost.evil.com", "http://[::1].evil", "ftp://a",
        "file:///etc/passwd", "HTTP://localhost", "httpS://a", "//localhost", "localhost",
        "http://127.0.0.2", "http://127.0.0.10"})
    EXPECT_FALSE(is_https_or_loopback(url)) << url;
}

TEST(UrlRule, UserinfoCannotDisguiseAnotherHostAsLoopback) {
  // For curl and browsers alike the host is what follows the "@".
  for (const char* url :
       {"http://localhost@evil", "http://localhost@evil.com/", "http://[::1]@evil",
        "http://localhost:1@evil.com/", "http://localhost:@evil", "http://127.0.0.1:80:80@evil",
        "http://[::1]:x@evil", "http://127.0.0.1:8080\\@evil.com"})
    EXPECT_FALSE(is_https_or_loopback(url)) << url;
}

TEST(UrlRule, FetchableAlsoRefusesSpacesControlsFragmentsAndLength) {
  EXPECT_TRUE(is_fetchable_url("https://rp.example/jwks"));
  EXPECT_TRUE(is_fetchable_url("http://127.0.0.1:9/x"));
  for (const std::string& url :
       {std::string("https://a/#frag"), std::string("https://a/ b"), std::string("https://a/\tb"),
        std::string("https://a/\r\nHost: evil"), std::string("https://a/\x7f"),
        std::string("https://a/\0b", 11), std::string("http://127.0.0.1.evil.com/x"),
        std::string("https://")})
    EXPECT_FALSE(is_fetchable_url(url)) << url;
  const std::string path(2000 - 10, 'a');
  EXPECT_TRUE(is_fetchable_url("https://a/" + path));  // 2000 characters
  EXPECT_FALSE(is_fetchable_url("https://a/" + path + "a"));
  // Non-ASCII bytes are the URL's business (IDNs, encoded paths), not control characters.
  EXPECT_TRUE(
      is_fetchable_url("https://b\xc3\xbc"
                       "cher.example/"));
}
