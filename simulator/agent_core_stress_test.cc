// Many executors at once: concurrent subscriptions, updates, heartbeats and
// broken streams, to shake out races in the stream lifecycle (run it under
// --config=asan too).
#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

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

TEST(AgentCoreStressTest, ManyExecutorsUpdateConcurrently) {
  AgentOptions options = TestOptions();
  options.heartbeat_interval = absl::Milliseconds(5);
  TestAgent agent(options);
  constexpr int kExecutors = 16;
  constexpr int kCalls = 50;
  constexpr int kBatch = 10;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int e = 0; e < kExecutors; ++e) {
    ExecutorRef ref = agent.AddExecutor("f1", "e" + std::to_string(e));
    threads.emplace_back([&agent, &failures, ref, e] {
      // gtest assertions are thread-safe; each names the executor.
      auto fail = [&failures, e](const std::string& what) {
        ++failures;
        ADD_FAILURE() << "executor e" << e << ": " << what;
      };
      TestExecutor executor(agent, ref);
      if (!executor.Subscribe().has_value()) return fail("not subscribed");
      const std::string task = "t" + std::to_string(e);
      absl::Status launched = agent.core().Launch(ref, MakeTask(task));
      if (!launched.ok()) fail("launch: " + launched.ToString());
      size_t acked = 0;
      for (int i = 0; i < kCalls; ++i) {
        Call call =
            executor.UpdateCall(task, mesos::TASK_RUNNING, NewUuidBytes());
        for (int b = 1; b < kBatch; ++b) {
          *call.add_batched_updates()->mutable_status() =
              executor.Status(task, mesos::TASK_RUNNING, NewUuidBytes());
        }
        if (!executor.Write(call)) fail("write " + std::to_string(i));
      }
      while (acked < kCalls * kBatch) {
        auto event = executor.Read();
        if (!event.has_value()) {
          grpc::Status status = executor.ReadToEnd();
          return fail("stream ended after " + std::to_string(acked) +
                      " acks: " + status.error_message());
        }
        if (event->type() == Event::ACKNOWLEDGED) {
          acked += 1 + event->batched_acknowledgements_size();
        }
      }
      grpc::Status closed = executor.Close();
      if (!closed.ok()) fail("close: " + closed.error_message());
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(agent.core().UpdateCount(),
            static_cast<size_t>(kExecutors * kCalls * kBatch));
}

TEST(AgentCoreStressTest, BreakingStreamsUnderTrafficIsSafe) {
  AgentOptions options = TestOptions();
  options.heartbeat_interval = absl::Milliseconds(2);
  TestAgent agent(options);
  constexpr int kExecutors = 8;
  std::atomic<bool> stop{false};
  std::vector<std::thread> threads;
  for (int e = 0; e < kExecutors; ++e) {
    ExecutorRef ref = agent.AddExecutor("f1", "e" + std::to_string(e));
    threads.emplace_back([&agent, &stop, ref, e] {
      const std::string task = "t" + std::to_string(e);
      bool launched = false;
      while (!stop.load()) {
        // Reconnect and resend until told to stop, like a driver.
        TestExecutor executor(agent, ref, "", absl::Seconds(5));
        if (!executor.Subscribe().has_value()) continue;
        if (!launched) launched = agent.core().Launch(ref, MakeTask(task)).ok();
        for (int i = 0; i < 200 && !stop.load(); ++i) {
          Call call =
              executor.UpdateCall(task, mesos::TASK_RUNNING, NewUuidBytes());
          if (!executor.Write(call)) break;
        }
        executor.Cancel();
      }
    });
  }
  for (int i = 0; i < 20; ++i) {
    agent.core().BreakStreams();
    agent.core().SetAckMode(i % 3 == 0 ? AckMode::kDelay : AckMode::kNormal,
                            absl::Milliseconds(1));
    absl::SleepFor(absl::Milliseconds(10));
  }
  stop.store(true);
  for (auto& thread : threads) thread.join();
  // The agent is still fine: a fresh executor subscribes and gets an ack.
  ExecutorRef ref = agent.AddExecutor("f1", "last");
  agent.core().SetAckMode(AckMode::kNormal);
  TestExecutor executor(agent, ref);
  ASSERT_TRUE(executor.Subscribe().has_value());
  ASSERT_TRUE(agent.core().Launch(ref, MakeTask("last-task")).ok());
  ASSERT_TRUE(executor.Write(
      executor.UpdateCall("last-task", mesos::TASK_RUNNING, NewUuidBytes())));
  while (true) {
    auto event = executor.Read();
    ASSERT_TRUE(event.has_value());
    if (event->type() == Event::ACKNOWLEDGED) break;
  }
}

}  // namespace
}  // namespace executor_runtime
