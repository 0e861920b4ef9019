#include "authenticator/commands.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <climits>
#include <cstdlib>
#include <thread>

#include "core/encoding.hpp"
#include "core/random.hpp"
#include "crypto/signature.hpp"

namespace twofold::authenticator {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

constexpr int kPollChunkSeconds = 25;  // below common proxy idle timeouts
constexpr std::size_t kMinPinLength = 4;

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::int64_t seconds_until(std::int64_t unix_ms) {
  const auto ms = unix_ms - now_ms();
  return ms > 0 ? ms / 1000 : 0;
}

std::string dump(const json& j) {
  return j.dump(2, ' ', false, json::error_handler_t::replace);
}

std::string host_name() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0 || buf[0] == '\0') return "twofold-auth";
  return buf;
}

std::string candidate_list(const std::vector<Candidate>& candidates) {
  std::string out;
  for (const auto& c : candidates) {
    if (!out.empty()) out += ", ";
    out += std::to_string(c.symbol) + " (" + printable(c.name) + ")";
  }
  return out;
}

std::string yes_no(const json& status, const char* field) {
  auto it = status.find(field);
  return it != status.end() && *it == true ? "yes" : "no";
}

std::string text_of(const json& j, const char* field) {
  auto it = j.find(field);
  return it != j.end() && it->is_string() ? printable(it->get<std::string>()) : std::string();
}

}  // namespace

const Candidate& candidate_by_symbol(const std::vector<Candidate>& candidates,
                                     std::uint32_t symbol) {
  for (const auto& c : candidates)
    if (c.symbol == symbol) return c;
  throw CommandError("symbol " + std::to_string(symbol) +
                     " is not among the candidates: " + candidate_list(candidates));
}

const Candidate& candidate_by_png(const std::vector<Candidate>& candidates, std::string_view png) {
  const Candidate* found = nullptr;
  for (const auto& c : candidates) {
    if (c.png != png) continue;
    if (found != nullptr && found->symbol != c.symbol)
      throw CommandError("the image matches several candidates: " + candidate_list(candidates));
    found = &c;
  }
  if (found == nullptr)
    throw CommandError("the image matches none of the candidates: " + candidate_list(candidates));
  return *found;
}

std::string printable(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    out.push_back(u < 0x20 || u == 0x7f ? '?' : c);
  }
  return out;
}

std::string format_duration(std::int64_t s) {
  if (s < 0) s = 0;
  if (s < 60) return std::to_string(s) + " s";
  if (s < 3600)
    return std::to_string(s / 60) + " min" + (s % 60 ? " " + std::to_string(s % 60) + " s" : "");
  return std::to_string(s / 3600) + " h" +
         (s % 3600 / 60 ? " " + std::to_string(s % 3600 / 60) + " min" : "");
}

bool is_valid_id(std::string_view id) {
  if (id.empty() || id.size() > 255) return false;
  for (char c : id)
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
          c == '_' || c == '@' || c == '-'))
      return false;
  return true;
}

Commands::Commands(GlobalOptions options, Terminal& terminal, std::ostream& out, std::ostream& err)
    : options_(std::move(options)), terminal_(terminal), out_(out), err_(err) {}

Commands::Context Commands::open_account() const {
  const StateDir dir(options_.state_dir);
  State state = dir.load();
  const Account* account = nullptr;
  if (!options_.id.empty()) {
    account = state.find(options_.id);
    if (account == nullptr)
      throw CommandError(options_.id + " is not enrolled in " + dir.path().string());
  } else if (state.accounts.size() == 1) {
    account = &state.accounts.front();
  } else if (state.accounts.empty()) {
    throw CommandError("no account in " + dir.path().string() + "; enrol first");
  } else {
    std::string ids;
    for (const auto& a : state.accounts) ids += (ids.empty() ? "" : ", ") + a.id;
    throw CommandError("several accounts in the state (" + ids + "); choose one with --id",
                       kExitUsage);
  }
  Account chosen = *account;
  DeviceClient client(state.server_url, dir.ca_file(state), chosen.device_token);
  return Context{std::move(state), std::move(chosen), std::move(client)};
}

Secret Commands::read_pin(bool confirm) const {
  if (options_.pin_file) {
    Secret content(read_file(*options_.pin_file, 4096));
    const auto view = content.view();
    auto line = view.substr(0, view.find('\n'));
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty())
      throw CommandError("the PIN file " + options_.pin_file->string() + " is empty");
    return Secret(std::string(line));
  }
  if (const char* env = std::getenv("TWOFOLD_PIN"); env != nullptr && *env != '\0')
    return Secret(env);
  Secret pin = terminal_.read_secret(confirm ? "Choose a PIN: " : "PIN: ");
  if (pin.empty()) throw CommandError("the PIN is empty");
  if (confirm && terminal_.read_secret("Repeat the PIN: ").view() != pin.view())
    throw CommandError("the two PINs differ");
  return pin;
}

Secret Commands::unlock_key(const Account& account) const {
  const Secret pin = read_pin(false);
  try {
    return open(account.private_key, pin.view(), key_binding(account));
  } catch (const WrongPin& e) {
    throw CommandError(e.what());
  }
}

int Commands::enrol(const EnrolOptions& o) {
  const std::string id = o.id.empty() ? options_.id : o.id;
  if (id.empty()) throw CommandError("enrol needs --id NAME", kExitUsage);
  if (!is_valid_id(id))
    throw CommandError("an ID is 1-255 characters of A-Z a-z 0-9 . _ @ -", kExitUsage);
  const auto type = crypto::parse_key_type(o.key_type);
  if (!type) throw CommandError("--key-type must be p256 or rsa2048", kExitUsage);

  const StateDir dir(options_.state_dir);
  const StateDir::Lock lock(dir);  // two enrolments at once must not lose an account
  State state = dir.exists() ? dir.load() : State{};
  const bool remembered = !state.server_url.empty();
  std::string url;
  try {
    url = normalize_server_url(o.server.empty() ? state.server_url : o.server);
  } catch (const std::invalid_argument& e) {
    throw CommandError(o.server.empty() && !remembered ? "enrol needs --server URL" : e.what(),
                       kExitUsage);
  }
  if (!state.accounts.empty() && url != state.server_url)
    throw CommandError("the state in " + dir.path().string() + " belongs to " + state.server_url +
                       "; use --state DIR for another server");
  if (const Account* existing = state.find(id))
    throw CommandError(existing->id + " is already enrolled in " + dir.path().string());
  fs::path ca = o.ca_file;
  if (ca.empty()) {
    if (!remembered) throw CommandError("enrol needs --ca FILE", kExitUsage);
    ca = dir.ca_file(state);
  }
  if (read_file(ca, 1 << 20).find("-----BEGIN CERTIFICATE-----") == std::string::npos)
    throw CommandError(ca.string() + " holds no PEM certificate");

  const Secret pin = read_pin(true);
  if (pin.view().size() < kMinPinLength)
    throw CommandError("the PIN must have at least " + std::to_string(kMinPinLength) +
                       " characters");

  Account account;
  account.key_type = *type;
  account.device_name = o.device_name.empty() ? host_name() : o.device_name;
  auto pair = crypto::generate_key_pair(*type);
  const Secret private_key(std::move(pair.private_key_pem));
  account.public_key_pem = pair.public_key_pem;
  core::SystemRandom random;
  // Sealed before the server hears of the key, so a failure here leaves no orphan device.
  account.private_key = seal(private_key.view(), pin.view(), key_binding(account),
                             KdfParams::from_environment(), random);

  DeviceClient client(url, ca);
  const auto enrolment = client.enroll(id, account.device_name, crypto::key_type_name(*type),
                                       account.public_key_pem, o.activation_code);
  account.id = enrolment.id;
  account.device_id = enrolment.device_id;
  account.device_token = enrolment.device_token;

  try {
    if (!o.ca_file.empty()) state.ca_file = dir.install_ca(ca);
    state.server_url = url;
    state.accounts.push_back(account);
    dir.save(state);
  } catch (const std::exception& e) {
    throw CommandError(std::string("the server enrolled the device but the state cannot be "
                                   "saved (enrol again with an activation code): ") +
                       e.what());
  }
  if (options_.json) {
    out_ << dump({{"id", account.id},
                  {"device_id", account.device_id},
                  {"device_name", account.device_name},
                  {"key_type", o.key_type},
                  {"server_url", url},
                  {"admin", enrolment.admin}})
         << "\n";
  } else {
    out_ << "Enrolled " << printable(account.id) << " on " << url
         << (enrolment.admin ? " (admin)" : "") << "\n";
  }
  return kExitOk;
}

PendingSession Commands::pick_session(DeviceClient& client, const std::string& wanted,
                                      int wait_seconds, bool any_of_several) const {
  if (!wanted.empty() && !is_plausible_session_id(wanted))
    throw CommandError("not a valid session ID: " + printable(wanted), kExitUsage);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(wait_seconds);
  for (;;) {
    const auto left =
        std::chrono::ceil<std::chrono::seconds>(deadline - std::chrono::steady_clock::now());
    const int chunk =
        static_cast<int>(std::clamp<std::int64_t>(left.count(), 0, kPollChunkSeconds));
    auto sessions = client.sessions(chunk);
    if (!wanted.empty()) {
      for (auto& s : sessions)
        if (s.authsessionid == wanted) return std::move(s);
    } else if (sessions.size() == 1 || (any_of_several && !sessions.empty())) {
      return std::move(sessions.front());
    } else if (sessions.size() > 1) {
      std::string ids;
      for (const auto& s : sessions)
        ids += "\n  " + s.authsessionid + "  " + printable(s.servicename);
      throw CommandError("several pending requests; choose one with --session:" + ids, kExitUsage);
    }
    if (chunk == 0) break;
    // The server does not hold the poll while other sessions are pending: do not spin.
    if (!sessions.empty()) std::this_thread::sleep_for(std::chrono::seconds(1));
  }
  throw CommandError(wanted.empty() ? "no pending requests"
                                    : "request " + wanted + " is not pending");
}

int Commands::pending(int wait_seconds) {
  auto ctx = open_account();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(wait_seconds);
  std::vector<PendingSession> sessions;
  for (;;) {
    const auto left =
        std::chrono::ceil<std::chrono::seconds>(deadline - std::chrono::steady_clock::now());
    const int chunk =
        static_cast<int>(std::clamp<std::int64_t>(left.count(), 0, kPollChunkSeconds));
    sessions = ctx.client.sessions(chunk);
    if (!sessions.empty() || chunk == 0) break;
  }
  if (options_.json) {
    json list = json::array();
    for (const auto& s : sessions) list.push_back(s.raw);
    out_ << dump(list) << "\n";
  } else {
    for (const auto& s : sessions)
      out_ << s.authsessionid << "  " << printable(s.servicename) << "  "
           << printable(s.serviceaddress) << "  expires in " << seconds_until(s.expires) << "s\n";
  }
  if (sessions.empty()) throw CommandError("no pending requests");
  return kExitOk;
}

std::uint32_t Commands::choose_symbol(const std::vector<Candidate>& candidates,
                                      const ApproveOptions& o) const {
  if (o.symbol) return candidate_by_symbol(candidates, *o.symbol).symbol;
  if (o.match) return candidate_by_png(candidates, read_file(*o.match, 4 << 20)).symbol;
  if (!terminal_.interactive())
    throw CommandError(
        "pass --symbol N or --match FILE; the candidates are " + candidate_list(candidates),
        kExitUsage);
  err_ << "Which symbol does the website show?\n";
  for (std::size_t i = 0; i < candidates.size(); ++i)
    err_ << "  " << i + 1 << ") " << printable(candidates[i].name) << "\n";
  const auto answer = terminal_.read_line("Choice [1-" + std::to_string(candidates.size()) + "]: ");
  char* end = nullptr;
  const long choice = std::strtol(answer.c_str(), &end, 10);
  if (answer.empty() || *end != '\0' || choice < 1 || choice > static_cast<long>(candidates.size()))
    throw CommandError("no such choice: " + printable(answer));
  return candidates[static_cast<std::size_t>(choice - 1)].symbol;
}

int Commands::report_answer(const AnswerResult& r, const PendingSession& session) const {
  if (options_.json) {
    out_ << dump(r.raw) << "\n";
  } else {
    out_ << session.authsessionid << "  " << printable(r.state);
    if (!r.message.empty()) out_ << "  " << printable(r.message);
    out_ << "\n";
  }
  return kExitOk;
}

int Commands::approve(const ApproveOptions& o) {
  auto ctx = open_account();
  const auto session = pick_session(ctx.client, o.session, o.wait_seconds, false);
  std::vector<Candidate> candidates;
  if (session.showaccesspass) candidates = ctx.client.symbols(session.authsessionid);
  std::uint32_t symbol = 0;
  if (!candidates.empty()) {
    symbol = choose_symbol(candidates, o);
  } else if (o.symbol || o.match) {
    err_ << "note: this request shows no symbol; approving it without one\n";
  }

  const Secret key = unlock_key(ctx.account);
  const auto signature = crypto::sign(
      key.view(), answer_message(session.authsessionid, symbol, session.nonce, "accept"));
  const auto result = ctx.client.answer(session.authsessionid, "accept", symbol, session.nonce,
                                        core::base64_encode(signature));
  report_answer(result, session);
  if (result.state == "ACCEPTED") return kExitOk;
  if (result.state == "DENIED") {
    if (!options_.json) err_ << "the server denied the request (wrong symbol?)\n";
    return kExitDenied;
  }
  throw CommandError("unexpected state after approving: " + printable(result.state));
}

int Commands::deny(const std::string& wanted, bool not_me) {
  auto ctx = open_account();
  // "not me" denies every pending request of the ID anyway, so any one of them will do.
  const auto session = pick_session(ctx.client, wanted, 0, not_me);
  const std::string decision = not_me ? "not-me" : "deny";
  const Secret key = unlock_key(ctx.account);
  const auto signature =
      crypto::sign(key.view(), answer_message(session.authsessionid, 0, session.nonce, decision));
  const auto result = ctx.client.answer(session.authsessionid, decision, 0, session.nonce,
                                        core::base64_encode(signature));
  return report_answer(result, session);
}

json Commands::signed_action(Context& ctx, std::string_view action) const {
  // Decrypt first: a wrong PIN should not use up a challenge.
  const Secret key = unlock_key(ctx.account);
  const auto challenge = ctx.client.challenge();
  const auto signature =
      crypto::sign(key.view(), action_message(action, ctx.account.id, challenge.nonce));
  return ctx.client.signed_action(action, challenge.nonce, core::base64_encode(signature));
}

void Commands::print_status(const json& s) const {
  if (options_.json) {
    out_ << dump(s) << "\n";
    return;
  }
  out_ << "ID:                     " << text_of(s, "id")
       << (yes_no(s, "admin") == "yes" ? " (admin)" : "") << "\n"
       << "Device:                 " << text_of(s, "device_name") << " (" << text_of(s, "device_id")
       << ")\n"
       << "Locked:                 " << yes_no(s, "locked") << "\n"
       << "Suspended:              " << yes_no(s, "suspended") << "\n"
       << "Priority code required: " << yes_no(s, "priority_required") << "\n";
}

void Commands::print_code(const json& answer, std::string_view what) const {
  if (options_.json) {
    out_ << dump(answer) << "\n";
    return;
  }
  const auto code = text_of(answer, "code");
  if (code.empty()) throw CommandError("the server sent no code");
  const auto expires = answer.contains("expires") && answer["expires"].is_number_integer()
                           ? answer["expires"].get<std::int64_t>()
                           : 0;
  out_ << code << "\n";
  err_ << what << ", valid for " << format_duration(seconds_until(expires)) << "\n";
}

int Commands::status_action(std::string_view action) {
  auto ctx = open_account();
  print_status(signed_action(ctx, action));
  return kExitOk;
}

int Commands::priority_code() {
  auto ctx = open_account();
  print_code(signed_action(ctx, "priority-code"),
             "Priority code for " + printable(ctx.account.id) +
                 " (give it to the website instead of the ID; single use)");
  return kExitOk;
}

int Commands::activation_code() {
  auto ctx = open_account();
  print_code(signed_action(ctx, "activation-code"),
             "Activation code for " + printable(ctx.account.id) +
                 " (enrol another device with --activation-code; single use)");
  return kExitOk;
}

int Commands::status() {
  auto ctx = open_account();
  print_status(ctx.client.status());
  return kExitOk;
}

int Commands::list() {
  const StateDir dir(options_.state_dir);
  const State state = dir.load();
  if (options_.json) {
    json accounts = json::array();
    for (const auto& a : state.accounts)
      accounts.push_back({{"id", a.id},
                          {"device_id", a.device_id},
                          {"device_name", a.device_name},
                          {"key_type", std::string(crypto::key_type_name(a.key_type))}});
    out_ << dump({{"server_url", state.server_url}, {"accounts", accounts}}) << "\n";
    return kExitOk;
  }
  out_ << "Server: " << state.server_url << "\n";
  for (const auto& a : state.accounts)
    out_ << printable(a.id) << "  " << printable(a.device_name) << "  "
         << crypto::key_type_name(a.key_type) << "  " << a.device_id << "\n";
  return kExitOk;
}

}  // namespace twofold::authenticator
