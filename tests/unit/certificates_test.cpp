#include "crypto/certificates.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <ctime>
#include <memory>
#include <string>
#include <vector>

using namespace twofold::crypto;

namespace {

struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
using X509Ptr = std::unique_ptr<X509, X509Free>;

X509Ptr parse(const std::string& pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  X509Ptr cert(PEM_read_bio_X509(bio, nullptr, nullptr, nullptr));
  BIO_free(bio);
  EXPECT_NE(cert, nullptr);
  return cert;
}

// Verifies `leaf` against `ca` as a TLS server certificate for `host` or `ip`.
int verify(const CertifiedKey& ca, const CertifiedKey& leaf, const std::string& host,
           const std::string& ip = "") {
  auto ca_cert = parse(ca.certificate_pem);
  auto leaf_cert = parse(leaf.certificate_pem);
  X509_STORE* store = X509_STORE_new();
  X509_STORE_add_cert(store, ca_cert.get());
  X509_STORE_CTX* ctx = X509_STORE_CTX_new();
  X509_STORE_CTX_init(ctx, store, leaf_cert.get(), nullptr);
  X509_STORE_CTX_set_purpose(ctx, X509_PURPOSE_SSL_SERVER);
  X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx);
  if (!host.empty()) X509_VERIFY_PARAM_set1_host(param, host.c_str(), 0);
  if (!ip.empty()) X509_VERIFY_PARAM_set1_ip_asc(param, ip.c_str());
  const int ok = X509_verify_cert(ctx);
  const int error = X509_STORE_CTX_get_error(ctx);
  X509_STORE_CTX_free(ctx);
  X509_STORE_free(store);
  return ok == 1 ? X509_V_OK : (error == X509_V_OK ? -1 : error);
}

struct AltNames {
  std::vector<std::string> dns;
  std::vector<std::string> ips;
};

AltNames alt_names(X509* cert) {
  AltNames out;
  auto* names =
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  EXPECT_NE(names, nullptr);
  if (!names) return out;
  for (int i = 0; i < sk_GENERAL_NAME_num(names); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names, i);
    if (name->type == GEN_DNS) {
      const ASN1_IA5STRING* s = name->d.dNSName;
      out.dns.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                           ASN1_STRING_length(s));
    } else if (name->type == GEN_IPADD) {
      const ASN1_OCTET_STRING* ip = name->d.iPAddress;
      char text[INET6_ADDRSTRLEN] = {};
      inet_ntop(ASN1_STRING_length(ip) == 4 ? AF_INET : AF_INET6, ASN1_STRING_get0_data(ip), text,
                sizeof text);
      out.ips.emplace_back(text);
    }
  }
  GENERAL_NAMES_free(names);
  return out;
}

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

// Days between now and the certificate's notAfter.
int days_left(X509* cert) {
  int days = 0, seconds = 0;
  ASN1_TIME_diff(&days, &seconds, nullptr, X509_get0_notAfter(cert));
  return days;
}

std::string curve_of(const std::string& key_pem) {
  BIO* bio = BIO_new_mem_buf(key_pem.data(), static_cast<int>(key_pem.size()));
  EVP_PKEY* key = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  if (!key) return "";
  char name[64] = {};
  std::size_t len = 0;
  EVP_PKEY_get_utf8_string_param(key, "group", name, sizeof name, &len);
  EVP_PKEY_free(key);
  return name;
}

class CertificatesTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { ca_ = new CertifiedKey(make_ca("twofold test CA")); }
  static void TearDownTestSuite() { delete ca_; }
  static CertifiedKey* ca_;
};
CertifiedKey* CertificatesTest::ca_ = nullptr;

}  // namespace

TEST_F(CertificatesTest, CaIsSelfSignedCaWithCertSignUsage) {
  auto cert = parse(ca_->certificate_pem);
  ASSERT_TRUE(cert);
  EXPECT_EQ(X509_check_ca(cert.get()), 1);
  int critical = -1;
  auto* bc = static_cast<BASIC_CONSTRAINTS*>(
      X509_get_ext_d2i(cert.get(), NID_basic_constraints, &critical, nullptr));
  ASSERT_NE(bc, nullptr);
  EXPECT_TRUE(bc->ca);
  EXPECT_EQ(critical, 1);
  BASIC_CONSTRAINTS_free(bc);

  EXPECT_TRUE(X509_get_extension_flags(cert.get()) & EXFLAG_KUSAGE);
  EXPECT_EQ(X509_get_key_usage(cert.get()), static_cast<uint32_t>(KU_KEY_CERT_SIGN | KU_CRL_SIGN));
  EXPECT_NE(X509_get0_subject_key_id(cert.get()), nullptr);
  EXPECT_EQ(X509_NAME_cmp(X509_get_subject_name(cert.get()), X509_get_issuer_name(cert.get())), 0);
  EXPECT_TRUE(X509_get_extension_flags(cert.get()) & EXFLAG_SS);

  EVP_PKEY* pub = X509_get0_pubkey(cert.get());
  EXPECT_EQ(X509_verify(cert.get(), pub), 1);
  EXPECT_GE(days_left(cert.get()), 3649);
  EXPECT_LE(days_left(cert.get()), 3650);
  EXPECT_EQ(curve_of(ca_->private_key_pem), "prime256v1");
  EXPECT_TRUE(ca_->private_key_pem.starts_with("-----BEGIN PRIVATE KEY-----"));
  EXPECT_TRUE(certificate_matches_key(ca_->certificate_pem, ca_->private_key_pem));
}

TEST_F(CertificatesTest, ServerCertificateVerifiesAgainstCaForEveryName) {
  const std::vector<std::string> hosts{"auth.example.com", "twofold.internal"};
  const std::vector<std::string> ips{"192.0.2.10", "2001:db8::5"};
  auto server = make_server_certificate(*ca_, hosts, ips);

  for (const auto& h : hosts) EXPECT_EQ(verify(*ca_, server, h), X509_V_OK) << h;
  EXPECT_EQ(verify(*ca_, server, "localhost"), X509_V_OK);
  for (const auto& ip : {"192.0.2.10", "2001:db8::5", "127.0.0.1", "::1"})
    EXPECT_EQ(verify(*ca_, server, "", ip), X509_V_OK) << ip;

  EXPECT_EQ(verify(*ca_, server, "evil.example.com"), X509_V_ERR_HOSTNAME_MISMATCH);
  EXPECT_EQ(verify(*ca_, server, "", "192.0.2.11"), X509_V_ERR_IP_ADDRESS_MISMATCH);
}

TEST_F(CertificatesTest, ServerCertificateDoesNotVerifyAgainstAnotherCa) {
  auto server = make_server_certificate(*ca_, {"auth.example.com"}, {});
  auto other = make_ca("other CA");
  EXPECT_NE(verify(other, server, "auth.example.com"), X509_V_OK);
}

TEST_F(CertificatesTest, SubjectAltNameListsAllNamesWithLoopbackOnce) {
  auto server = make_server_certificate(*ca_, {"Auth.Example.com", "10.1.2.3", "localhost"},
                                        {"0:0::1", "198.51.100.7"});
  auto cert = parse(server.certificate_pem);
  auto names = alt_names(cert.get());
  EXPECT_EQ(names.dns, (std::vector<std::string>{"auth.example.com", "localhost"}));
  ASSERT_EQ(names.ips.size(), 4u);
  EXPECT_TRUE(contains(names.ips, "10.1.2.3"));
  EXPECT_TRUE(contains(names.ips, "198.51.100.7"));
  EXPECT_TRUE(contains(names.ips, "127.0.0.1"));
  EXPECT_TRUE(contains(names.ips, "::1"));

  char cn[256] = {};
  X509_NAME_get_text_by_NID(X509_get_subject_name(cert.get()), NID_commonName, cn, sizeof cn);
  EXPECT_STREQ(cn, "auth.example.com");
}

TEST_F(CertificatesTest, LoopbackNamesCanBeLeftOut) {
  auto server = make_server_certificate(*ca_, {"auth.example.com"}, {}, false);
  auto names = alt_names(parse(server.certificate_pem).get());
  EXPECT_EQ(names.dns, (std::vector<std::string>{"auth.example.com"}));
  EXPECT_TRUE(names.ips.empty());
  EXPECT_NE(verify(*ca_, server, "localhost"), X509_V_OK);
}

TEST_F(CertificatesTest, ServerCertificateUsagesAndKeys) {
  auto server = make_server_certificate(*ca_, {"auth.example.com"}, {});
  auto cert = parse(server.certificate_pem);
  auto ca_cert = parse(ca_->certificate_pem);

  EXPECT_EQ(X509_check_ca(cert.get()), 0);
  EXPECT_EQ(X509_get_key_usage(cert.get()), static_cast<uint32_t>(KU_DIGITAL_SIGNATURE));
  EXPECT_TRUE(X509_get_extension_flags(cert.get()) & EXFLAG_XKUSAGE);
  EXPECT_EQ(X509_get_extended_key_usage(cert.get()), static_cast<uint32_t>(XKU_SSL_SERVER));

  const ASN1_OCTET_STRING* aki = X509_get0_authority_key_id(cert.get());
  const ASN1_OCTET_STRING* ski = X509_get0_subject_key_id(ca_cert.get());
  ASSERT_NE(aki, nullptr);
  ASSERT_NE(ski, nullptr);
  EXPECT_EQ(ASN1_OCTET_STRING_cmp(aki, ski), 0);
  EXPECT_EQ(X509_check_issued(ca_cert.get(), cert.get()), X509_V_OK);

  EXPECT_GE(days_left(cert.get()), 729);
  EXPECT_LE(days_left(cert.get()), 730);
  EXPECT_EQ(curve_of(server.private_key_pem), "prime256v1");
  EXPECT_TRUE(certificate_matches_key(server.certificate_pem, server.private_key_pem));
  EXPECT_FALSE(certificate_matches_key(server.certificate_pem, ca_->private_key_pem));
  EXPECT_FALSE(certificate_matches_key("garbage", server.private_key_pem));
}

TEST_F(CertificatesTest, SerialNumbersDiffer) {
  auto a = parse(make_server_certificate(*ca_, {"a.example"}, {}).certificate_pem);
  auto b = parse(make_server_certificate(*ca_, {"a.example"}, {}).certificate_pem);
  EXPECT_NE(ASN1_INTEGER_cmp(X509_get0_serialNumber(a.get()), X509_get0_serialNumber(b.get())), 0);
}

TEST_F(CertificatesTest, RejectsBadNamesAndMismatchedCa) {
  EXPECT_THROW(make_server_certificate(*ca_, {"a.example,DNS:evil.example"}, {}), CertificateError);
  EXPECT_THROW(make_server_certificate(*ca_, {"under_score.example"}, {}), CertificateError);
  EXPECT_THROW(make_server_certificate(*ca_, {}, {"not-an-ip"}), CertificateError);
  EXPECT_THROW(make_server_certificate(*ca_, {}, {}, false), CertificateError);

  CertifiedKey mismatched{ca_->certificate_pem, make_ca("other").private_key_pem};
  EXPECT_THROW(make_server_certificate(mismatched, {"a.example"}, {}), CertificateError);
  EXPECT_THROW(make_server_certificate({"x", "y"}, {"a.example"}, {}), CertificateError);
  EXPECT_THROW(make_ca(""), CertificateError);
}

TEST(CertificateNames, DnsAndIpClassification) {
  EXPECT_TRUE(is_dns_name("localhost"));
  EXPECT_TRUE(is_dns_name("auth-1.example.com"));
  EXPECT_TRUE(is_dns_name("*.example.com"));
  EXPECT_FALSE(is_dns_name(""));
  EXPECT_FALSE(is_dns_name("-a.example"));
  EXPECT_FALSE(is_dns_name("a..example"));
  EXPECT_FALSE(is_dns_name("example.com."));
  EXPECT_FALSE(is_dns_name("a b"));
  EXPECT_FALSE(is_dns_name(std::string(64, 'a') + ".example"));
  EXPECT_TRUE(is_ip_address("127.0.0.1"));
  EXPECT_TRUE(is_ip_address("::1"));
  EXPECT_TRUE(is_ip_address("fe80::1"));
  EXPECT_FALSE(is_ip_address("localhost"));
  EXPECT_FALSE(is_ip_address("256.0.0.1"));
}

TEST_F(CertificatesTest, FingerprintIsSha256HexPairs) {
  const std::string fp = certificate_fingerprint(ca_->certificate_pem);
  EXPECT_EQ(fp.size(), 32u * 3 - 1);
  EXPECT_EQ(fp, certificate_fingerprint(ca_->certificate_pem));
  EXPECT_NE(fp, certificate_fingerprint(make_ca("x").certificate_pem));
  EXPECT_THROW(certificate_fingerprint("nope"), CertificateError);
}
