// regex::Pattern: the PCRE2 wrapper of the password policy and the upstream claim mapping.
#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "regex/pattern.hpp"

namespace twofold::regex {
namespace {

TEST(RegexPattern, CompileErrorsNameThePatternTheOffsetAndTheReason) {
  try {
    Pattern("ab(c", 1000, "the claim regex");
    FAIL() << "compiled";
  } catch (const CompileError& e) {
    const std::string what = e.what();
    EXPECT_EQ(what.rfind("the claim regex does not compile at offset 4: ", 0), 0u) << what;
    EXPECT_NE(what.find("missing closing parenthesis"), std::string::npos) << what;
  }
  EXPECT_THROW(Pattern("[", 1000), CompileError);
  EXPECT_THROW(Pattern("a\\Cb", 1000), CompileError) << "\\C is refused (it splits characters)";
  EXPECT_THROW(Pattern("\xff", 1000), CompileError) << "the pattern must be UTF-8";
  try {
    Pattern("(", 1000);
  } catch (const std::invalid_argument& e) {  // callers may catch the standard type
    EXPECT_EQ(std::string(e.what()).rfind("the regex does not compile at offset 1: ", 0), 0u);
  }
}

TEST(RegexPattern, MatchesAndCapturesTheFirstGroupElseTheWholeMatch) {
  const Pattern email("^([^@]+)@example\\.com$", 100'000);
  auto m = email.match("alice@example.com");
  EXPECT_EQ(m.status, Match::Status::matched);
  EXPECT_EQ(m.capture, "alice");
  EXPECT_EQ(email.match("alice@example.org").status, Match::Status::no_match);
  EXPECT_TRUE(email.match("bob@example.org").capture.empty());

  m = Pattern("[a-z]+", 1000).match("12abc34");
  EXPECT_EQ(m.status, Match::Status::matched);
  EXPECT_EQ(m.capture, "abc") << "no group: the whole match";

  m = Pattern("^(x)?(y)$", 1000).match("y");
  EXPECT_EQ(m.status, Match::Status::matched);
  EXPECT_EQ(m.capture, "y") << "group 1 did not take part: the whole match";

  m = Pattern("^(?:a(b)|c)$", 1000).match("c");
  EXPECT_EQ(m.capture, "c");
  EXPECT_EQ(Pattern("^(a*)$", 1000).match("").capture, "") << "an empty group is a match";
}

TEST(RegexPattern, Utf8ModeCountsCharactersAndToleratesInvalidSubjects) {
  const Pattern three("^.{3}$", 1000);
  EXPECT_EQ(three.match("gr\xc3\xbc").status, Match::Status::matched) << "ü is one character";
  EXPECT_EQ(three.match("\xff\xfe").status, Match::Status::no_match) << "no error, no match";
  EXPECT_EQ(Pattern("^a", 1000).match("a\xff").status, Match::Status::matched);
}

TEST(RegexPattern, TheMatchLimitTurnsCatastrophicBacktrackingIntoTooComplex) {
  const Pattern evil("^(a+)+$", 10'000);
  EXPECT_EQ(evil.match(std::string(40, 'a') + "!").status, Match::Status::too_complex);
  EXPECT_EQ(evil.match("aaa").status, Match::Status::matched);
}

TEST(RegexPattern, IsMovableAndSharedAcrossThreads) {
  Pattern p("^(\\d+)$", 1000);
  Pattern moved(std::move(p));
  std::vector<std::thread> threads;
  std::vector<int> ok(4, 0);
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i)
        ok[t] += moved.match(std::to_string(i)).capture == std::to_string(i);
    });
  for (auto& t : threads) t.join();
  for (int n : ok) EXPECT_EQ(n, 200);
}

}  // namespace
}  // namespace twofold::regex
