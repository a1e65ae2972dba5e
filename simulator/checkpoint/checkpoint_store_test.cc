#include "simulator/checkpoint/checkpoint_store.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace executor_runtime {
namespace {

std::string TestDir(const std::string& name) {
  const char* dir = std::getenv("TEST_TMPDIR");
  return absl::StrCat(dir != nullptr ? dir : "/tmp", "/", name);
}

checkpoint::CheckpointRecord Launched(const std::string& executor, int pid) {
  checkpoint::CheckpointRecord record;
  auto* launched = record.mutable_executor_launched();
  launched->mutable_framework_info()->set_user("u");
  launched->mutable_framework_info()->set_name("f");
  launched->mutable_framework_info()->mutable_id()->set_value("fw");
  launched->mutable_executor_info()->mutable_executor_id()->set_value(executor);
  launched->set_pid(pid);
  launched->set_auth_token("tok-" + executor);
  return record;
}

checkpoint::CheckpointRecord Task(const std::string& executor,
                                  const std::string& task) {
  checkpoint::CheckpointRecord record;
  auto* launched = record.mutable_task_launched();
  launched->set_framework_id("fw");
  launched->set_executor_id(executor);
  launched->mutable_task()->set_name(task);
  launched->mutable_task()->mutable_task_id()->set_value(task);
  launched->mutable_task()->mutable_slave_id()->set_value("agent");
  return record;
}

checkpoint::CheckpointRecord Update(uint64_t sequence,
                                    const std::string& task) {
  checkpoint::CheckpointRecord record;
  auto* update = record.mutable_update_recorded();
  update->set_sequence(sequence);
  update->set_framework_id("fw");
  update->set_executor_id("e1");
  update->mutable_status()->mutable_task_id()->set_value(task);
  update->mutable_status()->set_state(mesos::TASK_RUNNING);
  update->mutable_status()->set_uuid(absl::StrCat("uuid-", sequence));
  return record;
}

TEST(CheckpointStoreTest, RecoversWhatWasAppended) {
  const std::string dir = TestDir("store-roundtrip");
  {
    auto store = CheckpointStore::Open(dir);
    ASSERT_TRUE(store.ok()) << store.status();
    EXPECT_TRUE((*store)->recovered().agent_id.empty());
    EXPECT_EQ((*store)->recovered().records, 0u);
    checkpoint::CheckpointRecord started;
    started.mutable_agent_started()->set_agent_id("agent-7");
    ASSERT_TRUE((*store)->Append(started).ok());
    ASSERT_TRUE((*store)->Append(Launched("e1", 101)).ok());
    ASSERT_TRUE((*store)->Append(Task("e1", "t1")).ok());
    ASSERT_TRUE((*store)->Append(Update(1, "t1")).ok());
    ASSERT_TRUE((*store)->Append(Launched("e2", 102)).ok());
    ASSERT_TRUE((*store)->Append(Update(2, "t1")).ok());
    checkpoint::CheckpointRecord exited;
    exited.mutable_executor_exited()->set_framework_id("fw");
    exited.mutable_executor_exited()->set_executor_id("e2");
    exited.mutable_executor_exited()->set_description("exited with status 0");
    ASSERT_TRUE((*store)->Append(exited).ok());
  }
  auto store = CheckpointStore::Open(dir);
  ASSERT_TRUE(store.ok()) << store.status();
  const RecoveredState& state = (*store)->recovered();
  EXPECT_EQ(state.agent_id, "agent-7");
  EXPECT_EQ(state.records, 7u);
  ASSERT_EQ(state.executors.size(), 2u);
  EXPECT_EQ(state.executors[0].launched.pid(), 101);
  EXPECT_EQ(state.executors[0].launched.auth_token(), "tok-e1");
  ASSERT_EQ(state.executors[0].tasks.size(), 1u);
  EXPECT_EQ(state.executors[0].tasks[0].task_id().value(), "t1");
  EXPECT_FALSE(state.executors[0].exited);
  EXPECT_TRUE(state.executors[1].exited);
  EXPECT_EQ(state.executors[1].exit_description, "exited with status 0");
  ASSERT_EQ(state.updates.size(), 2u);
  EXPECT_EQ(state.updates[1].sequence(), 2u);
  EXPECT_EQ(state.updates[1].status().uuid(), "uuid-2");
  // Owner-only permissions on the directory and the log.
  struct stat st;
  ASSERT_EQ(stat(dir.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  ASSERT_EQ(stat(CheckpointStore::LogPath(dir).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST(CheckpointStoreTest, OneSimulatorPerWorkDirectory) {
  const std::string dir = TestDir("store-locked");
  auto first = CheckpointStore::Open(dir);
  ASSERT_TRUE(first.ok()) << first.status();
  auto second = CheckpointStore::Open(dir);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(second.status().message().find("in use"), std::string::npos);
  first->reset();
  EXPECT_TRUE(CheckpointStore::Open(dir).ok());
}

TEST(CheckpointStoreTest, TornLastRecordIsDroppedAndLaterAppendsKept) {
  const std::string dir = TestDir("store-torn");
  {
    auto store = CheckpointStore::Open(dir);
    ASSERT_TRUE(store.ok());
    ASSERT_TRUE((*store)->Append(Launched("e1", 1)).ok());
    ASSERT_TRUE((*store)->Append(Update(1, "t1")).ok());
    ASSERT_TRUE((*store)->Append(Update(2, "t1")).ok());
  }
  const std::string log = CheckpointStore::LogPath(dir);
  struct stat st;
  ASSERT_EQ(stat(log.c_str(), &st), 0);
  ASSERT_EQ(truncate(log.c_str(), st.st_size - 3), 0);
  {
    auto store = CheckpointStore::Open(dir);
    ASSERT_TRUE(store.ok()) << store.status();
    EXPECT_EQ((*store)->recovered().updates.size(), 1u);
    EXPECT_GT((*store)->recovered().dropped_tail_bytes, 0u);
    ASSERT_TRUE((*store)->Append(Update(3, "t1")).ok());
  }
  auto store = CheckpointStore::Open(dir);
  ASSERT_TRUE(store.ok()) << store.status();
  ASSERT_EQ((*store)->recovered().updates.size(), 2u);
  EXPECT_EQ((*store)->recovered().updates[1].sequence(), 3u);
  EXPECT_EQ((*store)->recovered().dropped_tail_bytes, 0u);
}

TEST(CheckpointStoreTest, CorruptLogIsRefusedWithClearError) {
  const std::string dir = TestDir("store-corrupt");
  {
    auto store = CheckpointStore::Open(dir);
    ASSERT_TRUE(store.ok());
    ASSERT_TRUE((*store)->Append(Launched("e1", 1)).ok());
    ASSERT_TRUE((*store)->Append(Update(1, "t1")).ok());
  }
  const std::string log = CheckpointStore::LogPath(dir);
  std::string data;
  {
    std::ifstream in(log, std::ios::binary);
    std::stringstream buffer;
    buffer << in.rdbuf();
    data = buffer.str();
  }
  data[20] ^= 0x40;  // inside the first record, with a record after it
  std::ofstream(log, std::ios::binary | std::ios::trunc) << data;
  auto store = CheckpointStore::Open(dir);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(store.status().message().find("refusing to recover"),
            std::string::npos)
      << store.status();
  // The lock was released on failure.
  data[20] ^= 0x40;
  std::ofstream(log, std::ios::binary | std::ios::trunc) << data;
  EXPECT_TRUE(CheckpointStore::Open(dir).ok());
}

TEST(CheckpointStoreTest, RecordsForUnknownExecutorsAreRefused) {
  auto state = ReplayCheckpoint({Task("ghost", "t1")});
  ASSERT_FALSE(state.ok());
  EXPECT_EQ(state.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(state.status().message().find("ghost"), std::string::npos);
  state = ReplayCheckpoint({checkpoint::CheckpointRecord()});
  ASSERT_FALSE(state.ok());
  EXPECT_NE(state.status().message().find("empty"), std::string::npos);
}

TEST(CheckpointStoreTest, WorkDirectoryThatIsAFileIsRefused) {
  const std::string path = TestDir("store-file");
  std::ofstream(path) << "x";
  auto store = CheckpointStore::Open(path);
  ASSERT_FALSE(store.ok());
  EXPECT_NE(store.status().message().find("not a directory"),
            std::string::npos);
}

}  // namespace
}  // namespace executor_runtime
