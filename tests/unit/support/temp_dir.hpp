#pragma once
// A test fixture with a directory of each test's own, for the tests that write files.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

namespace twofold::fakes {

// `dir` is <temp>/twofold-<prefix>-<pid>-<test name>: made empty in SetUp, removed in TearDown.
class TempDirTest : public ::testing::Test {
 protected:
  explicit TempDirTest(std::string prefix) : prefix_(std::move(prefix)) {}
  void SetUp() override {
    dir = std::filesystem::temp_directory_path() /
          ("twofold-" + prefix_ + "-" + std::to_string(::getpid()) + "-" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
  }
  void TearDown() override { std::filesystem::remove_all(dir); }

  std::filesystem::path dir;

 private:
  std::string prefix_;
};

}  // namespace twofold::fakes
