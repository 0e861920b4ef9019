#pragma once
// The server's own small PKI, made by `twofold setup`: a private CA (clients and
// authenticators install or pin ca.crt once) and the HTTPS server certificate it signs.
// Keys are ECDSA P-256; everything goes in and out as PEM (keys as unencrypted PKCS#8).
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace twofold::crypto {

struct CertificateError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct CertifiedKey {
  std::string certificate_pem;
  std::string private_key_pem;
};

inline constexpr int kCaValidityDays = 3650;     // 10 years
inline constexpr int kServerValidityDays = 730;  // 2 years; renewable by re-running setup

// Self-signed CA: basicConstraints CA:TRUE (critical, pathlen 0), keyUsage keyCertSign and
// cRLSign (critical), subjectKeyIdentifier.
CertifiedKey make_ca(const std::string& common_name, int valid_days = kCaValidityDays);

// Server certificate signed by `ca`. The subjectAltName lists every host name as DNS and every
// IP address as IP; with `include_loopback` localhost, 127.0.0.1 and ::1 are added unless
// already listed. The subject CN is the first name. Throws CertificateError on names that are
// not valid DNS names (or IP addresses, for `ip_addresses`) or when the CA does not parse.
CertifiedKey make_server_certificate(const CertifiedKey& ca,
                                     const std::vector<std::string>& host_names,
                                     const std::vector<std::string>& ip_addresses,
                                     bool include_loopback = true,
                                     int valid_days = kServerValidityDays);

// True for a literal IPv4 or IPv6 address (config host_names may hold either kind of name).
bool is_ip_address(std::string_view text);

// True for a DNS name a certificate may carry: dot-separated labels of letters, digits and
// hyphens (a leading "*." wildcard label is allowed).
bool is_dns_name(std::string_view text);

// True when the certificate parses and its public key belongs to the private key.
bool certificate_matches_key(std::string_view certificate_pem, std::string_view private_key_pem);

// SHA-256 of the DER certificate as upper-case hex pairs joined by ':' (what admins compare
// when they pin or install the CA).
std::string certificate_fingerprint(std::string_view certificate_pem);

}  // namespace twofold::crypto
