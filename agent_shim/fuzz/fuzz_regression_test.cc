// Runs the fuzz entry point over the committed seed corpus and over
// deterministic mutations of it (truncations, byte flips, every type-name
// selector), so the default (gcc) build exercises what the clang libFuzzer
// target does.
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "agent_shim/fuzz/translate_fuzz.h"
#include "gtest/gtest.h"

namespace executor_runtime {
namespace agent_shim {
namespace {

std::vector<std::string> ReadCorpus() {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  const char* workspace = std::getenv("TEST_WORKSPACE");
  std::filesystem::path dir =
      srcdir != nullptr && workspace != nullptr
          ? std::filesystem::path(srcdir) / workspace / "agent_shim/fuzz/corpus"
          : std::filesystem::path("agent_shim/fuzz/corpus");
  std::vector<std::string> inputs;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream bytes;
    bytes << in.rdbuf();
    inputs.push_back(bytes.str());
  }
  return inputs;
}

void Fuzz(const std::string& input) {
  FuzzTranslate(reinterpret_cast<const uint8_t*>(input.data()), input.size());
}

TEST(FuzzRegressionTest, CorpusIsThere) { EXPECT_GE(ReadCorpus().size(), 20u); }

TEST(FuzzRegressionTest, SeedsAndTheirMutationsDoNotCrash) {
  std::mt19937 rng(2024);
  int runs = 0;
  for (const std::string& seed : ReadCorpus()) {
    Fuzz(seed);
    // Every selector and flag combination on this payload.
    for (size_t selector = 0; selector < FuzzTypeNames().size(); ++selector) {
      for (char flags = 0; flags < 4; ++flags) {
        std::string input = seed;
        if (input.size() < 2) input.resize(2);
        input[0] = static_cast<char>(selector);
        input[1] = flags;
        Fuzz(input);
        ++runs;
      }
    }
    // Truncations (missing fields, cut varints).
    for (size_t length = 0; length < seed.size(); ++length) {
      Fuzz(seed.substr(0, length));
      ++runs;
    }
    // Random byte flips past the header.
    for (int i = 0; i < 50 && seed.size() > 2; ++i) {
      std::string input = seed;
      input[2 + rng() % (input.size() - 2)] ^=
          static_cast<char>(1 + rng() % 255);
      Fuzz(input);
      ++runs;
    }
  }
  EXPECT_GT(runs, 1000);
}

TEST(FuzzRegressionTest, EmptyAndTinyInputs) {
  Fuzz("");
  Fuzz(std::string(1, '\0'));
  Fuzz(std::string(2, '\xff'));
  Fuzz(std::string("\x07\x00\x0a\x00", 4));
}

}  // namespace
}  // namespace agent_shim
}  // namespace executor_runtime
