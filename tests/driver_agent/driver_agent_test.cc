// The driver against the agent core over real gRPC: subscription, tasks,
// acknowledgements, messages, shutdown, broken streams, recovery, heartbeats,
// draining, concurrency and backpressure.
#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "simulator/testing/agent_waits.h"
#include "tests/driver_agent/fixture.h"
#include "util/uuid.h"

namespace executor_runtime {
namespace driver_agent_test {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// Polls `condition` until it holds or `timeout` passes. Only for state with
// no notification of its own (driver stats).
bool Eventually(const std::function<bool()>& condition,
                absl::Duration timeout = absl::Seconds(10)) {
  const absl::Time deadline = absl::Now() + timeout;
  while (!condition()) {
    if (absl::Now() > deadline) return false;
    absl::SleepFor(absl::Milliseconds(2));
  }
  return true;
}

mesos::TaskID TaskIdOf(const std::string& id) {
  mesos::TaskID task_id;
  task_id.set_value(id);
  return task_id;
}

// The agent's side (simulator/testing/agent_waits.h).
bool AgentSubscribed(AgentCore& agent, const ExecutorRef& ref, int times = 1) {
  return testing_support::WaitSubscribed(agent, ref, times);
}
bool AgentRecorded(AgentCore& agent, size_t n,
                   absl::Duration timeout = absl::Seconds(10)) {
  return testing_support::WaitUpdateCount(agent, n, timeout);
}

class DriverAgentTest : public ::testing::Test {
 protected:
  void SetUp() override { ref_ = server_.AddExecutor(); }

  // Starts a driver with `options` (defaults for this agent and executor)
  // and waits until it subscribed.
  std::unique_ptr<ExecutorDriver> StartDriver(
      const std::function<void(DriverOptions*)>& adjust = nullptr) {
    DriverOptions options = TestDriverOptions(server_, ref_);
    if (adjust) adjust(&options);
    auto driver = std::make_unique<ExecutorDriver>(&executor_, options);
    EXPECT_TRUE(driver->Start().ok());
    EXPECT_TRUE(executor_.WaitForSubscriptions(1));
    EXPECT_TRUE(AgentSubscribed(agent(), ref_));
    return driver;
  }

  AgentCore& agent() { return server_.core(); }

  // Launches tasks through the agent and waits until the executor saw them
  // (the agent refuses updates for tasks it never launched).
  void LaunchTasks(const std::vector<std::string>& ids) {
    const size_t before = executor_.launched().size();
    for (const std::string& id : ids) {
      ASSERT_TRUE(agent().Launch(ref_, TestTask(id)).ok()) << id;
    }
    ASSERT_TRUE(executor_.WaitFor(
        [&] { return executor_.launched().size() >= before + ids.size(); }));
  }

  AgentServer server_;
  ExecutorRef ref_;
  RecordingExecutor executor_;
};

TEST_F(DriverAgentTest, SubscribesAndReportsWhatTheAgentSent) {
  AgentServer server([] {
    AgentOptions options = TestAgentOptions();
    options.heartbeat_interval = absl::Seconds(3);
    return options;
  }());
  ExecutorRef ref = server.AddExecutor("fw", "ex");
  RecordingExecutor executor;
  ExecutorDriver driver(&executor, TestDriverOptions(server, ref));
  ASSERT_TRUE(driver.Start().ok());
  ASSERT_TRUE(executor.WaitForSubscriptions(1));

  const auto subscribed = executor.subscribed();
  ASSERT_EQ(subscribed.size(), 1u);
  EXPECT_EQ(executor.resubscribed(), std::vector<bool>{false});
  EXPECT_EQ(subscribed[0].executor_info().executor_id().value(), "ex");
  EXPECT_EQ(subscribed[0].framework_info().id().value(), "fw");
  EXPECT_EQ(subscribed[0].agent_info().id().value(), "agent-1");
  EXPECT_DOUBLE_EQ(subscribed[0].heartbeat_interval_seconds(), 3.0);
  EXPECT_TRUE(subscribed[0].capabilities().batched_updates());
  EXPECT_TRUE(subscribed[0].capabilities().batched_acknowledgements());
  EXPECT_TRUE(AgentSubscribed(server.core(), ref));
  EXPECT_EQ(driver.stats().subscriptions, 1u);
  EXPECT_EQ(driver.state(), DriverState::kRunning);
  EXPECT_TRUE(driver.Stop().ok());
  EXPECT_EQ(driver.Join(), DriverState::kStopped);
  // The stream was closed, so the agent sees the executor gone.
  EXPECT_TRUE(server.core().WaitUntil(
      [&](const AgentCore& core) { return !core.Executor(ref)->subscribed; },
      absl::Seconds(5)));
}

TEST_F(DriverAgentTest, SubscribesOverAUnixSocketWithABearerToken) {
  AgentServer server(TestAgentOptions(), /*unix_socket=*/true);
  ExecutorRef ref = server.AddExecutor("fw", "ex", "s3cret");
  RecordingExecutor executor;
  DriverOptions options = TestDriverOptions(server, ref);
  options.auth_token = "s3cret";
  ASSERT_THAT(options.agent_endpoint, HasSubstr("unix:"));
  ExecutorDriver driver(&executor, options);
  ASSERT_TRUE(driver.Start().ok());
  EXPECT_TRUE(executor.WaitForSubscriptions(1));
  EXPECT_TRUE(driver.Stop().ok());
}

std::shared_ptr<grpc::ServerCredentials> TlsServerCredentials() {
  grpc::SslServerCredentialsOptions ssl;
  ssl.pem_key_cert_pairs.push_back(
      {ReadTestData("agent_key.pem"), ReadTestData("agent_cert.pem")});
  return grpc::SslServerCredentials(ssl);
}

TEST_F(DriverAgentTest, SubscribesOverTlsWithTheCaFileFromTheEnvironment) {
  AgentServer server(TestAgentOptions(), /*unix_socket=*/false,
                     TlsServerCredentials());
  ExecutorRef ref = server.AddExecutor("fw", "ex");
  absl::StatusOr<DriverOptions> options = DriverOptions::FromEnvironment({
      {"MESOS_FRAMEWORK_ID", "fw"},
      {"MESOS_EXECUTOR_ID", "ex"},
      {"MESOS_SLAVE_ID", "agent-1"},
      {"MESOS_AGENT_ENDPOINT", server.endpoint()},
      {"MESOS_EXECUTOR_TLS_CA_FILE", TestDataPath("agent_cert.pem")},
  });
  ASSERT_TRUE(options.ok()) << options.status();
  ASSERT_TRUE(options->use_tls);
  options->kill_process_group_on_shutdown = false;
  RecordingExecutor executor;
  ExecutorDriver driver(&executor, *options);
  ASSERT_TRUE(driver.Start().ok());
  EXPECT_TRUE(executor.WaitForSubscriptions(1));
  EXPECT_TRUE(driver.Stop().ok());
}

TEST_F(DriverAgentTest, TlsWithAnUntrustedAgentNeverSubscribes) {
  AgentServer server(TestAgentOptions(), /*unix_socket=*/false,
                     TlsServerCredentials());
  ExecutorRef ref = server.AddExecutor("fw", "ex");
  RecordingExecutor executor;
  DriverOptions options = TestDriverOptions(server, ref);
  options.use_tls = true;  // with the system roots, which do not know it
  options.recovery_timeout = absl::Milliseconds(500);
  ExecutorDriver driver(&executor, options);
  ASSERT_TRUE(driver.Start().ok());
  EXPECT_EQ(driver.Join(), DriverState::kAborted);
  EXPECT_TRUE(executor.subscribed().empty());
  ASSERT_EQ(executor.errors().size(), 1u);
  EXPECT_THAT(executor.errors()[0], HasSubstr("could not subscribe"));
}

TEST_F(DriverAgentTest, WrongTokenIsAFatalError) {
  AgentServer server;
  ExecutorRef ref = server.AddExecutor("fw", "ex", "s3cret");
  RecordingExecutor executor;
  DriverOptions options = TestDriverOptions(server, ref);
  options.auth_token = "wrong";
  ExecutorDriver driver(&executor, options);
  ASSERT_TRUE(driver.Start().ok());
  EXPECT_EQ(driver.Join(), DriverState::kAborted);
  ASSERT_EQ(executor.errors().size(), 1u);
  EXPECT_THAT(executor.errors()[0], HasSubstr("refused the subscription"));
  EXPECT_TRUE(executor.subscribed().empty());
}

TEST_F(DriverAgentTest, LaunchRunningFinishedAreRecordedAndAcknowledged) {
  // Driver methods called from inside a callback.
  executor_.on_launch = [](ExecutorDriver* driver,
                           const mesos::TaskInfo& task) {
    EXPECT_TRUE(driver
                    ->SendStatusUpdate(
                        TestStatus(task.task_id().value(), mesos::TASK_RUNNING))
                    .ok());
    EXPECT_TRUE(driver
                    ->SendStatusUpdate(TestStatus(task.task_id().value(),
                                                  mesos::TASK_FINISHED, "done"))
                    .ok());
  };
  auto driver = StartDriver();
  ASSERT_TRUE(agent().Launch(ref_, TestTask("t1")).ok());
  ASSERT_TRUE(AgentRecorded(agent(), 2));
  ASSERT_TRUE(executor_.WaitForAcks(2));

  const std::vector<RecordedUpdate> updates = agent().Updates();
  ASSERT_EQ(updates.size(), 2u);
  EXPECT_EQ(updates[0].status.state(), mesos::TASK_RUNNING);
  EXPECT_EQ(updates[1].status.state(), mesos::TASK_FINISHED);
  EXPECT_EQ(updates[1].status.message(), "done");
  for (const RecordedUpdate& update : updates) {
    EXPECT_EQ(update.status.task_id().value(), "t1");
    EXPECT_TRUE(IsValidUuidBytes(update.status.uuid()));
    EXPECT_EQ(update.status.source(), mesos::TaskStatus::SOURCE_EXECUTOR);
    EXPECT_EQ(update.status.executor_id().value(), "e1");
    EXPECT_EQ(update.status.slave_id().value(), "agent-1");
    EXPECT_GT(update.status.timestamp(), 1.6e9);
  }
  EXPECT_NE(updates[0].status.uuid(), updates[1].status.uuid());

  const std::vector<Ack> acks = executor_.acks();
  std::set<std::string> acked;
  for (const Ack& ack : acks) {
    EXPECT_EQ(ack.task_id, "t1");
    acked.insert(ack.uuid);
  }
  EXPECT_EQ(acked, (std::set<std::string>{updates[0].status.uuid(),
                                          updates[1].status.uuid()}));
  EXPECT_TRUE(Eventually([&] { return driver->stats().unacknowledged == 0; }));
  EXPECT_EQ(driver->stats().updates_sent, 2u);
  EXPECT_EQ(driver->stats().updates_acknowledged, 2u);
  std::optional<ExecutorView> view = agent().Executor(ref_);
  ASSERT_TRUE(view.has_value());
  ASSERT_EQ(view->tasks.size(), 1u);
  EXPECT_EQ(view->tasks[0].latest_state, mesos::TASK_FINISHED);
  EXPECT_FALSE(executor_.overlapped());
  EXPECT_TRUE(driver->Stop().ok());
}

TEST_F(DriverAgentTest, LaunchGroupDeliversEveryTask) {
  auto driver = StartDriver();
  mesos::TaskGroupInfo group;
  *group.add_tasks() = TestTask("g1");
  *group.add_tasks() = TestTask("g2");
  ASSERT_TRUE(agent().LaunchGroup(ref_, group).ok());
  ASSERT_TRUE(
      executor_.WaitFor([&] { return executor_.launched().size() == 2; }));
  EXPECT_EQ(executor_.launched()[0].task_id().value(), "g1");
  EXPECT_EQ(executor_.launched()[1].task_id().value(), "g2");
  EXPECT_TRUE(driver->Stop().ok());
}

TEST_F(DriverAgentTest, KillIsDeliveredWithItsPolicyAndKilledIsRecorded) {
  executor_.on_kill = [](ExecutorDriver* driver, const mesos::TaskID& id) {
    EXPECT_TRUE(
        driver->SendStatusUpdate(TestStatus(id.value(), mesos::TASK_KILLED))
            .ok());
  };
  auto driver = StartDriver();
  ASSERT_TRUE(agent().Launch(ref_, TestTask("t1")).ok());
  ASSERT_TRUE(
      executor_.WaitFor([&] { return executor_.launched().size() == 1; }));
  mesos::KillPolicy policy;
  policy.mutable_grace_period()->set_nanoseconds(123);
  ASSERT_TRUE(agent().Kill(ref_, TaskIdOf("t1"), policy).ok());
  ASSERT_TRUE(AgentRecorded(agent(), 1));
  EXPECT_THAT(executor_.killed(), ElementsAre("t1"));
  EXPECT_EQ(executor_.kill_policies()[0].grace_period().nanoseconds(), 123);
  EXPECT_EQ(agent().Updates()[0].status.state(), mesos::TASK_KILLED);
  EXPECT_TRUE(driver->Stop().ok());
}

TEST_F(DriverAgentTest, FrameworkMessagesFlowBothWays) {
  auto driver = StartDriver();
  ASSERT_TRUE(agent().SendMessage(ref_, "to executor").ok());
  ASSERT_TRUE(
      executor_.WaitFor([&] { return executor_.messages().size() == 1; }));
  EXPECT_THAT(executor_.messages(), ElementsAre("to executor"));
  // AgentCore does not expose messages from executors; the call must at
  // least be accepted and leave the stream healthy.
  EXPECT_TRUE(driver->SendMessage("to framework").ok());
  LaunchTasks({"x"});
  ASSERT_TRUE(
      driver->SendStatusUpdate(TestStatus("x", mesos::TASK_RUNNING)).ok());
  EXPECT_TRUE(AgentRecorded(agent(), 1));
  EXPECT_EQ(executor_.disconnections(), 0);
  EXPECT_TRUE(driver->Stop().ok());
}

TEST_F(DriverAgentTest, ShutdownRunsTheHandlerWhichMayStopTheDriver) {
  absl::Notification stopped;
  executor_.on_shutdown = [&](ExecutorDriver* driver) {
    // Updates after shutdown() still go out; Stop() drains them.
    EXPECT_TRUE(
        driver->SendStatusUpdate(TestStatus("t1", mesos::TASK_KILLED)).ok());
    EXPECT_TRUE(driver->Stop().ok());
    stopped.Notify();
  };
  auto driver = StartDriver();
  ASSERT_TRUE(agent().Launch(ref_, TestTask("t1")).ok());
  ASSERT_TRUE(agent().Shutdown(ref_).ok());
  EXPECT_EQ(driver->Join(), DriverState::kStopped);
  EXPECT_TRUE(stopped.HasBeenNotified());
  EXPECT_EQ(executor_.shutdowns(), 1);
  ASSERT_EQ(agent().UpdateCount(), 1u);
  EXPECT_EQ(agent().Updates()[0].status.state(), mesos::TASK_KILLED);
}

TEST_F(DriverAgentTest, ShutdownGracePeriodAbortsAnInProcessDriver) {
  auto driver = StartDriver([](DriverOptions* options) {
    options->shutdown_grace_period = absl::Milliseconds(200);
  });
  const absl::Time before = absl::Now();
  ASSERT_TRUE(agent().Shutdown(ref_).ok());
  EXPECT_EQ(driver->Join(), DriverState::kAborted);
  EXPECT_GE(absl::Now() - before, absl::Milliseconds(200));
  EXPECT_EQ(executor_.shutdowns(), 1);
}

TEST_F(DriverAgentTest,
       BrokenStreamResubscribesWithUnacknowledgedUpdatesAndTasks) {
  auto driver = StartDriver();
  ASSERT_TRUE(agent().Launch(ref_, TestTask("t1")).ok());
  ASSERT_TRUE(agent().Launch(ref_, TestTask("t2")).ok());
  ASSERT_TRUE(
      executor_.WaitFor([&] { return executor_.launched().size() == 2; }));

  agent().SetAckMode(AckMode::kDrop);
  ASSERT_TRUE(
      driver->SendStatusUpdate(TestStatus("t1", mesos::TASK_RUNNING)).ok());
  ASSERT_TRUE(
      driver->SendStatusUpdate(TestStatus("t1", mesos::TASK_FINISHED)).ok());
  ASSERT_TRUE(AgentRecorded(agent(), 2));
  EXPECT_EQ(driver->stats().unacknowledged, 2u);

  agent().SetAckMode(AckMode::kNormal);
  agent().BreakStreams();
  ASSERT_TRUE(executor_.WaitForSubscriptions(2));
  EXPECT_EQ(executor_.resubscribed(), (std::vector<bool>{false, true}));
  EXPECT_EQ(executor_.disconnections(), 1);
  // The agent acknowledges the updates carried by SUBSCRIBE.
  ASSERT_TRUE(executor_.WaitForAcks(2));
  EXPECT_TRUE(Eventually([&] { return driver->stats().unacknowledged == 0; }));
  // Each update recorded exactly once, in order.
  const std::vector<RecordedUpdate> updates = agent().Updates();
  ASSERT_EQ(updates.size(), 2u);
  EXPECT_EQ(updates[0].status.state(), mesos::TASK_RUNNING);
  EXPECT_EQ(updates[1].status.state(), mesos::TASK_FINISHED);
  // Both tasks are still known to the agent (t2 only through SUBSCRIBE's
  // unacknowledged_tasks, since it has no update yet).
  std::optional<ExecutorView> view = agent().Executor(ref_);
  ASSERT_TRUE(view.has_value());
  std::set<std::string> tasks;
  for (const TaskView& task : view->tasks)
    tasks.insert(task.task.task_id().value());
  EXPECT_EQ(tasks, (std::set<std::string>{"t1", "t2"}));
  EXPECT_EQ(driver->stats().subscriptions, 2u);
  EXPECT_EQ(driver->stats().disconnections, 1u);

  const std::vector<std::string> calls = executor_.calls();
  auto disconnected = std::find(calls.begin(), calls.end(), "disconnected");
  ASSERT_NE(disconnected, calls.end());
  EXPECT_NE(std::find(disconnected, calls.end(), "subscribed"), calls.end());
  EXPECT_TRUE(driver->Stop().ok());
}

TEST_F(DriverAgentTest, StreamsBrokenMidFlightLoseAndDuplicateNothing) {
  constexpr int kTasks = 4;
  constexpr int kPerTask = 400;
  auto driver = StartDriver(
      [](DriverOptions* options) { options->max_in_flight_updates = 64; });
  LaunchTasks({"t0", "t1", "t2", "t3"});
  std::thread breaker([&] {
    for (int i = 0; i < 3; ++i) {
      agent().WaitUntil(
          [i](const AgentCore& core) {
            return core.UpdateCount() >= static_cast<size_t>((i + 1) * 300);
          },
          absl::Seconds(10));
      agent().BreakStreams();
    }
  });
  bool all_accepted = true;
  for (int n = 0; n < kPerTask && all_accepted; ++n) {
    for (int t = 0; t < kTasks && all_accepted; ++t) {
      absl::Status status = driver->SendStatusUpdate(TestStatus(
          absl::StrCat("t", t), mesos::TASK_RUNNING, absl::StrCat(n)));
      EXPECT_TRUE(status.ok()) << status;
      all_accepted = status.ok();
    }
  }
  breaker.join();
  ASSERT_TRUE(all_accepted);
  ASSERT_TRUE(AgentRecorded(agent(), kTasks * kPerTask));
  EXPECT_TRUE(driver->Stop(absl::Seconds(10)).ok());
  EXPECT_GE(driver->stats().disconnections, 1u);

  const std::vector<RecordedUpdate> updates = agent().Updates();
  EXPECT_EQ(updates.size(), static_cast<size_t>(kTasks * kPerTask));
  std::set<std::string> uuids;
  std::map<std::string, int> next;
  for (const RecordedUpdate& update : updates) {
    EXPECT_TRUE(uuids.insert(update.status.uuid()).second) << "duplicate";
    const std::string& task = update.status.task_id().value();
    EXPECT_EQ(update.status.message(), absl::StrCat(next[task]++)) << task;
  }
  for (int t = 0; t < kTasks; ++t)
    EXPECT_EQ(next[absl::StrCat("t", t)], kPerTask);
  EXPECT_EQ(driver->stats().updates_acknowledged,
            static_cast<size_t>(kTasks * kPerTask));
}

TEST_F(DriverAgentTest, RecoveryTimeoutShutsDownAndAborts) {
  auto driver = StartDriver([](DriverOptions* options) {
    options->recovery_timeout = absl::Milliseconds(300);
  });
  agent().RefuseSubscriptionsFor(absl::Seconds(30));
  agent().BreakStreams();
  EXPECT_EQ(driver->Join(), DriverState::kAborted);
  EXPECT_EQ(executor_.disconnections(), 1);
  EXPECT_EQ(executor_.shutdowns(), 1);
  ASSERT_EQ(executor_.errors().size(), 1u);
  EXPECT_THAT(executor_.errors()[0], HasSubstr("recovery timeout"));
  const std::vector<std::string> calls = executor_.calls();
  EXPECT_THAT(calls,
              ElementsAre("subscribed", "disconnected", "shutdown", "error"));
}

TEST_F(DriverAgentTest, WithoutCheckpointingADisconnectMeansShutdown) {
  executor_.on_shutdown = [](ExecutorDriver* driver) {
    // Nothing can be drained: the driver will not reconnect.
    EXPECT_TRUE(driver->Stop(absl::Seconds(10)).ok());
  };
  auto driver =
      StartDriver([](DriverOptions* options) { options->checkpoint = false; });
  agent().BreakStreams();
  EXPECT_EQ(driver->Join(), DriverState::kStopped);
  EXPECT_THAT(executor_.calls(),
              ElementsAre("subscribed", "disconnected", "shutdown"));
  EXPECT_EQ(driver->stats().subscriptions, 1u);
}

TEST_F(DriverAgentTest, StopWithoutCheckpointingDoesNotWaitForLostUpdates) {
  absl::Notification stop_returned;
  absl::Status stop_status;
  executor_.on_shutdown = [&](ExecutorDriver* driver) {
    stop_status = driver->Stop(absl::Seconds(30));
    stop_returned.Notify();
  };
  auto driver =
      StartDriver([](DriverOptions* options) { options->checkpoint = false; });
  LaunchTasks({"t"});
  agent().SetAckMode(AckMode::kDrop);
  ASSERT_TRUE(
      driver->SendStatusUpdate(TestStatus("t", mesos::TASK_RUNNING)).ok());
  ASSERT_TRUE(AgentRecorded(agent(), 1));
  const absl::Time before = absl::Now();
  agent().BreakStreams();
  ASSERT_TRUE(stop_returned.WaitForNotificationWithTimeout(absl::Seconds(10)));
  EXPECT_LT(absl::Now() - before, absl::Seconds(5));
  EXPECT_EQ(stop_status.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(stop_status.message(),
              HasSubstr("1 status updates unacknowledged"));
}

TEST_F(DriverAgentTest, SilentAgentIsDetectedByMissingHeartbeats) {
  AgentServer server([] {
    AgentOptions options = TestAgentOptions();
    options.heartbeat_interval = absl::Milliseconds(100);
    return options;
  }());
  ExecutorRef ref = server.AddExecutor();
  RecordingExecutor executor;
  DriverOptions options = TestDriverOptions(server, ref);
  options.missed_heartbeats_before_disconnect = 5;
  ExecutorDriver driver(&executor, options);
  ASSERT_TRUE(driver.Start().ok());
  ASSERT_TRUE(executor.WaitForSubscriptions(1));
  // Heartbeats keep the stream up well past 5 intervals.
  absl::SleepFor(absl::Milliseconds(1000));
  EXPECT_EQ(executor.disconnections(), 0);

  server.core().SetHeartbeatsEnabled(false);
  const absl::Time silenced = absl::Now();
  ASSERT_TRUE(executor.WaitFor([&] { return executor.disconnections() >= 1; },
                               absl::Seconds(5)));
  EXPECT_GE(absl::Now() - silenced, absl::Milliseconds(400));
  server.core().SetHeartbeatsEnabled(true);
  // It resubscribes and stays.
  ASSERT_TRUE(executor.WaitFor([&] {
    const auto resubscribed = executor.resubscribed();
    return !resubscribed.empty() && resubscribed.back();
  }));
  EXPECT_TRUE(driver.Stop().ok());
}

TEST_F(DriverAgentTest, StopDrainsPendingUpdates) {
  auto driver = StartDriver();
  LaunchTasks({"t"});
  agent().SetAckMode(AckMode::kDelay, absl::Milliseconds(300));
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(driver
                    ->SendStatusUpdate(
                        TestStatus("t", mesos::TASK_RUNNING, absl::StrCat(i)))
                    .ok());
  }
  EXPECT_GT(driver->stats().unacknowledged, 0u);
  EXPECT_TRUE(driver->Stop(absl::Seconds(10)).ok());
  EXPECT_EQ(driver->stats().unacknowledged, 0u);
  EXPECT_EQ(driver->stats().updates_acknowledged, 10u);
  EXPECT_EQ(agent().UpdateCount(), 10u);
  EXPECT_EQ(driver->Join(), DriverState::kStopped);
}

TEST_F(DriverAgentTest, StopGivesUpAfterTheDrainTimeout) {
  auto driver = StartDriver();
  LaunchTasks({"t"});
  agent().SetAckMode(AckMode::kDrop);
  ASSERT_TRUE(
      driver->SendStatusUpdate(TestStatus("t", mesos::TASK_RUNNING)).ok());
  ASSERT_TRUE(
      driver->SendStatusUpdate(TestStatus("t", mesos::TASK_FINISHED)).ok());
  absl::Status status = driver->Stop(absl::Milliseconds(200));
  EXPECT_EQ(status.code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_THAT(status.message(), HasSubstr("2 status updates unacknowledged"));
  EXPECT_EQ(driver->Join(), DriverState::kStopped);
}

TEST_F(DriverAgentTest, ManyThreadsSendingLoseAndReorderNothing) {
  constexpr int kThreads = 8;
  constexpr int kPerThread = 500;
  auto driver = StartDriver();
  std::vector<std::string> tasks;
  for (int t = 0; t < kThreads; ++t) tasks.push_back(absl::StrCat("task-", t));
  LaunchTasks(tasks);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int n = 0; n < kPerThread; ++n) {
        absl::Status status = driver->SendStatusUpdate(TestStatus(
            absl::StrCat("task-", t), mesos::TASK_RUNNING, absl::StrCat(n)));
        if (!status.ok()) ADD_FAILURE() << status;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  ASSERT_TRUE(AgentRecorded(agent(), kThreads * kPerThread));
  // Every acknowledgement reaches the handler (before Stop(), after which
  // no callback runs).
  EXPECT_TRUE(executor_.WaitForAcks(kThreads * kPerThread));
  EXPECT_TRUE(driver->Stop(absl::Seconds(10)).ok());
  EXPECT_EQ(driver->stats().updates_acknowledged,
            static_cast<size_t>(kThreads * kPerThread));
  std::map<std::string, int> next;
  for (const RecordedUpdate& update : agent().Updates()) {
    const std::string& task = update.status.task_id().value();
    EXPECT_EQ(update.status.message(), absl::StrCat(next[task]++)) << task;
  }
  for (int t = 0; t < kThreads; ++t) {
    EXPECT_EQ(next[absl::StrCat("task-", t)], kPerThread);
  }
  EXPECT_EQ(executor_.acks().size(),
            static_cast<size_t>(kThreads * kPerThread));
  EXPECT_FALSE(executor_.overlapped());
}

// Acknowledgement receipts: however long the stream, the agent remembers
// the UUIDs of about one window of updates, not of every update.
TEST_F(DriverAgentTest, ReceiptsKeepTheAgentsMemoryOfUuidsToAWindow) {
  auto driver = StartDriver();
  EXPECT_TRUE(
      executor_.subscribed()[0].capabilities().acknowledgement_receipts());
  LaunchTasks({"t"});
  constexpr int kRounds = 20;
  constexpr int kPerRound = 250;
  for (int round = 0; round < kRounds; ++round) {
    for (int i = 0; i < kPerRound; ++i) {
      ASSERT_TRUE(driver->SendStatusUpdate(TestStatus("t", mesos::TASK_RUNNING))
                      .ok());
    }
    ASSERT_TRUE(executor_.WaitForAcks((round + 1) * kPerRound));
  }
  // Every acknowledgement arrived before this update was written: its call
  // tells the agent so, and only its own UUID stays remembered.
  ASSERT_TRUE(
      driver->SendStatusUpdate(TestStatus("t", mesos::TASK_RUNNING)).ok());
  ASSERT_TRUE(executor_.WaitForAcks(kRounds * kPerRound + 1));
  EXPECT_EQ(agent().UpdateCount(), static_cast<size_t>(kRounds * kPerRound + 1));
  EXPECT_EQ(agent().Executor(ref_)->remembered_update_uuids, 1u);
  EXPECT_TRUE(driver->Stop(absl::Seconds(10)).ok());
}

TEST_F(DriverAgentTest, WorksWithoutBatching) {
  auto driver = StartDriver([](DriverOptions* options) {
    options->enable_batching = false;
    options->max_in_flight_updates = 4;
  });
  EXPECT_FALSE(executor_.subscribed()[0].capabilities().batched_updates());
  LaunchTasks({"t"});
  for (int i = 0; i < 200; ++i) {
    ASSERT_TRUE(driver
                    ->SendStatusUpdate(
                        TestStatus("t", mesos::TASK_RUNNING, absl::StrCat(i)))
                    .ok());
  }
  EXPECT_TRUE(driver->Stop(absl::Seconds(10)).ok());
  ASSERT_EQ(agent().UpdateCount(), 200u);
  const auto updates = agent().Updates();
  for (int i = 0; i < 200; ++i)
    EXPECT_EQ(updates[i].status.message(), absl::StrCat(i));
}

TEST_F(DriverAgentTest, InvalidUpdatesAreRefusedLocallyAndTheStreamStaysUp) {
  auto driver = StartDriver();
  absl::Status status =
      driver->SendStatusUpdate(TestStatus("t", mesos::TASK_STAGING));
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("TASK_STAGING"));
  mesos::TaskStatus no_state;
  no_state.mutable_task_id()->set_value("t");
  EXPECT_THAT(driver->SendStatusUpdate(no_state).message(),
              HasSubstr("no state"));
  EXPECT_THAT(
      driver->SendStatusUpdate(TestStatus("", mesos::TASK_RUNNING)).message(),
      HasSubstr("task_id is empty"));
  LaunchTasks({"t"});
  ASSERT_TRUE(
      driver->SendStatusUpdate(TestStatus("t", mesos::TASK_RUNNING)).ok());
  EXPECT_TRUE(AgentRecorded(agent(), 1));
  EXPECT_EQ(executor_.disconnections(), 0);
  EXPECT_TRUE(driver->Stop().ok());
}

TEST_F(DriverAgentTest, FullWindowGivesResourceExhaustedUntilAcksArrive) {
  auto driver = StartDriver([](DriverOptions* options) {
    options->max_unacknowledged_updates = 5;
    options->send_timeout = absl::Milliseconds(100);
  });
  LaunchTasks({"t"});
  agent().SetAckMode(AckMode::kDrop);
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(
        driver->SendStatusUpdate(TestStatus("t", mesos::TASK_RUNNING)).ok());
  }
  absl::Status status =
      driver->SendStatusUpdate(TestStatus("t", mesos::TASK_RUNNING));
  EXPECT_EQ(status.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(status.message(), HasSubstr("5 status updates unacknowledged"));

  // Nothing was lost: once acknowledgements flow again (the resubscription
  // delivers and acknowledges the dropped ones) the window opens.
  ASSERT_TRUE(AgentRecorded(agent(), 5));
  agent().SetAckMode(AckMode::kNormal);
  agent().BreakStreams();
  ASSERT_TRUE(executor_.WaitForAcks(5));
  EXPECT_TRUE(
      driver->SendStatusUpdate(TestStatus("t", mesos::TASK_FINISHED)).ok());
  EXPECT_TRUE(driver->Stop(absl::Seconds(10)).ok());
  EXPECT_EQ(agent().UpdateCount(), 6u);
}

TEST_F(DriverAgentTest, BlockedSenderProceedsWhenAnAckMakesRoom) {
  auto driver = StartDriver([](DriverOptions* options) {
    options->max_unacknowledged_updates = 3;
    options->send_timeout = absl::Seconds(10);
  });
  LaunchTasks({"t"});
  agent().SetAckMode(AckMode::kDelay, absl::Milliseconds(300));
  const absl::Time before = absl::Now();
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(driver
                    ->SendStatusUpdate(
                        TestStatus("t", mesos::TASK_RUNNING, absl::StrCat(i)))
                    .ok());
  }
  // The fourth had to wait for the first acknowledgement.
  EXPECT_GE(absl::Now() - before, absl::Milliseconds(250));
  EXPECT_TRUE(driver->Stop(absl::Seconds(10)).ok());
  EXPECT_EQ(agent().UpdateCount(), 4u);
}

TEST_F(DriverAgentTest, ABlockedCallbackDoesNotBlockAcknowledgements) {
  absl::Notification in_launch;
  absl::Notification release;
  executor_.on_launch = [&](ExecutorDriver*, const mesos::TaskInfo& task) {
    if (task.task_id().value() != "blocker") return;
    in_launch.Notify();
    release.WaitForNotificationWithTimeout(absl::Seconds(20));
  };
  auto driver = StartDriver();
  LaunchTasks({"t"});
  ASSERT_TRUE(agent().Launch(ref_, TestTask("blocker")).ok());
  ASSERT_TRUE(in_launch.WaitForNotificationWithTimeout(absl::Seconds(10)));
  for (int i = 0; i < 100; ++i) {
    ASSERT_TRUE(
        driver->SendStatusUpdate(TestStatus("t", mesos::TASK_RUNNING)).ok());
  }
  // All acknowledged while the callback thread is stuck in Launch().
  EXPECT_TRUE(
      Eventually([&] { return driver->stats().updates_acknowledged == 100; }));
  EXPECT_TRUE(executor_.acks().empty());
  release.Notify();
  EXPECT_TRUE(executor_.WaitForAcks(100));
  EXPECT_TRUE(driver->Stop().ok());
}

TEST_F(DriverAgentTest, AbortFromInsideACallback) {
  executor_.on_launch = [](ExecutorDriver* driver, const mesos::TaskInfo&) {
    driver->Abort();
    EXPECT_EQ(driver->state(), DriverState::kAborted);
  };
  auto driver = StartDriver();
  ASSERT_TRUE(agent().Launch(ref_, TestTask("t")).ok());
  EXPECT_EQ(driver->Join(), DriverState::kAborted);
  EXPECT_TRUE(executor_.errors().empty());
  EXPECT_EQ(driver->Stop().code(), absl::StatusCode::kAborted);
}

TEST_F(DriverAgentTest, AgentErrorEventAbortsWithError) {
  // No way to make AgentCore send ERROR; a removed executor ends the stream
  // and resubscription is refused as unknown (NOT_FOUND): fatal.
  auto driver = StartDriver();
  ASSERT_TRUE(agent().RemoveExecutor(ref_).ok());
  EXPECT_EQ(driver->Join(), DriverState::kAborted);
  ASSERT_FALSE(executor_.errors().empty());
  EXPECT_THAT(executor_.errors().back(), HasSubstr("refused the subscription"));
}

TEST_F(DriverAgentTest, DestroyingAConnectedDriverDoesNotHang) {
  const absl::Time before = absl::Now();
  {
    auto driver = StartDriver();
    LaunchTasks({"t"});
    agent().SetAckMode(AckMode::kDrop);
    ASSERT_TRUE(
        driver->SendStatusUpdate(TestStatus("t", mesos::TASK_RUNNING)).ok());
  }
  EXPECT_LT(absl::Now() - before, absl::Seconds(5));
}

}  // namespace
}  // namespace driver_agent_test
}  // namespace executor_runtime
