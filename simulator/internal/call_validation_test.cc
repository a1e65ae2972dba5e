#include "simulator/internal/call_validation.h"

#include <string>

#include "gtest/gtest.h"
#include "util/uuid.h"

namespace executor_runtime {
namespace simulator_internal {
namespace {

using mesos::executor::Call;

Call Update(const std::string& uuid) {
  Call call;
  call.mutable_executor_id()->set_value("e1");
  call.mutable_framework_id()->set_value("f1");
  call.set_type(Call::UPDATE);
  mesos::TaskStatus* status = call.mutable_update()->mutable_status();
  status->mutable_task_id()->set_value("t1");
  status->set_state(mesos::TASK_RUNNING);
  status->set_source(mesos::TaskStatus::SOURCE_EXECUTOR);
  status->set_uuid(uuid);
  return call;
}

TEST(CallValidationTest, ValidCallsPass) {
  EXPECT_TRUE(ValidateCallShape(Update(NewUuidBytes())).ok());

  Call heartbeat;
  heartbeat.mutable_executor_id()->set_value("e1");
  heartbeat.mutable_framework_id()->set_value("f1");
  heartbeat.set_type(Call::HEARTBEAT);
  EXPECT_TRUE(ValidateCallShape(heartbeat).ok());

  Call subscribe = heartbeat;
  subscribe.set_type(Call::SUBSCRIBE);
  subscribe.mutable_subscribe();
  EXPECT_TRUE(ValidateCallShape(subscribe).ok());
}

TEST(CallValidationTest, UuidLengthIsNamed) {
  absl::Status status = ValidateCallShape(Update("abc"));
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(),
            "UPDATE for task 't1': status.uuid is 3 bytes, expected 16");
}

TEST(CallValidationTest, HeartbeatWithAPayloadIsRefused) {
  Call call = Update(NewUuidBytes());
  call.set_type(Call::HEARTBEAT);
  EXPECT_EQ(ValidateCallShape(call).message(),
            "HEARTBEAT call carries an unexpected 'update' payload");
}

TEST(CallValidationTest, ExecutorIdOfStatusMustBeTheCallers) {
  Call call = Update(NewUuidBytes());
  call.mutable_update()->mutable_status()->mutable_executor_id()->set_value(
      "e1");
  EXPECT_TRUE(ValidateCallShape(call).ok());
  call.mutable_update()->mutable_status()->mutable_executor_id()->set_value(
      "e2");
  EXPECT_EQ(ValidateCallShape(call).code(),
            absl::StatusCode::kPermissionDenied);
}

TEST(CallValidationTest, UnacknowledgedTaskNeedsAnId) {
  Call call;
  call.mutable_executor_id()->set_value("e1");
  call.mutable_framework_id()->set_value("f1");
  call.set_type(Call::SUBSCRIBE);
  call.mutable_subscribe()->add_unacknowledged_tasks()->set_name("x");
  EXPECT_EQ(ValidateCallShape(call).message(),
            "SUBSCRIBE: unacknowledged task 1 has no task_id");
}

TEST(CallValidationTest, QuoteEscapesAndCuts) {
  EXPECT_EQ(Quote("t1"), "'t1'");
  EXPECT_EQ(Quote(std::string("a\nb", 3)), "'a\\nb'");
  EXPECT_EQ(Quote(std::string(100, 'x')), "'" + std::string(64, 'x') + "...'");
}

TEST(CallValidationTest, TypeNames) {
  EXPECT_EQ(CallTypeName(Call::UPDATE), "UPDATE");
  EXPECT_EQ(CallTypeName(static_cast<Call::Type>(42)), "call type 42");
}

}  // namespace
}  // namespace simulator_internal
}  // namespace executor_runtime
