#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "mail/message.hpp"
#include "mail/smtp.hpp"
#include "mail/templates.hpp"
#include "support/temp_dir.hpp"

using namespace twofold;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

const fs::path kTemplates = fs::path(TWOFOLD_SOURCE_DIR) / "web" / "templates" / "mail";

mail::Message sample() {
  return {{"noreply@example.com", "twofold"},
          {{"alice@example.com", "Alice"}},
          "Hello",
          "Line one\nLine two\n"};
}

// ---- rendering and validation ----

TEST(MailMessage, RendersCrlfHeadersAndQuotedPrintableBody) {
  auto m = sample();
  m.text = "Grüße\n.leading dot\ntrailing space \n" + std::string(100, 'x') + "\n";
  const auto out = mail::render(m, core::from_millis(1'700'000'000'000), "abc@example.com");
  for (std::size_t i = 0; i < out.size(); ++i)
    if (out[i] == '\n') {
      ASSERT_TRUE(i > 0 && out[i - 1] == '\r') << "bare LF at " << i;
    }
  const auto head = out.substr(0, out.find("\r\n\r\n") + 2);
  EXPECT_NE(head.find("Date: Tue, 14 Nov 2023 22:13:20 +0000\r\n"), std::string::npos) << head;
  EXPECT_NE(head.find("From: twofold <noreply@example.com>\r\n"), std::string::npos);
  EXPECT_NE(head.find("To: Alice <alice@example.com>\r\n"), std::string::npos);
  EXPECT_NE(head.find("Subject: Hello\r\n"), std::string::npos);
  EXPECT_NE(head.find("Message-ID: <abc@example.com>\r\n"), std::string::npos);
  EXPECT_NE(head.find("MIME-Version: 1.0\r\n"), std::string::npos);
  EXPECT_NE(head.find("Content-Type: text/plain; charset=UTF-8\r\n"), std::string::npos);
  EXPECT_NE(head.find("Content-Transfer-Encoding: quoted-printable\r\n"), std::string::npos);
  const auto body = out.substr(head.size() + 2);
  EXPECT_EQ(body.substr(0, 22), "Gr=C3=BC=C3=9Fe\r\n=2Ele") << "UTF-8 bytes and a leading dot";
  EXPECT_NE(body.find("trailing space=20\r\n"), std::string::npos);
  std::size_t start = 0;
  for (auto end = body.find("\r\n"); end != std::string::npos; end = body.find("\r\n", start)) {
    EXPECT_LE(end - start, 76u) << "QP line too long";
    start = end + 2;
  }
  for (unsigned char c : out) EXPECT_TRUE(c < 0x80) << "7-bit clean";
}

TEST(MailMessage, NonAsciiHeadersUseRfc2047Words) {
  EXPECT_EQ(mail::encode_header_text("Plain subject"), "Plain subject");
  EXPECT_EQ(mail::encode_header_text("Für dich"), "=?UTF-8?B?RsO8ciBkaWNo?=");
  EXPECT_EQ(mail::encode_header_text("=?x?="), "=?UTF-8?B?PT94Pz0=?=") << "lookalike encoded";
  // Long text: several words, each line ≤ 76 characters, no UTF-8 character split.
  const std::string long_text = [] {
    std::string s;
    for (int i = 0; i < 40; ++i) s += "Ä€";
    return s;
  }();
  const auto enc = mail::encode_header_text(long_text);
  std::size_t start = 0, words = 0;
  while (true) {
    const auto end = enc.find("\r\n ", start);
    const auto line = enc.substr(start, end == std::string::npos ? std::string::npos : end - start);
    EXPECT_LE(line.size() + (words ? 1 : 0), 76u) << "folded lines start with a space";
    EXPECT_EQ(line.rfind("=?UTF-8?B?", 0), 0u);
    ++words;
    if (end == std::string::npos) break;
    start = end + 3;
  }
  EXPECT_GT(words, 2u);

  auto m = sample();
  m.from.name = "Zwei \"Faktor\"";
  m.to[0].name = "Jürgen";
  const auto out = mail::render(m, core::from_millis(0), "x@y");
  EXPECT_NE(out.find("From: \"Zwei \\\"Faktor\\\"\" <noreply@example.com>"), std::string::npos);
  EXPECT_NE(out.find("To: =?UTF-8?B?SsO8cmdlbg==?= <alice@example.com>"), std::string::npos);
}

TEST(MailMessage, HeaderInjectionIsRefused) {
  auto subject = sample();
  subject.subject = "Hi\r\nBcc: victim@example.org";
  EXPECT_THROW(mail::validate(subject), mail::MailError);
  subject.subject = "Hi\nBcc: victim@example.org";
  EXPECT_THROW(mail::validate(subject), mail::MailError);
  subject.subject = "tab\tinside";
  EXPECT_THROW(mail::validate(subject), mail::MailError);
  auto to = sample();
  to.to[0].email = "alice@example.com\r\nRCPT TO:<victim@example.org>";
  EXPECT_THROW(mail::validate(to), mail::MailError);
  auto from = sample();
  from.from.email = "noreply@example.com>\r\nX-Evil: 1";
  EXPECT_THROW(mail::validate(from), mail::MailError);
  auto name = sample();
  name.to[0].name = "Alice\r\nBcc: victim@example.org";
  EXPECT_THROW(mail::validate(name), mail::MailError);
  try {
    mail::validate(subject = [] {
      auto m = sample();
      m.subject = "a\r\nb";
      return m;
    }());
  } catch (const mail::MailError& e) {
    EXPECT_NE(std::string(e.what()).find("header injection"), std::string::npos) << e.what();
  }
  auto none = sample();
  none.to.clear();
  EXPECT_THROW(mail::validate(none), mail::MailError);
  auto bad_utf8 = sample();
  bad_utf8.text = "\xff\xfe";
  EXPECT_THROW(mail::validate(bad_utf8), mail::MailError);
  EXPECT_NO_THROW(mail::validate(sample()));
}

TEST(MailMessage, AddressShapes) {
  for (const char* good :
       {"a@b.c", "first.last+tag@example.co.uk", "x_y-z@localhost", "o'neil@ex.org"})
    EXPECT_TRUE(mail::is_valid_address(good)) << good;
  for (const char* bad :
       {"", "a", "@b.c", "a@", "a b@c.d", "a@b c", "<a@b.c>", "a@b.c>", ".a@b.c", "a..b@c.d",
        "a@-b.c", "a@b..c", "ä@b.c", "a@b.c\n", "a,b@c.d", "a@[1.2.3.4]"})
    EXPECT_FALSE(mail::is_valid_address(bad)) << bad;
}

// ---- templates ----

TEST(MailTemplates, GermanAndEnglishWithFallback) {
  mail::Templates t(kTemplates);
  const mail::Vars vars{
      {"code", "012345"}, {"minutes", "15"}, {"name", "Jörg"}, {"product", "twofold"}};
  auto de = t.render("email_code", "de", vars);
  EXPECT_EQ(de.subject, "Ihr Anmeldecode für twofold");
  EXPECT_EQ(de.text.rfind("Hallo Jörg,\n", 0), 0u) << de.text;
  EXPECT_NE(de.text.find("\n    012345\n"), std::string::npos);
  EXPECT_NE(de.text.find("können"), std::string::npos);
  EXPECT_EQ(t.render("email_code", "de_AT", vars).subject, de.subject);
  EXPECT_EQ(t.render("email_code", "DE-ch", vars).subject, de.subject);
  EXPECT_EQ(t.render("email_code", "en", vars).subject, "Your twofold sign-in code");
  EXPECT_EQ(t.render("email_code", "xx", vars).subject, "Your twofold sign-in code");
  EXPECT_EQ(t.render("email_code", "../../etc", vars).subject, "Your twofold sign-in code");
  EXPECT_THROW(t.render("../email_code", "en", vars), mail::TemplateError);
  EXPECT_THROW(t.render("no_such_template", "en", vars), mail::TemplateError);
  EXPECT_THROW(t.render("email_code", "en", {{"code", "1"}}), mail::TemplateError)
      << "a placeholder without a value";
}

// Without a folder: copies built into the binary (the login embeds web/templates/mail).
TEST(MailTemplates, BuiltInCopiesByFileName) {
  std::vector<std::string> asked;
  mail::Templates t([&asked](const std::string& file) -> std::optional<std::string> {
    asked.push_back(file);
    if (file == "email_code.de.txt") return "Subject: Code {{code}}\n\nHallo {{name}}\n";
    if (file == "email_code.en.txt") return "Subject: Code {{code}}\n\nHello {{name}}\n";
    if (file == "broken.en.txt") return "no subject line\n";
    return std::nullopt;
  });
  const mail::Vars vars{{"code", "1"}, {"name", "Jörg"}};
  EXPECT_EQ(t.render("email_code", "de-AT", vars).text, "Hallo Jörg\n");
  EXPECT_EQ(asked, (std::vector<std::string>{"email_code.de-at.txt", "email_code.de.txt"}));
  EXPECT_EQ(t.render("email_code", "fr", vars).text, "Hello Jörg\n");
  EXPECT_EQ(t.render("email_code", "../x", vars).text, "Hello Jörg\n");
  EXPECT_THROW(t.render("../email_code", "en", vars), mail::TemplateError);
  EXPECT_THROW(t.render("missing", "en", vars), mail::TemplateError);
  EXPECT_THROW(t.render("broken", "en", vars), mail::TemplateError);
  EXPECT_TRUE(t.find("email_code", "en").empty()) << "no file behind a built-in copy";
}

TEST(MailTemplates, Substitution) {
  EXPECT_EQ(mail::substitute("a {{x}} b {{ y }}{{x}}", {{"x", "1"}, {"y", "{{x}}"}}),
            "a 1 b {{x}}1")
      << "values are not substituted again";
  EXPECT_THROW(mail::substitute("{{x", {{"x", "1"}}), mail::TemplateError);
  EXPECT_EQ(mail::substitute("no placeholders", {}), "no placeholders");
}

// ---- real SMTP ----

int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

bool can_connect(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

// Debian's interpreter has python3-aiosmtpd; a pyenv "python3" first in PATH may not.
std::string python() {
  return ::access("/usr/bin/python3", X_OK) == 0 ? "/usr/bin/python3" : "python3";
}

std::string run(const std::string& cmd) {
  std::string out;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return out;
  char buf[4096];
  while (std::size_t n = std::fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  ::pclose(p);
  return out;
}

// An aiosmtpd sink storing what it receives in a maildir.
class SmtpSinkTest : public fakes::TempDirTest {
 protected:
  SmtpSinkTest() : TempDirTest("mail") {}
  int port = 0;
  pid_t pid = -1;
  core::SystemClock clock;
  core::SystemRandom random;

  // Starts the sink on a free port; `extra` adds aiosmtpd options (TLS).
  void start(const std::vector<std::string>& extra = {}) {
    port = free_port();
    std::vector<std::string> args = {python(), "-m", "aiosmtpd",
                                     "-n",     "-l", "127.0.0.1:" + std::to_string(port)};
    args.insert(args.end(), extra.begin(), extra.end());
    for (const char* a : {"-c", "aiosmtpd.handlers.Mailbox"}) args.emplace_back(a);
    args.push_back((dir / "maildir").string());
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    const std::string log = (dir / "sink.log").string();
    pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      std::freopen(log.c_str(), "w", stdout);
      std::freopen(log.c_str(), "a", stderr);
      ::execvp(argv[0], argv.data());
      ::_exit(127);
    }
    const auto deadline = std::chrono::steady_clock::now() + 20s;
    while (!can_connect(port)) {
      int status = 0;
      ASSERT_EQ(::waitpid(pid, &status, WNOHANG), 0)
          << "aiosmtpd exited (is python3-aiosmtpd installed?); see " << log;
      ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "aiosmtpd did not listen";
      std::this_thread::sleep_for(50ms);
    }
  }

  // A self-signed certificate for 127.0.0.1; also the CA file the client trusts.
  void make_cert() {
    const auto cmd =
        "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
        "-subj /CN=localhost -addext subjectAltName=IP:127.0.0.1,DNS:localhost "
        "-days 1 -keyout " +
        (dir / "key.pem").string() + " -out " + (dir / "cert.pem").string() + " >/dev/null 2>&1";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << "openssl failed";
  }

  void TearDown() override {
    if (pid > 0) {
      ::kill(pid, SIGTERM);
      int status = 0;
      ::waitpid(pid, &status, 0);
    }
    TempDirTest::TearDown();
  }

  mail::SmtpConfig config() const {
    mail::SmtpConfig c;
    c.url = "smtp://127.0.0.1:" + std::to_string(port);
    c.starttls = false;  // the sink speaks plain SMTP
    c.connect_timeout = 5s;
    c.timeout = 10s;
    return c;
  }

  std::vector<fs::path> received() const {
    std::vector<fs::path> out;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir / "maildir" / "new", ec))
      out.push_back(e.path());
    return out;
  }

  // Python's email package, an independent reader, decodes the stored message.
  nlohmann::json parse(const fs::path& file) const {
    const fs::path script = dir / "parse.py";
    std::ofstream(script) << R"PY(
import email, email.policy, json, sys
raw = open(sys.argv[1], 'rb').read()
m = email.message_from_bytes(raw, policy=email.policy.default)
old = email.message_from_bytes(raw)
out = {k: str(m[k]) for k in ('subject', 'from', 'to', 'date', 'message-id', 'mime-version',
                              'content-transfer-encoding', 'auto-submitted', 'x-mailfrom', 'x-rcptto')}
out['raw_subject'] = old['subject']
out['content_type'] = m.get_content_type()
out['charset'] = m.get_content_charset()
out['body'] = m.get_content()
out['defects'] = len(m.defects)
sys.stdout.buffer.write(json.dumps(out, ensure_ascii=False).encode('utf-8'))
)PY";
    const auto text = run(python() + " " + script.string() + " " + file.string());
    return nlohmann::json::parse(text);
  }
};

TEST_F(SmtpSinkTest, DeliversATemplatedGermanMailWithUmlauts) {
  ASSERT_NO_FATAL_FAILURE(start());
  mail::SmtpMailer mailer(config(), clock, random);
  mail::Templates templates(kTemplates);
  const auto rendered = templates.render("email_code", "de",
                                         {{"code", "042137"},
                                          {"minutes", "15"},
                                          {"name", "Jürgen Größe"},
                                          {"product", "Zwei-Faktor-Büro"}});
  mailer.send({{"noreply@example.com", "Anmeldung Süd"},
               {{"juergen@example.org", "Jürgen Größe"}},
               rendered.subject,
               rendered.text});

  const auto files = received();
  ASSERT_EQ(files.size(), 1u);
  const auto m = parse(files[0]);
  EXPECT_EQ(m["subject"], "Ihr Anmeldecode für Zwei-Faktor-Büro");
  EXPECT_EQ(m["raw_subject"].get<std::string>().rfind("=?UTF-8?B?", 0), 0u) << m["raw_subject"];
  EXPECT_EQ(m["from"], "Anmeldung Süd <noreply@example.com>");
  EXPECT_EQ(m["to"], "Jürgen Größe <juergen@example.org>");
  EXPECT_EQ(m["x-mailfrom"], "noreply@example.com");
  EXPECT_EQ(m["x-rcptto"], "juergen@example.org");
  EXPECT_EQ(m["mime-version"], "1.0");
  EXPECT_EQ(m["content_type"], "text/plain");
  EXPECT_EQ(m["charset"], "utf-8");
  EXPECT_EQ(m["content-transfer-encoding"], "quoted-printable");
  EXPECT_EQ(m["auto-submitted"], "auto-generated");
  EXPECT_EQ(m["defects"], 0);
  const auto id = m["message-id"].get<std::string>();
  EXPECT_TRUE(id.front() == '<' && id.back() == '>' &&
              id.find("@example.com>") != std::string::npos)
      << id;
  EXPECT_NE(m["date"].get<std::string>().find("+0000"), std::string::npos);
  const auto body = m["body"].get<std::string>();
  EXPECT_EQ(body.rfind("Hallo Jürgen Größe,\n", 0), 0u) << body;
  EXPECT_NE(body.find("Ihr Einmalcode für die Anmeldung bei Zwei-Faktor-Büro lautet:"),
            std::string::npos);
  EXPECT_NE(body.find("\n    042137\n"), std::string::npos);
  EXPECT_NE(body.find("15 Minuten gültig"), std::string::npos);
  EXPECT_NE(body.find("Ändern Sie es gegebenenfalls."), std::string::npos);
}

TEST_F(SmtpSinkTest, SeveralRecipientsAndADotLine) {
  ASSERT_NO_FATAL_FAILURE(start());
  mail::SmtpMailer mailer(config(), clock, random);
  mailer.send({{"a@example.com", ""},
               {{"b@example.com", ""}, {"c@example.com", "C"}},
               "Dots",
               "before\n.\nafter\n..two\n"});
  const auto files = received();
  ASSERT_EQ(files.size(), 1u);
  const auto m = parse(files[0]);
  EXPECT_EQ(m["x-rcptto"], "b@example.com, c@example.com");
  EXPECT_EQ(m["body"], "before\n.\nafter\n..two\n") << "a lone '.' did not end the DATA";
}

TEST_F(SmtpSinkTest, InjectionIsRefusedBeforeAnythingIsSent) {
  ASSERT_NO_FATAL_FAILURE(start());
  mail::SmtpMailer mailer(config(), clock, random);
  auto m = sample();
  m.subject = "Code\r\nBcc: victim@example.org";
  EXPECT_THROW(mailer.send(m), mail::MailError);
  m = sample();
  m.to[0].email = "alice@example.com>\r\nRCPT TO:<victim@example.org";
  EXPECT_THROW(mailer.send(m), mail::MailError);
  EXPECT_TRUE(received().empty());
}

TEST_F(SmtpSinkTest, StarttlsIsRequiredAndVerified) {
  ASSERT_NO_FATAL_FAILURE(make_cert());
  const auto cert = (dir / "cert.pem").string(), key = (dir / "key.pem").string();
  ASSERT_NO_FATAL_FAILURE(start({"--tlscert", cert, "--tlskey", key}));
  auto c = config();
  c.starttls = false;
  EXPECT_THROW(mail::SmtpMailer(c, clock, random).send(sample()), mail::MailError)
      << "the sink demands STARTTLS first";
  c.starttls = true;
  EXPECT_THROW(mail::SmtpMailer(c, clock, random).send(sample()), mail::MailError)
      << "a self-signed certificate is not trusted by default";
  c.ca_file = cert;
  mail::SmtpMailer(c, clock, random).send(sample());
  ASSERT_EQ(received().size(), 1u);
  EXPECT_EQ(parse(received()[0])["subject"], "Hello");
}

TEST_F(SmtpSinkTest, ImplicitTlsWithSmtps) {
  ASSERT_NO_FATAL_FAILURE(make_cert());
  const auto cert = (dir / "cert.pem").string(), key = (dir / "key.pem").string();
  ASSERT_NO_FATAL_FAILURE(start({"--smtpscert", cert, "--smtpskey", key}));
  auto c = config();
  c.url = "smtps://127.0.0.1:" + std::to_string(port);
  c.ca_file = cert;
  mail::SmtpMailer(c, clock, random).send(sample());
  ASSERT_EQ(received().size(), 1u);
  EXPECT_EQ(parse(received()[0])["to"], "Alice <alice@example.com>");
}

TEST(Smtp, NothingListeningIsAQuickClearError) {
  core::SystemClock clock;
  core::SystemRandom random;
  mail::SmtpConfig c;
  c.url = "smtp://127.0.0.1:" + std::to_string(free_port());
  c.starttls = false;
  c.connect_timeout = 2s;
  c.timeout = 3s;
  mail::SmtpMailer mailer(c, clock, random);
  const auto start = std::chrono::steady_clock::now();
  try {
    mailer.send(sample());
    ADD_FAILURE() << "sent to a closed port";
  } catch (const mail::MailError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("sending mail via 127.0.0.1 failed"), std::string::npos) << what;
    EXPECT_NE(what.find("onnect"), std::string::npos) << what;
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);
}

TEST(Smtp, ASilentServerTimesOut) {
  // Listening, never greeting: the kernel accepts the connection, nobody speaks.
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(fd, 4), 0);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);

  core::SystemClock clock;
  core::SystemRandom random;
  mail::SmtpConfig c;
  c.url = "smtp://127.0.0.1:" + std::to_string(ntohs(addr.sin_port));
  c.starttls = false;
  c.timeout = 1s;
  mail::SmtpMailer mailer(c, clock, random);
  const auto start = std::chrono::steady_clock::now();
  EXPECT_THROW(mailer.send(sample()), mail::MailError);
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_GE(took, 900ms);
  EXPECT_LT(took, 3s) << "bounded by the configured timeout";
  ::close(fd);
}

TEST(Smtp, ConfigurationIsChecked) {
  core::SystemClock clock;
  core::SystemRandom random;
  mail::SmtpConfig c;
  c.url = "http://mail.example.com";
  EXPECT_THROW(mail::SmtpMailer(c, clock, random), mail::MailError);
  c.url = "not a url";
  EXPECT_THROW(mail::SmtpMailer(c, clock, random), mail::MailError);
  c.url = "smtp://mail.example.com:587";
  c.username = "u";
  c.password = "p";
  c.starttls = false;
  EXPECT_THROW(mail::SmtpMailer(c, clock, random), mail::MailError) << "password in clear text";
  c.starttls = true;
  EXPECT_NO_THROW(mail::SmtpMailer(c, clock, random));
  c.url = "smtps://mail.example.com";
  c.starttls = false;
  EXPECT_NO_THROW(mail::SmtpMailer(c, clock, random));
  c.url = "smtp://127.0.0.1:2525";
  EXPECT_NO_THROW(mail::SmtpMailer(c, clock, random)) << "loopback relay may use plain AUTH";
}

}  // namespace
