// Runs the environment fuzz entry point over the committed seed corpus and
// deterministic mutations of it (truncations, byte flips, line drops), so
// the default (gcc) build exercises what the clang libFuzzer target does.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "driver/driver_options.h"
#include "driver/fuzz/environment_fuzz.h"
#include "gtest/gtest.h"

namespace executor_runtime {
namespace driver_fuzz {
namespace {

std::vector<std::pair<std::string, std::string>> ReadCorpus() {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  const char* workspace = std::getenv("TEST_WORKSPACE");
  const std::filesystem::path relative =
      "driver/fuzz/corpus/environment_fuzzer";
  std::filesystem::path dir = srcdir != nullptr && workspace != nullptr
                                  ? std::filesystem::path(srcdir) / workspace /
                                        relative
                                  : relative;
  std::vector<std::pair<std::string, std::string>> inputs;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream bytes;
    bytes << in.rdbuf();
    inputs.emplace_back(entry.path().filename().string(), bytes.str());
  }
  return inputs;
}

void Fuzz(const std::string& input) {
  FuzzEnvironment(reinterpret_cast<const uint8_t*>(input.data()),
                  input.size());
}

TEST(EnvironmentFuzzRegressionTest, CorpusIsThere) {
  EXPECT_GE(ReadCorpus().size(), 20u);
}

// The seeds reach both sides: "valid_*" parse, "bad_*" are refused.
TEST(EnvironmentFuzzRegressionTest, SeedsAreWhatTheirNamesSay) {
  int valid = 0, bad = 0;
  for (const auto& [name, input] : ReadCorpus()) {
    if (name.rfind("valid_", 0) == 0) {
      std::map<std::string, std::string> env = ParseFuzzEnvironment(input);
      env.erase("MESOS_EXECUTOR_TLS_CA_FILE");  // a path here, not content
      EXPECT_TRUE(DriverOptions::FromEnvironment(env).ok()) << name;
      ++valid;
    } else if (name.rfind("bad_", 0) == 0 && name != "bad_tls") {
      EXPECT_FALSE(
          DriverOptions::FromEnvironment(ParseFuzzEnvironment(input)).ok())
          << name;
      ++bad;
    }
  }
  EXPECT_GE(valid, 4);
  EXPECT_GE(bad, 4);
}

TEST(EnvironmentFuzzRegressionTest, ShortNamesStandForVariables) {
  const auto env = ParseFuzzEnvironment(std::string("\x00=fw\n\x04=h:1", 10));
  ASSERT_EQ(env.size(), 2u);
  EXPECT_EQ(env.at("MESOS_FRAMEWORK_ID"), "fw");
  EXPECT_EQ(env.at("MESOS_AGENT_ENDPOINT"), "h:1");
}

TEST(EnvironmentFuzzRegressionTest, SeedsAndTheirMutationsDoNotCrash) {
  std::mt19937 rng(7);
  int runs = 0;
  for (const auto& [name, seed] : ReadCorpus()) {
    Fuzz(seed);
    for (size_t length = 0; length < seed.size(); ++length) {
      Fuzz(seed.substr(0, length));
      ++runs;
    }
    for (int i = 0; i < 100 && !seed.empty(); ++i) {
      std::string input = seed;
      input[rng() % input.size()] ^= static_cast<char>(1 + rng() % 255);
      Fuzz(input);
      ++runs;
    }
    // Each duration variable with every other seed's tail as its value.
    for (const char* variable : {"MESOS_RECOVERY_TIMEOUT",
                                 "MESOS_SUBSCRIPTION_BACKOFF_MAX",
                                 "MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD"}) {
      Fuzz("MESOS_FRAMEWORK_ID=f\nMESOS_EXECUTOR_ID=e\nMESOS_SLAVE_ID=a\n"
           "MESOS_AGENT_ENDPOINT=h:1\n" +
           std::string(variable) + "=" + seed.substr(seed.size() / 2));
      ++runs;
    }
  }
  EXPECT_GT(runs, 1000);
}

TEST(EnvironmentFuzzRegressionTest, EmptyAndTinyInputs) {
  Fuzz("");
  Fuzz("\n");
  Fuzz("=");
  Fuzz(std::string(1, '\0'));
  Fuzz(std::string("\x0c=", 2));  // the CA file, empty
}

}  // namespace
}  // namespace driver_fuzz
}  // namespace executor_runtime
