#include "simulator/tool/update_book.h"

#include <cstdlib>
#include <thread>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace executor_runtime {
namespace {

UpdateBook::Entry MakeEntry(const std::string& task, mesos::TaskState state,
                            const std::string& uuid) {
  UpdateBook::Entry entry;
  entry.framework_id = "fw";
  entry.executor_id = "e1";
  entry.status.mutable_task_id()->set_value(task);
  entry.status.set_state(state);
  entry.status.set_uuid(uuid);
  entry.recorded_at = absl::Now();
  return entry;
}

TEST(UpdateBookTest, RecordsEachUuidOnceAcrossRestarts) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  const std::string dir = absl::StrCat(tmp != nullptr ? tmp : "/tmp", "/book");
  {
    auto store = CheckpointStore::Open(dir);
    ASSERT_TRUE(store.ok()) << store.status();
    UpdateBook book(store->get(), (*store)->recovered().updates);
    ASSERT_TRUE(book.Record({MakeEntry("t1", mesos::TASK_RUNNING, "u1"),
                             MakeEntry("t1", mesos::TASK_RUNNING, "u1"),
                             MakeEntry("t1", mesos::TASK_FINISHED, "u2")})
                    .ok());
    EXPECT_EQ(book.count(), 2u);
    ASSERT_TRUE(
        book.Record({MakeEntry("t1", mesos::TASK_FINISHED, "u2")}).ok());
    EXPECT_EQ(book.count(), 2u);
    EXPECT_EQ(book.LatestState("t1"), mesos::TASK_FINISHED);
  }
  // A restarted book remembers the UUIDs: a resent update is not recorded
  // again, and sequence numbers continue.
  auto store = CheckpointStore::Open(dir);
  ASSERT_TRUE(store.ok()) << store.status();
  UpdateBook book(store->get(), (*store)->recovered().updates);
  EXPECT_EQ(book.count(), 2u);
  EXPECT_EQ(book.LatestState("t1"), mesos::TASK_FINISHED);
  ASSERT_TRUE(book.Record({MakeEntry("t1", mesos::TASK_FINISHED, "u2"),
                           MakeEntry("t2", mesos::TASK_RUNNING, "u3")})
                  .ok());
  EXPECT_EQ(book.count(), 3u);
  std::vector<control::UpdateRecord> all = book.After(0, 100);
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[2].sequence(), 3u);
  EXPECT_EQ(all[2].status().uuid(), "u3");
  EXPECT_EQ(book.After(2, 100).size(), 1u);
  EXPECT_EQ(book.After(0, 1).size(), 1u);
  EXPECT_FALSE(book.LatestState("t9").has_value());
  std::map<mesos::TaskState, int> counts = book.StateCounts();
  EXPECT_EQ(counts.size(), 2u);
  EXPECT_EQ(counts[mesos::TASK_FINISHED], 1);
  EXPECT_EQ(counts[mesos::TASK_RUNNING], 1);
}

TEST(UpdateBookTest, WaitForAfterWakesOnRecord) {
  UpdateBook book(nullptr, {});
  EXPECT_FALSE(book.WaitForAfter(0, absl::Milliseconds(1)));
  std::thread writer([&] {
    book.Record({MakeEntry("t1", mesos::TASK_RUNNING, "u1")}).IgnoreError();
  });
  EXPECT_TRUE(book.WaitForAfter(0, absl::Seconds(10)));
  writer.join();
}

TEST(UpdateBookTest, TerminalStates) {
  EXPECT_TRUE(IsTerminalState(mesos::TASK_FINISHED));
  EXPECT_TRUE(IsTerminalState(mesos::TASK_LOST));
  EXPECT_TRUE(IsTerminalState(mesos::TASK_GONE_BY_OPERATOR));
  EXPECT_FALSE(IsTerminalState(mesos::TASK_RUNNING));
  EXPECT_FALSE(IsTerminalState(mesos::TASK_KILLING));
  EXPECT_FALSE(IsTerminalState(mesos::TASK_UNREACHABLE));
}

}  // namespace
}  // namespace executor_runtime
