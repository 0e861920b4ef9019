// The device domain and its JSON API (docs/device-api.md), with the real auth-session
// service behind it. Keys are made and signatures computed with OpenSSL directly, so these
// tests check the documented wire format rather than the server's own signing helper.
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <memory>

#include "accesspass/symbol_set.hpp"
#include "core/encoding.hpp"
#include "device/api.hpp"
#include "support/memory_ports.hpp"

using namespace twofold;
using nlohmann::json;
using std::chrono::seconds;

namespace {

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};

// A key pair held by the test, signing as a device does (ECDSA P-256/SHA-256 DER, or
// RSA-PSS/SHA-256 with MGF1-SHA-256 and salt length 32), base64 standard alphabet.
struct TestKey {
  std::string type;
  std::unique_ptr<EVP_PKEY, PkeyFree> pkey;
  std::string public_pem;

  static TestKey make(const std::string& type, EVP_PKEY* raw) {
    TestKey k{type, std::unique_ptr<EVP_PKEY, PkeyFree>(raw), {}};
    EXPECT_NE(raw, nullptr);
    BIO* bio = BIO_new(BIO_s_mem());
    PEM_write_bio_PUBKEY(bio, raw);
    char* data = nullptr;
    long len = BIO_get_mem_data(bio, &data);
    k.public_pem.assign(data, static_cast<std::size_t>(len));
    BIO_free(bio);
    return k;
  }
  static TestKey p256() { return make("p256", EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256")); }
  static TestKey rsa(std::size_t bits = 2048) {
    return make("rsa2048", EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", bits));
  }
  static TestKey of(const std::string& type) { return type == "p256" ? p256() : rsa(); }

  std::string sign(std::string_view message) const {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    EVP_PKEY_CTX* pctx = nullptr;
    EXPECT_EQ(EVP_DigestSignInit(ctx, &pctx, EVP_sha256(), nullptr, pkey.get()), 1);
    if (type == "rsa2048") {
      EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING);
      EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, 32);
      EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha256());
    }
    std::size_t len = 0;
    auto* msg = reinterpret_cast<const unsigned char*>(message.data());
    EVP_DigestSign(ctx, nullptr, &len, msg, message.size());
    std::string sig(len, '\0');
    EXPECT_EQ(EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(sig.data()), &len, msg,
                             message.size()),
              1);
    EVP_MD_CTX_free(ctx);
    sig.resize(len);
    return core::base64_encode(sig);
  }
};

const accesspass::SymbolSet& symbol_set() {
  static const auto set = accesspass::SymbolSet::embedded();
  return set;
}

struct Enrolment {
  std::string token;
  std::string device_id;
  TestKey key;
};

class DeviceApiTest : public ::testing::Test {
 protected:
  core::ManualClock clock;
  core::SeededRandom random{42};
  fakes::MemoryDirectory directory;
  fakes::MemoryRegistry registry;
  fakes::MemoryStore store;
  fakes::RecordingListener listener;
  device::Service devices{{}, clock, random, directory, registry};
  std::unique_ptr<authsession::Service> sessions = make_sessions();
  device::ApiSettings api_settings;
  std::unique_ptr<device::Api> api = make_api(*sessions);

  std::unique_ptr<authsession::Service> make_sessions() {
    return std::make_unique<authsession::Service>(authsession::Settings{}, clock, random, directory,
                                                  store, listener);
  }
  std::unique_ptr<device::Api> make_api(authsession::Service& s) {
    return std::make_unique<device::Api>(api_settings, devices, s, symbol_set());
  }

  device::ApiReply call(const std::string& method, const std::string& path,
                        const std::string& token = "", const json& body = nullptr) {
    device::ApiRequest r{
        method, "/device/v1/" + path, "", token, body.is_null() ? "" : body.dump(), "192.0.2.1"};
    return api->handle(r);
  }
  device::ApiReply enrol_raw(const std::string& id, const std::string& type, const std::string& pem,
                             const std::string& code = "") {
    json body{{"id", id}, {"device_name", "laptop"}, {"key_type", type}, {"public_key", pem}};
    if (!code.empty()) body["activation_code"] = code;
    return call("POST", "enroll", "", body);
  }
  Enrolment enrol(const std::string& id, const std::string& type = "p256",
                  const std::string& code = "") {
    auto key = TestKey::of(type);
    auto r = enrol_raw(id, type, key.public_pem, code);
    EXPECT_EQ(r.status, 201) << r.body.dump();
    return {r.body.value("device_token", ""), r.body.value("device_id", ""), std::move(key)};
  }
  // challenge + signed action, as the device does it.
  device::ApiReply act(const Enrolment& e, const std::string& action, const std::string& id) {
    auto c = call("POST", "challenge", e.token);
    EXPECT_EQ(c.status, 200);
    const auto nonce = c.body["nonce"].get<std::string>();
    return call(
        "POST", action, e.token,
        {{"nonce", nonce}, {"signature", e.key.sign(device::action_message(action, id, nonce))}});
  }
  authsession::AuthSession request(const std::string& id = "alice", bool access_pass = true) {
    auto out = sessions->request({id, "Shop", "https://shop.example", "", "", "", access_pass});
    EXPECT_TRUE(std::holds_alternative<authsession::AuthSession>(out));
    return std::get<authsession::AuthSession>(out);
  }
  device::ApiReply answer(const Enrolment& e, const authsession::AuthSession& s,
                          const std::string& decision, std::uint32_t symbol) {
    const auto sig = e.key.sign(device::answer_message(s.id, symbol, s.nonce, decision));
    return call(
        "POST", "sessions/" + s.id + "/answer", e.token,
        {{"decision", decision}, {"symbol", symbol}, {"nonce", s.nonce}, {"signature", sig}});
  }
  authsession::State state_of(const authsession::AuthSession& s) {
    return sessions->find(s.identity_key, s.id).value().state;
  }
};

// The same flows for both key types.
class DeviceKeyTypeTest : public DeviceApiTest,
                          public ::testing::WithParamInterface<std::string> {};

std::string error_of(const device::ApiReply& r) {
  return r.body.value("error", "");
}

// --- enrolment ---

TEST_F(DeviceApiTest, FirstIdIsAdminLaterIdsAreNot) {
  auto r = enrol_raw("Alice", "p256", TestKey::p256().public_pem);
  ASSERT_EQ(r.status, 201);
  EXPECT_EQ(r.body["id"], "Alice");
  EXPECT_EQ(r.body["admin"], true);
  const auto device_id = r.body["device_id"].get<std::string>();
  EXPECT_EQ(device_id.size(), 32u);
  EXPECT_EQ(device_id.find_first_not_of("0123456789abcdef"), std::string::npos);
  const auto token = r.body["device_token"].get<std::string>();
  EXPECT_EQ(core::base64url_decode(token).value_or("").size(), 32u);
  // Only the token's hash is stored.
  ASSERT_EQ(registry.devices.size(), 1u);
  EXPECT_EQ(registry.devices[0].token_hash, core::sha256_hex(token));
  EXPECT_TRUE(directory.rows.at("alice").admin);

  auto second = enrol_raw("bob", "rsa2048", TestKey::rsa().public_pem);
  ASSERT_EQ(second.status, 201);
  EXPECT_EQ(second.body["admin"], false);
  EXPECT_FALSE(directory.rows.at("bob").admin);
}

TEST_F(DeviceApiTest, ExistingIdNeedsActivationCode) {
  enrol("alice");
  for (const auto* id : {"alice", "ALICE"}) {
    auto r = enrol_raw(id, "p256", TestKey::p256().public_pem);
    EXPECT_EQ(r.status, 403);
    EXPECT_EQ(error_of(r), "activation_required");
  }
  EXPECT_EQ(registry.devices.size(), 1u);
}

TEST_F(DeviceApiTest, ActivationCodeFromDeviceIsSingleUse) {
  auto first = enrol("alice");
  auto code = act(first, "activation-code", "alice");
  ASSERT_EQ(code.status, 200) << code.body.dump();
  const auto c = code.body["code"].get<std::string>();
  EXPECT_EQ(code.body["expires"], core::to_millis(clock.now() + std::chrono::hours(24)));

  auto bad = enrol_raw("alice", "p256", TestKey::p256().public_pem, "not-the-code");
  EXPECT_EQ(error_of(bad), "invalid_activation_code");
  auto second = enrol("ALICE", "rsa2048", c);
  EXPECT_EQ(registry.devices.size(), 2u);
  EXPECT_EQ(registry.devices[1].identity_key, "alice");
  EXPECT_NE(second.token, first.token);
  auto reused = enrol_raw("alice", "p256", TestKey::p256().public_pem, c);
  EXPECT_EQ(reused.status, 403);
  EXPECT_EQ(error_of(reused), "invalid_activation_code");
  // The second device works on its own.
  EXPECT_EQ(call("GET", "status", second.token).body["id"], "alice");
}

TEST_F(DeviceApiTest, ActivationCodeExpiresAndIsBoundToItsId) {
  enrol("alice");
  enrol("bob");
  auto early = std::get<device::IssuedCode>(devices.issue_activation_code("alice"));
  auto late = std::get<device::IssuedCode>(devices.issue_activation_code("alice"));
  auto bobs = std::get<device::IssuedCode>(devices.issue_activation_code("bob"));
  EXPECT_EQ(error_of(enrol_raw("alice", "p256", TestKey::p256().public_pem, bobs.code)),
            "invalid_activation_code");
  clock.advance(std::chrono::hours(24) - seconds(1));
  EXPECT_EQ(enrol_raw("alice", "p256", TestKey::p256().public_pem, early.code).status, 201);
  clock.advance(seconds(1));
  EXPECT_EQ(error_of(enrol_raw("alice", "p256", TestKey::p256().public_pem, late.code)),
            "invalid_activation_code");
}

TEST_F(DeviceApiTest, BadKeysAreRefused) {
  const auto p256 = TestKey::p256().public_pem;
  const auto rsa = TestKey::rsa().public_pem;
  const auto rsa1024 = TestKey::rsa(1024).public_pem;
  const auto p384 =
      TestKey::make("p256", EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384")).public_pem;
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"rsa2048", rsa1024},
      {"rsa2048", "-----BEGIN PUBLIC KEY-----\nZ2FyYmFnZQ==\n-----END PUBLIC KEY-----\n"},
      {"p256", "not a key at all"},
      {"p256", p384},
      {"p256", rsa},
      {"rsa2048", p256},
      {"ed25519", p256},
      {"P256", p256},
      {"", p256},
  };
  for (const auto& [type, pem] : cases) {
    auto r = enrol_raw("alice", type, pem);
    EXPECT_EQ(r.status, 400) << type;
    EXPECT_EQ(error_of(r), "invalid_key") << type;
  }
  EXPECT_TRUE(directory.rows.empty());
  EXPECT_TRUE(registry.devices.empty());
}

TEST_F(DeviceApiTest, MalformedEnrolmentsAreInvalidRequests) {
  const auto pem = TestKey::p256().public_pem;
  EXPECT_EQ(enrol_raw("a b", "p256", pem).status, 400);
  EXPECT_EQ(enrol_raw("", "p256", pem).status, 400);
  EXPECT_EQ(enrol_raw(std::string(256, 'a'), "p256", pem).status, 400);
  device::ApiRequest not_json{"POST", "/device/v1/enroll", "", "", "{oops", ""};
  EXPECT_EQ(error_of(api->handle(not_json)), "invalid_request");
  EXPECT_EQ(error_of(call("POST", "enroll", "", {{"id", "alice"}, {"key_type", "p256"}})),
            "invalid_request");
  json numeric_code{{"id", "alice"},
                    {"device_name", "x"},
                    {"key_type", "p256"},
                    {"public_key", pem},
                    {"activation_code", 5}};
  EXPECT_EQ(error_of(call("POST", "enroll", "", numeric_code)), "invalid_request");
  json no_name{{"id", "alice"}, {"device_name", ""}, {"key_type", "p256"}, {"public_key", pem}};
  EXPECT_EQ(error_of(call("POST", "enroll", "", no_name)), "invalid_request");
  EXPECT_TRUE(directory.rows.empty());
}

// --- bearer authentication and challenges ---

TEST_F(DeviceApiTest, BearerTokenIsRequired) {
  auto e = enrol("alice");
  for (const auto& token : {std::string(), std::string("wrong"), e.token + "x", e.device_id}) {
    auto r = call("GET", "status", token);
    EXPECT_EQ(r.status, 401);
    EXPECT_EQ(error_of(r), "unauthorized");
  }
  auto ok = call("GET", "status", e.token);
  ASSERT_EQ(ok.status, 200);
  EXPECT_EQ(ok.body["id"], "alice");
  EXPECT_EQ(ok.body["device_id"], e.device_id);
  EXPECT_EQ(ok.body["device_name"], "laptop");
  EXPECT_EQ(ok.body["locked"], false);
  EXPECT_EQ(ok.body["suspended"], false);
  EXPECT_EQ(ok.body["priority_required"], false);
}

TEST_F(DeviceApiTest, ChallengeNonceIsSingleUseEvenAfterABadSignature) {
  auto e = enrol("alice");
  const auto nonce = call("POST", "challenge", e.token).body["nonce"].get<std::string>();
  // Signed for another action: refused, nothing changes, and the nonce is used up.
  auto wrong = call("POST", "lock", e.token,
                    {{"nonce", nonce},
                     {"signature", e.key.sign(device::action_message("unlock", "alice", nonce))}});
  EXPECT_EQ(error_of(wrong), "invalid_signature");
  EXPECT_FALSE(directory.rows.at("alice").locked);
  const json good{{"nonce", nonce},
                  {"signature", e.key.sign(device::action_message("lock", "alice", nonce))}};
  EXPECT_EQ(error_of(call("POST", "lock", e.token, good)), "invalid_nonce");
  EXPECT_FALSE(directory.rows.at("alice").locked);

  const auto fresh = call("POST", "challenge", e.token).body["nonce"].get<std::string>();
  const json ok{{"nonce", fresh},
                {"signature", e.key.sign(device::action_message("lock", "alice", fresh))}};
  EXPECT_EQ(call("POST", "lock", e.token, ok).status, 200);
  EXPECT_EQ(error_of(call("POST", "lock", e.token, ok)), "invalid_nonce");  // replay
}

TEST_F(DeviceApiTest, ChallengeNonceExpiresAndBelongsToOneDevice) {
  auto alice = enrol("alice");
  auto bob = enrol("bob");
  auto challenge = [&](const Enrolment& e) {
    auto r = call("POST", "challenge", e.token);
    EXPECT_EQ(r.body["expires"], core::to_millis(clock.now() + seconds(60)));
    return r.body["nonce"].get<std::string>();
  };
  auto signed_lock = [&](const Enrolment& e, const std::string& id, const std::string& nonce) {
    return call(
        "POST", "lock", e.token,
        {{"nonce", nonce}, {"signature", e.key.sign(device::action_message("lock", id, nonce))}});
  };
  auto n1 = challenge(alice);
  EXPECT_EQ(error_of(signed_lock(bob, "bob", n1)), "invalid_nonce");
  auto n2 = challenge(alice);
  clock.advance(seconds(60));
  EXPECT_EQ(error_of(signed_lock(alice, "alice", n2)), "invalid_nonce");
  auto n3 = challenge(alice);
  clock.advance(seconds(59));
  EXPECT_EQ(signed_lock(alice, "alice", n3).status, 200);
  EXPECT_TRUE(directory.rows.at("alice").locked);
  EXPECT_FALSE(directory.rows.at("bob").locked);
}

// --- signed actions, with both key types ---

TEST_P(DeviceKeyTypeTest, LockUnlockResumeAndPriorityCode) {
  auto e = enrol("Alice", GetParam());
  auto locked = act(e, "lock", "Alice");
  ASSERT_EQ(locked.status, 200) << locked.body.dump();
  EXPECT_EQ(locked.body["locked"], true);
  EXPECT_EQ(std::get<authsession::Error>(sessions->request({"alice", "S", "A", "", "", "", true}))
                .failure,
            authsession::Failure::id_locked);
  // The lower-case key is accepted in the signed message too.
  auto unlocked = act(e, "unlock", "alice");
  ASSERT_EQ(unlocked.status, 200);
  EXPECT_EQ(unlocked.body["locked"], false);

  request();
  request();  // concurrent: the ID is suspended (R-S7)
  EXPECT_EQ(call("GET", "status", e.token).body["suspended"], true);
  auto resumed = act(e, "resume", "Alice");
  ASSERT_EQ(resumed.status, 200);
  EXPECT_EQ(resumed.body["suspended"], false);
  EXPECT_EQ(request().state, authsession::State::pending);

  auto code = act(e, "priority-code", "Alice");
  ASSERT_EQ(code.status, 200);
  const auto c = code.body["code"].get<std::string>();
  EXPECT_EQ(c.size(), 8u);
  EXPECT_EQ(c.find_first_not_of("0123456789"), std::string::npos);
  EXPECT_EQ(code.body["expires"], core::to_millis(clock.now() + seconds(300)));
  auto via_code = request(c);
  EXPECT_EQ(via_code.secsignid, "Alice");
}

// --- answers through the API, with the real auth-session service ---

TEST_P(DeviceKeyTypeTest, RightSymbolAccepts) {
  auto e = enrol("alice", GetParam());
  auto s = request();
  auto list = call("GET", "sessions", e.token);
  ASSERT_EQ(list.body["sessions"].size(), 1u);
  EXPECT_EQ(list.body["sessions"][0]["authsessionid"], s.id);
  EXPECT_EQ(list.body["sessions"][0]["nonce"], s.nonce);
  EXPECT_EQ(state_of(s), authsession::State::fetched);

  auto symbols = call("GET", "sessions/" + s.id + "/symbols", e.token);
  ASSERT_EQ(symbols.body["candidates"].size(), 4u);
  int right = 0;
  for (const auto& c : symbols.body["candidates"]) right += c["symbol"] == s.symbol;
  EXPECT_EQ(right, 1);

  auto r = answer(e, s, "accept", s.symbol);
  ASSERT_EQ(r.status, 200) << r.body.dump();
  EXPECT_EQ(r.body["state"], "ACCEPTED");
  EXPECT_EQ(r.body["authsessionstate"], 3);
  EXPECT_EQ(state_of(s), authsession::State::accepted);
  EXPECT_EQ(store.audit.at(s.id).device_id, e.device_id);
}

TEST_P(DeviceKeyTypeTest, WrongSymbolDenies) {
  auto e = enrol("alice", GetParam());
  auto s = request();
  auto r = answer(e, s, "accept", (s.symbol + 1) % symbol_set().size());
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.body["state"], "DENIED");
  EXPECT_EQ(r.body["authsessionstate"], 4);
  EXPECT_EQ(state_of(s), authsession::State::denied);
}

TEST_F(DeviceApiTest, DenyAndAnswerWithoutAccessPass) {
  auto e = enrol("alice");
  auto s = request();
  auto denied = answer(e, s, "deny", 0);
  EXPECT_EQ(denied.body["authsessionstate"], 4);
  EXPECT_EQ(denied.body["message"], "You have denied the access pass.");

  auto plain = request("alice", false);
  auto symbols = call("GET", "sessions/" + plain.id + "/symbols", e.token);
  EXPECT_EQ(symbols.body["showaccesspass"], false);
  EXPECT_TRUE(symbols.body["candidates"].empty());
  EXPECT_EQ(answer(e, plain, "accept", 0).body["state"], "ACCEPTED");
}

TEST_F(DeviceApiTest, ReplayedAndLateAnswersAreRefused) {
  auto e = enrol("alice");
  auto s = request();
  EXPECT_EQ(answer(e, s, "accept", s.symbol).status, 200);
  auto replay = answer(e, s, "accept", s.symbol);
  EXPECT_EQ(replay.status, 409);
  EXPECT_EQ(error_of(replay), "not_pending");
  EXPECT_EQ(state_of(s), authsession::State::accepted);

  clock.advance(seconds(3600));  // leave the suspension window before the next request
  auto late = request();
  clock.advance(seconds(120));
  auto r = answer(e, late, "accept", late.symbol);
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(state_of(late), authsession::State::expired);
}

TEST_F(DeviceApiTest, BadSignatureOrForeignSessionChangesNothing) {
  auto alice = enrol("alice");
  auto bob = enrol("bob");
  auto s = request();
  // Signed over "deny" but sent as "accept"; signed by another key; not base64.
  const auto sig = alice.key.sign(device::answer_message(s.id, s.symbol, s.nonce, "deny"));
  const std::string path = "sessions/" + s.id + "/answer";
  json body{{"decision", "accept"}, {"symbol", s.symbol}, {"nonce", s.nonce}, {"signature", sig}};
  EXPECT_EQ(error_of(call("POST", path, alice.token, body)), "invalid_signature");
  body["signature"] = bob.key.sign(device::answer_message(s.id, s.symbol, s.nonce, "accept"));
  EXPECT_EQ(error_of(call("POST", path, alice.token, body)), "invalid_signature");
  body["signature"] = "***";
  EXPECT_EQ(call("POST", path, alice.token, body).status, 403);
  // Bob's device, correctly signed by Bob's key, cannot answer Alice's session.
  auto foreign = answer(bob, s, "accept", s.symbol);
  EXPECT_EQ(foreign.status, 404);
  EXPECT_EQ(error_of(foreign), "unknown_session");
  EXPECT_EQ(state_of(s), authsession::State::pending);
  EXPECT_EQ(answer(alice, s, "accept", s.symbol).body["state"], "ACCEPTED");
}

TEST_F(DeviceApiTest, NotMeDeniesEveryLiveSessionAndLocksTheId) {
  auto alice = enrol("alice");
  enrol("bob");
  auto s1 = request();
  auto bobs = request("bob");
  // A second live session of the ID (e.g. restored after a restart).
  auto s2 = s1;
  s2.id = (s1.id[0] == '1' ? "2" : "1") + s1.id.substr(1);
  s2.nonce = "other-nonce";
  store.live[s2.id] = s2;
  auto restarted = make_sessions();
  restarted->restore();
  api = make_api(*restarted);
  sessions = std::move(restarted);

  auto r = answer(alice, s1, "not-me", 0);
  ASSERT_EQ(r.status, 200) << r.body.dump();
  EXPECT_EQ(r.body["authsessionstate"], 4);
  EXPECT_EQ(r.body["denied"], 2);
  EXPECT_EQ(r.body["locked"], true);
  for (const auto& s : {s1, s2}) {
    EXPECT_EQ(state_of(s), authsession::State::denied);
    EXPECT_EQ(store.audit.at(s.id).state, authsession::State::denied);
  }
  EXPECT_EQ(state_of(bobs), authsession::State::pending);
  EXPECT_TRUE(directory.rows.at("alice").locked);
  EXPECT_EQ(call("GET", "status", alice.token).body["locked"], true);
  EXPECT_EQ(std::get<authsession::Error>(sessions->request({"alice", "S", "A", "", "", "", true}))
                .failure,
            authsession::Failure::id_locked);
  EXPECT_EQ(answer(alice, s1, "not-me", 0).status, 409);  // replay
  EXPECT_EQ(act(alice, "unlock", "alice").body["locked"], false);
  EXPECT_EQ(request().state, authsession::State::pending);
}

TEST_F(DeviceApiTest, NotMeWithoutLockSettingOnlyDenies) {
  api_settings.lock_on_not_me = false;
  api = make_api(*sessions);
  auto e = enrol("alice");
  auto s = request();
  auto r = answer(e, s, "not-me", 0);
  EXPECT_EQ(r.body["locked"], false);
  EXPECT_EQ(state_of(s), authsession::State::denied);
  EXPECT_FALSE(directory.rows.at("alice").locked);
}

TEST_F(DeviceApiTest, NotMeOnAFinishedSessionLocksNothing) {
  auto e = enrol("alice");
  auto s = request();
  answer(e, s, "accept", s.symbol);
  EXPECT_EQ(answer(e, s, "not-me", 0).status, 409);
  EXPECT_FALSE(directory.rows.at("alice").locked);
}

TEST_F(DeviceApiTest, MalformedAnswersAreInvalidRequests) {
  auto e = enrol("alice");
  auto s = request();
  const std::string path = "sessions/" + s.id + "/answer";
  const auto sig = e.key.sign(device::answer_message(s.id, s.symbol, s.nonce, "maybe"));
  EXPECT_EQ(
      error_of(call(
          "POST", path, e.token,
          {{"decision", "maybe"}, {"symbol", s.symbol}, {"nonce", s.nonce}, {"signature", sig}})),
      "invalid_request");
  EXPECT_EQ(error_of(call(
                "POST", path, e.token,
                {{"decision", "accept"}, {"symbol", -1}, {"nonce", s.nonce}, {"signature", sig}})),
            "invalid_request");
  EXPECT_EQ(error_of(call("POST", path, e.token, {{"decision", "accept"}})), "invalid_request");
  EXPECT_EQ(state_of(s), authsession::State::pending);
}

INSTANTIATE_TEST_SUITE_P(KeyTypes, DeviceKeyTypeTest, ::testing::Values("p256", "rsa2048"));

}  // namespace
