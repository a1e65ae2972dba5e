// Runs the call-sequence fuzz entry point over the committed seed corpus and
// deterministic mutations of it (truncations, byte flips, splices), so the
// default (gcc) build exercises what the clang libFuzzer target does.
#include <random>
#include <string>

#include "gtest/gtest.h"
#include "simulator/fuzz/call_sequence_fuzz.h"
#include "simulator/fuzz/corpus_reader.h"

namespace executor_runtime {
namespace simulator_fuzz {
namespace {

constexpr char kCorpus[] = "simulator/fuzz/corpus/call_sequence_fuzzer";

CallSequenceStats Fuzz(const std::string& input) {
  return FuzzCallSequence(reinterpret_cast<const uint8_t*>(input.data()),
                          input.size());
}

TEST(CallSequenceRegressionTest, CorpusIsThere) {
  EXPECT_GE(ReadCorpus(kCorpus).size(), 15u);
}

// The seeds reach what they are named after.
TEST(CallSequenceRegressionTest, SeedsReachAcceptanceRecordingAndRefusal) {
  const auto corpus = ReadCorpus(kCorpus);
  ASSERT_TRUE(corpus.count("built_driver_session"));
  CallSequenceStats session = Fuzz(corpus.at("built_driver_session"));
  EXPECT_EQ(session.calls, 7);
  EXPECT_EQ(session.accepted, 7);
  EXPECT_EQ(session.built_valid, 7);
  EXPECT_EQ(session.accepted_updates, 4);
  EXPECT_EQ(session.recorded, 3);  // one retransmission
  EXPECT_GE(session.fast_path, 1);  // its UPDATE calls

  CallSequenceStats batched = Fuzz(corpus.at("built_batched"));
  EXPECT_GE(batched.fast_path, 1);

  CallSequenceStats raw = Fuzz(corpus.at("raw_driver_session"));
  EXPECT_EQ(raw.accepted, 5);
  EXPECT_EQ(raw.recorded, 2);  // 'a' twice, then 'b' in the batch

  CallSequenceStats broken = Fuzz(corpus.at("raw_missing_required"));
  EXPECT_EQ(broken.refused, 3);
  EXPECT_EQ(broken.recorded, 0);

  for (const char* name :
       {"built_no_ids", "built_no_type", "built_bad_uuid", "built_staging",
        "built_other_executor", "built_bad_source", "built_no_status",
        "built_batched_heartbeat", "raw_unknown_type", "raw_garbage"}) {
    ASSERT_TRUE(corpus.count(name)) << name;
    EXPECT_GE(Fuzz(corpus.at(name)).refused, 1) << name;
  }
  EXPECT_EQ(Fuzz(corpus.at("built_same_executor")).accepted, 1);
}

TEST(CallSequenceRegressionTest, SeedsAndTheirMutationsDoNotCrash) {
  std::mt19937 rng(11);
  const auto corpus = ReadCorpus(kCorpus);
  int runs = 0;
  std::string previous;
  for (const auto& [name, seed] : corpus) {
    Fuzz(seed);
    for (size_t length = 0; length < seed.size(); ++length) {
      Fuzz(seed.substr(0, length));
      ++runs;
    }
    for (int i = 0; i < 200 && !seed.empty(); ++i) {
      std::string input = seed;
      input[rng() % input.size()] ^= static_cast<char>(1 + rng() % 255);
      Fuzz(input);
      ++runs;
    }
    Fuzz(previous + seed);
    previous = seed;
  }
  EXPECT_GT(runs, 3000);
}

TEST(CallSequenceRegressionTest, EmptyAndTinyInputs) {
  EXPECT_EQ(Fuzz("").calls, 0);
  Fuzz(std::string(1, '\0'));
  Fuzz(std::string(1, '\xf0'));
  Fuzz(std::string(2, '\xff'));
  Fuzz(std::string(4000, '\x02'));  // a long run of UPDATEs of one UUID
}

}  // namespace
}  // namespace simulator_fuzz
}  // namespace executor_runtime
