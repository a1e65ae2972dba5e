// MesosExecutorDriver status transitions without an agent: start, stop,
// abort, join, run and send* from every state, and bad environments
// (error() + DRIVER_ABORTED instead of exiting).
#include <cstdlib>
#include <map>
#include <mesos/executor.hpp>
#include <string>
#include <thread>

#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "agent_shim/internal/recording_executor.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mesos {
namespace {

using ::executor_runtime::agent_shim::testing::RecordingExecutor;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::SizeIs;

// A valid environment whose agent never answers (a Unix socket nobody
// listens on): the driver runs and keeps retrying the subscription.
std::map<std::string, std::string> UnreachableAgentEnvironment() {
  const char* tmp = std::getenv("TEST_TMPDIR");
  return {
      {"MESOS_FRAMEWORK_ID", "fw-1"},
      {"MESOS_EXECUTOR_ID", "ex-1"},
      {"MESOS_SLAVE_ID", "agent-1"},
      {"MESOS_AGENT_ENDPOINT",
       std::string("unix:") + (tmp ? tmp : "/tmp") + "/nobody-listens.sock"},
      {"MESOS_CHECKPOINT", "1"},
      {"EXECUTOR_RUNTIME_IN_PROCESS", "1"},
  };
}

TaskStatus Running(const std::string& task_id) {
  TaskStatus status;
  status.mutable_task_id()->set_value(task_id);
  status.set_state(TASK_RUNNING);
  return status;
}

TEST(MesosExecutorDriverTest, NotStartedDriverRefusesEverything) {
  RecordingExecutor executor;
  MesosExecutorDriver driver(&executor, UnreachableAgentEnvironment());
  EXPECT_EQ(driver.stop(), DRIVER_NOT_STARTED);
  EXPECT_EQ(driver.abort(), DRIVER_NOT_STARTED);
  EXPECT_EQ(driver.join(), DRIVER_NOT_STARTED);
  EXPECT_EQ(driver.sendStatusUpdate(Running("t1")), DRIVER_NOT_STARTED);
  EXPECT_EQ(driver.sendFrameworkMessage("x"), DRIVER_NOT_STARTED);
  EXPECT_THAT(executor.Calls(), SizeIs(0));
}

TEST(MesosExecutorDriverTest, MissingEnvironmentCallsErrorAndAborts) {
  RecordingExecutor executor;
  std::map<std::string, std::string> environment =
      UnreachableAgentEnvironment();
  environment.erase("MESOS_FRAMEWORK_ID");
  MesosExecutorDriver driver(&executor, environment);
  EXPECT_EQ(driver.start(), DRIVER_ABORTED);
  ASSERT_THAT(executor.Calls(), SizeIs(1));
  EXPECT_THAT(executor.Calls()[0], HasSubstr("error:"));
  EXPECT_THAT(executor.Calls()[0], HasSubstr("MESOS_FRAMEWORK_ID"));
  // Start does not retry; join does not block; send* do nothing.
  EXPECT_EQ(driver.start(), DRIVER_ABORTED);
  EXPECT_EQ(driver.join(), DRIVER_ABORTED);
  EXPECT_EQ(driver.sendStatusUpdate(Running("t1")), DRIVER_ABORTED);
  EXPECT_EQ(driver.abort(), DRIVER_ABORTED);
  // stop() acts on an aborted driver and says it was aborted.
  EXPECT_EQ(driver.stop(), DRIVER_ABORTED);
  EXPECT_EQ(driver.join(), DRIVER_STOPPED);
  EXPECT_EQ(driver.stop(), DRIVER_STOPPED);
  EXPECT_EQ(executor.Count("error:"), 1u);
}

TEST(MesosExecutorDriverTest, MalformedEnvironmentCallsErrorAndAborts) {
  for (const auto& [name, value] : std::map<std::string, std::string>{
           {"MESOS_CHECKPOINT", "maybe"},
           {"MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD", "5 parsecs"},
           {"MESOS_AGENT_ENDPOINT", ""},
           {"EXECUTOR_RUNTIME_IN_PROCESS", "perhaps"}}) {
    SCOPED_TRACE(name);
    RecordingExecutor executor;
    std::map<std::string, std::string> environment =
        UnreachableAgentEnvironment();
    environment[name] = value;
    MesosExecutorDriver driver(&executor, environment);
    EXPECT_EQ(driver.run(), DRIVER_ABORTED);
    ASSERT_TRUE(executor.WaitForCount("error:", 1));
    EXPECT_THAT(executor.Calls()[0], HasSubstr(name));
  }
}

TEST(MesosExecutorDriverTest, ProcessEnvironmentWithoutMesosVariablesAborts) {
  // The test runner gives no MESOS_* variables.
  ASSERT_EQ(std::getenv("MESOS_FRAMEWORK_ID"), nullptr);
  RecordingExecutor executor;
  MesosExecutorDriver driver(&executor);
  EXPECT_EQ(driver.run(), DRIVER_ABORTED);
  EXPECT_EQ(executor.Count("error:invalid executor environment"), 1u);
}

TEST(MesosExecutorDriverTest, StartTwiceReturnsCurrentStatus) {
  RecordingExecutor executor;
  MesosExecutorDriver driver(&executor, UnreachableAgentEnvironment());
  EXPECT_EQ(driver.start(), DRIVER_RUNNING);
  EXPECT_EQ(driver.start(), DRIVER_RUNNING);
  EXPECT_EQ(driver.stop(), DRIVER_STOPPED);
  EXPECT_EQ(driver.start(), DRIVER_STOPPED);
}

TEST(MesosExecutorDriverTest, StopFromRunning) {
  RecordingExecutor executor;
  MesosExecutorDriver driver(&executor, UnreachableAgentEnvironment());
  ASSERT_EQ(driver.start(), DRIVER_RUNNING);
  EXPECT_EQ(driver.stop(), DRIVER_STOPPED);
  EXPECT_EQ(driver.join(), DRIVER_STOPPED);
  EXPECT_EQ(driver.stop(), DRIVER_STOPPED);
  EXPECT_EQ(driver.abort(), DRIVER_STOPPED);
  EXPECT_EQ(driver.sendStatusUpdate(Running("t1")), DRIVER_STOPPED);
  EXPECT_EQ(driver.sendFrameworkMessage("x"), DRIVER_STOPPED);
  // Stopping is not an error.
  EXPECT_EQ(executor.Count("error:"), 0u);
}

TEST(MesosExecutorDriverTest, AbortFromRunningThenStop) {
  RecordingExecutor executor;
  MesosExecutorDriver driver(&executor, UnreachableAgentEnvironment());
  ASSERT_EQ(driver.start(), DRIVER_RUNNING);
  EXPECT_EQ(driver.abort(), DRIVER_ABORTED);
  EXPECT_EQ(driver.join(), DRIVER_ABORTED);
  EXPECT_EQ(driver.abort(), DRIVER_ABORTED);
  EXPECT_EQ(driver.sendStatusUpdate(Running("t1")), DRIVER_ABORTED);
  EXPECT_EQ(driver.stop(), DRIVER_ABORTED);
  EXPECT_EQ(driver.join(), DRIVER_STOPPED);
  // abort() by the executor itself is not reported through error().
  EXPECT_EQ(executor.Count("error:"), 0u);
}

TEST(MesosExecutorDriverTest, JoinBlocksUntilStopFromAnotherThread) {
  RecordingExecutor executor;
  MesosExecutorDriver driver(&executor, UnreachableAgentEnvironment());
  absl::Notification joined;
  Status joined_status = DRIVER_NOT_STARTED;
  ASSERT_EQ(driver.start(), DRIVER_RUNNING);
  std::thread joiner([&] {
    joined_status = driver.join();
    joined.Notify();
  });
  EXPECT_FALSE(joined.WaitForNotificationWithTimeout(absl::Milliseconds(100)));
  EXPECT_EQ(driver.stop(), DRIVER_STOPPED);
  joiner.join();
  EXPECT_EQ(joined_status, DRIVER_STOPPED);
}

TEST(MesosExecutorDriverTest, RunReturnsAbortedWhenAbortedFromAnotherThread) {
  RecordingExecutor executor;
  MesosExecutorDriver driver(&executor, UnreachableAgentEnvironment());
  Status run_status = DRIVER_NOT_STARTED;
  std::thread runner([&] { run_status = driver.run(); });
  // Wait until run() started the driver: start() again reports RUNNING.
  while (driver.start() == DRIVER_NOT_STARTED) {
    absl::SleepFor(absl::Milliseconds(1));
  }
  EXPECT_EQ(driver.abort(), DRIVER_ABORTED);
  runner.join();
  EXPECT_EQ(run_status, DRIVER_ABORTED);
}

TEST(MesosExecutorDriverTest, SendsWhileDisconnectedAreAcceptedFromAnyThread) {
  RecordingExecutor executor;
  MesosExecutorDriver driver(&executor, UnreachableAgentEnvironment());
  ASSERT_EQ(driver.start(), DRIVER_RUNNING);
  std::vector<std::thread> threads;
  std::vector<Status> results(4, DRIVER_NOT_STARTED);
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&, i] {
      results[i] = driver.sendFrameworkMessage("m" + std::to_string(i));
    });
  }
  for (std::thread& thread : threads) thread.join();
  // Framework messages are best effort; the driver stays running.
  EXPECT_THAT(results, ElementsAre(DRIVER_RUNNING, DRIVER_RUNNING,
                                   DRIVER_RUNNING, DRIVER_RUNNING));
  EXPECT_EQ(driver.abort(), DRIVER_ABORTED);
}

TEST(MesosExecutorDriverTest, InvalidUpdateIsRefusedWithoutAbortingTheDriver) {
  RecordingExecutor executor;
  MesosExecutorDriver driver(&executor, UnreachableAgentEnvironment());
  ASSERT_EQ(driver.start(), DRIVER_RUNNING);
  TaskStatus staging = Running("t1");
  staging.set_state(TASK_STAGING);
  // Logged at ERROR and not sent; the driver keeps running.
  EXPECT_EQ(driver.sendStatusUpdate(staging), DRIVER_RUNNING);
  EXPECT_EQ(driver.abort(), DRIVER_ABORTED);
  EXPECT_EQ(executor.Count("error:"), 0u);
}

TEST(MesosExecutorDriverTest, DestructorOfRunningDriverDoesNotBlock) {
  RecordingExecutor executor;
  absl::Time before = absl::Now();
  {
    MesosExecutorDriver driver(&executor, UnreachableAgentEnvironment());
    ASSERT_EQ(driver.start(), DRIVER_RUNNING);
    // An update that can never be acknowledged: a draining stop() would
    // wait for it; the destructor must not.
    EXPECT_EQ(driver.sendStatusUpdate(Running("t1")), DRIVER_RUNNING);
  }
  EXPECT_LT(absl::Now() - before, absl::Seconds(3));
  EXPECT_EQ(executor.Count("error:"), 0u);
}

}  // namespace
}  // namespace mesos
