// Heartbeats, fault injection and WaitUntil, over real gRPC.
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "simulator/agent_core.h"
#include "simulator/testing/test_agent.h"
#include "util/uuid.h"

namespace executor_runtime {
namespace {

using mesos::executor::Call;
using mesos::executor::Event;
using testing_support::MakeTask;
using testing_support::IsSubscribed;
using testing_support::TestAgent;
using testing_support::TestExecutor;
using testing_support::TestOptions;

constexpr absl::Duration kWait = absl::Seconds(10);

TEST(AgentCoreHeartbeatTest, HeartbeatsArriveAtTheIntervalAndStopWhenDisabled) {
  AgentOptions options = TestOptions();
  options.heartbeat_interval = absl::Milliseconds(50);
  TestAgent agent(options);
  ExecutorRef ref = agent.AddExecutor();
  TestExecutor executor(agent, ref);
  ASSERT_TRUE(executor.Subscribe().has_value());

  // Five heartbeats in a row, each about one interval after the last.
  absl::Time last = absl::Now();
  const absl::Time start = last;
  for (int i = 0; i < 5; ++i) {
    auto event = executor.Read();
    ASSERT_TRUE(event.has_value());
    ASSERT_EQ(event->type(), Event::HEARTBEAT);
    last = absl::Now();
  }
  // Five ticks take at least four intervals (the first may come early).
  EXPECT_GE(last - start, absl::Milliseconds(4 * 50 - 10));

  agent.core().SetHeartbeatsEnabled(false);
  // A marker flushes any heartbeat queued before the switch...
  ASSERT_TRUE(agent.core().SendMessage(ref, "marker").ok());
  while (true) {
    auto event = executor.Read();
    ASSERT_TRUE(event.has_value());
    if (event->type() == Event::MESSAGE) break;
  }
  // ...then, over several intervals, nothing but the next marker arrives.
  absl::SleepFor(absl::Milliseconds(250));
  ASSERT_TRUE(agent.core().SendMessage(ref, "after").ok());
  auto event = executor.Read();
  ASSERT_TRUE(event.has_value());
  EXPECT_EQ(event->type(), Event::MESSAGE);
  EXPECT_EQ(event->message().data(), "after");

  agent.core().SetHeartbeatsEnabled(true);
  event = executor.Read();
  ASSERT_TRUE(event.has_value());
  EXPECT_EQ(event->type(), Event::HEARTBEAT);
}

TEST(AgentCoreHeartbeatTest, EverySubscribedStreamGetsHeartbeats) {
  AgentOptions options = TestOptions();
  options.heartbeat_interval = absl::Milliseconds(20);
  TestAgent agent(options);
  std::vector<std::unique_ptr<TestExecutor>> executors;
  for (int i = 0; i < 20; ++i) {
    executors.push_back(std::make_unique<TestExecutor>(
        agent, agent.AddExecutor("f1", "e" + std::to_string(i))));
    ASSERT_TRUE(executors.back()->Subscribe().has_value());
  }
  for (auto& executor : executors) {
    for (int i = 0; i < 2; ++i) {
      auto event = executor->Read();
      ASSERT_TRUE(event.has_value());
      EXPECT_EQ(event->type(), Event::HEARTBEAT);
    }
  }
}

TEST(AgentCoreFaultTest, BreakStreamsEndsOneOrAll) {
  TestAgent agent;
  ExecutorRef one = agent.AddExecutor("f1", "e1");
  ExecutorRef two = agent.AddExecutor("f1", "e2");
  TestExecutor first(agent, one);
  TestExecutor second(agent, two);
  ASSERT_TRUE(first.Subscribe().has_value());
  ASSERT_TRUE(second.Subscribe().has_value());

  agent.core().BreakStreams(one);
  grpc::Status status = first.ReadToEnd();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(status.error_message(),
            "stream broken by the agent (fault injection)");
  EXPECT_FALSE(IsSubscribed(agent.core(), one));
  EXPECT_TRUE(IsSubscribed(agent.core(), two));

  // The executor can come back.
  TestExecutor again(agent, one);
  ASSERT_TRUE(again.Subscribe().has_value());

  agent.core().BreakStreams();
  EXPECT_EQ(second.ReadToEnd().error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(again.ReadToEnd().error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_FALSE(IsSubscribed(agent.core(), one));
  EXPECT_FALSE(IsSubscribed(agent.core(), two));
}

TEST(AgentCoreFaultTest, DroppedAcksAreRecordedButNeverSent) {
  TestAgent agent;
  ExecutorRef ref = agent.AddExecutor();
  TestExecutor executor(agent, ref);
  ASSERT_TRUE(executor.Subscribe().has_value());
  ASSERT_TRUE(agent.core().Launch(ref, MakeTask("t1")).ok());
  ASSERT_EQ(executor.Read()->type(), Event::LAUNCH);

  agent.core().SetAckMode(AckMode::kDrop);
  const std::string uuid = NewUuidBytes();
  ASSERT_TRUE(
      executor.Write(executor.UpdateCall("t1", mesos::TASK_RUNNING, uuid)));
  ASSERT_TRUE(agent.core().WaitUntil(
      [](const AgentCore& core) { return core.UpdateCount() == 1; }, kWait));
  // The retry is a duplicate: not recorded again, and not acked either.
  ASSERT_TRUE(
      executor.Write(executor.UpdateCall("t1", mesos::TASK_RUNNING, uuid)));
  ASSERT_TRUE(executor.Write(executor.MessageCall("sync")));
  ASSERT_TRUE(agent.core().WaitUntil(
      [](const AgentCore& core) { return core.Messages().size() == 1; },
      kWait));
  ASSERT_TRUE(agent.core().SendMessage(ref, "marker").ok());
  auto event = executor.Read();
  ASSERT_TRUE(event.has_value());
  EXPECT_EQ(event->type(), Event::MESSAGE);  // No ACKNOWLEDGED before it.
  EXPECT_EQ(agent.core().UpdateCount(), 1u);

  // Back to normal: the next retry is acknowledged.
  agent.core().SetAckMode(AckMode::kNormal);
  ASSERT_TRUE(
      executor.Write(executor.UpdateCall("t1", mesos::TASK_RUNNING, uuid)));
  event = executor.Read();
  ASSERT_TRUE(event.has_value());
  ASSERT_EQ(event->type(), Event::ACKNOWLEDGED);
  EXPECT_EQ(event->acknowledged().uuid(), uuid);
}

TEST(AgentCoreFaultTest, DelayedAcksArriveAfterTheDelay) {
  TestAgent agent;
  ExecutorRef ref = agent.AddExecutor();
  TestExecutor executor(agent, ref);
  ASSERT_TRUE(executor.Subscribe().has_value());
  ASSERT_TRUE(agent.core().Launch(ref, MakeTask("t1")).ok());
  ASSERT_EQ(executor.Read()->type(), Event::LAUNCH);

  const absl::Duration delay = absl::Milliseconds(200);
  agent.core().SetAckMode(AckMode::kDelay, delay);
  const std::string uuid = NewUuidBytes();
  const absl::Time sent = absl::Now();
  ASSERT_TRUE(
      executor.Write(executor.UpdateCall("t1", mesos::TASK_RUNNING, uuid)));
  auto event = executor.Read();
  const absl::Time acked = absl::Now();
  ASSERT_TRUE(event.has_value());
  ASSERT_EQ(event->type(), Event::ACKNOWLEDGED);
  EXPECT_EQ(event->acknowledged().uuid(), uuid);
  EXPECT_GE(acked - sent, delay);
  // Recorded at once, acknowledged later.
  ASSERT_EQ(agent.core().Updates().size(), 1u);
  EXPECT_LT(agent.core().Updates()[0].recorded_at - sent, delay);
}

TEST(AgentCoreFaultTest, RefusedSubscriptionsAreUnavailableUntilThePeriodEnds) {
  TestAgent agent;
  ExecutorRef ref = agent.AddExecutor();
  agent.core().RefuseSubscriptionsFor(absl::Milliseconds(300));
  {
    TestExecutor executor(agent, ref);
    EXPECT_FALSE(executor.Subscribe().has_value());
    grpc::Status status = executor.ReadToEnd();
    EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
    EXPECT_NE(status.error_message().find("refuses subscriptions"),
              std::string::npos)
        << status.error_message();
  }
  // Retry (as a driver would, with backoff) until accepted.
  const absl::Time deadline = absl::Now() + kWait;
  bool subscribed = false;
  while (!subscribed && absl::Now() < deadline) {
    TestExecutor executor(agent, ref);
    subscribed = executor.Subscribe().has_value();
    if (!subscribed) absl::SleepFor(absl::Milliseconds(50));
  }
  EXPECT_TRUE(subscribed);
}

TEST(AgentCoreWaitTest, WaitUntilWakesOnChangeAndTimesOut) {
  TestAgent agent;
  ExecutorRef ref = agent.AddExecutor();
  // Times out when nothing happens, after about the timeout.
  const absl::Time start = absl::Now();
  EXPECT_FALSE(agent.core().WaitUntil(
      [&](const AgentCore& core) { return IsSubscribed(core, ref); },
      absl::Milliseconds(100)));
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(100));

  // Wakes when another thread changes the state.
  absl::Notification waiting;
  bool result = false;
  std::thread waiter([&] {
    waiting.Notify();
    result = agent.core().WaitUntil(
        [&](const AgentCore& core) { return IsSubscribed(core, ref); }, kWait);
  });
  waiting.WaitForNotification();
  TestExecutor executor(agent, ref);
  ASSERT_TRUE(executor.Subscribe().has_value());
  waiter.join();
  EXPECT_TRUE(result);
}

}  // namespace
}  // namespace executor_runtime
