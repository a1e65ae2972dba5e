#include "driver/internal/ack_batch.h"

#include <string>
#include <utility>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace executor_runtime {
namespace driver_internal {
namespace {

using Ack = std::pair<std::string, std::string>;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

std::vector<Ack> Contents(const AckBatch& batch) {
  std::vector<Ack> acks;
  batch.ForEach([&acks](absl::string_view task_id, absl::string_view uuid) {
    acks.emplace_back(std::string(task_id), std::string(uuid));
  });
  return acks;
}

TEST(AckBatchTest, KeepsAcksInOrderIncludingBinaryAndEmptyFields) {
  AckBatch batch;
  EXPECT_TRUE(batch.empty());
  const std::string binary_uuid("\0\x01\xff\0", 4);
  batch.Add("task-1", binary_uuid);
  batch.Add("", "u");
  batch.Add(std::string(1000, 't'), std::string(16, 'x'));
  EXPECT_EQ(batch.size(), 3u);
  EXPECT_THAT(Contents(batch),
              ElementsAre(Ack{"task-1", binary_uuid}, Ack{"", "u"},
                          Ack{std::string(1000, 't'), std::string(16, 'x')}));
}

TEST(AckBatchTest, ClearEmptiesForReuse) {
  AckBatch batch;
  batch.Add("a", "1");
  batch.Clear();
  EXPECT_TRUE(batch.empty());
  EXPECT_THAT(Contents(batch), IsEmpty());
  batch.Add("b", "2");
  EXPECT_THAT(Contents(batch), ElementsAre(Ack{"b", "2"}));
}

TEST(AckBatchTest, GrowsKeepingEarlierAcks) {
  AckBatch batch;
  std::vector<Ack> expected;
  for (int i = 0; i < 2000; ++i) {
    expected.emplace_back("task-" + std::to_string(i), std::string(16, i % 256));
    batch.Add(expected.back().first, expected.back().second);
  }
  EXPECT_EQ(batch.size(), 2000u);
  EXPECT_EQ(Contents(batch), expected);
}

}  // namespace
}  // namespace driver_internal
}  // namespace executor_runtime
