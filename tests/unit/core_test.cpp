#include <gtest/gtest.h>

#include "core/clock.hpp"
#include "core/encoding.hpp"
#include "core/random.hpp"
#include "core/text_template.hpp"

using namespace twofold::core;

TEST(Encoding, HexRoundTrip) {
  EXPECT_EQ(to_hex("\x01\xab"), "01ab");
  EXPECT_EQ(to_hex_upper("\x01\xab"), "01AB");
  EXPECT_EQ(from_hex("01ab").value(), "\x01\xab");
  EXPECT_FALSE(from_hex("0").has_value());
  EXPECT_FALSE(from_hex("zz").has_value());
}

TEST(Encoding, Base64) {
  EXPECT_EQ(base64_encode("\xfb\xff"), "+/8=");
  EXPECT_EQ(base64url_encode("\xfb\xff"), "-_8");
  EXPECT_EQ(base64_decode("+/8=").value(), "\xfb\xff");
  EXPECT_FALSE(base64_decode("+/8").has_value());
  EXPECT_FALSE(base64_decode("+/8=x").has_value());
  EXPECT_EQ(base64url_decode("-_8").value(), "\xfb\xff");
}

TEST(Encoding, SecureEquals) {
  EXPECT_TRUE(secure_equals("abc", "abc"));
  EXPECT_FALSE(secure_equals("abc", "abd"));
  EXPECT_FALSE(secure_equals("abc", "ab"));
}

TEST(Encoding, Utf8) {
  EXPECT_TRUE(is_valid_utf8("gr\xc3\xbc\xc3\x9f"));
  EXPECT_FALSE(is_valid_utf8("\xc3"));
  EXPECT_FALSE(is_valid_utf8("\xc0\xaf"));      // overlong
  EXPECT_FALSE(is_valid_utf8("\xed\xa0\x80"));  // surrogate
  EXPECT_FALSE(is_valid_utf8("\xff"));
}

TEST(Encoding, Sha256) {
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Random, DigitsAndUniform) {
  SeededRandom r(42);
  auto d = r.digits(19, true);
  ASSERT_EQ(d.size(), 19u);
  EXPECT_NE(d[0], '0');
  for (char c : d) EXPECT_TRUE(c >= '0' && c <= '9');
  for (int i = 0; i < 1000; ++i) EXPECT_LT(r.uniform(7), 7u);
  SystemRandom s;
  EXPECT_NE(s.hex(16), s.hex(16));
}

TEST(Clock, ManualAdvances) {
  ManualClock c;
  auto t0 = c.now();
  c.advance(Millis{1500});
  EXPECT_EQ(c.now() - t0, Millis{1500});
}

TEST(TextTemplate, EscapesOnlyWhenAsked) {
  const TemplateVars vars{{"x", "<b>&"}, {"empty", ""}};
  EXPECT_EQ(fill_template("[{{x}}]", vars, Escape::html), "[&lt;b&gt;&amp;]");
  EXPECT_EQ(fill_template("[{{x}}]", vars, Escape::none), "[<b>&]");
  EXPECT_EQ(fill_template("[{{&x}}]", vars, Escape::html), "[<b>&]");
  EXPECT_EQ(fill_template("{{#empty}}no{{/empty}}{{^empty}}yes{{/empty}}", vars, Escape::none),
            "yes");
  // A value is inserted once, never filled again.
  EXPECT_EQ(fill_template("{{y}}", {{"y", "{{x}}"}}, Escape::none), "{{x}}");
  EXPECT_THROW(fill_template("{{missing}}", vars, Escape::none), TemplateError);
}

TEST(TextTemplate, LanguageTags) {
  EXPECT_EQ(primary_language("de-AT"), "de");
  EXPECT_EQ(primary_language("DE_de"), "de");
  EXPECT_EQ(primary_language("en"), "en");
  EXPECT_EQ(primary_language(""), "");
  EXPECT_EQ(trim("  a b \t\r"), "a b");
  EXPECT_EQ(ascii_lower("ÄbC"), "Äbc");
}
