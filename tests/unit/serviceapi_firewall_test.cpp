// The service API parameter firewall: what reaches a handler, and what is refused.
#include <gtest/gtest.h>

#include <string>

#include "serviceapi/firewall.hpp"

using namespace twofold::serviceapi;

namespace {

const std::string kSessionId = "1234567890123456789";
const std::string kRequestId = std::string(32, 'A') + std::string(32, '9');

std::string auth_body(std::string_view extra = "") {
  return "request=ReqRequestAuthSession&secsignid=alice&servicename=My+Shop"
         "&serviceaddress=https%3A%2F%2Fshop.example%2Flogin" +
         std::string(extra);
}

std::string session_body(std::string_view request, std::string_view extra = "") {
  return "request=" + std::string(request) + "&secsignid=alice&authsessionid=" + kSessionId +
         "&requestid=" + kRequestId + std::string(extra);
}

ServiceRequest accepted(std::string_view body) {
  auto result = parse_request(body);
  if (auto* error = std::get_if<TechnicalError>(&result)) {
    ADD_FAILURE() << "refused: " << body << "\n  -> " << error->code << " " << error->message;
    return {};
  }
  return std::get<ServiceRequest>(result);
}

TechnicalError refused(std::string_view body) {
  auto result = parse_request(body);
  if (std::holds_alternative<ServiceRequest>(result)) {
    ADD_FAILURE() << "accepted: " << body;
    return {};
  }
  return std::get<TechnicalError>(result);
}

// Refused with a 400 whose message names `param`.
void refused_naming(std::string_view body, std::string_view param) {
  const auto error = refused(body);
  EXPECT_EQ(error.code, 400) << body;
  EXPECT_EQ(error.http_status, 400) << body;
  EXPECT_NE(error.message.find(param), std::string::npos)
      << body << "\n  -> " << error.message << "\n  does not name " << param;
}

// `body` with the field `key=...` removed (keys are unique and never prefixes here).
std::string without(std::string body, std::string_view key) {
  const auto start = body.find(std::string(key) + "=");
  auto end = body.find('&', start);
  if (start > 0)
    return body.erase(start - 1, (end == std::string::npos ? body.size() : end) - start + 1);
  return body.erase(0, end == std::string::npos ? body.size() : end + 1);
}

// `body` with the value of `key` replaced by `value` (already encoded).
std::string with(std::string body, std::string_view key, std::string_view value) {
  const auto start = body.find(std::string(key) + "=") + key.size() + 1;
  auto end = body.find('&', start);
  if (end == std::string::npos) end = body.size();
  return body.replace(start, end - start, value);
}

}  // namespace

TEST(Firewall, RequestAuthSessionValid) {
  const auto r = accepted(auth_body());
  EXPECT_EQ(r.type, RequestType::request_auth_session);
  EXPECT_EQ(r.secsignid, "alice");
  EXPECT_EQ(r.servicename, "My Shop");
  EXPECT_EQ(r.serviceaddress, "https://shop.example/login");
  EXPECT_TRUE(r.show_access_pass);
  EXPECT_EQ(r.pluginname, "");
  EXPECT_EQ(r.apimethod, "");
  EXPECT_EQ(r.authsessionid, "");
  EXPECT_EQ(r.requestid, "");
}

TEST(Firewall, RequestAuthSessionAllOptionals) {
  const auto r = accepted(
      auth_body("&pluginname=SecSignIDApi_JS&apimethod=SecSignIDApi_PHP&showaccesspass=false"
                "&scriptversion=1.26&timezone=Europe%2FBerlin"));
  EXPECT_EQ(r.pluginname, "SecSignIDApi_JS");
  EXPECT_EQ(r.apimethod, "SecSignIDApi_PHP");
  EXPECT_FALSE(r.show_access_pass);
}

TEST(Firewall, RealClientBodies) {
  // PHP http_build_query (apimethod first, '+' for space).
  auto r = accepted(
      "apimethod=SecSignIDApi_PHP&request=ReqRequestAuthSession&secsignid=alice"
      "&servicename=Your+Website+Login&serviceaddress=http%3A%2F%2Fwww.yoursite.com%2F"
      "&pluginname=wp");
  EXPECT_EQ(r.servicename, "Your Website Login");
  // JS encodeURIComponent ('%20', trailing '&').
  r = accepted(
      "request=ReqRequestAuthSession&secsignid=alice&servicename=Your%20Website%20Login"
      "&serviceaddress=www.yoursite.com&pluginname=SecSignIDApi_JS&apimethod=SecSignIDApi_JS&");
  EXPECT_EQ(r.servicename, "Your Website Login");
  r = accepted("request=ReqGetAuthSessionState&secsignid=alice&authsessionid=" + kSessionId +
               "&requestid=" + kRequestId + "&apimethod=SecSignIDApi_JS&");
  EXPECT_EQ(r.type, RequestType::get_auth_session_state);
}

TEST(Firewall, EachSessionRequestValid) {
  const std::pair<std::string_view, RequestType> cases[] = {
      {"ReqGetAuthSessionState", RequestType::get_auth_session_state},
      {"ReqCancelAuthSession", RequestType::cancel_auth_session},
      {"ReqReleaseAuthSession", RequestType::release_auth_session},
  };
  for (const auto& [name, type] : cases) {
    const auto r = accepted(session_body(name, "&apimethod=x&pluginname=y&scriptversion=3"));
    EXPECT_EQ(r.type, type);
    EXPECT_EQ(r.secsignid, "alice");
    EXPECT_EQ(r.authsessionid, kSessionId);
    EXPECT_EQ(r.requestid, kRequestId);
    EXPECT_EQ(r.apimethod, "x");
    EXPECT_EQ(r.pluginname, "y");
    EXPECT_EQ(r.servicename, "");
    EXPECT_EQ(request_name(type), name);
    EXPECT_EQ(request_type_from_name(name), type);
  }
}

TEST(Firewall, RequestParameterMissingOrUnknown) {
  refused_naming("secsignid=alice", "request");
  refused_naming("request=&secsignid=alice", "request");
  refused_naming("request=ReqFoo&secsignid=alice", "request");
  refused_naming("request=reqrequestauthsession&secsignid=alice", "request");  // exact name
  refused_naming("", "request");
  EXPECT_FALSE(request_type_from_name("ReqFoo").has_value());
}

TEST(Firewall, EachMissingOrEmptyRequiredParameter) {
  for (const auto name : {"secsignid", "servicename", "serviceaddress"}) {
    refused_naming(without(auth_body(), name), name);
    refused_naming(with(auth_body(), name, ""), name);
    EXPECT_NE(refused(without(auth_body(), name)).message.find("missing"), std::string::npos);
  }
  for (const auto request :
       {"ReqGetAuthSessionState", "ReqCancelAuthSession", "ReqReleaseAuthSession"}) {
    for (const auto name : {"secsignid", "authsessionid", "requestid"}) {
      refused_naming(without(session_body(request), name), name);
      refused_naming(with(session_body(request), name, ""), name);
    }
  }
  // "key" alone is an empty value, i.e. missing.
  refused_naming(without(auth_body(), "secsignid") + "&secsignid", "secsignid");
}

TEST(Firewall, ExtraParametersAreRefused) {
  refused_naming(auth_body("&authsessionid=" + kSessionId), "authsessionid");
  refused_naming(auth_body("&requestid=" + kRequestId), "requestid");
  refused_naming(auth_body("&foo=bar"), "foo");
  refused_naming(auth_body("&SecSignID=alice"), "SecSignID");  // names are case-sensitive
  for (const auto request :
       {"ReqGetAuthSessionState", "ReqCancelAuthSession", "ReqReleaseAuthSession"}) {
    refused_naming(session_body(request, "&servicename=Shop"), "servicename");
    refused_naming(session_body(request, "&serviceaddress=x"), "serviceaddress");
    refused_naming(session_body(request, "&showaccesspass=true"), "showaccesspass");
    refused_naming(session_body(request, "&timezone=UTC"), "timezone");
  }
  // An odd name is not echoed.
  const auto error = refused(auth_body("&%3Cb%3E=1"));
  EXPECT_EQ(error.message.find("<b>"), std::string::npos);
  EXPECT_NE(error.message.find("number 5"), std::string::npos) << error.message;
}

TEST(Firewall, EmptyExtraOrOptionalParametersCountAsAbsent) {
  const auto r = accepted(auth_body("&foo=&pluginname=&showaccesspass="));
  EXPECT_TRUE(r.show_access_pass);
  EXPECT_EQ(r.pluginname, "");
  accepted(session_body("ReqCancelAuthSession", "&servicename="));
}

TEST(Firewall, ShowAccessPassVariants) {
  for (const auto v : {"true", "TRUE", "True", "tRuE", "1"})
    EXPECT_TRUE(accepted(auth_body(std::string("&showaccesspass=") + v)).show_access_pass) << v;
  for (const auto v : {"false", "FALSE", "False", "0"})
    EXPECT_FALSE(accepted(auth_body(std::string("&showaccesspass=") + v)).show_access_pass) << v;
  for (const auto v : {"maybe", "yes", "no", "2", "true+", "%20true", "truee", "t"})
    refused_naming(auth_body(std::string("&showaccesspass=") + v), "showaccesspass");
}

TEST(Firewall, RequestIdIsNormalisedToUpperCase) {
  const std::string lower = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
  const auto r = accepted(with(session_body("ReqGetAuthSessionState"), "requestid", lower));
  EXPECT_EQ(r.requestid, "0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF");
  const std::string mixed = "aBcDeF" + std::string(58, '0');
  EXPECT_EQ(accepted(with(session_body("ReqGetAuthSessionState"), "requestid", mixed)).requestid,
            "ABCDEF" + std::string(58, '0'));
}

TEST(Firewall, RequestIdFormat) {
  const auto body = session_body("ReqGetAuthSessionState");
  refused_naming(with(body, "requestid", std::string(63, 'A')), "requestid");
  refused_naming(with(body, "requestid", std::string(65, 'A')), "requestid");
  refused_naming(with(body, "requestid", std::string(63, 'A') + "G"), "requestid");
  refused_naming(with(body, "requestid", std::string(63, 'A') + "+"), "requestid");
  refused_naming(with(body, "requestid", "0x" + std::string(62, 'A')), "requestid");
}

TEST(Firewall, AuthSessionIdFormat) {
  const auto body = session_body("ReqCancelAuthSession");
  EXPECT_EQ(accepted(with(body, "authsessionid", "0000000000000000001")).authsessionid,
            "0000000000000000001");
  refused_naming(with(body, "authsessionid", "123456789012345678"), "authsessionid");    // 18
  refused_naming(with(body, "authsessionid", "12345678901234567890"), "authsessionid");  // 20
  refused_naming(with(body, "authsessionid", "123456789012345678a"), "authsessionid");
  refused_naming(with(body, "authsessionid", "-123456789012345678"), "authsessionid");
  refused_naming(with(body, "authsessionid", "+123456789012345678"), "authsessionid");
  refused_naming(with(body, "authsessionid", "%EF%BC%91" + std::string(18, '1')),
                 "authsessionid");  // full-width digit one
}

TEST(Firewall, SecSignIdFormat) {
  for (const auto id : {"alice", "Alice.Smith", "a_b-c@example.org", "12345678", "x"})
    EXPECT_EQ(accepted(with(auth_body(), "secsignid", id)).secsignid, id);
  EXPECT_EQ(accepted(with(auth_body(), "secsignid", std::string(255, 'a'))).secsignid.size(), 255u);
  refused_naming(with(auth_body(), "secsignid", std::string(256, 'a')), "secsignid");
  for (const auto id : {"al+ice", "al%2Bice", "a%26b", "a/b", "gr%C3%BC%C3%9F", "a%27", "a:b"})
    refused_naming(with(auth_body(), "secsignid", id), "secsignid");
  refused_naming(with(session_body("ReqReleaseAuthSession"), "secsignid", "a%20b"), "secsignid");
  EXPECT_TRUE(is_priority_code_syntax("12345678"));
  EXPECT_FALSE(is_priority_code_syntax("1234567"));
  EXPECT_FALSE(is_priority_code_syntax("1234567a"));
}

TEST(Firewall, EchoedFieldsRefuseAmpersand) {
  refused_naming(with(auth_body(), "servicename", "Tom+%26+Jerry"), "servicename");
  refused_naming(with(auth_body(), "serviceaddress", "https%3A%2F%2Fx%2F%3Fa%3D1%26b%3D2"),
                 "serviceaddress");
  EXPECT_NE(refused(with(auth_body(), "servicename", "%26")).message.find("ampersand"),
            std::string::npos);
}

TEST(Firewall, EchoedFieldsAreKeptExactly) {
  const auto r = accepted(with(with(auth_body(), "servicename", "+%C3%9Cber+Shop+%2B+50%25+="),
                               "serviceaddress", "https%3A%2F%2Fx%2F%3Fa%3D1"));
  EXPECT_EQ(r.servicename,
            " \xc3\x9c"
            "ber Shop + 50% =");
  EXPECT_EQ(r.serviceaddress, "https://x/?a=1");
}

TEST(Firewall, EchoedFieldsLength) {
  EXPECT_EQ(accepted(with(auth_body(), "servicename", std::string(255, 'n'))).servicename.size(),
            255u);
  refused_naming(with(auth_body(), "servicename", std::string(256, 'n')), "servicename");
  refused_naming(with(auth_body(), "serviceaddress", std::string(256, 'n')), "serviceaddress");
  std::string umlauts;  // 128 × 2 bytes = 256 bytes after decoding
  for (int i = 0; i < 128; ++i) umlauts += "%C3%BC";
  refused_naming(with(auth_body(), "servicename", umlauts), "servicename");
}

TEST(Firewall, EchoedFieldsRefuseInvisibleControls) {
  refused_naming(with(auth_body(), "servicename", "a%C2%85b"), "servicename");           // NEL (C1)
  refused_naming(with(auth_body(), "servicename", "a%E2%80%AEb"), "servicename");        // RLO
  refused_naming(with(auth_body(), "serviceaddress", "a%E2%81%A6b"), "serviceaddress");  // LRI
  refused_naming(with(auth_body(), "servicename", "a%E2%80%A8b"), "servicename");        // LS
  // Ordinary non-ASCII text, and the marks RTL names need, stay allowed.
  accepted(with(auth_body(), "servicename", "%E2%80%8F%D7%A9%D7%9C%D7%95%D7%9D"));  // RLM + Hebrew
  accepted(with(auth_body(), "servicename", "%E2%80%94caf%C3%A9"));
  EXPECT_FALSE(is_valid_echoed_text(""));
  EXPECT_FALSE(is_valid_echoed_text("\xc3"));
  EXPECT_FALSE(is_valid_echoed_text("a\x7f"));
  EXPECT_TRUE(is_valid_echoed_text("caf\xc3\xa9"));
}

TEST(Firewall, FormErrorsBecomeTechnicalErrors) {
  for (const auto body : {"request=%zz", "a=%", "a=%C3%28", "a=%00", "a=1&a=2"}) {
    const auto error = refused(body);
    EXPECT_EQ(error.code, 400) << body;
    EXPECT_NE(error.message.find("not a valid form"), std::string::npos) << error.message;
  }
  refused_naming(auth_body("&servicename=again"), "servicename");
}

TEST(Firewall, OversizeInputs) {
  std::string many = auth_body();
  for (int i = 0; i < 29; ++i) many += "&x" + std::to_string(i) + "=1";  // 33 fields
  EXPECT_NE(refused(many).message.find("more than 32"), std::string::npos);
  const auto big = refused(auth_body("&pluginname=") + std::string(kMaxBodyBytes, 'p'));
  EXPECT_EQ(big.code, 413);
  EXPECT_EQ(big.http_status, 413);
  refused_naming(auth_body("&pluginname=" + std::string(256, 'p')), "pluginname");
  refused_naming(auth_body("&apimethod=" + std::string(256, 'p')), "apimethod");
  refused_naming(auth_body("&scriptversion=" + std::string(1025, 'p')), "scriptversion");
  accepted(auth_body("&pluginname=" + std::string(255, 'p')));
}

TEST(Firewall, CheckRequestOnParsedForm) {
  auto parsed = parse_form(auth_body());
  ASSERT_TRUE(std::holds_alternative<Form>(parsed));
  auto result = check_request(std::get<Form>(parsed));
  ASSERT_TRUE(std::holds_alternative<ServiceRequest>(result));
  auto empty = check_request(Form{});
  ASSERT_TRUE(std::holds_alternative<TechnicalError>(empty));
  EXPECT_EQ(std::get<TechnicalError>(empty).message, "The parameter request is missing or empty.");
}
