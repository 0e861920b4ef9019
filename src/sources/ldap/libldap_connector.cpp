#include "sources/ldap/libldap_connector.hpp"

#include <ldap.h>
#include <sys/socket.h>

#include <atomic>
#include <cctype>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace twofold::sources::ldap {
namespace {

timeval to_timeval(std::chrono::milliseconds ms) {
  timeval tv{};
  tv.tv_sec = static_cast<decltype(tv.tv_sec)>(ms.count() / 1000);
  tv.tv_usec = static_cast<decltype(tv.tv_usec)>((ms.count() % 1000) * 1000);
  return tv;
}

Status status_of(int rc) {
  switch (rc) {
    case LDAP_SUCCESS:
    case LDAP_SIZELIMIT_EXCEEDED:  // the entries so far are delivered; the caller counts them
      return Status::ok;
    case LDAP_INVALID_CREDENTIALS:
      return Status::invalid_credentials;
    case LDAP_NO_SUCH_OBJECT:
      return Status::no_such_object;
    case LDAP_SERVER_DOWN:
    case LDAP_CONNECT_ERROR:
    case LDAP_TIMEOUT:
    case LDAP_TIMELIMIT_EXCEEDED:
    case LDAP_UNAVAILABLE:
    case LDAP_BUSY:
    case LDAP_UNWILLING_TO_PERFORM:
    case LDAP_LOCAL_ERROR:
      return Status::unavailable;
    default:
      return Status::error;
  }
}

std::string lower(std::string s) {
  for (auto& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return s;
}

// libldap bounds the TCP connect (LDAP_OPT_NETWORK_TIMEOUT) and our waits for results, but
// not the TLS handshake of ldaps:// or StartTLS (GnuTLS retries a timed-out read forever): a
// server that accepts and never answers would hold the login. So the calls that may connect
// or shake hands run under a watchdog that shuts the socket down when they take too long; the
// socket is learnt from the connect callback, which runs right after the TCP connect.
struct SocketWatch {
  ldap_conncb callback{};
  std::atomic<int> fd{-1};
};

int on_connect(LDAP*, Sockbuf* sb, LDAPURLDesc*, sockaddr*, ldap_conncb* ctx) {
  int fd = -1;
  if (ber_sockbuf_ctrl(sb, LBER_SB_OPT_GET_FD, &fd) == 1)
    static_cast<SocketWatch*>(ctx->lc_arg)->fd.store(fd);
  return LDAP_SUCCESS;
}

void on_close(LDAP*, Sockbuf*, ldap_conncb* ctx) {
  static_cast<SocketWatch*>(ctx->lc_arg)->fd.store(-1);
}

class Watchdog {
 public:
  Watchdog(const std::atomic<int>& fd, std::chrono::milliseconds limit)
      : thread_([this, &fd, limit] {
          std::unique_lock lock(mutex_);
          if (cv_.wait_for(lock, limit, [this] { return done_; })) return;
          fired_ = true;
          if (const int f = fd.load(); f >= 0) ::shutdown(f, SHUT_RDWR);
        }) {}
  ~Watchdog() {
    {
      std::lock_guard lock(mutex_);
      done_ = true;
    }
    cv_.notify_one();
    thread_.join();
  }
  bool fired() {
    std::lock_guard lock(mutex_);
    return fired_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  bool done_{false};
  bool fired_{false};
  std::thread thread_;
};

class LibLdapConnection final : public Connection {
 public:
  LibLdapConnection(LDAP* ld, std::chrono::milliseconds timeout) : ld_(ld), timeout_(timeout) {
    watch_.callback.lc_add = on_connect;
    watch_.callback.lc_del = on_close;
    watch_.callback.lc_arg = &watch_;
  }
  // Installs the connect callback (it must live as long as the handle: a member).
  bool watch_sockets(std::chrono::milliseconds handshake) {
    handshake_ = handshake;
    return ldap_set_option(ld_, LDAP_OPT_CONNECT_CB, &watch_.callback) == LDAP_OPT_SUCCESS;
  }
  // Runs `call` (which may connect and shake hands) under the watchdog; a fired watchdog
  // turns its result into "no TLS handshake within N ms".
  template <class F>
  Result guarded(const char* what, F call) {
    Watchdog dog(watch_.fd, handshake_ + timeout_);
    auto r = call();
    if (dog.fired())
      return {Status::unavailable, std::string(what) + ": no connection or TLS handshake within " +
                                       std::to_string((handshake_ + timeout_).count()) + " ms"};
    return r;
  }
  ~LibLdapConnection() override { ldap_unbind_ext_s(ld_, nullptr, nullptr); }
  LibLdapConnection(const LibLdapConnection&) = delete;
  LibLdapConnection& operator=(const LibLdapConnection&) = delete;

  // Waits for the result of `msgid` within the operation timeout; the parsed result code.
  Result wait(int msgid, const char* what, LDAPMessage** out) {
    timeval tv = to_timeval(timeout_);
    LDAPMessage* res = nullptr;
    const int n = ldap_result(ld_, msgid, LDAP_MSG_ALL, &tv, &res);
    if (n == 0) {
      ldap_abandon_ext(ld_, msgid, nullptr, nullptr);
      return {Status::unavailable,
              std::string(what) + ": no answer within " + std::to_string(timeout_.count()) + " ms"};
    }
    if (n < 0) return failure(what);
    *out = res;
    return {};
  }

  Result failure(const char* what, int rc = -1) {
    if (rc == -1) ldap_get_option(ld_, LDAP_OPT_RESULT_CODE, &rc);
    std::string message = std::string(what) + ": " + ldap_err2string(rc);
    char* diag = nullptr;
    if (ldap_get_option(ld_, LDAP_OPT_DIAGNOSTIC_MESSAGE, &diag) == LDAP_OPT_SUCCESS && diag) {
      if (*diag) message += std::string(" (") + diag + ")";
      ldap_memfree(diag);
    }
    return {status_of(rc), message};
  }

  // The result code of a finished operation (frees `res`).
  Result parse(LDAPMessage* res, const char* what) {
    int rc = LDAP_OTHER;
    char* diag = nullptr;
    if (ldap_parse_result(ld_, res, &rc, nullptr, &diag, nullptr, nullptr, 1) != LDAP_SUCCESS)
      return failure(what);
    Result r{status_of(rc), {}};
    if (rc != LDAP_SUCCESS) {
      r.message = std::string(what) + ": " + ldap_err2string(rc);
      if (diag && *diag) r.message += std::string(" (") + diag + ")";
    }
    if (diag) ldap_memfree(diag);
    return r;
  }

  Result start_tls() {
    int msgid = 0;
    int rc = LDAP_SUCCESS;
    if (auto r = guarded("StartTLS",
                         [&] {
                           rc = ldap_extended_operation(ld_, LDAP_EXOP_START_TLS, nullptr, nullptr,
                                                        nullptr, &msgid);
                           return rc == LDAP_SUCCESS ? Result{} : failure("StartTLS", rc);
                         });
        r.status != Status::ok)
      return r;
    LDAPMessage* res = nullptr;
    if (auto r = wait(msgid, "StartTLS", &res); r.status != Status::ok) return r;
    if (auto r = parse(res, "StartTLS"); r.status != Status::ok) {
      r.status = Status::unavailable;  // a server without StartTLS cannot be used
      return r;
    }
    return guarded("TLS handshake", [&] {
      const int tls = ldap_install_tls(ld_);
      if (tls == LDAP_SUCCESS) return Result{};
      auto r = failure("TLS handshake", tls);
      r.status = Status::unavailable;
      return r;
    });
  }

  Result bind(const std::string& dn, const std::string& password) override {
    berval cred{};
    cred.bv_val = const_cast<char*>(password.data());
    cred.bv_len = password.size();
    int msgid = 0;
    if (auto r = guarded("bind",
                         [&] {
                           const int rc = ldap_sasl_bind(ld_, dn.c_str(), LDAP_SASL_SIMPLE, &cred,
                                                         nullptr, nullptr, &msgid);
                           return rc == LDAP_SUCCESS ? Result{} : failure("bind", rc);
                         });
        r.status != Status::ok)
      return r;
    LDAPMessage* res = nullptr;
    if (auto r = wait(msgid, "bind", &res); r.status != Status::ok) return r;
    return parse(res, "bind");
  }

  SearchResult search(const std::string& base, Scope scope, const std::string& filter,
                      const std::vector<std::string>& attributes, int size_limit) override {
    SearchResult out;
    std::vector<char*> attrs;
    for (const auto& a : attributes) attrs.push_back(const_cast<char*>(a.c_str()));
    attrs.push_back(nullptr);
    const int s = scope == Scope::base  ? LDAP_SCOPE_BASE
                  : scope == Scope::one ? LDAP_SCOPE_ONELEVEL
                                        : LDAP_SCOPE_SUBTREE;
    timeval limit = to_timeval(timeout_);  // the server's own time limit (seconds, ≥ 1)
    if (limit.tv_sec < 1) limit.tv_sec = 1;
    limit.tv_usec = 0;
    int msgid = 0;
    out.result = guarded("search", [&] {
      const int rc = ldap_search_ext(ld_, base.c_str(), s, filter.c_str(), attrs.data(), 0, nullptr,
                                     nullptr, &limit, size_limit, &msgid);
      return rc == LDAP_SUCCESS ? Result{} : failure("search", rc);
    });
    if (out.result.status != Status::ok) return out;
    LDAPMessage* res = nullptr;
    if (out.result = wait(msgid, "search", &res); out.result.status != Status::ok) return out;
    for (LDAPMessage* e = ldap_first_entry(ld_, res); e; e = ldap_next_entry(ld_, e)) {
      Entry entry;
      if (char* dn = ldap_get_dn(ld_, e)) {
        entry.dn = dn;
        ldap_memfree(dn);
      }
      BerElement* ber = nullptr;
      for (char* a = ldap_first_attribute(ld_, e, &ber); a; a = ldap_next_attribute(ld_, e, ber)) {
        auto& values = entry.attributes[lower(a)];
        if (berval** vals = ldap_get_values_len(ld_, e, a)) {
          for (int i = 0; vals[i]; ++i) values.emplace_back(vals[i]->bv_val, vals[i]->bv_len);
          ldap_value_free_len(vals);
        }
        ldap_memfree(a);
      }
      if (ber) ber_free(ber, 0);
      out.entries.push_back(std::move(entry));
    }
    out.result = parse(res, "search");
    return out;
  }

 private:
  LDAP* ld_;
  std::chrono::milliseconds timeout_;
  SocketWatch watch_;
  std::chrono::milliseconds handshake_{0};
};

}  // namespace

LibLdapConnector::LibLdapConnector(ConnectionOptions options) : options_(std::move(options)) {
  int version = 0;
  ldap_get_option(nullptr, LDAP_OPT_PROTOCOL_VERSION, &version);
}

std::unique_ptr<Connection> LibLdapConnector::connect(const std::string& uri, Result& error) {
  LDAP* ld = nullptr;
  int rc = ldap_initialize(&ld, uri.c_str());
  if (rc != LDAP_SUCCESS || !ld) {
    error = {Status::unavailable, "bad LDAP URI " + uri + ": " + ldap_err2string(rc)};
    return nullptr;
  }
  auto conn = std::make_unique<LibLdapConnection>(ld, options_.operation_timeout);
  const int version = LDAP_VERSION3;
  timeval net = to_timeval(options_.network_timeout);
  timeval op = to_timeval(options_.operation_timeout);
  const int require = options_.tls_verify ? LDAP_OPT_X_TLS_DEMAND : LDAP_OPT_X_TLS_NEVER;
  const int tls_min = LDAP_OPT_X_TLS_PROTOCOL_TLS1_2;
  const int no_server = 0;
  // Each option on this handle only, so the process-wide ldap.conf defaults do not leak in.
  bool ok = ldap_set_option(ld, LDAP_OPT_PROTOCOL_VERSION, &version) == LDAP_OPT_SUCCESS &&
            ldap_set_option(ld, LDAP_OPT_REFERRALS, LDAP_OPT_OFF) == LDAP_OPT_SUCCESS &&
            ldap_set_option(ld, LDAP_OPT_NETWORK_TIMEOUT, &net) == LDAP_OPT_SUCCESS &&
            ldap_set_option(ld, LDAP_OPT_TIMEOUT, &op) == LDAP_OPT_SUCCESS &&
            ldap_set_option(ld, LDAP_OPT_X_TLS_REQUIRE_CERT, &require) == LDAP_OPT_SUCCESS &&
            ldap_set_option(ld, LDAP_OPT_X_TLS_PROTOCOL_MIN, &tls_min) == LDAP_OPT_SUCCESS &&
            conn->watch_sockets(options_.network_timeout);
  if (ok && !options_.ca_file.empty())
    ok = ldap_set_option(ld, LDAP_OPT_X_TLS_CACERTFILE, options_.ca_file.c_str()) ==
         LDAP_OPT_SUCCESS;
  if (ok) ok = ldap_set_option(ld, LDAP_OPT_X_TLS_NEWCTX, &no_server) == LDAP_OPT_SUCCESS;
  if (!ok) {
    error = {Status::unavailable,
             uri + ": cannot set up the LDAP connection (TLS CA file " + options_.ca_file + "?)"};
    return nullptr;
  }
  if (options_.starttls && uri.rfind("ldaps://", 0) != 0) {
    if (auto r = conn->start_tls(); r.status != Status::ok) {
      error = r;
      return nullptr;
    }
  }
  return conn;
}

}  // namespace twofold::sources::ldap
