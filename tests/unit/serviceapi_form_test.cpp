// Form codec and error table of the service API wire format.
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "serviceapi/error_codes.hpp"
#include "serviceapi/form.hpp"

using namespace twofold::serviceapi;

namespace {

Form ok(std::string_view body) {
  auto result = parse_form(body);
  if (auto* error = std::get_if<FormError>(&result)) {
    ADD_FAILURE() << "parse_form(\"" << body << "\") failed: " << error->message;
    return {};
  }
  return std::get<Form>(result);
}

std::string fails(std::string_view body) {
  auto result = parse_form(body);
  if (std::holds_alternative<Form>(result)) {
    ADD_FAILURE() << "parse_form(\"" << body << "\") unexpectedly succeeded";
    return {};
  }
  return std::get<FormError>(result).message;
}

std::string fields_body(std::size_t n) {
  std::string body;
  for (std::size_t i = 0; i < n; ++i) body += "k" + std::to_string(i) + "=v&";
  return body;
}

}  // namespace

TEST(Form, FieldsInArrivalOrder) {
  const auto form = ok("request=ReqRequestAuthSession&secsignid=alice&servicename=Shop");
  ASSERT_EQ(form.size(), 3u);
  EXPECT_EQ(form.fields()[0], (Form::Field{"request", "ReqRequestAuthSession"}));
  EXPECT_EQ(form.fields()[1], (Form::Field{"secsignid", "alice"}));
  EXPECT_EQ(form.fields()[2], (Form::Field{"servicename", "Shop"}));
  EXPECT_EQ(form.get("secsignid").value(), "alice");
  EXPECT_FALSE(form.get("nothere").has_value());
}

TEST(Form, EmptyBodyIsAnEmptyForm) {
  EXPECT_EQ(ok("").size(), 0u);
  EXPECT_EQ(ok("&&&").size(), 0u);
}

TEST(Form, TrailingAndDoubledAmpersandsAreSkipped) {
  const auto form = ok("a=1&&b=2&");  // the JS client leaves a trailing '&'
  ASSERT_EQ(form.size(), 2u);
  EXPECT_EQ(form.get("a").value(), "1");
  EXPECT_EQ(form.get("b").value(), "2");
  EXPECT_EQ(ok("&a=1").size(), 1u);
}

TEST(Form, PlusAndPercent20AreSpaces) {
  EXPECT_EQ(ok("servicename=My+Shop").get("servicename").value(), "My Shop");
  EXPECT_EQ(ok("servicename=My%20Shop").get("servicename").value(), "My Shop");
  EXPECT_EQ(ok("my+key=x").get("my key").value(), "x");
}

TEST(Form, PercentEscapesDecodeEitherCase) {
  EXPECT_EQ(ok("a=%2B%2b%2F%3D").get("a").value(), "++/=");
  EXPECT_EQ(ok("a=%26").get("a").value(), "&");  // decoded; the firewall judges it
  EXPECT_EQ(ok("a=gr%C3%BC%C3%9F").get("a").value(), "gr\xc3\xbc\xc3\x9f");
  EXPECT_EQ(ok("a=100%25").get("a").value(), "100%");
}

TEST(Form, FirstEqualsSplits) {
  const auto form = ok("icon=abc==&x=a=b");
  EXPECT_EQ(form.get("icon").value(), "abc==");
  EXPECT_EQ(form.get("x").value(), "a=b");
}

TEST(Form, KeyAloneOrEmptyValueCountsAsMissing) {
  const auto form = ok("flag&empty=&set=1");
  ASSERT_EQ(form.size(), 3u);
  EXPECT_FALSE(form.get("flag").has_value());
  EXPECT_FALSE(form.get("empty").has_value());
  EXPECT_TRUE(form.contains("flag"));
  EXPECT_TRUE(form.contains("empty"));
  EXPECT_FALSE(form.contains("other"));
  EXPECT_EQ(form.fields()[0].second, "");
}

TEST(Form, BadPercentEscapesAreErrors) {
  EXPECT_NE(fails("a=%zz").find("percent escape"), std::string::npos);
  EXPECT_NE(fails("a=%4g").find("parameter a"), std::string::npos);
  fails("a=%");
  fails("a=abc%");
  fails("a=abc%4");
  fails("%=1");
  fails("a%2=1");
}

TEST(Form, InvalidUtf8IsAnError) {
  EXPECT_NE(fails("a=%C3%28").find("UTF-8"), std::string::npos);
  fails("a=%C3");
  fails("a=%C0%AF");     // overlong '/'
  fails("a=%ED%A0%80");  // surrogate
  fails("a=%FF");
  fails("%C3%28=1");    // in a key
  fails("a=\xc3\x28");  // raw bytes are checked the same way
}

TEST(Form, ControlCharactersAreErrors) {
  EXPECT_NE(fails("a=%00").find("control character"), std::string::npos);
  fails("a=x%0A");
  fails("a=x%0D%0A");
  fails("a=%09");
  fails("a=%7F");
  fails("a=x\ny");  // raw newline
  fails("a%00=x");  // in a key
  EXPECT_EQ(ok("a=%7E%21").get("a").value(), "~!");
}

TEST(Form, DuplicateKeysAreErrors) {
  EXPECT_NE(fails("secsignid=a&secsignid=b").find("secsignid appears twice"), std::string::npos);
  fails("a=1&a=");
  fails("a&a");
  fails("a=1&%61=2");  // same key after decoding
  fails("+=1&%20=2");
}

TEST(Form, EmptyKeyIsAnError) {
  fails("=x");
  fails("a=1&=");
  EXPECT_EQ(ok("+=1").get(" ").value(), "1");  // a space is a (strange) name
}

TEST(Form, AtMost32Fields) {
  EXPECT_EQ(ok(fields_body(32)).size(), 32u);
  EXPECT_NE(fails(fields_body(33)).find("more than 32"), std::string::npos);
}

TEST(Form, KeyAndValueLimitsApplyAfterDecoding) {
  EXPECT_EQ(ok(std::string(64, 'k') + "=v").size(), 1u);
  fails(std::string(65, 'k') + "=v");
  EXPECT_EQ(ok("v=" + std::string(1024, 'x')).get("v")->size(), 1024u);
  EXPECT_NE(fails("v=" + std::string(1025, 'x')).find("longer than 1024"), std::string::npos);
  std::string encoded;
  for (int i = 0; i < 1024; ++i) encoded += "%41";  // 3072 raw bytes, 1024 decoded
  EXPECT_EQ(ok("v=" + encoded).get("v")->size(), 1024u);
  fails("v=" + encoded + "%41");
}

TEST(Form, BodyLimit) {
  fails(std::string(kMaxBodyBytes + 1, '&'));
  EXPECT_EQ(ok(std::string(kMaxBodyBytes, '&')).size(), 0u);
}

TEST(Form, UnsafeNamesAreNotEchoed) {
  const auto message = fails("%3Cscript%3E=1&%3Cscript%3E=2");
  EXPECT_EQ(message.find("script"), std::string::npos);
  EXPECT_NE(message.find("parameter 2"), std::string::npos);
  EXPECT_TRUE(is_echoable_name("secsignid"));
  EXPECT_FALSE(is_echoable_name("a&b"));
  EXPECT_FALSE(is_echoable_name(""));
  EXPECT_FALSE(is_echoable_name(std::string(65, 'a')));
}

TEST(EncodeAnswer, RawValuesNoTrailingNewline) {
  const std::string answer = encode_answer({{"secsignid", "alice"},
                                            {"authsessionid", "1234567890123456789"},
                                            {"servicename", "My Shop, 50% off"},
                                            {"authsessionicondata", "iVBO+w/x=="}});
  EXPECT_EQ(answer,
            "secsignid=alice&authsessionid=1234567890123456789&servicename=My Shop, 50% off"
            "&authsessionicondata=iVBO+w/x==");
  EXPECT_NE(answer.back(), '\n');
  EXPECT_EQ(encode_answer({}), "");
  EXPECT_EQ(encode_answer({{"authsessionstate", "3"}}), "authsessionstate=3");
  EXPECT_EQ(encode_answer({{"empty", ""}}), "empty=");
}

TEST(EncodeAnswer, ThrowsOnAmpersandOrBadKey) {
  EXPECT_THROW(encode_answer({{"servicename", "Tom & Jerry"}}), std::invalid_argument);
  EXPECT_THROW(encode_answer({{"a&b", "x"}}), std::invalid_argument);
  EXPECT_THROW(encode_answer({{"a=b", "x"}}), std::invalid_argument);
  EXPECT_THROW(encode_answer({{"", "x"}}), std::invalid_argument);
  EXPECT_NO_THROW(encode_answer({{"a", "x=y"}}));  // '=' in a value is fine (first '=' splits)
}

TEST(ErrorCodes, TableIsCompleteAndConsistent) {
  const auto table = error_table();
  ASSERT_EQ(table.size(), static_cast<std::size_t>(Error::internal_error) + 1);
  for (std::size_t i = 0; i < table.size(); ++i) {
    EXPECT_EQ(static_cast<std::size_t>(table[i].error), i);
    EXPECT_FALSE(table[i].name.empty());
    EXPECT_GE(table[i].code, 400);
    EXPECT_GE(table[i].http_status, 400);
    // Clients may not decode: messages must stay literal.
    EXPECT_EQ(table[i].message.find_first_of("&+%\n"), std::string_view::npos) << table[i].name;
    EXPECT_EQ(table[i].message.back(), '.') << table[i].name;
  }
}

TEST(ErrorCodes, ContractCodesAndMessages) {
  EXPECT_EQ(error_info(Error::unknown_id).code, 500);
  EXPECT_EQ(error_message(Error::unknown_id, {"bob"}), "The SecSign ID bob does not exist.");
  EXPECT_EQ(error_info(Error::session_not_pending).code, 400);
  EXPECT_EQ(error_info(Error::session_not_pending).message,
            "The auth session does not exist or is no longer pending.");
  EXPECT_EQ(error_info(Error::request_id_mismatch).code, 403);
  EXPECT_EQ(error_info(Error::id_locked).code, 423);
  EXPECT_EQ(error_info(Error::id_suspended).code, 409);
  EXPECT_EQ(error_info(Error::priority_code_required).code, 409);
  EXPECT_EQ(error_info(Error::storage_unavailable).code, 503);
  EXPECT_EQ(error_info(Error::body_too_large).code, 413);
  EXPECT_EQ(error_info(Error::method_not_allowed).code, 405);
  EXPECT_EQ(error_info(Error::unsupported_media_type).code, 415);
  EXPECT_NE(error_info(Error::internal_error).code, 500);  // 500 means "unknown ID"
}

TEST(ErrorCodes, MessagePlaceholders) {
  EXPECT_EQ(error_message(Error::invalid_parameter, {"authsessionid", "it must be 19 digits"}),
            "The parameter authsessionid is not valid: it must be 19 digits.");
  EXPECT_EQ(error_message(Error::missing_parameter), "The parameter  is missing or empty.");
  EXPECT_EQ(error_message(Error::id_locked, {"ignored"}), "The ID is locked.");
}

TEST(ErrorAnswer, Format) {
  EXPECT_EQ(error_answer(423, "The ID is locked."), "error=423&errormsg=The ID is locked.");
  EXPECT_EQ(error_answer(Error::unknown_id, {"alice"}),
            "error=500&errormsg=The SecSign ID alice does not exist.");
  EXPECT_EQ(error_answer(400, ""), "error=400&errormsg=");
}

TEST(ErrorAnswer, MessageIsMadeSafe) {
  EXPECT_EQ(error_answer(400, "Tom & Jerry"), "error=400&errormsg=Tom and Jerry");
  EXPECT_EQ(error_answer(400, "a\r\nb\x01"), "error=400&errormsg=a  b ");
  EXPECT_EQ(error_answer(400, "bad \xff byte"), "error=400&errormsg=bad ? byte");
  EXPECT_EQ(error_answer(400, "gr\xc3\xbc\xc3\x9f"), "error=400&errormsg=gr\xc3\xbc\xc3\x9f");
  // Cut to 512 bytes without splitting a UTF-8 sequence.
  const auto answer = error_answer(400, std::string(511, 'x') + "\xc3\xbc" + "tail");
  EXPECT_EQ(answer, "error=400&errormsg=" + std::string(511, 'x'));
  const auto body = error_answer(400, std::string(2000, '&'));
  EXPECT_EQ(body.find('&', 10), std::string::npos);
  EXPECT_EQ(body.size(), std::string("error=400&errormsg=").size() + 512);
}

TEST(ErrorAnswer, TechnicalErrorCarriesStatus) {
  const auto e = technical_error(Error::body_too_large);
  EXPECT_EQ(e.code, 413);
  EXPECT_EQ(e.http_status, 413);
  const auto m = technical_error(Error::missing_parameter, {"secsignid"});
  EXPECT_EQ(m.code, 400);
  EXPECT_EQ(m.http_status, 400);
  EXPECT_EQ(m.message, "The parameter secsignid is missing or empty.");
}
