// Hostile executors (issue 7, part 4): the agent holds a bounded amount for
// any one stream. An UPDATE or SUBSCRIBE carrying more updates than
// AgentOptions::max_pending_updates_per_stream, or an executor that sends
// updates but never reads its acknowledgements, is refused with
// RESOURCE_EXHAUSTED naming the limit; a call over gRPC's receive limit
// (4 MiB, the server default the agent is served with) is refused by the
// transport. The agent keeps serving everyone else.
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/hostile/hostile_util.h"
#include "util/uuid.h"

namespace executor_runtime {
namespace hostile_test {
namespace {

using mesos::executor::Call;
using mesos::executor::Event;
using ::testing::HasSubstr;

constexpr size_t kLimit = 256;

AgentOptions LimitedOptions() {
  AgentOptions options = QuietAgentOptions();
  options.max_pending_updates_per_stream = kLimit;
  return options;
}

class LimitsTest : public ::testing::Test {
 protected:
  LimitsTest()
      : a_(agent_.Add("fw", "exec-a")), b_(agent_.Add("fw", "exec-b")) {}

  // Subscribes `stream` as `ref` and launches `task` on it.
  void Start(RawStream* stream, const ExecutorRef& ref, const std::string& task,
             bool batched_updates = true, bool batched_acks = true) {
    Call subscribe = SubscribeCall(ref);
    auto* capabilities = subscribe.mutable_subscribe()->mutable_capabilities();
    capabilities->set_batched_updates(batched_updates);
    capabilities->set_batched_acknowledgements(batched_acks);
    ASSERT_TRUE(stream->Write(subscribe));
    std::optional<Event> subscribed = stream->Read();
    ASSERT_TRUE(subscribed.has_value());
    ASSERT_EQ(subscribed->type(), Event::SUBSCRIBED);
    ASSERT_TRUE(agent_.core().Launch(ref, Task(task)).ok());
    std::optional<Event> launch = stream->Read();
    ASSERT_TRUE(launch.has_value());
    ASSERT_EQ(launch->type(), Event::LAUNCH);
  }

  Call Batch(const ExecutorRef& ref, const std::string& task, size_t count) {
    Call call = UpdateCall(ref, task, mesos::TASK_RUNNING, NewUuidBytes());
    for (size_t i = 1; i < count; ++i) {
      *call.add_batched_updates()->mutable_status() =
          Status(ref, task, mesos::TASK_RUNNING, NewUuidBytes());
    }
    return call;
  }

  // A well-behaved executor B still gets its update acknowledged.
  void ExpectOthersServed() {
    RawStream good(agent_.NewChannel(7));
    Start(&good, b_, "b-task");
    const std::string uuid = NewUuidBytes();
    ASSERT_TRUE(
        good.Write(UpdateCall(b_, "b-task", mesos::TASK_RUNNING, uuid)));
    std::optional<Event> ack = good.Read();
    ASSERT_TRUE(ack.has_value());
    ASSERT_EQ(AcksOf(*ack).size(), 1u);
    EXPECT_EQ(AcksOf(*ack)[0].second, uuid);
    EXPECT_TRUE(good.Finish().ok());
  }

  AgentHarness agent_{LimitedOptions()};
  const ExecutorRef a_;
  const ExecutorRef b_;
};

TEST_F(LimitsTest, BatchAtTheLimitIsAcceptedOneOverIsRefused) {
  RawStream stream(agent_.NewChannel());
  Start(&stream, a_, "a-task");
  ASSERT_TRUE(stream.Write(Batch(a_, "a-task", kLimit)));
  size_t acked = 0;
  while (acked < kLimit) {
    std::optional<Event> event = stream.Read();
    ASSERT_TRUE(event.has_value());
    acked += AcksOf(*event).size();
  }
  EXPECT_EQ(agent_.core().UpdateCount(), kLimit);

  stream.Write(Batch(a_, "a-task", kLimit + 1));
  const grpc::Status status = stream.Finish();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(
      status.error_message(),
      HasSubstr(absl::StrCat("UPDATE carries ", kLimit + 1,
                             " updates; this agent takes at most ", kLimit)));
  EXPECT_EQ(agent_.core().UpdateCount(), kLimit);  // None of the refused.
  ExpectOthersServed();
}

TEST_F(LimitsTest, SubscribeWithTooManyUnacknowledgedUpdatesIsRefused) {
  ASSERT_TRUE(agent_.core().Executor(a_).has_value());
  RawStream stream(agent_.NewChannel());
  Call subscribe = SubscribeCall(a_);
  for (size_t i = 0; i <= kLimit; ++i) {
    *subscribe.mutable_subscribe()
         ->add_unacknowledged_updates()
         ->mutable_status() =
        Status(a_, "a-task", mesos::TASK_RUNNING, NewUuidBytes());
  }
  stream.Write(subscribe);
  const grpc::Status status = stream.Finish();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(status.error_message(),
              HasSubstr(absl::StrCat("SUBSCRIBE carries ", kLimit + 1)));
  EXPECT_EQ(agent_.core().UpdateCount(), 0u);
  EXPECT_EQ(agent_.core().Executor(a_)->subscriptions, 0);
  ExpectOthersServed();
}

TEST_F(LimitsTest, ExecutorThatNeverReadsItsAcknowledgementsIsCutOff) {
  // One ACKNOWLEDGED event per update (no ack batching), and never a Read:
  // once gRPC's flow-control window is full the acknowledgements pile up in
  // the agent, which must refuse the stream at kLimit of them instead of
  // holding an unbounded queue.
  RawStream stream(agent_.NewChannel());
  Start(&stream, a_, "a-task", /*batched_updates=*/true,
        /*batched_acks=*/false);
  constexpr size_t kBatch = 64;
  constexpr size_t kMaxSent = 400000;
  const absl::Time give_up = absl::Now() + absl::Seconds(20);
  size_t sent = 0;
  while (sent < kMaxSent && absl::Now() < give_up) {
    if (!stream.Write(Batch(a_, "a-task", kBatch))) break;
    sent += kBatch;
  }
  const grpc::Status status = stream.Finish();
  std::printf(
      "non-reading executor: cut off after %zu updates sent, %zu "
      "recorded\n",
      sent, agent_.core().UpdateCount());
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED)
      << status.error_message();
  EXPECT_THAT(status.error_message(),
              HasSubstr("the executor is not reading its events"));
  EXPECT_THAT(status.error_message(),
              HasSubstr(absl::StrCat("limit ", kLimit)));
  EXPECT_LT(sent, kMaxSent);
  EXPECT_TRUE(agent_.core().WaitUntil(
      [&](const AgentCore& core) { return !core.Executor(a_)->subscribed; },
      absl::Seconds(5)));
  ExpectOthersServed();
}

TEST_F(LimitsTest, CallOverTheReceiveLimitIsRefusedAndTheAgentLivesOn) {
  RawStream stream(agent_.NewChannel());
  Start(&stream, a_, "a-task");
  Call call = UpdateCall(a_, "a-task", mesos::TASK_RUNNING, NewUuidBytes());
  call.mutable_update()->mutable_status()->set_data(
      std::string(5 << 20, 'x'));  // 5 MiB > gRPC's default 4 MiB.
  stream.Write(call);
  const grpc::Status status = stream.Finish();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED)
      << status.error_message();
  EXPECT_THAT(status.error_message(), HasSubstr("larger than max"));
  EXPECT_EQ(agent_.core().UpdateCount(), 0u);
  EXPECT_TRUE(agent_.core().WaitUntil(
      [&](const AgentCore& core) { return !core.Executor(a_)->subscribed; },
      absl::Seconds(5)));
  ExpectOthersServed();
}

}  // namespace
}  // namespace hostile_test
}  // namespace executor_runtime
