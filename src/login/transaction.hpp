#pragma once
// Login transactions: one authorization request on its way through the login pages, kept in
// memory for a short time (default 10 minutes). A transaction is bound to the browser that
// started it by a cookie (`__Host-twofold_tx`, stored hashed) and to each form by a CSRF token
// (hidden field, compared in constant time), so neither a leaked URL nor a cross-site form
// can drive someone else's login.
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "core/random.hpp"
#include "factors/factor.hpp"
#include "login/authorize.hpp"
#include "login/pages.hpp"

namespace twofold::login {

inline constexpr std::string_view kBindingCookie = "__Host-twofold_tx";

enum class Step { identify, second_factor, consent };

struct Transaction {
  std::string id;            // in URLs and forms (not secret on its own)
  std::string csrf;          // hidden form field
  std::string binding_hash;  // SHA-256 hex of the browser's binding cookie
  std::uint64_t version{0};  // bumped by every successful update
  AuthorizeRequest request;
  Language language{Language::en};
  Step step{Step::identify};
  std::string identity_key;  // once the ID is known
  std::string login_name;    // as typed (shown on later pages)
  std::vector<std::string> amr;
  bool stay_signed_in{false};
  core::TimePoint auth_time{};
  std::string session_sid;  // set when an existing browser session stands in for the login
  std::string return_to;    // a sign-in for twofold's own pages: where to go instead of a code
  bool setup_only{false};   // password alone, to set up a first factor (kAcrSetupOnly)
  // Second factor.
  factors::FactorKind factor{factors::FactorKind::push};
  std::vector<factors::FactorKind> factors;  // the ones this user can choose from
  std::string push_id;
  std::string push_request_id;
  std::string push_secsignid;
  std::string push_png_base64;
  int failures{0};
  std::string notice;  // a message for the next page (e.g. "wrong code")
  core::TimePoint created{};
  core::TimePoint expires{};
};

class Transactions {
 public:
  Transactions(const core::Clock& clock, core::Random& random, std::chrono::seconds life,
               std::size_t capacity = 100'000)
      : clock_(clock), random_(random), life_(life), capacity_(capacity) {}

  // Fills id, csrf, created, expires, version; nullopt when full (after dropping expired).
  std::optional<Transaction> create(Transaction tx);
  // A copy of the live transaction `id` if `binding_hash` matches it.
  std::optional<Transaction> find(std::string_view id, std::string_view binding_hash);
  // Stores `tx` if nobody updated it since it was read (same version); false otherwise.
  bool update(Transaction& tx);
  // Removes and returns it (so a code is issued at most once per transaction).
  std::optional<Transaction> take(std::string_view id, std::uint64_t version);
  void remove(std::string_view id);
  std::size_t sweep();
  std::size_t size() const;

 private:
  const core::Clock& clock_;
  core::Random& random_;
  std::chrono::seconds life_;
  std::size_t capacity_;
  mutable std::mutex mutex_;
  std::map<std::string, Transaction, std::less<>> live_;
};

// Constant-time check of a presented CSRF token against the expected one.
bool csrf_matches(std::string_view expected, std::string_view presented);

// Same-origin check of a POST: Sec-Fetch-Site when the browser sends it (same-origin or none
// pass), else a present, non-"null" Origin must be the issuer's (RFC 6454). Pages are served
// with Referrer-Policy no-referrer, so a same-origin form's Origin may be "null"; the CSRF
// token is checked in every case.
bool same_origin_post(std::string_view origin, std::string_view sec_fetch_site,
                      std::string_view issuer);

}  // namespace twofold::login
