// The service API handlers (SPEC §2): the four requests end to end through the firewall,
// the real auth-session service and the answer encoder, as the published clients see them.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "accesspass/symbol_set.hpp"
#include "core/encoding.hpp"
#include "serviceapi/endpoint.hpp"
#include "support/memory_ports.hpp"

using namespace twofold;
using std::chrono::seconds;

namespace {

const accesspass::SymbolSet& symbol_set() {
  static const auto set = accesspass::SymbolSet::embedded();
  return set;
}

// What the PHP client does: split on '&', then on the first '=', no URL-decoding.
std::map<std::string, std::string> split(const std::string& body) {
  std::map<std::string, std::string> out;
  std::size_t start = 0;
  while (start <= body.size()) {
    auto end = body.find('&', start);
    if (end == std::string::npos) end = body.size();
    const auto pair = body.substr(start, end - start);
    const auto eq = pair.find('=');
    EXPECT_NE(eq, std::string::npos) << pair;
    EXPECT_TRUE(out.emplace(pair.substr(0, eq), pair.substr(eq + 1)).second)
        << "duplicate " << pair;
    start = end + 1;
  }
  return out;
}

std::set<std::string> keys(const std::map<std::string, std::string>& m) {
  std::set<std::string> out;
  for (const auto& [k, v] : m) out.insert(k);
  return out;
}

const std::set<std::string> kSessionFields = {
    "secsignid",      "authsessionid",    "requestid",          "servicename",
    "serviceaddress", "authsessionstate", "authsessionicondata"};

class EndpointTest : public ::testing::Test {
 protected:
  core::ManualClock clock;
  core::SeededRandom random{11};
  fakes::MemoryDirectory directory;
  fakes::MemoryStore store;
  fakes::RecordingListener listener;
  authsession::Service sessions{{}, clock, random, directory, store, listener};
  serviceapi::Endpoint endpoint{sessions, symbol_set()};

  void SetUp() override {
    directory.add("Alice");
    directory.add("bob");
  }

  // Every answer: never empty, no trailing newline, parseable by the naive clients.
  std::map<std::string, std::string> post(const std::string& body, int http_status = 200) {
    auto a = endpoint.handle(body, "198.51.100.7");
    EXPECT_EQ(a.http_status, http_status) << a.body;
    EXPECT_FALSE(a.body.empty());
    EXPECT_NE(a.body.back(), '\n');
    EXPECT_NE(a.body.back(), '\r');
    last_body = a.body;
    return split(a.body);
  }
  std::map<std::string, std::string> request(const std::string& id = "alice",
                                             const std::string& extra = "", int http_status = 200) {
    return post("request=ReqRequestAuthSession&secsignid=" + id +
                    "&servicename=Shop&serviceaddress=https%3A%2F%2Fshop.example&apimethod="
                    "SecSignIDApi_PHP" +
                    extra,
                http_status);
  }
  std::map<std::string, std::string> on_session(const std::string& request_name,
                                                const std::map<std::string, std::string>& s,
                                                int http_status = 200) {
    return post("request=" + request_name + "&secsignid=" + s.at("secsignid") +
                    "&authsessionid=" + s.at("authsessionid") + "&requestid=" + s.at("requestid"),
                http_status);
  }
  authsession::AuthSession session(const std::map<std::string, std::string>& s) {
    return sessions.find("alice", s.at("authsessionid")).value();
  }
  void accept(const std::map<std::string, std::string>& s) {
    auto live = session(s);
    auto out = sessions.answer("alice", live.id, authsession::Decision::accept, live.symbol,
                               live.nonce, "dev");
    ASSERT_EQ(std::get<authsession::AuthSession>(out).state, authsession::State::accepted);
  }

  std::string last_body;
};

TEST_F(EndpointTest, RequestAnswerCarriesExactlyTheSessionFields) {
  auto a = post(
      "serviceaddress=https%3A%2F%2Fshop.example%2Flogin%3Fa%3D1&apimethod=SecSignIDApi_PHP"
      "&servicename=My+Shop%20%2B+Co&secsignid=alice&request=ReqRequestAuthSession"
      "&pluginname=wp&showaccesspass=true");
  EXPECT_EQ(keys(a), kSessionFields);
  // In the documented order, so even a positional parser finds them.
  std::vector<std::string> order;
  for (std::size_t p = 0; p < last_body.size(); p = last_body.find('&', p) + 1) {
    order.push_back(last_body.substr(p, last_body.find('=', p) - p));
    if (last_body.find('&', p) == std::string::npos) break;
  }
  EXPECT_EQ(order, (std::vector<std::string>{"secsignid", "authsessionid", "requestid",
                                             "servicename", "serviceaddress", "authsessionstate",
                                             "authsessionicondata"}));
  EXPECT_EQ(a["secsignid"], "alice");
  ASSERT_EQ(a["authsessionid"].size(), 19u);
  EXPECT_EQ(a["authsessionid"].find_first_not_of("0123456789"), std::string::npos);
  EXPECT_NE(a["authsessionid"][0], '0');
  ASSERT_EQ(a["requestid"].size(), 64u);
  EXPECT_EQ(a["requestid"].find_first_not_of("0123456789ABCDEF"), std::string::npos);
  // Echoed exactly as received (decoded), not re-encoded.
  EXPECT_EQ(a["servicename"], "My Shop + Co");
  EXPECT_EQ(a["serviceaddress"], "https://shop.example/login?a=1");
  EXPECT_EQ(a["authsessionstate"], "1");
  // The access pass: raw standard base64 of the session's symbol, decodable without any
  // URL-decoding step.
  const auto& expected = symbol_set().at(session(a).symbol).png_base64;
  EXPECT_EQ(a["authsessionicondata"], expected);
  auto png = core::base64_decode(a["authsessionicondata"]);
  ASSERT_TRUE(png.has_value());
  EXPECT_EQ(png->substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  EXPECT_EQ(last_body.find('%'), std::string::npos);
  auto stored = session(a);
  EXPECT_EQ(stored.requester_ip, "198.51.100.7");
  EXPECT_EQ(stored.plugin_name, "wp");
  EXPECT_EQ(stored.api_method, "SecSignIDApi_PHP");
}

TEST_F(EndpointTest, IconsKeepLiteralBase64Characters) {
  // Across the symbol set some base64 has '+' or '/'; whichever symbol a session gets, its
  // icon is sent verbatim.
  bool special = false;
  for (const auto& s : symbol_set().all())
    special |= s.png_base64.find_first_of("+/") != std::string::npos;
  ASSERT_TRUE(special);
  for (int i = 0; i < 8; ++i) {
    clock.advance(seconds(3600));
    directory.rows["alice"].suspended = false;
    auto a = request();
    EXPECT_EQ(a["authsessionicondata"], symbol_set().at(session(a).symbol).png_base64);
    EXPECT_NE(last_body.find("&authsessionicondata=" + a["authsessionicondata"]),
              std::string::npos);
    on_session("ReqCancelAuthSession", a);
  }
}

TEST_F(EndpointTest, WithoutAccessPassTheIconIsStillSent) {
  auto a = request("alice", "&showaccesspass=false");
  EXPECT_EQ(keys(a), kSessionFields);
  EXPECT_FALSE(a["authsessionicondata"].empty());
  EXPECT_FALSE(session(a).show_access_pass);
}

TEST_F(EndpointTest, StateAnswerFollowsTheSession) {
  auto a = request("ALICE");
  auto st = on_session("ReqGetAuthSessionState", a);
  EXPECT_EQ(st["authsessionid"], a["authsessionid"]);
  EXPECT_EQ(st["authsessionstate"], "1");
  EXPECT_EQ(st["secsignid"], "ALICE");
  EXPECT_EQ(st.count("message"), 0u);
  EXPECT_EQ(st.count("error"), 0u);

  sessions.fetch("alice");
  EXPECT_EQ(on_session("ReqGetAuthSessionState", a)["authsessionstate"], "7");
  accept(a);
  // Any case of the ID finds the session; once accepted the answer names the real ID.
  a["secsignid"] = "aLiCe";
  st = on_session("ReqGetAuthSessionState", a);
  EXPECT_EQ(st["authsessionstate"], "3");
  EXPECT_EQ(st["secsignid"], "Alice");
}

TEST_F(EndpointTest, DeniedStateCarriesTheMessage) {
  auto a = request();
  auto s = session(a);
  sessions.answer("alice", s.id, authsession::Decision::deny, 0, s.nonce, "dev");
  auto st = on_session("ReqGetAuthSessionState", a);
  EXPECT_EQ(st["authsessionstate"], "4");
  EXPECT_EQ(st["message"], "You have denied the access pass.");
}

TEST_F(EndpointTest, ExpiredSessionReportsStateTwo) {
  auto a = request();
  clock.advance(seconds(120));
  EXPECT_EQ(on_session("ReqGetAuthSessionState", a)["authsessionstate"], "2");
}

TEST_F(EndpointTest, CancelAnswerThenTheSessionIsGone) {
  auto a = request();
  auto c = on_session("ReqCancelAuthSession", a);
  EXPECT_EQ(keys(c), (std::set<std::string>{"authsessionid", "authsessionstate"}));
  EXPECT_EQ(c["authsessionid"], a["authsessionid"]);
  EXPECT_EQ(c["authsessionstate"], "6");
  auto gone = on_session("ReqGetAuthSessionState", a, 404);
  EXPECT_EQ(keys(gone), (std::set<std::string>{"error", "errormsg"}));
  EXPECT_EQ(gone["error"], "400");
  EXPECT_EQ(on_session("ReqCancelAuthSession", a, 404)["error"], "400");
}

TEST_F(EndpointTest, ReleaseAnswerKeepsTheFinalState) {
  auto a = request();
  accept(a);
  auto r = on_session("ReqReleaseAuthSession", a);
  EXPECT_EQ(keys(r), (std::set<std::string>{"authsessionid", "authsessionstate"}));
  EXPECT_EQ(r["authsessionstate"], "3");
  EXPECT_EQ(on_session("ReqGetAuthSessionState", a, 404)["error"], "400");
  EXPECT_EQ(on_session("ReqReleaseAuthSession", a, 404)["error"], "400");
}

TEST_F(EndpointTest, ReleasingAPendingSessionEndsIt) {
  auto a = request();
  auto live = session(a);
  EXPECT_EQ(on_session("ReqReleaseAuthSession", a)["authsessionstate"], "6");
  auto late = sessions.answer("alice", live.id, authsession::Decision::accept, live.symbol,
                              live.nonce, "dev");
  EXPECT_TRUE(std::holds_alternative<authsession::Error>(late));
}

TEST_F(EndpointTest, UnknownIdIsError500DoesNotExist) {
  auto a =
      post("request=ReqRequestAuthSession&secsignid=carol&servicename=S&serviceaddress=A", 404);
  EXPECT_EQ(keys(a), (std::set<std::string>{"error", "errormsg"}));
  EXPECT_EQ(a["error"], "500");
  EXPECT_NE(a["errormsg"].find("does not exist"), std::string::npos);
  EXPECT_NE(a["errormsg"].find("carol"), std::string::npos);
  EXPECT_TRUE(store.live.empty());
}

TEST_F(EndpointTest, WrongRequestIdIsAContextError) {
  auto a = request();
  auto wrong = a;
  wrong["requestid"] = std::string(64, 'A');
  auto e = on_session("ReqGetAuthSessionState", wrong, 403);
  EXPECT_EQ(keys(e), (std::set<std::string>{"error", "errormsg"}));
  EXPECT_EQ(e["error"], "403");
  EXPECT_NE(e["errormsg"].find("request id"), std::string::npos);
  // The session is untouched and a lower-case requestid is the same id.
  EXPECT_EQ(on_session("ReqCancelAuthSession", wrong, 403)["error"], "403");
  auto lower = a;
  for (auto& ch : lower["requestid"]) ch = static_cast<char>(std::tolower(ch));
  EXPECT_EQ(on_session("ReqGetAuthSessionState", lower)["authsessionstate"], "1");
}

TEST_F(EndpointTest, UnknownSessionOrOtherIdIsError400) {
  auto a = request();
  auto other = a;
  other["authsessionid"] = "1000000000000000000";
  EXPECT_EQ(on_session("ReqGetAuthSessionState", other, 404)["error"], "400");
  other = a;
  other["secsignid"] = "bob";
  EXPECT_EQ(on_session("ReqGetAuthSessionState", other, 404)["error"], "400");
}

TEST_F(EndpointTest, TechnicalErrorsHaveAnErrorBody) {
  auto a = post(
      "request=ReqRequestAuthSession&secsignid=alice&servicename=S&serviceaddress=A"
      "&showaccesspass=maybe",
      400);
  EXPECT_EQ(keys(a), (std::set<std::string>{"error", "errormsg"}));
  EXPECT_EQ(a["error"], "400");
  EXPECT_NE(a["errormsg"].find("showaccesspass"), std::string::npos);
  EXPECT_EQ(post("request=ReqRequestAuthSession&secsignid=alice&servicename=S", 400)["error"],
            "400");
  EXPECT_EQ(post("", 400)["error"], "400");
  EXPECT_TRUE(store.live.empty());
}

TEST_F(EndpointTest, LockedIdIsRefused) {
  directory.rows["alice"].locked = true;
  auto a =
      post("request=ReqRequestAuthSession&secsignid=alice&servicename=S&serviceaddress=A", 423);
  EXPECT_EQ(a["error"], "423");
  EXPECT_NE(a["error"], "500");  // must not read as "does not exist"
}

TEST_F(EndpointTest, StorageFailureIsNotReadAsUnknownId) {
  store.fail = true;
  auto a = request("alice", "", 503);
  EXPECT_EQ(keys(a), (std::set<std::string>{"error", "errormsg"}));
  EXPECT_EQ(a["error"], "503");
}

TEST_F(EndpointTest, ConcurrentRequestsSuspendAndPriorityCodeStandsInForTheId) {
  auto first = request();
  auto second = request();
  EXPECT_EQ(second["authsessionstate"], "5");
  EXPECT_FALSE(second["message"].empty());
  EXPECT_EQ(keys(second).count("authsessionicondata"), 1u);
  EXPECT_EQ(on_session("ReqGetAuthSessionState", first)["authsessionstate"], "5");

  directory.rows["alice"].suspended = false;  // the user resumes on the device
  clock.advance(seconds(10));
  EXPECT_EQ(request()["authsessionstate"], "1");
  EXPECT_EQ(request()["authsessionstate"], "5");  // recurred: a priority code is required
  directory.rows["alice"].suspended = false;
  EXPECT_EQ(request()["authsessionstate"], "5");

  auto code = std::get<authsession::PriorityCode>(sessions.issue_priority_code("alice")).code;
  auto p = request(code);
  EXPECT_EQ(keys(p), kSessionFields);
  EXPECT_EQ(p["authsessionstate"], "1");
  EXPECT_EQ(p["secsignid"], code);
  EXPECT_EQ(on_session("ReqGetAuthSessionState", p)["secsignid"], code);
  accept(p);
  auto st = on_session("ReqGetAuthSessionState", p);
  EXPECT_EQ(st["authsessionstate"], "3");
  EXPECT_EQ(st["secsignid"], "Alice");
  EXPECT_EQ(on_session("ReqReleaseAuthSession", p)["authsessionstate"], "3");

  // Used up: the code is now an unknown ID.
  auto again = post(
      "request=ReqRequestAuthSession&secsignid=" + code + "&servicename=S&serviceaddress=A", 404);
  EXPECT_EQ(again["error"], "500");
  EXPECT_NE(again["errormsg"].find("does not exist"), std::string::npos);
}

}  // namespace
