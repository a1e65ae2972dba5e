// End to end, in one process over real gRPC: a legacy mesos::Executor on
// MesosExecutorDriver, configured only through its environment map, against
// an AgentCore on 127.0.0.1:0. Tasks to completion, kill, framework
// messages both ways, task groups, SHUTDOWN with and without stop(), and a
// broken stream (disconnected -> reregistered, nothing lost).
#include <map>
#include <memory>
#include <mesos/executor.hpp>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "agent_shim/internal/recording_executor.h"
#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "simulator/agent_core.h"
#include "simulator/testing/agent_waits.h"
#include "simulator/testing/test_agent.h"

namespace executor_runtime {
namespace agent_shim {
namespace {

using ::executor_runtime::agent_shim::testing::RecordingExecutor;
using ::testing::ElementsAre;

constexpr absl::Duration kTimeout = absl::Seconds(10);

const ExecutorRef kExecutor{"fw-1", "ex-1"};

mesos::TaskInfo Task(const std::string& id) {
  mesos::TaskInfo task;
  task.set_name("task " + id);
  task.mutable_task_id()->set_value(id);
  task.mutable_slave_id()->set_value("agent-1");
  return task;
}

void Send(mesos::ExecutorDriver* driver, const mesos::TaskID& task_id,
          mesos::TaskState state) {
  mesos::TaskStatus status;
  *status.mutable_task_id() = task_id;
  status.set_state(state);
  EXPECT_EQ(driver->sendStatusUpdate(status), mesos::DRIVER_RUNNING);
}

class LegacyExecutorE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    AgentOptions options = testing_support::TestOptions();
    options.heartbeat_interval = absl::Milliseconds(500);
    test_agent_ = std::make_unique<testing_support::TestAgent>(options);
    agent_ = &test_agent_->core();
    port_ = test_agent_->port();
    ASSERT_NE(port_, 0);
    ExecutorSpec spec;
    spec.framework_info.set_user("tester");
    spec.framework_info.set_name("legacy e2e");
    spec.framework_info.mutable_id()->set_value("fw-1");
    spec.framework_info.set_checkpoint(true);
    spec.executor_info.mutable_executor_id()->set_value("ex-1");
    spec.executor_info.mutable_framework_id()->set_value("fw-1");
    spec.executor_info.set_data("executor data");
    ASSERT_TRUE(agent_->AddExecutor(spec).ok());
  }

  void TearDown() override {
    agent_ = nullptr;
    test_agent_.reset();  // The server, then the agent.
  }

  std::map<std::string, std::string> Environment() const {
    return {
        {"MESOS_FRAMEWORK_ID", "fw-1"},
        {"MESOS_EXECUTOR_ID", "ex-1"},
        {"MESOS_SLAVE_ID", "agent-1"},
        {"MESOS_AGENT_ENDPOINT", absl::StrCat("127.0.0.1:", port_)},
        {"MESOS_CHECKPOINT", "1"},
        {"MESOS_SUBSCRIPTION_BACKOFF_MAX", "50ms"},
        {"MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD", "300ms"},
        {"EXECUTOR_RUNTIME_IN_PROCESS", "1"},
    };
  }

  // Waits until the agent sees the executor subscribed.
  bool WaitSubscribed(int subscriptions = 1) {
    return testing_support::WaitSubscribed(*agent_, kExecutor, subscriptions,
                                           kTimeout);
  }
  bool WaitUpdates(size_t n) {
    return testing_support::WaitUpdateCount(*agent_, n, kTimeout);
  }
  // The states the agent recorded for `task_id`, in record order.
  std::vector<mesos::TaskState> StatesOf(const std::string& task_id) const {
    return testing_support::RecordedStates(*agent_, task_id);
  }

  std::unique_ptr<testing_support::TestAgent> test_agent_;
  AgentCore* agent_ = nullptr;  // test_agent_'s
  int port_ = 0;
};

TEST_F(LegacyExecutorE2eTest, TasksRunToCompletionWithUpdatesFromLaunchTask) {
  RecordingExecutor executor;
  executor.on_launch = [](mesos::ExecutorDriver* driver,
                          const mesos::TaskInfo& task) {
    Send(driver, task.task_id(), mesos::TASK_RUNNING);
    Send(driver, task.task_id(), mesos::TASK_FINISHED);
  };
  mesos::MesosExecutorDriver driver(&executor, Environment());
  ASSERT_EQ(driver.start(), mesos::DRIVER_RUNNING);
  ASSERT_TRUE(WaitSubscribed());
  ASSERT_TRUE(executor.WaitForCount("registered:agent-1", 1));
  constexpr int kTasks = 20;
  for (int i = 0; i < kTasks; ++i) {
    ASSERT_TRUE(agent_->Launch(kExecutor, Task(absl::StrCat("t", i))).ok());
  }
  ASSERT_TRUE(WaitUpdates(2 * kTasks));
  for (int i = 0; i < kTasks; ++i) {
    // The first task too: its updates from inside launchTask() arrived.
    EXPECT_THAT(StatesOf(absl::StrCat("t", i)),
                ElementsAre(mesos::TASK_RUNNING, mesos::TASK_FINISHED))
        << "task t" << i;
  }
  for (const RecordedUpdate& update : agent_->Updates()) {
    EXPECT_EQ(update.status.executor_id().value(), "ex-1");
    EXPECT_EQ(update.status.uuid().size(), 16u);
    EXPECT_EQ(update.status.source(), mesos::TaskStatus::SOURCE_EXECUTOR);
  }
  EXPECT_EQ(driver.stop(), mesos::DRIVER_STOPPED);
  EXPECT_EQ(driver.join(), mesos::DRIVER_STOPPED);
  EXPECT_EQ(executor.Count("launchTask:"), static_cast<size_t>(kTasks));
  EXPECT_FALSE(executor.SawConcurrentCallbacks());
  EXPECT_EQ(executor.Count("error:"), 0u);
}

TEST_F(LegacyExecutorE2eTest, FirstLaunchRightAfterSubscriptionIsNotLost) {
  // The agent launches as soon as it sees the subscription, possibly before
  // registered() ran; launchTask() sends at once.
  RecordingExecutor executor;
  executor.on_launch = [](mesos::ExecutorDriver* driver,
                          const mesos::TaskInfo& task) {
    Send(driver, task.task_id(), mesos::TASK_RUNNING);
  };
  mesos::MesosExecutorDriver driver(&executor, Environment());
  ASSERT_EQ(driver.start(), mesos::DRIVER_RUNNING);
  ASSERT_TRUE(WaitSubscribed());
  ASSERT_TRUE(agent_->Launch(kExecutor, Task("first")).ok());
  ASSERT_TRUE(WaitUpdates(1));
  EXPECT_THAT(StatesOf("first"), ElementsAre(mesos::TASK_RUNNING));
  EXPECT_THAT(executor.Calls(),
              ElementsAre("registered:agent-1", "launchTask:first"));
  EXPECT_EQ(driver.stop(), mesos::DRIVER_STOPPED);
}

TEST_F(LegacyExecutorE2eTest, UpdatesFromExecutorThreadsAllArrive) {
  RecordingExecutor executor;
  std::vector<std::thread> threads;
  absl::Mutex threads_mu;
  executor.on_launch = [&](mesos::ExecutorDriver* driver,
                           const mesos::TaskInfo& task) {
    absl::MutexLock lock(&threads_mu);
    threads.emplace_back([driver, task_id = task.task_id()] {
      Send(driver, task_id, mesos::TASK_RUNNING);
      Send(driver, task_id, mesos::TASK_FINISHED);
    });
  };
  mesos::MesosExecutorDriver driver(&executor, Environment());
  ASSERT_EQ(driver.start(), mesos::DRIVER_RUNNING);
  ASSERT_TRUE(WaitSubscribed());
  constexpr int kTasks = 10;
  for (int i = 0; i < kTasks; ++i) {
    ASSERT_TRUE(agent_->Launch(kExecutor, Task(absl::StrCat("t", i))).ok());
  }
  ASSERT_TRUE(WaitUpdates(2 * kTasks));
  {
    absl::MutexLock lock(&threads_mu);
    for (std::thread& thread : threads) thread.join();
  }
  for (int i = 0; i < kTasks; ++i) {
    EXPECT_THAT(StatesOf(absl::StrCat("t", i)),
                ElementsAre(mesos::TASK_RUNNING, mesos::TASK_FINISHED));
  }
  EXPECT_EQ(driver.stop(), mesos::DRIVER_STOPPED);
}

TEST_F(LegacyExecutorE2eTest, KillTaskAndKillPolicy) {
  RecordingExecutor executor;
  executor.on_launch = [](mesos::ExecutorDriver* driver,
                          const mesos::TaskInfo& task) {
    Send(driver, task.task_id(), mesos::TASK_RUNNING);
  };
  executor.on_kill = [](mesos::ExecutorDriver* driver,
                        const mesos::TaskID& task_id) {
    Send(driver, task_id, mesos::TASK_KILLED);
  };
  mesos::MesosExecutorDriver driver(&executor, Environment());
  ASSERT_EQ(driver.start(), mesos::DRIVER_RUNNING);
  ASSERT_TRUE(WaitSubscribed());
  ASSERT_TRUE(agent_->Launch(kExecutor, Task("t1")).ok());
  ASSERT_TRUE(agent_->Launch(kExecutor, Task("t2")).ok());
  ASSERT_TRUE(WaitUpdates(2));
  ASSERT_TRUE(agent_->Kill(kExecutor, Task("t1").task_id()).ok());
  mesos::KillPolicy policy;
  policy.mutable_grace_period()->set_nanoseconds(1000000);
  ASSERT_TRUE(agent_->Kill(kExecutor, Task("t2").task_id(), policy).ok());
  ASSERT_TRUE(WaitUpdates(4));
  EXPECT_THAT(StatesOf("t1"),
              ElementsAre(mesos::TASK_RUNNING, mesos::TASK_KILLED));
  EXPECT_THAT(StatesOf("t2"),
              ElementsAre(mesos::TASK_RUNNING, mesos::TASK_KILLED));
  EXPECT_EQ(executor.Count("killTask:t1"), 1u);
  EXPECT_EQ(executor.Count("killTask:t2"), 1u);
  EXPECT_EQ(driver.stop(), mesos::DRIVER_STOPPED);
}

TEST_F(LegacyExecutorE2eTest, FrameworkMessagesBothWays) {
  RecordingExecutor executor;
  executor.on_message = [](mesos::ExecutorDriver* driver,
                           const std::string& data) {
    EXPECT_EQ(driver->sendFrameworkMessage("echo:" + data),
              mesos::DRIVER_RUNNING);
  };
  mesos::MesosExecutorDriver driver(&executor, Environment());
  ASSERT_EQ(driver.start(), mesos::DRIVER_RUNNING);
  ASSERT_TRUE(WaitSubscribed());
  ASSERT_TRUE(agent_->SendMessage(kExecutor, "ping").ok());
  ASSERT_TRUE(agent_->SendMessage(kExecutor, std::string("b\0n", 3)).ok());
  ASSERT_TRUE(executor.WaitForCount("frameworkMessage:", 2));
  ASSERT_TRUE(agent_->WaitUntil(
      [](const AgentCore& agent) { return agent.Messages().size() >= 2; },
      kTimeout));
  std::vector<RecordedMessage> messages = agent_->Messages();
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_EQ(messages[0].data, "echo:ping");
  EXPECT_EQ(messages[1].data, std::string("echo:b\0n", 8));
  EXPECT_EQ(driver.stop(), mesos::DRIVER_STOPPED);
}

TEST_F(LegacyExecutorE2eTest, LaunchGroupIsLaunchTaskForEach) {
  RecordingExecutor executor;
  executor.on_launch = [](mesos::ExecutorDriver* driver,
                          const mesos::TaskInfo& task) {
    Send(driver, task.task_id(), mesos::TASK_FINISHED);
  };
  mesos::MesosExecutorDriver driver(&executor, Environment());
  ASSERT_EQ(driver.start(), mesos::DRIVER_RUNNING);
  ASSERT_TRUE(WaitSubscribed());
  mesos::TaskGroupInfo group;
  *group.add_tasks() = Task("g1");
  *group.add_tasks() = Task("g2");
  ASSERT_TRUE(agent_->LaunchGroup(kExecutor, group).ok());
  ASSERT_TRUE(WaitUpdates(2));
  std::vector<std::string> launches;
  for (const std::string& call : executor.Calls()) {
    if (call.rfind("launchTask:", 0) == 0) launches.push_back(call);
  }
  EXPECT_THAT(launches, ElementsAre("launchTask:g1", "launchTask:g2"));
  EXPECT_EQ(driver.stop(), mesos::DRIVER_STOPPED);
}

TEST_F(LegacyExecutorE2eTest, BrokenStreamReregistersAndLosesNothing) {
  RecordingExecutor executor;
  executor.on_launch = [](mesos::ExecutorDriver* driver,
                          const mesos::TaskInfo& task) {
    Send(driver, task.task_id(), mesos::TASK_RUNNING);
  };
  mesos::MesosExecutorDriver driver(&executor, Environment());
  ASSERT_EQ(driver.start(), mesos::DRIVER_RUNNING);
  ASSERT_TRUE(WaitSubscribed());
  // The agent records but does not acknowledge: the updates stay pending
  // in the driver and must be resent after the reconnect.
  agent_->SetAckMode(AckMode::kDrop);
  constexpr int kTasks = 5;
  for (int i = 0; i < kTasks; ++i) {
    ASSERT_TRUE(agent_->Launch(kExecutor, Task(absl::StrCat("t", i))).ok());
  }
  ASSERT_TRUE(WaitUpdates(kTasks));
  agent_->SetAckMode(AckMode::kNormal);
  agent_->BreakStreams();
  // Updates sent around the break are kept and delivered after it.
  for (int i = 0; i < kTasks; ++i) {
    mesos::TaskID task_id;
    task_id.set_value(absl::StrCat("t", i));
    Send(&driver, task_id, mesos::TASK_FINISHED);
  }
  ASSERT_TRUE(executor.WaitForCount("disconnected", 1));
  ASSERT_TRUE(executor.WaitForCount("reregistered:agent-1", 1));
  ASSERT_TRUE(WaitUpdates(2 * kTasks));
  // stop() drains: everything acknowledged before it returns.
  EXPECT_EQ(driver.stop(), mesos::DRIVER_STOPPED);
  for (int i = 0; i < kTasks; ++i) {
    // Each update exactly once: resent duplicates are recognised by UUID.
    EXPECT_THAT(StatesOf(absl::StrCat("t", i)),
                ElementsAre(mesos::TASK_RUNNING, mesos::TASK_FINISHED));
  }
  EXPECT_EQ(executor.Count("registered:"), 1u);
  EXPECT_FALSE(executor.SawConcurrentCallbacks());
}

TEST_F(LegacyExecutorE2eTest, ShutdownWithStopDeliversLastUpdatesFirst) {
  RecordingExecutor executor;
  executor.on_launch = [](mesos::ExecutorDriver* driver,
                          const mesos::TaskInfo& task) {
    Send(driver, task.task_id(), mesos::TASK_RUNNING);
  };
  executor.on_shutdown = [](mesos::ExecutorDriver* driver) {
    mesos::TaskID task_id;
    task_id.set_value("t1");
    Send(driver, task_id, mesos::TASK_KILLED);
    EXPECT_EQ(driver->stop(), mesos::DRIVER_STOPPED);
  };
  mesos::MesosExecutorDriver driver(&executor, Environment());
  mesos::Status run_status = mesos::DRIVER_NOT_STARTED;
  absl::Notification ran;
  std::thread runner([&] {
    run_status = driver.run();
    ran.Notify();
  });
  ASSERT_TRUE(WaitSubscribed());
  ASSERT_TRUE(agent_->Launch(kExecutor, Task("t1")).ok());
  ASSERT_TRUE(WaitUpdates(1));
  ASSERT_TRUE(agent_->Shutdown(kExecutor).ok());
  ASSERT_TRUE(ran.WaitForNotificationWithTimeout(kTimeout));
  runner.join();
  EXPECT_EQ(run_status, mesos::DRIVER_STOPPED);
  // No waiting: the update sent right before stop() is already recorded
  // when run() returns (MESOS-4111).
  EXPECT_THAT(StatesOf("t1"),
              ElementsAre(mesos::TASK_RUNNING, mesos::TASK_KILLED));
}

TEST_F(LegacyExecutorE2eTest, ShutdownWithoutStopEndsAfterGracePeriod) {
  // In-process mode: instead of killing the process group, the driver
  // aborts when the grace period (300ms here) expires, so join() returns.
  RecordingExecutor executor;
  mesos::MesosExecutorDriver driver(&executor, Environment());
  ASSERT_EQ(driver.start(), mesos::DRIVER_RUNNING);
  ASSERT_TRUE(WaitSubscribed());
  ASSERT_TRUE(agent_->Launch(kExecutor, Task("t1")).ok());
  ASSERT_TRUE(executor.WaitForCount("launchTask:t1", 1));
  const absl::Time shutdown_at = absl::Now();
  ASSERT_TRUE(agent_->Shutdown(kExecutor).ok());
  ASSERT_TRUE(executor.WaitForCount("shutdown", 1));
  // Updates sent after shutdown() still go out.
  Send(&driver, Task("t1").task_id(), mesos::TASK_KILLED);
  EXPECT_EQ(driver.join(), mesos::DRIVER_ABORTED);
  EXPECT_GE(absl::Now() - shutdown_at, absl::Milliseconds(250));
  EXPECT_THAT(StatesOf("t1"), ElementsAre(mesos::TASK_KILLED));
  EXPECT_EQ(executor.Count("shutdown"), 1u);
  EXPECT_EQ(executor.Count("error:"), 0u);
}

TEST_F(LegacyExecutorE2eTest, AgentRefusalCallsErrorAndAborts) {
  // An update for a task the agent never launched ends the stream with
  // NOT_FOUND: the driver aborts and error() says why.
  RecordingExecutor executor;
  mesos::MesosExecutorDriver driver(&executor, Environment());
  ASSERT_EQ(driver.start(), mesos::DRIVER_RUNNING);
  ASSERT_TRUE(WaitSubscribed());
  mesos::TaskID unknown;
  unknown.set_value("never-launched");
  Send(&driver, unknown, mesos::TASK_RUNNING);
  EXPECT_EQ(driver.join(), mesos::DRIVER_ABORTED);
  ASSERT_TRUE(executor.WaitForCount("error:", 1));
  EXPECT_THAT(executor.Calls().back(), ::testing::HasSubstr("never-launched"));
  EXPECT_EQ(driver.stop(), mesos::DRIVER_ABORTED);
}

}  // namespace
}  // namespace agent_shim
}  // namespace executor_runtime
