// Hostile executors (issue 7, part 4): the agent's own call-size limit and
// the refusal of a connection after repeated refused calls (see
// docs/RELIABILITY.md, "Call size and repeated abuse"). These were written
// before the protections existed and failed until they did.
#include <cstdio>
#include <functional>
#include <memory>
#include <string>

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

constexpr int kBigMessage = 8 << 20;  // 8 MiB

// AgentCore refuses calls larger than its own limit
// (AgentOptions::max_call_bytes, say 4 MiB by default), checked on the raw
// bytes in ConnectStream::OnReadDone before parsing, whatever receive limit
// the embedder set on its grpc::ServerBuilder: RESOURCE_EXHAUSTED naming
// the call's size and the limit, nothing recorded.
TEST(MaxMessageSizeManualTest, AgentRefusesCallsOverItsOwnLimit) {
  // The embedder raised gRPC's limit (64 MiB): only the agent can refuse.
  AgentHarness agent(QuietAgentOptions(), false, 64 << 20);
  const ExecutorRef ref = agent.Add("fw", "exec-a");
  RawStream stream(agent.NewChannel());
  ASSERT_TRUE(stream.Subscribe(ref).has_value());
  ASSERT_TRUE(agent.core().Launch(ref, Task("a-task")).ok());
  ASSERT_EQ(stream.Read()->type(), Event::LAUNCH);

  Call call = UpdateCall(ref, "a-task", mesos::TASK_RUNNING, NewUuidBytes());
  call.mutable_update()->mutable_status()->set_data(
      std::string(kBigMessage, 'x'));
  stream.Write(call);
  const grpc::Status status = stream.Finish();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED)
      << "the agent accepted (and holds) an UPDATE of " << kBigMessage
      << " bytes; status: " << status.error_message();
  EXPECT_THAT(status.error_message(), HasSubstr("bytes"));
  EXPECT_EQ(agent.core().UpdateCount(), 0u);
}

// The same for MESSAGE calls, which the agent keeps in Messages().
TEST(MaxMessageSizeManualTest, AgentRefusesFrameworkMessagesOverItsOwnLimit) {
  AgentHarness agent(QuietAgentOptions(), false, 64 << 20);
  const ExecutorRef ref = agent.Add("fw", "exec-a");
  RawStream stream(agent.NewChannel());
  ASSERT_TRUE(stream.Subscribe(ref).has_value());
  Call call;
  call.set_type(Call::MESSAGE);
  call.mutable_executor_id()->set_value(ref.executor_id);
  call.mutable_framework_id()->set_value(ref.framework_id);
  call.mutable_message()->set_data(std::string(kBigMessage, 'x'));
  stream.Write(call);
  const grpc::Status status = stream.Finish();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED)
      << status.error_message();
  EXPECT_TRUE(agent.core().Messages().empty());
}

// Runs `abuse` (one refused stream on `channel`) `count` times; returns
// whether the agent then closed the connection (the channel left READY
// within 2 s) or, failing that, refuses even a well-formed stream on it
// (`honest`, which returns the status of a stream that would otherwise be
// accepted) with RESOURCE_EXHAUSTED.
bool ConnectionClosedAfterAbuse(const std::shared_ptr<grpc::Channel>& channel,
                                int count,
                                const std::function<grpc::Status()>& abuse,
                                const std::function<grpc::Status()>& honest) {
  for (int i = 0; i < count; ++i) {
    const grpc::Status status = abuse();
    EXPECT_FALSE(status.ok());
    if (channel->GetState(false) != GRPC_CHANNEL_READY) return true;
  }
  if (channel->WaitForStateChange(
          GRPC_CHANNEL_READY,
          std::chrono::system_clock::now() + std::chrono::seconds(2))) {
    return true;
  }
  const grpc::Status status = honest();
  std::printf(
      "after %d refused calls the connection is open; a well-formed "
      "stream on it ended with %d %s\n",
      count, static_cast<int>(status.error_code()),
      status.error_message().c_str());
  return status.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED;
}

constexpr int kAbuseBeforeClose = 10;

// AgentCore counts refused calls per connection (peer) and,
// after AgentOptions::max_refused_calls_per_connection (say 5) within a
// window, ends every stream of that connection and closes it (GOAWAY), or
// at least refuses every further stream from that peer for a cooldown with
// RESOURCE_EXHAUSTED "too many refused calls". Honest executors on other
// connections are not affected.
TEST(RepeatedAbuseManualTest, WrongTokensCloseTheConnection) {
  AgentHarness agent;
  const ExecutorRef ref =
      agent.Add("fw", "exec-b", "the-right-token-0123456789");
  auto channel = agent.NewChannel(1);
  int attempt = 0;
  EXPECT_TRUE(ConnectionClosedAfterAbuse(
      channel, kAbuseBeforeClose,
      [&] {
        RawStream stream(channel, "guess-" + std::to_string(attempt++));
        stream.Subscribe(ref);
        return stream.Finish();
      },
      [&] {
        RawStream stream(channel, "the-right-token-0123456789");
        if (!stream.Subscribe(ref).has_value()) return stream.Finish();
        stream.Finish();
        return grpc::Status::OK;
      }))
      << "the agent kept the connection open after " << kAbuseBeforeClose
      << " failed authentications";
  // Another connection with the right token is served.
  RawStream honest(agent.NewChannel(2), "the-right-token-0123456789");
  EXPECT_TRUE(honest.Subscribe(ref).has_value());
}

TEST(RepeatedAbuseManualTest, ForeignUpdatesCloseTheConnection) {
  AgentHarness agent;
  const ExecutorRef a = agent.Add("fw", "exec-a");
  const ExecutorRef b = agent.Add("fw", "exec-b");
  RawStream victim(agent.NewChannel(2));
  ASSERT_TRUE(victim.Subscribe(b).has_value());
  ASSERT_TRUE(agent.core().Launch(b, Task("b-task")).ok());
  auto channel = agent.NewChannel(1);
  EXPECT_TRUE(ConnectionClosedAfterAbuse(
      channel, kAbuseBeforeClose,
      [&] {
        RawStream stream(channel);
        stream.Subscribe(a);
        stream.Write(
            UpdateCall(a, "b-task", mesos::TASK_FAILED, NewUuidBytes()));
        return stream.Finish();
      },
      [&] {
        RawStream stream(channel);
        if (!stream.Subscribe(a).has_value()) return stream.Finish();
        stream.Finish();
        return grpc::Status::OK;
      }))
      << "the agent kept the connection open after " << kAbuseBeforeClose
      << " updates for another executor's task";
  EXPECT_EQ(agent.core().UpdateCount(), 0u);
}

}  // namespace
}  // namespace hostile_test
}  // namespace executor_runtime
