// Acknowledgement receipts (Capabilities.acknowledgement_receipts, see
// docs/PROTOCOL.md): a driver that says how many acknowledgements it
// received lets the agent forget those UUIDs within one long stream, and
// impossible counts are refused with a clear error.
#include <string>
#include <vector>

#include "absl/strings/match.h"
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
using testing_support::TestAgent;
using testing_support::TestExecutor;
using testing_support::TestOptions;

// Subscribes offering receipts (or not) and launches "t1"; the SUBSCRIBED
// capabilities.
mesos::executor::Capabilities SubscribeAndLaunch(TestAgent& agent,
                                                 TestExecutor& executor,
                                                 bool offer_receipts = true) {
  Call subscribe = executor.SubscribeCall();
  subscribe.mutable_subscribe()
      ->mutable_capabilities()
      ->set_acknowledgement_receipts(offer_receipts);
  EXPECT_TRUE(executor.Write(subscribe));
  std::optional<Event> subscribed = executor.ReadSkippingHeartbeats();
  EXPECT_TRUE(subscribed.has_value() && subscribed->type() == Event::SUBSCRIBED);
  EXPECT_TRUE(agent.core().Launch(executor.ref(), MakeTask("t1")).ok());
  std::optional<Event> launch = executor.ReadSkippingHeartbeats();
  EXPECT_TRUE(launch.has_value() && launch->type() == Event::LAUNCH);
  return subscribed.has_value() ? subscribed->subscribed().capabilities()
                                : mesos::executor::Capabilities();
}

// An UPDATE of `count` new updates of "t1" (batched), optionally carrying a
// receipt; returns their UUIDs.
Call Updates(const TestExecutor& executor, int count,
             std::vector<std::string>* uuids) {
  uuids->clear();
  for (int i = 0; i < count; ++i) uuids->push_back(NewUuidBytes());
  Call call = executor.UpdateCall("t1", mesos::TASK_RUNNING, (*uuids)[0]);
  for (int i = 1; i < count; ++i) {
    *call.add_batched_updates()->mutable_status() =
        executor.Status("t1", mesos::TASK_RUNNING, (*uuids)[i]);
  }
  return call;
}

// Reads events until `count` acknowledgements arrived.
void ReadAcks(TestExecutor& executor, size_t count) {
  size_t acked = 0;
  while (acked < count) {
    std::optional<Event> event = executor.ReadSkippingHeartbeats();
    ASSERT_TRUE(event.has_value());
    ASSERT_EQ(event->type(), Event::ACKNOWLEDGED);
    acked += 1 + event->batched_acknowledgements_size();
  }
}

size_t Remembered(TestAgent& agent, const ExecutorRef& ref) {
  return agent.core().Executor(ref)->remembered_update_uuids;
}

TEST(AgentCoreReceiptsTest, ReceiptsKeepRememberedUuidsToOneWindow) {
  TestAgent agent;
  ExecutorRef ref = agent.AddExecutor();
  TestExecutor executor(agent, ref);
  ASSERT_TRUE(SubscribeAndLaunch(agent, executor).acknowledgement_receipts());

  constexpr int kRounds = 20;
  constexpr int kBatch = 500;
  uint64_t received = 0;
  std::vector<std::string> uuids;
  for (int round = 0; round < kRounds; ++round) {
    Call call = Updates(executor, kBatch, &uuids);
    if (round > 0) call.set_acknowledgements_received(received);
    ASSERT_TRUE(executor.Write(call));
    ReadAcks(executor, kBatch);
    received += kBatch;
    // The previous round's UUIDs are forgotten, this round's kept.
    EXPECT_EQ(Remembered(agent, ref), static_cast<size_t>(kBatch)) << round;
  }
  EXPECT_EQ(agent.core().UpdateCount(), static_cast<size_t>(kRounds * kBatch));

  // A retransmission of an update not yet receipted is still recognized...
  ASSERT_TRUE(executor.Write(
      executor.UpdateCall("t1", mesos::TASK_RUNNING, uuids.back())));
  ReadAcks(executor, 1);
  EXPECT_EQ(agent.core().UpdateCount(), static_cast<size_t>(kRounds * kBatch));
  // ... and a HEARTBEAT call's receipt (this duplicate's ack counts too)
  // forgets the rest.
  received += 1;
  Call heartbeat = executor.HeartbeatCall();
  heartbeat.set_acknowledgements_received(received);
  ASSERT_TRUE(executor.Write(heartbeat));
  EXPECT_TRUE(agent.core().WaitUntil(
      [&ref](const AgentCore& core) {
        return core.Executor(ref)->remembered_update_uuids == 0;
      },
      absl::Seconds(10)));
}

TEST(AgentCoreReceiptsTest, WithoutReceiptsAStreamRemembersEverything) {
  TestAgent agent;
  ExecutorRef ref = agent.AddExecutor();
  TestExecutor executor(agent, ref);
  EXPECT_FALSE(SubscribeAndLaunch(agent, executor, /*offer_receipts=*/false)
                   .acknowledgement_receipts());
  std::vector<std::string> uuids;
  for (int round = 0; round < 4; ++round) {
    ASSERT_TRUE(executor.Write(Updates(executor, 100, &uuids)));
    ReadAcks(executor, 100);
  }
  EXPECT_EQ(Remembered(agent, ref), 400u);
}

TEST(AgentCoreReceiptsTest, AnAgentMayDeclineReceipts) {
  AgentOptions options = TestOptions();
  options.allow_acknowledgement_receipts = false;
  TestAgent agent(options);
  ExecutorRef ref = agent.AddExecutor();
  TestExecutor executor(agent, ref);
  EXPECT_FALSE(SubscribeAndLaunch(agent, executor).acknowledgement_receipts());
  // And then a receipt is a protocol error.
  Call heartbeat = executor.HeartbeatCall();
  heartbeat.set_acknowledgements_received(0);
  ASSERT_TRUE(executor.Write(heartbeat));
  grpc::Status status = executor.ReadToEnd();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_TRUE(absl::StrContains(status.error_message(),
                                "acknowledgement receipts were not negotiated"))
      << status.error_message();
}

// Each case: a receipt that cannot be true ends the stream.
TEST(AgentCoreReceiptsTest, ImpossibleCountsAreRefused) {
  struct Case {
    uint64_t first;
    uint64_t second;
    const char* message;
  };
  const Case cases[] = {
      {11, 11,
       "acknowledgements_received is 11, but this stream sent 10 "
       "acknowledgements"},
      {10, 4, "acknowledgements_received went down from 10 to 4"},
  };
  for (const Case& test : cases) {
    TestAgent agent;
    ExecutorRef ref = agent.AddExecutor();
    TestExecutor executor(agent, ref);
    SubscribeAndLaunch(agent, executor);
    std::vector<std::string> uuids;
    ASSERT_TRUE(executor.Write(Updates(executor, 10, &uuids)));
    ReadAcks(executor, 10);
    for (uint64_t count : {test.first, test.second}) {
      Call heartbeat = executor.HeartbeatCall();
      heartbeat.set_acknowledgements_received(count);
      executor.Write(heartbeat);
    }
    grpc::Status status = executor.ReadToEnd();
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_EQ(status.error_message(), test.message);
    EXPECT_EQ(agent.core().UpdateCount(), 10u);
  }
}

TEST(AgentCoreReceiptsTest, SubscribeCannotCarryAReceipt) {
  TestAgent agent;
  ExecutorRef ref = agent.AddExecutor();
  TestExecutor executor(agent, ref);
  Call subscribe = executor.SubscribeCall();
  subscribe.set_acknowledgements_received(1);
  ASSERT_TRUE(executor.Write(subscribe));
  grpc::Status status = executor.ReadToEnd();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_TRUE(absl::StrContains(status.error_message(),
                                "SUBSCRIBE call carries acknowledgements_received"))
      << status.error_message();
}

}  // namespace
}  // namespace executor_runtime
