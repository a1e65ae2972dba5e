#include "driver/internal/status_update.h"

#include <set>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "util/uuid.h"

namespace executor_runtime {
namespace driver_internal {
namespace {

using ::testing::HasSubstr;

mesos::TaskStatus Running(const std::string& task) {
  mesos::TaskStatus status;
  status.mutable_task_id()->set_value(task);
  status.set_state(mesos::TASK_RUNNING);
  return status;
}

TEST(ValidateStatusUpdateTest, AcceptsAMinimalUpdate) {
  EXPECT_TRUE(ValidateStatusUpdate(Running("t1")).ok());
}

TEST(ValidateStatusUpdateTest, RefusesInvalidUpdatesWithAClearMessage) {
  mesos::TaskStatus no_task_id;
  no_task_id.set_state(mesos::TASK_RUNNING);
  mesos::TaskStatus empty_task_id = Running("");
  mesos::TaskStatus no_state;
  no_state.mutable_task_id()->set_value("t1");
  mesos::TaskStatus staging = Running("t1");
  staging.set_state(mesos::TASK_STAGING);
  const std::pair<mesos::TaskStatus, const char*> cases[] = {
      {no_task_id, "no task_id"},
      {empty_task_id, "task_id is empty"},
      {no_state, "task 't1': no state"},
      {staging, "must not send TASK_STAGING"},
  };
  for (const auto& [status, expected] : cases) {
    absl::Status result = ValidateStatusUpdate(status);
    EXPECT_EQ(result.code(), absl::StatusCode::kInvalidArgument) << expected;
    EXPECT_THAT(result.message(), HasSubstr(expected));
  }
}

TEST(StampStatusUpdateTest, FillsWhatTheDriverOwnsAndKeepsTheRest) {
  mesos::ExecutorID executor;
  executor.set_value("ex");
  mesos::SlaveID agent;
  agent.set_value("agent");
  mesos::TaskStatus status = Running("t1");
  status.set_message("hello");
  status.set_uuid("caller-provided");
  status.set_source(mesos::TaskStatus::SOURCE_MASTER);
  status.mutable_executor_id()->set_value("someone-else");
  const absl::Time now =
      absl::FromUnixSeconds(1700000000) + absl::Milliseconds(250);
  StampStatusUpdate(executor, agent, now, &status);
  EXPECT_TRUE(IsValidUuidBytes(status.uuid()));
  EXPECT_NE(status.uuid(), "caller-provided");
  EXPECT_DOUBLE_EQ(status.timestamp(), 1700000000.25);
  EXPECT_EQ(status.executor_id().value(), "ex");
  EXPECT_EQ(status.slave_id().value(), "agent");
  EXPECT_EQ(status.source(), mesos::TaskStatus::SOURCE_EXECUTOR);
  EXPECT_EQ(status.message(), "hello");
  EXPECT_EQ(status.task_id().value(), "t1");
  EXPECT_EQ(status.state(), mesos::TASK_RUNNING);
}

TEST(StampStatusUpdateTest, EveryStampGetsAFreshUuid) {
  std::set<std::string> uuids;
  mesos::TaskStatus status = Running("t1");
  for (int i = 0; i < 1000; ++i) {
    StampStatusUpdate({}, {}, absl::Now(), &status);
    uuids.insert(status.uuid());
  }
  EXPECT_EQ(uuids.size(), 1000u);
}

TEST(SerializeStampedUpdateTest, BytesParseToTheStampedUpdate) {
  mesos::ExecutorID executor;
  executor.set_value("ex");
  mesos::SlaveID agent;
  agent.set_value("agent");
  const std::string stamp_ids = StampIdBytes(executor, agent);
  const absl::Time now =
      absl::FromUnixSeconds(1700000000) + absl::Milliseconds(250);
  mesos::TaskStatus status = Running("t1");
  status.set_message("hello");
  status.set_data(std::string(300, 'd'));
  status.set_healthy(true);

  StampedUpdate out;
  SerializeStampedUpdate(status, stamp_ids, now, &out);
  EXPECT_TRUE(IsValidUuidBytes(out.uuid));
  EXPECT_EQ(out.task_id, "t1");

  mesos::TaskStatus parsed;
  ASSERT_TRUE(parsed.ParseFromString(out.bytes));
  // Exactly what StampStatusUpdate makes of it, given the same UUID.
  mesos::TaskStatus expected = status;
  StampStatusUpdate(executor, agent, now, &expected);
  expected.set_uuid(out.uuid);
  EXPECT_EQ(parsed.SerializeAsString(), expected.SerializeAsString());
  EXPECT_EQ(parsed.uuid(), out.uuid);
  EXPECT_DOUBLE_EQ(parsed.timestamp(), 1700000000.25);
  EXPECT_EQ(parsed.source(), mesos::TaskStatus::SOURCE_EXECUTOR);
}

TEST(SerializeStampedUpdateTest, CallersStampedFieldsAreReplacedNotMerged) {
  mesos::ExecutorID executor;
  executor.set_value("ex");
  mesos::SlaveID agent;
  agent.set_value("agent");
  mesos::TaskStatus status = Running("t1");
  status.set_uuid("caller-provided");
  status.set_source(mesos::TaskStatus::SOURCE_MASTER);
  status.set_timestamp(5);
  status.mutable_executor_id()->set_value("someone-else");
  status.mutable_slave_id()->set_value("other-agent");

  StampedUpdate out;
  out.bytes = "stale bytes";
  SerializeStampedUpdate(status, StampIdBytes(executor, agent), absl::Now(),
                         &out);
  mesos::TaskStatus parsed;
  ASSERT_TRUE(parsed.ParseFromString(out.bytes));
  EXPECT_EQ(parsed.executor_id().value(), "ex");
  EXPECT_EQ(parsed.slave_id().value(), "agent");
  EXPECT_EQ(parsed.source(), mesos::TaskStatus::SOURCE_EXECUTOR);
  EXPECT_NE(parsed.uuid(), "caller-provided");
  EXPECT_EQ(parsed.uuid(), out.uuid);
  EXPECT_GT(parsed.timestamp(), 5);
  // Each field appears once: re-serializing gives back as many bytes.
  EXPECT_EQ(parsed.ByteSizeLong(), out.bytes.size());
}

TEST(SerializeStampedUpdateTest, EveryUpdateGetsAFreshUuid) {
  const std::string stamp_ids = StampIdBytes({}, {});
  std::set<std::string> uuids;
  StampedUpdate out;
  for (int i = 0; i < 1000; ++i) {
    SerializeStampedUpdate(Running("t1"), stamp_ids, absl::Now(), &out);
    uuids.insert(out.uuid);
  }
  EXPECT_EQ(uuids.size(), 1000u);
}

TEST(SerializeStampedUpdateTest, UuidsAreVersion4AndLookRandom) {
  const std::string stamp_ids = StampIdBytes({}, {});
  StampedUpdate out;
  constexpr int kUpdates = 4000;
  // How often each of the 122 random bits is set.
  std::vector<int> ones(128, 0);
  for (int i = 0; i < kUpdates; ++i) {
    SerializeStampedUpdate(Running("t1"), stamp_ids, absl::Now(), &out);
    ASSERT_EQ(out.uuid.size(), 16u);
    // The bytes' UUID is the one reported.
    ASSERT_EQ(out.bytes.substr(out.bytes.size() - 18),
              std::string("\x5a\x10", 2) + out.uuid);
    EXPECT_EQ(out.uuid[6] & 0xf0, 0x40) << "version 4";
    EXPECT_EQ(out.uuid[8] & 0xc0, 0x80) << "RFC 4122 variant";
    for (int bit = 0; bit < 128; ++bit) {
      if ((out.uuid[bit / 8] >> (bit % 8)) & 1) ++ones[bit];
    }
  }
  for (int bit = 0; bit < 128; ++bit) {
    const bool fixed = bit / 8 == 6 ? bit % 8 >= 4 : bit / 8 == 8 && bit % 8 >= 6;
    if (fixed) continue;
    // Binomial(4000, 1/2): the standard deviation is ~32; 6 of them.
    EXPECT_NEAR(ones[bit], kUpdates / 2, 200) << "bit " << bit;
  }
}

TEST(SerializeStampedUpdateTest, ReusedOutputTakesEachUpdatesTaskId) {
  const std::string stamp_ids = StampIdBytes({}, {});
  StampedUpdate out;
  for (const char* task : {"task-1", "task-2", "t", "a-longer-task-id"}) {
    SerializeStampedUpdate(Running(task), stamp_ids, absl::Now(), &out);
    EXPECT_EQ(out.task_id, task);
    mesos::TaskStatus parsed;
    ASSERT_TRUE(parsed.ParseFromString(out.bytes));
    EXPECT_EQ(parsed.task_id().value(), task);
    EXPECT_EQ(parsed.uuid(), out.uuid);
  }
}

}  // namespace
}  // namespace driver_internal
}  // namespace executor_runtime
