// ExecutorDriver behaviour that needs no agent: option checks, local
// validation, backpressure, draining and the lifecycle. Stream behaviour is
// tested end to end in tests/driver_agent/.
#include "driver/executor_driver.h"

#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace executor_runtime {
namespace {

using ::testing::HasSubstr;

class RecordingHandler : public EventHandler {
 public:
  void Launch(ExecutorDriver*, const mesos::TaskInfo&) override {}
  void Kill(ExecutorDriver*, const mesos::TaskID&,
            const mesos::KillPolicy&) override {}
  void Shutdown(ExecutorDriver*) override {}
  void Error(ExecutorDriver*, const std::string& message) override {
    absl::MutexLock lock(&mu_);
    errors_.push_back(message);
    if (!error_.HasBeenNotified()) error_.Notify();
  }
  std::vector<std::string> errors() {
    absl::MutexLock lock(&mu_);
    return errors_;
  }
  absl::Notification error_;

 private:
  absl::Mutex mu_;
  std::vector<std::string> errors_;
};

// A port nothing listens on: the driver keeps trying to subscribe.
DriverOptions Unreachable() {
  DriverOptions options;
  options.framework_id.set_value("fw");
  options.executor_id.set_value("ex");
  options.agent_id.set_value("agent");
  options.agent_endpoint = "127.0.0.1:1";
  options.kill_process_group_on_shutdown = false;
  options.subscription_backoff_max = absl::Milliseconds(50);
  return options;
}

mesos::TaskStatus Running(const std::string& task) {
  mesos::TaskStatus status;
  status.mutable_task_id()->set_value(task);
  status.set_state(mesos::TASK_RUNNING);
  return status;
}

TEST(ExecutorDriverTest, StateNamesMatchTheLegacyStatus) {
  EXPECT_STREQ(DriverStateName(DriverState::kNotStarted), "DRIVER_NOT_STARTED");
  EXPECT_STREQ(DriverStateName(DriverState::kRunning), "DRIVER_RUNNING");
  EXPECT_STREQ(DriverStateName(DriverState::kAborted), "DRIVER_ABORTED");
  EXPECT_STREQ(DriverStateName(DriverState::kStopped), "DRIVER_STOPPED");
}

TEST(ExecutorDriverTest, BadOptionsAbortWithErrorCallback) {
  RecordingHandler handler;
  DriverOptions options = Unreachable();
  options.agent_endpoint.clear();
  ExecutorDriver driver(&handler, options);
  absl::Status status = driver.Start();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("agent_endpoint is empty"));
  EXPECT_EQ(driver.Join(), DriverState::kAborted);
  // Join() returned, so the Error() callback already ran.
  ASSERT_EQ(handler.errors().size(), 1u);
  EXPECT_THAT(handler.errors()[0], HasSubstr("agent_endpoint is empty"));
  EXPECT_EQ(driver.Start().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(driver.Stop().code(), absl::StatusCode::kAborted);
}

TEST(ExecutorDriverTest, MissingIdsAreRefused) {
  RecordingHandler handler;
  DriverOptions options = Unreachable();
  options.executor_id.clear_value();
  ExecutorDriver driver(&handler, options);
  EXPECT_THAT(driver.Start().message(), HasSubstr("executor_id is empty"));
  EXPECT_EQ(driver.state(), DriverState::kAborted);
}

TEST(ExecutorDriverTest, NothingWorksBeforeStart) {
  RecordingHandler handler;
  ExecutorDriver driver(&handler, Unreachable());
  EXPECT_EQ(driver.state(), DriverState::kNotStarted);
  EXPECT_EQ(driver.Join(), DriverState::kNotStarted);
  EXPECT_EQ(driver.SendStatusUpdate(Running("t")).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(driver.SendMessage("hi").code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(driver.Stop().code(), absl::StatusCode::kFailedPrecondition);
}

TEST(ExecutorDriverTest, InvalidUpdatesAreRefusedLocally) {
  RecordingHandler handler;
  ExecutorDriver driver(&handler, Unreachable());
  ASSERT_TRUE(driver.Start().ok());
  mesos::TaskStatus staging = Running("t");
  staging.set_state(mesos::TASK_STAGING);
  absl::Status status = driver.SendStatusUpdate(staging);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("TASK_STAGING"));
  mesos::TaskStatus no_task;
  no_task.set_state(mesos::TASK_RUNNING);
  EXPECT_THAT(driver.SendStatusUpdate(no_task).message(),
              HasSubstr("no task_id"));
  EXPECT_EQ(driver.stats().updates_sent, 0u);
}

TEST(ExecutorDriverTest, MessagesWhileNotSubscribedSayTheyAreDropped) {
  RecordingHandler handler;
  ExecutorDriver driver(&handler, Unreachable());
  ASSERT_TRUE(driver.Start().ok());
  absl::Status status = driver.SendMessage("hello");
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(status.message(), HasSubstr("not subscribed"));
}

TEST(ExecutorDriverTest, FullWindowBlocksForSendTimeoutThenResourceExhausted) {
  RecordingHandler handler;
  DriverOptions options = Unreachable();
  options.max_unacknowledged_updates = 2;
  options.send_timeout = absl::Milliseconds(100);
  ExecutorDriver driver(&handler, options);
  ASSERT_TRUE(driver.Start().ok());
  EXPECT_TRUE(driver.SendStatusUpdate(Running("a")).ok());
  EXPECT_TRUE(driver.SendStatusUpdate(Running("b")).ok());
  const absl::Time before = absl::Now();
  absl::Status status = driver.SendStatusUpdate(Running("c"));
  EXPECT_GE(absl::Now() - before, absl::Milliseconds(100));
  EXPECT_EQ(status.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(status.message(), HasSubstr("2 status updates unacknowledged"));
  EXPECT_THAT(status.message(), HasSubstr("'c' not accepted"));
  EXPECT_EQ(driver.stats().updates_sent, 2u);
  EXPECT_EQ(driver.stats().unacknowledged, 2u);
}

TEST(ExecutorDriverTest, StopReportsUpdatesItCouldNotDrain) {
  RecordingHandler handler;
  ExecutorDriver driver(&handler, Unreachable());
  ASSERT_TRUE(driver.Start().ok());
  ASSERT_TRUE(driver.SendStatusUpdate(Running("a")).ok());
  absl::Status status = driver.Stop(absl::Milliseconds(100));
  EXPECT_EQ(status.code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_THAT(status.message(), HasSubstr("1 status updates unacknowledged"));
  EXPECT_EQ(driver.Join(), DriverState::kStopped);
  EXPECT_EQ(driver.SendStatusUpdate(Running("a")).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(driver.Stop().ok());  // idempotent
}

TEST(ExecutorDriverTest, StopWithNothingPendingIsImmediate) {
  RecordingHandler handler;
  ExecutorDriver driver(&handler, Unreachable());
  ASSERT_TRUE(driver.Start().ok());
  const absl::Time before = absl::Now();
  EXPECT_TRUE(driver.Stop(absl::Seconds(30)).ok());
  EXPECT_LT(absl::Now() - before, absl::Seconds(5));
  EXPECT_EQ(driver.Join(), DriverState::kStopped);
}

TEST(ExecutorDriverTest, AbortEndsJoinAndRefusesFurtherWork) {
  RecordingHandler handler;
  ExecutorDriver driver(&handler, Unreachable());
  ASSERT_TRUE(driver.Start().ok());
  driver.Abort();
  EXPECT_EQ(driver.Join(), DriverState::kAborted);
  EXPECT_EQ(driver.SendStatusUpdate(Running("a")).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(handler.errors().empty());
}

TEST(ExecutorDriverTest, NeverSubscribingWithinRecoveryTimeoutIsAnError) {
  RecordingHandler handler;
  DriverOptions options = Unreachable();
  options.recovery_timeout = absl::Milliseconds(300);
  ExecutorDriver driver(&handler, options);
  ASSERT_TRUE(driver.Start().ok());
  EXPECT_EQ(driver.Join(), DriverState::kAborted);
  ASSERT_EQ(handler.errors().size(), 1u);
  EXPECT_THAT(handler.errors()[0], HasSubstr("could not subscribe"));
  EXPECT_THAT(handler.errors()[0], HasSubstr("127.0.0.1:1"));
}

TEST(ExecutorDriverTest, DestroyingARunningDriverDoesNotHang) {
  RecordingHandler handler;
  const absl::Time before = absl::Now();
  {
    ExecutorDriver driver(&handler, Unreachable());
    ASSERT_TRUE(driver.Start().ok());
    ASSERT_TRUE(driver.SendStatusUpdate(Running("a")).ok());
  }
  EXPECT_LT(absl::Now() - before, absl::Seconds(5));
}

}  // namespace
}  // namespace executor_runtime
