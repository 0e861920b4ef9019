#include "factors/totp/totp.hpp"
#include "support/factor_fakes.hpp"

#include <gtest/gtest.h>
#include <png.h>

#include <map>

#include "storage/database.hpp"
#include "storage/factor_store.hpp"
#include "support/sqlite_fixture.hpp"

using namespace twofold;
using namespace twofold::factors;
using namespace std::chrono_literals;

namespace {

const std::string kRfcSeed = "12345678901234567890";  // RFC 6238 appendix B, SHA-1

core::TimePoint at(std::int64_t unix_seconds) {
  return core::TimePoint{std::chrono::seconds{unix_seconds}};
}

using MemoryStore = fakes::MemoryTotpStore;

TEST(TotpOtp, Rfc6238Sha1Vectors) {
  const std::pair<std::int64_t, const char*> vectors[] = {
      {59, "94287082"},         {1111111109, "07081804"}, {1111111111, "14050471"},
      {1234567890, "89005924"}, {2000000000, "69279037"}, {20000000000, "65353130"}};
  for (const auto& [t, code] : vectors) EXPECT_EQ(totp::code_at(kRfcSeed, t, 8), code) << "T=" << t;
  EXPECT_EQ(totp::code_at(kRfcSeed, 59), "287082");
  EXPECT_EQ(totp::code_at(kRfcSeed, 1111111109), "081804") << "leading zero kept";
  EXPECT_EQ(totp::time_step(at(59)), 1);
  EXPECT_EQ(totp::time_step(at(60)), 2);
}

TEST(TotpOtp, Base32) {
  EXPECT_EQ(totp::base32_encode(kRfcSeed), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
  EXPECT_EQ(totp::base32_encode("f"), "MY") << "no padding";
  EXPECT_EQ(totp::base32_decode("gezd gnbv gy3t qojq gezd gnbv gy3t qojq"), kRfcSeed);
  EXPECT_EQ(totp::base32_decode("MY======"), "f");
  EXPECT_EQ(totp::base32_decode("MY"), "f");
  EXPECT_FALSE(totp::base32_decode("M1!"));
  EXPECT_FALSE(totp::base32_decode(""));
}

TEST(TotpOtp, WindowIsOneStepEachWay) {
  const auto now = at(1'700'000'015);  // inside step 56666667
  const auto step = totp::time_step(now);
  const auto code = [&](std::int64_t s) { return totp::code_at(kRfcSeed, s * 30); };
  EXPECT_EQ(totp::match_step(kRfcSeed, code(step), now), step);
  EXPECT_EQ(totp::match_step(kRfcSeed, code(step - 1), now), step - 1);
  EXPECT_EQ(totp::match_step(kRfcSeed, code(step + 1), now), step + 1);
  EXPECT_FALSE(totp::match_step(kRfcSeed, code(step - 2), now));
  EXPECT_FALSE(totp::match_step(kRfcSeed, code(step + 2), now));
  totp::Params wide;
  wide.window = 2;
  EXPECT_EQ(totp::match_step(kRfcSeed, code(step - 2), now, wide), step - 2);

  const auto c = code(step);
  EXPECT_EQ(totp::match_step(kRfcSeed, c.substr(0, 3) + " " + c.substr(3), now), step);
  EXPECT_FALSE(totp::match_step(kRfcSeed, c.substr(0, 5), now)) << "too short";
  EXPECT_FALSE(totp::match_step(kRfcSeed, c + "0", now)) << "too long";
  EXPECT_FALSE(totp::match_step(kRfcSeed, "12345a", now));
  EXPECT_FALSE(totp::match_step(kRfcSeed, "", now));
}

TEST(TotpOtp, OtpauthUriIsPercentEncoded) {
  EXPECT_EQ(totp::otpauth_uri("ACME Co", "alice@example.com", "GEZDGNBV"),
            "otpauth://totp/ACME%20Co:alice%40example.com?secret=GEZDGNBV&issuer=ACME%20Co"
            "&algorithm=SHA1&digits=6&period=30");
  const auto uri = totp::otpauth_uri("Bank: Süd", "a:b&c=d", "X");
  EXPECT_NE(uri.find("totp/Bank%3A%20S%C3%BCd:a%3Ab%26c%3Dd?"), std::string::npos) << uri;
  EXPECT_NE(uri.find("&issuer=Bank%3A%20S%C3%BCd&"), std::string::npos) << uri;
}

std::uint32_t be32(const std::string& s, std::size_t at) {
  return (std::uint32_t(std::uint8_t(s[at])) << 24) |
         (std::uint32_t(std::uint8_t(s[at + 1])) << 16) |
         (std::uint32_t(std::uint8_t(s[at + 2])) << 8) | std::uint32_t(std::uint8_t(s[at + 3]));
}

TEST(TotpQr, PngStructureAndModules) {
  const std::string uri = totp::otpauth_uri("twofold", "alice", totp::base32_encode(kRfcSeed));
  totp::QrOptions opt;
  opt.module_px = 5;
  const std::string png = totp::qr_png(uri, opt);
  ASSERT_GT(png.size(), 33u);
  EXPECT_EQ(png.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  EXPECT_EQ(be32(png, 8), 13u) << "IHDR length";
  EXPECT_EQ(png.substr(12, 4), "IHDR");
  const auto width = be32(png, 16), height = be32(png, 20);
  EXPECT_EQ(width, height);
  EXPECT_EQ(width % 5, 0u);
  const auto modules = width / 5;
  EXPECT_GE(modules, 21u + 8u) << "at least a version 1 symbol plus quiet zones";
  EXPECT_EQ((modules - 8 - 17) % 4, 0u) << "QR sizes are 17 + 4*version modules";
  EXPECT_EQ(png.substr(png.size() - 8, 4), "IEND");

  // Read it back with libpng: white quiet zone, the top-left finder pattern where it belongs.
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  ASSERT_TRUE(png_image_begin_read_from_memory(&image, png.data(), png.size()));
  image.format = PNG_FORMAT_GRAY;
  std::vector<png_byte> px(PNG_IMAGE_SIZE(image));
  ASSERT_TRUE(png_image_finish_read(&image, nullptr, px.data(), 0, nullptr));
  const auto pixel = [&](unsigned mx, unsigned my) {
    return px[(my * 5 + 2) * width + mx * 5 + 2];
  };
  for (unsigned i = 0; i < modules; ++i) {
    for (unsigned q = 0; q < 4; ++q) {
      EXPECT_EQ(pixel(i, q), 255) << "quiet zone top";
      EXPECT_EQ(pixel(q, i), 255) << "quiet zone left";
      EXPECT_EQ(pixel(i, modules - 1 - q), 255) << "quiet zone bottom";
      EXPECT_EQ(pixel(modules - 1 - q, i), 255) << "quiet zone right";
    }
  }
  EXPECT_EQ(pixel(4, 4), 0) << "finder outer ring";
  EXPECT_EQ(pixel(10, 4), 0);
  EXPECT_EQ(pixel(5, 5), 255) << "finder inner ring";
  EXPECT_EQ(pixel(7, 7), 0) << "finder centre";
  EXPECT_EQ(pixel(11, 11), 255) << "separator";

  EXPECT_THROW(totp::qr_png(uri, {3, 4}), std::invalid_argument) << "modules under 4 px";
  EXPECT_THROW(totp::qr_png(uri, {4, 2}), std::invalid_argument) << "quiet zone under 4";
  EXPECT_THROW(totp::qr_png(std::string(5000, 'x')), std::runtime_error) << "too long";
}

class TotpFactorTest : public ::testing::Test {
 protected:
  core::ManualClock clock{at(1'700'000'010)};
  core::SeededRandom random{42};
  crypto::SecretBox box{std::string(32, 'k')};
  MemoryStore store;
  totp::Options options = [] {
    totp::Options o;
    o.issuer = "twofold test";
    return o;
  }();
  totp::TotpFactor factor{options, clock, random, box, store};

  // The code an app holding `secret` (raw) shows at the clock's time plus `offset` steps.
  std::string app_code(const std::string& secret, int offset = 0) {
    const auto t = std::chrono::duration_cast<std::chrono::seconds>(clock.now().time_since_epoch());
    return totp::code_at(secret, t.count() + offset * 30);
  }
  std::string enrol(const std::string& who) {
    auto e = factor.begin_enrolment(who, who + "@example.com");
    auto secret = *totp::base32_decode(e.secret_base32);
    EXPECT_TRUE(factor.confirm_enrolment(who, app_code(secret)).ok());
    clock.advance(30s);  // the confirming step is used up
    return secret;
  }
};

TEST_F(TotpFactorTest, EnrolmentIsConfirmedByAFirstValidCode) {
  EXPECT_EQ(factor.kind(), FactorKind::totp);
  auto e = factor.begin_enrolment("alice", "alice@example.com");
  const auto secret = totp::base32_decode(e.secret_base32);
  ASSERT_TRUE(secret);
  EXPECT_EQ(secret->size(), 20u);
  EXPECT_EQ(e.secret_base32.size(), 32u);
  EXPECT_EQ(e.uri, "otpauth://totp/twofold%20test:alice%40example.com?secret=" + e.secret_base32 +
                       "&issuer=twofold%20test&algorithm=SHA1&digits=6&period=30");
  EXPECT_EQ(e.qr_png.substr(1, 3), "PNG");
  // At rest only sealed; the sealed text opens to the same secret.
  const auto& row = store.rows.at("alice");
  EXPECT_FALSE(row.confirmed);
  EXPECT_EQ(row.secret_sealed.find(e.secret_base32), std::string::npos);
  EXPECT_EQ(box.open_text(row.secret_sealed), *secret);

  EXPECT_FALSE(factor.is_enrolled("alice"));
  EXPECT_EQ(factor.verify("alice", app_code(*secret)).status, VerifyStatus::not_set_up)
      << "a pending secret does not log anybody in";
  auto wrong = app_code(*secret) == "000000" ? "111111" : "000000";
  EXPECT_EQ(factor.confirm_enrolment("alice", wrong).status, VerifyStatus::wrong);
  EXPECT_TRUE(factor.confirm_enrolment("alice", app_code(*secret)).ok());
  EXPECT_TRUE(factor.is_enrolled("alice"));
  EXPECT_EQ(factor.confirm_enrolment("alice", app_code(*secret)).status, VerifyStatus::expired);
  EXPECT_THROW(factor.begin_enrolment("alice", "alice"), totp::TotpError)
      << "a confirmed secret is not silently replaced";
  EXPECT_TRUE(factor.remove("alice"));
  EXPECT_FALSE(factor.is_enrolled("alice"));
  EXPECT_NO_THROW(factor.begin_enrolment("alice", "alice"));
}

TEST_F(TotpFactorTest, RestartedEnrolmentReplacesThePendingSecret) {
  auto first = *totp::base32_decode(factor.begin_enrolment("bob", "bob").secret_base32);
  auto second = *totp::base32_decode(factor.begin_enrolment("bob", "bob").secret_base32);
  EXPECT_NE(first, second);
  if (app_code(first) != app_code(second)) {
    EXPECT_EQ(factor.confirm_enrolment("bob", app_code(first)).status, VerifyStatus::wrong);
  }
  EXPECT_TRUE(factor.confirm_enrolment("bob", app_code(second)).ok());
}

TEST_F(TotpFactorTest, PendingEnrolmentExpires) {
  auto secret = *totp::base32_decode(factor.begin_enrolment("carol", "carol").secret_base32);
  clock.advance(options.pending_ttl);
  EXPECT_EQ(factor.confirm_enrolment("carol", app_code(secret)).status, VerifyStatus::expired);
  EXPECT_EQ(factor.confirm_enrolment("nobody", "123456").status, VerifyStatus::expired);
}

// The account page shows the pending enrolment again (after a wrong code, a reload).
TEST_F(TotpFactorTest, PendingEnrolmentCanBeShownAgainUntilConfirmedOrExpired) {
  EXPECT_FALSE(factor.pending_enrolment("erin", "erin"));
  const auto first = factor.begin_enrolment("erin", "erin@example.com");
  auto again = factor.pending_enrolment("erin", "erin@example.com");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->secret_base32, first.secret_base32);
  EXPECT_EQ(again->uri, first.uri);
  EXPECT_EQ(again->qr_png, first.qr_png);
  clock.advance(options.pending_ttl);
  EXPECT_FALSE(factor.pending_enrolment("erin", "erin@example.com")) << "expired";
  const auto second = factor.begin_enrolment("erin", "erin");
  const auto secret = *totp::base32_decode(second.secret_base32);
  ASSERT_TRUE(factor.confirm_enrolment("erin", app_code(secret)).ok());
  EXPECT_FALSE(factor.pending_enrolment("erin", "erin")) << "confirmed: nothing pending";
}

TEST_F(TotpFactorTest, VerifyAcceptsTheWindowAndRefusesReplay) {
  const auto secret = enrol("alice");
  EXPECT_EQ(factor.verify("nobody", "123456").status, VerifyStatus::not_set_up);

  const auto now_code = app_code(secret);
  EXPECT_TRUE(factor.verify("alice", now_code).ok());
  auto again = factor.verify("alice", now_code);
  EXPECT_EQ(again.status, VerifyStatus::replay) << again.message;
  EXPECT_FALSE(again.ok());
  // The previous step's code is still inside the window but older than the used one.
  if (app_code(secret, -1) != now_code) {
    EXPECT_EQ(factor.verify("alice", app_code(secret, -1)).status, VerifyStatus::replay);
  }
  // A phone running 30 s ahead: the next step is accepted, and then the current one is old.
  EXPECT_TRUE(factor.verify("alice", app_code(secret, +1)).ok());
  EXPECT_FALSE(factor.verify("alice", app_code(secret, +1)).ok());
  // Two steps off is outside the window.
  clock.advance(60s);
  EXPECT_EQ(factor.verify("alice", app_code(secret, -2)).status, VerifyStatus::wrong);
  EXPECT_EQ(factor.verify("alice", app_code(secret, +2)).status, VerifyStatus::wrong);
  EXPECT_TRUE(factor.verify("alice", app_code(secret)).ok());
  EXPECT_EQ(factor.verify("alice", "12a456").status, VerifyStatus::wrong);
}

TEST_F(TotpFactorTest, TheConfirmingCodeCannotLogIn) {
  auto e = factor.begin_enrolment("dave", "dave");
  const auto secret = *totp::base32_decode(e.secret_base32);
  const auto code = app_code(secret);
  ASSERT_TRUE(factor.confirm_enrolment("dave", code).ok());
  EXPECT_EQ(factor.verify("dave", code).status, VerifyStatus::replay);
}

TEST_F(TotpFactorTest, ASecretSealedUnderAnotherKeyIsAnError) {
  enrol("erin");
  crypto::SecretBox other(std::string(32, 'o'));
  totp::TotpFactor wrong_key{options, clock, random, other, store};
  EXPECT_THROW(wrong_key.verify("erin", "123456"), totp::TotpError);
}

// The SQLite adapter (migration 4) keeps the same contract, including compare-and-set.
class TotpSqliteTest : public fakes::SqliteTest {
 protected:
  TotpSqliteTest() : SqliteTest("totp") {}
  void SetUp() override {
    SqliteTest::SetUp();
    for (const char* name : {"alice", "bob"}) ASSERT_TRUE(add_id(name, name, at(1'700'000'000)));
  }
};

TEST_F(TotpSqliteTest, StoreContract) {
  storage::TotpSecretStore store(*db);
  EXPECT_FALSE(store.find("alice"));
  totp::SecretRecord r{"alice", "sealed-1", false, -1, at(1'700'000'000)};
  EXPECT_TRUE(store.put_pending(r));
  auto got = store.find("alice");
  ASSERT_TRUE(got);
  EXPECT_EQ(got->secret_sealed, "sealed-1");
  EXPECT_FALSE(got->confirmed);
  EXPECT_EQ(got->last_step, -1);
  EXPECT_EQ(got->created, at(1'700'000'000));

  r.secret_sealed = "sealed-2";
  EXPECT_TRUE(store.put_pending(r)) << "a pending secret may be replaced";
  EXPECT_FALSE(store.confirm("alice", "sealed-1", 10)) << "the replaced secret cannot be confirmed";
  EXPECT_FALSE(store.advance_step("alice", 11)) << "not confirmed yet";
  EXPECT_TRUE(store.confirm("alice", "sealed-2", 10));
  EXPECT_FALSE(store.confirm("alice", "sealed-2", 10));
  EXPECT_EQ(store.find("alice")->last_step, 10);
  EXPECT_FALSE(store.advance_step("alice", 10));
  EXPECT_FALSE(store.advance_step("alice", 9));
  EXPECT_TRUE(store.advance_step("alice", 12));
  EXPECT_EQ(store.find("alice")->last_step, 12);
  r.secret_sealed = "sealed-3";
  EXPECT_FALSE(store.put_pending(r)) << "a confirmed secret stays";
  EXPECT_EQ(store.find("alice")->secret_sealed, "sealed-2");
  EXPECT_TRUE(store.remove("alice"));
  EXPECT_FALSE(store.remove("alice"));
  EXPECT_FALSE(store.find("alice"));
}

TEST_F(TotpSqliteTest, FullFlowAndCascadeOnIdentityDelete) {
  storage::TotpSecretStore store(*db);
  core::ManualClock clock{at(1'700'000'010)};
  core::SeededRandom random{7};
  crypto::SecretBox box(std::string(32, 'k'));
  totp::TotpFactor factor({}, clock, random, box, store);
  const auto secret = *totp::base32_decode(factor.begin_enrolment("bob", "bob").secret_base32);
  const auto code = [&] {
    return totp::code_at(
        secret,
        std::chrono::duration_cast<std::chrono::seconds>(clock.now().time_since_epoch()).count());
  };
  ASSERT_TRUE(factor.confirm_enrolment("bob", code()).ok());
  clock.advance(30s);
  EXPECT_TRUE(factor.verify("bob", code()).ok());
  EXPECT_EQ(factor.verify("bob", code()).status, VerifyStatus::replay);
  db->transaction([](soci::session& sql) { sql << "DELETE FROM identities WHERE key = 'bob'"; });
  EXPECT_FALSE(store.find("bob")) << "ON DELETE CASCADE";
}

}  // namespace
