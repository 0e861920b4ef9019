#include "crypto/certificates.hpp"

#include "crypto/openssl_error.hpp"
#include "crypto/pem.hpp"

#include <arpa/inet.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <cctype>
#include <memory>
#include <set>

namespace twofold::crypto {
namespace {

template <auto Free>
struct Deleter {
  template <typename T>
  void operator()(T* p) const {
    Free(p);
  }
};
using BioPtr = std::unique_ptr<BIO, Deleter<BIO_free_all>>;
using KeyPtr = Pkey;
using X509Ptr = std::unique_ptr<X509, Deleter<X509_free>>;
using BnPtr = std::unique_ptr<BIGNUM, Deleter<BN_free>>;
using NamesPtr = std::unique_ptr<GENERAL_NAMES, Deleter<GENERAL_NAMES_free>>;
using NamePtr = std::unique_ptr<GENERAL_NAME, Deleter<GENERAL_NAME_free>>;

[[noreturn]] void fail(const std::string& what) {
  throw CertificateError(with_openssl_reason(what));
}

void check(bool ok, const char* what) {
  if (!ok) fail(what);
}

BioPtr memory_bio(std::string_view pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  check(bio != nullptr, "BIO_new_mem_buf");
  return bio;
}

std::string bio_text(BIO* bio) {
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<std::size_t>(len));
}

KeyPtr generate_p256() {
  KeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  check(key != nullptr, "cannot generate a P-256 key");
  return key;
}

std::string key_pem(EVP_PKEY* key) {
  auto pem = private_key_pem(key);
  check(!pem.empty(), "cannot encode private key");
  return pem;
}

std::string cert_pem(X509* cert) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  check(bio && PEM_write_bio_X509(bio.get(), cert), "cannot encode certificate");
  return bio_text(bio.get());
}

X509Ptr parse_cert(std::string_view pem) {
  auto bio = memory_bio(pem);
  X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (!cert) fail("cannot parse certificate");
  return cert;
}

KeyPtr parse_key(std::string_view pem) {
  auto key = read_private_key_pem(pem);
  if (!key) fail("cannot parse private key");
  return key;
}

// A fresh certificate with everything but issuer, extensions and signature: random 127-bit
// serial (positive, unpredictable), validity backdated 5 minutes for clock skew.
X509Ptr new_certificate(EVP_PKEY* key, const std::string& common_name, int valid_days) {
  X509Ptr cert(X509_new());
  check(cert && X509_set_version(cert.get(), X509_VERSION_3), "X509_new");
  BnPtr serial(BN_new());
  check(serial && BN_rand(serial.get(), 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) &&
            BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get())),
        "cannot set serial number");
  check(X509_gmtime_adj(X509_getm_notBefore(cert.get()), -300) &&
            X509_time_adj_ex(X509_getm_notAfter(cert.get()), valid_days, 0, nullptr),
        "cannot set validity");
  X509_NAME* subject = X509_get_subject_name(cert.get());
  check(X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_UTF8,
                                   reinterpret_cast<const unsigned char*>(common_name.c_str()), -1,
                                   -1, 0),
        "cannot set subject");
  check(X509_set_pubkey(cert.get(), key), "X509_set_pubkey");
  return cert;
}

void add_extension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  check(ext != nullptr, "cannot build certificate extension");
  const int ok = X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
  check(ok == 1, "cannot add certificate extension");
}

void sign(X509* cert, EVP_PKEY* key) {
  check(X509_sign(cert, key, EVP_sha256()) > 0, "cannot sign certificate");
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// Canonical text of an IP address, so "::1" and "0::1" count as one name.
std::string canonical_ip(const std::string& text) {
  unsigned char buf[16];
  char out[INET6_ADDRSTRLEN];
  if (inet_pton(AF_INET, text.c_str(), buf) == 1) return inet_ntop(AF_INET, buf, out, sizeof out);
  if (inet_pton(AF_INET6, text.c_str(), buf) == 1) return inet_ntop(AF_INET6, buf, out, sizeof out);
  throw CertificateError("not an IP address: \"" + text + "\"");
}

// The subjectAltName list in order, without duplicates.
struct AltNames {
  std::vector<std::string> dns;
  std::vector<std::string> ips;

  void add_host(const std::string& name) {
    if (is_ip_address(name)) return add_ip(name);
    if (!is_dns_name(name)) throw CertificateError("not a valid host name: \"" + name + "\"");
    const std::string key = lower(name);
    if (std::find(dns.begin(), dns.end(), key) == dns.end()) dns.push_back(key);
  }
  void add_ip(const std::string& text) {
    const std::string ip = canonical_ip(text);
    if (std::find(ips.begin(), ips.end(), ip) == ips.end()) ips.push_back(ip);
  }
};

void add_subject_alt_names(X509* cert, const AltNames& names) {
  NamesPtr list(sk_GENERAL_NAME_new_null());
  check(list != nullptr, "sk_GENERAL_NAME_new_null");
  // Built as structures rather than a "DNS:a,IP:b" config string, so no name can inject
  // further entries through a comma.
  for (const auto& dns : names.dns) {
    NamePtr name(GENERAL_NAME_new());
    ASN1_IA5STRING* value = ASN1_IA5STRING_new();
    if (!name || !value || !ASN1_STRING_set(value, dns.data(), static_cast<int>(dns.size()))) {
      ASN1_IA5STRING_free(value);
      fail("cannot encode DNS name");
    }
    GENERAL_NAME_set0_value(name.get(), GEN_DNS, value);
    check(sk_GENERAL_NAME_push(list.get(), name.get()) > 0, "sk_GENERAL_NAME_push");
    name.release();
  }
  for (const auto& ip : names.ips) {
    NamePtr name(GENERAL_NAME_new());
    ASN1_OCTET_STRING* value = a2i_IPADDRESS(ip.c_str());
    if (!name || !value) {
      ASN1_OCTET_STRING_free(value);
      fail("cannot encode IP address");
    }
    GENERAL_NAME_set0_value(name.get(), GEN_IPADD, value);
    check(sk_GENERAL_NAME_push(list.get(), name.get()) > 0, "sk_GENERAL_NAME_push");
    name.release();
  }
  check(X509_add1_ext_i2d(cert, NID_subject_alt_name, list.get(), 0, X509V3_ADD_DEFAULT) == 1,
        "cannot add subjectAltName");
}

}  // namespace

bool is_ip_address(std::string_view text) {
  const std::string s(text);
  unsigned char buf[16];
  return inet_pton(AF_INET, s.c_str(), buf) == 1 || inet_pton(AF_INET6, s.c_str(), buf) == 1;
}

bool is_dns_name(std::string_view name) {
  if (name.starts_with("*.")) name.remove_prefix(2);
  if (name.empty() || name.size() > 253) return false;
  std::size_t start = 0;
  while (start <= name.size()) {
    std::size_t end = name.find('.', start);
    if (end == std::string_view::npos) end = name.size();
    const std::string_view label = name.substr(start, end - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-')
      return false;
    for (unsigned char c : label)
      if (!std::isalnum(c) && c != '-') return false;
    start = end + 1;
  }
  return true;
}

CertifiedKey make_ca(const std::string& common_name, int valid_days) {
  if (common_name.empty()) throw CertificateError("the CA needs a common name");
  auto key = generate_p256();
  auto cert = new_certificate(key.get(), common_name, valid_days);
  check(X509_set_issuer_name(cert.get(), X509_get_subject_name(cert.get())),
        "X509_set_issuer_name");
  // pathlen 0: this CA signs server certificates only, never another CA.
  add_extension(cert.get(), cert.get(), NID_basic_constraints, "critical,CA:TRUE,pathlen:0");
  add_extension(cert.get(), cert.get(), NID_key_usage, "critical,keyCertSign,cRLSign");
  add_extension(cert.get(), cert.get(), NID_subject_key_identifier, "hash");
  sign(cert.get(), key.get());
  return {cert_pem(cert.get()), key_pem(key.get())};
}

CertifiedKey make_server_certificate(const CertifiedKey& ca,
                                     const std::vector<std::string>& host_names,
                                     const std::vector<std::string>& ip_addresses,
                                     bool include_loopback, int valid_days) {
  AltNames names;
  for (const auto& h : host_names) names.add_host(h);
  for (const auto& ip : ip_addresses) names.add_ip(ip);
  if (include_loopback) {
    names.add_host("localhost");
    names.add_ip("127.0.0.1");
    names.add_ip("::1");
  }
  if (names.dns.empty() && names.ips.empty())
    throw CertificateError("a server certificate needs at least one host name or IP address");

  auto ca_cert = parse_cert(ca.certificate_pem);
  auto ca_key = parse_key(ca.private_key_pem);
  if (X509_check_private_key(ca_cert.get(), ca_key.get()) != 1)
    fail("the CA certificate and key do not belong together");

  // The first configured name is what clients use, so it is the subject as well.
  std::string common_name;
  if (!host_names.empty())
    common_name = is_ip_address(host_names.front()) ? canonical_ip(host_names.front())
                                                    : lower(host_names.front());
  else
    common_name = names.dns.empty() ? names.ips.front() : names.dns.front();

  auto key = generate_p256();
  auto cert = new_certificate(key.get(), common_name, valid_days);
  check(X509_set_issuer_name(cert.get(), X509_get_subject_name(ca_cert.get())),
        "X509_set_issuer_name");
  add_extension(cert.get(), ca_cert.get(), NID_basic_constraints, "critical,CA:FALSE");
  // ECDSA keys sign the handshake; keyEncipherment would only apply to RSA key transport.
  add_extension(cert.get(), ca_cert.get(), NID_key_usage, "critical,digitalSignature");
  add_extension(cert.get(), ca_cert.get(), NID_ext_key_usage, "serverAuth");
  add_extension(cert.get(), ca_cert.get(), NID_subject_key_identifier, "hash");
  add_extension(cert.get(), ca_cert.get(), NID_authority_key_identifier, "keyid:always");
  add_subject_alt_names(cert.get(), names);
  sign(cert.get(), ca_key.get());
  return {cert_pem(cert.get()), key_pem(key.get())};
}

bool certificate_matches_key(std::string_view certificate_pem, std::string_view private_key_pem) {
  try {
    auto cert = parse_cert(certificate_pem);
    auto key = parse_key(private_key_pem);
    const bool ok = X509_check_private_key(cert.get(), key.get()) == 1;
    ERR_clear_error();
    return ok;
  } catch (const CertificateError&) {
    return false;
  }
}

std::string certificate_fingerprint(std::string_view certificate_pem) {
  auto cert = parse_cert(certificate_pem);
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  check(X509_digest(cert.get(), EVP_sha256(), md, &len) == 1, "X509_digest");
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned int i = 0; i < len; ++i) {
    if (i) out.push_back(':');
    out.push_back(hex[md[i] >> 4]);
    out.push_back(hex[md[i] & 0xf]);
  }
  return out;
}

}  // namespace twofold::crypto
