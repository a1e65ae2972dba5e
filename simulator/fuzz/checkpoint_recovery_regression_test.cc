// Runs the checkpoint-recovery fuzz entry point over the committed seed
// corpus and deterministic mutations of it (every truncation, byte flips),
// so the default (gcc) build exercises what the clang libFuzzer target does.
#include <random>
#include <string>

#include "gtest/gtest.h"
#include "simulator/checkpoint/checkpoint_store.h"
#include "simulator/fuzz/checkpoint_fuzz.h"
#include "simulator/fuzz/corpus_reader.h"

namespace executor_runtime {
namespace simulator_fuzz {
namespace {

constexpr char kCorpus[] = "simulator/fuzz/corpus/checkpoint_recovery_fuzzer";

void Fuzz(const std::string& input) {
  FuzzCheckpointRecovery(reinterpret_cast<const uint8_t*>(input.data()),
                         input.size());
}

// What recovery makes of `input` (the harness's scratch directory).
absl::StatusOr<RecoveredState> Recover(const std::string& input) {
  Fuzz(input);  // writes it (and checks it)
  // The harness appended a probe to a recovered log: write it again.
  {
    std::FILE* file =
        std::fopen(CheckpointStore::LogPath(ScratchDirectory()).c_str(), "wb");
    std::fwrite(input.data(), 1, input.size(), file);
    std::fclose(file);
  }
  auto store = CheckpointStore::Open(ScratchDirectory());
  if (!store.ok()) return store.status();
  return (*store)->recovered();
}

TEST(CheckpointRecoveryRegressionTest, CorpusIsThere) {
  EXPECT_GE(ReadCorpus(kCorpus).size(), 20u);
}

// The seeds reach both outcomes: whole logs recover, damage in the middle
// is DATA_LOSS, a torn tail is dropped.
TEST(CheckpointRecoveryRegressionTest, SeedsRecoverOrFailAsExpected) {
  const auto corpus = ReadCorpus(kCorpus);
  ASSERT_TRUE(corpus.count("history"));
  absl::StatusOr<RecoveredState> history = Recover(corpus.at("history"));
  ASSERT_TRUE(history.ok()) << history.status();
  EXPECT_EQ(history->records, 9u);
  EXPECT_EQ(history->executors.size(), 2u);
  EXPECT_EQ(history->updates.size(), 2u);

  absl::StatusOr<RecoveredState> torn =
      Recover(corpus.at("history").substr(0, corpus.at("history").size() - 1));
  ASSERT_TRUE(torn.ok()) << torn.status();
  EXPECT_EQ(torn->records, 8u);
  EXPECT_GT(torn->dropped_tail_bytes, 0u);

  // A few bytes after the last record are a torn record, not corruption.
  absl::StatusOr<RecoveredState> garbage =
      Recover(corpus.at("history_trailing_garbage"));
  ASSERT_TRUE(garbage.ok()) << garbage.status();
  EXPECT_EQ(garbage->records, 9u);
  EXPECT_EQ(garbage->dropped_tail_bytes, 7u);

  for (const char* name : {"orphan_task", "empty_record", "history_flipped_0",
                           "history_flipped_12", "history_flipped_17"}) {
    ASSERT_TRUE(corpus.count(name)) << name;
    absl::StatusOr<RecoveredState> state = Recover(corpus.at(name));
    EXPECT_EQ(state.status().code(), absl::StatusCode::kDataLoss) << name;
  }
}

TEST(CheckpointRecoveryRegressionTest, SeedsAndTheirMutationsDoNotCrash) {
  std::mt19937 rng(5);
  int runs = 0;
  for (const auto& [name, seed] : ReadCorpus(kCorpus)) {
    Fuzz(seed);
    for (size_t length = 0; length < seed.size(); length += 3) {
      Fuzz(seed.substr(0, length));
      ++runs;
    }
    for (int i = 0; i < 30 && !seed.empty(); ++i) {
      std::string input = seed;
      input[rng() % input.size()] ^= static_cast<char>(1 << (rng() % 8));
      Fuzz(input);
      ++runs;
    }
  }
  EXPECT_GT(runs, 500);
}

TEST(CheckpointRecoveryRegressionTest, EmptyAndTinyInputs) {
  Fuzz("");
  Fuzz("X");
  Fuzz("XRTLOG01");
  Fuzz(std::string("XRTLOG01\0\0\0\0\0\0\0\0", 16));
}

}  // namespace
}  // namespace simulator_fuzz
}  // namespace executor_runtime
