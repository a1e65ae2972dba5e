// Hostile executors (issue 7, part 4): one executor flooding the agent with
// batched updates as fast as it can cannot starve another. While the flood
// runs, a normal executor sends one update at a time and waits for its
// acknowledgement; every one must be acknowledged, with bounded latency.
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "tests/hostile/hostile_util.h"
#include "util/uuid.h"

namespace executor_runtime {
namespace hostile_test {
namespace {

using mesos::executor::Call;
using mesos::executor::Event;

constexpr int kFloodBatch = 4096;  // Updates per flood UPDATE call.
constexpr int kNormalUpdates = 1000;
// Latency bounds for the normal executor under the flood. An unloaded
// round trip takes well under 1 ms here; a starving agent (one stream
// served until its input runs dry) would exceed these by far.
constexpr absl::Duration kMaxP99 = absl::Milliseconds(250);
constexpr absl::Duration kMaxWorst = absl::Seconds(1);

TEST(FairnessTest, FloodingExecutorDoesNotStarveANormalOne) {
  AgentOptions options = QuietAgentOptions();
  options.update_history_limit = 1000;  // The flood must not fill memory.
  AgentHarness agent(options);
  const ExecutorRef flood_ref = agent.Add("fw", "flood");
  const ExecutorRef normal_ref = agent.Add("fw", "normal");

  RawStream flood(agent.NewChannel(1));
  ASSERT_TRUE(flood.Subscribe(flood_ref).has_value());
  ASSERT_TRUE(agent.core().Launch(flood_ref, Task("flood-task")).ok());
  ASSERT_EQ(flood.Read()->type(), Event::LAUNCH);
  RawStream normal(agent.NewChannel(2));
  ASSERT_TRUE(normal.Subscribe(normal_ref).has_value());
  ASSERT_TRUE(agent.core().Launch(normal_ref, Task("normal-task")).ok());
  ASSERT_EQ(normal.Read()->type(), Event::LAUNCH);

  // The flood: a writer sends batches back to back (no waiting for acks, a
  // fresh UUID each); a reader consumes its acknowledgements so that the
  // agent has no reason to cut it off.
  std::atomic<bool> stop{false};
  std::atomic<size_t> flood_sent{0};
  std::atomic<size_t> flood_acked{0};
  std::thread flood_writer([&] {
    Call call = UpdateCall(flood_ref, "flood-task", mesos::TASK_RUNNING, "");
    for (int i = 1; i < kFloodBatch; ++i) {
      *call.add_batched_updates()->mutable_status() = call.update().status();
    }
    while (!stop.load()) {
      call.mutable_update()->mutable_status()->set_uuid(NewUuidBytes());
      for (auto& update : *call.mutable_batched_updates()) {
        update.mutable_status()->set_uuid(NewUuidBytes());
      }
      if (!flood.Write(call)) break;
      flood_sent += kFloodBatch;
    }
    flood.WritesDone();  // The agent then ends the stream: the reader stops.
  });
  std::thread flood_reader([&] {
    while (std::optional<Event> event = flood.Read()) {
      flood_acked += AcksOf(*event).size();
    }
  });

  // Wait until the flood is in full swing.
  ASSERT_TRUE(agent.core().WaitUntil(
      [](const AgentCore& core) {
        return core.UpdateCount() >= 4 * kFloodBatch;
      },
      absl::Seconds(20)));

  std::vector<absl::Duration> latencies;
  const size_t flood_before = agent.core().UpdateCount();
  const absl::Time window_start = absl::Now();
  for (int i = 0; i < kNormalUpdates; ++i) {
    const std::string uuid = NewUuidBytes();
    const absl::Time sent = absl::Now();
    ASSERT_TRUE(normal.Write(
        UpdateCall(normal_ref, "normal-task", mesos::TASK_RUNNING, uuid)));
    bool acked = false;
    while (!acked) {
      std::optional<Event> event = normal.Read();
      ASSERT_TRUE(event.has_value())
          << "normal stream ended: " << normal.Finish().error_message();
      for (const auto& [task, acked_uuid] : AcksOf(*event)) {
        if (acked_uuid == uuid) acked = true;
      }
    }
    latencies.push_back(absl::Now() - sent);
  }
  const absl::Duration window = absl::Now() - window_start;
  const size_t flood_during =
      agent.core().UpdateCount() - flood_before - kNormalUpdates;
  stop = true;
  flood_writer.join();
  flood_reader.join();
  const grpc::Status flood_status = flood.Finish();
  std::printf("fairness: flood sent %zu, acknowledged %zu, ended with %d %s\n",
              flood_sent.load(), flood_acked.load(),
              static_cast<int>(flood_status.error_code()),
              flood_status.error_message().c_str());
  EXPECT_TRUE(flood_status.ok());  // The flood was served, not cut off.

  std::sort(latencies.begin(), latencies.end());
  const absl::Duration p50 = latencies[latencies.size() / 2];
  const absl::Duration p99 = latencies[latencies.size() * 99 / 100];
  const absl::Duration worst = latencies.back();
  std::printf(
      "fairness: normal executor %d updates in %s under a flood of %zu "
      "updates (%.0f/s); ack latency p50 %s p99 %s max %s\n",
      kNormalUpdates, absl::FormatDuration(window).c_str(), flood_during,
      flood_during / absl::ToDoubleSeconds(window),
      absl::FormatDuration(p50).c_str(), absl::FormatDuration(p99).c_str(),
      absl::FormatDuration(worst).c_str());

  // The flood really ran alongside: it pushed far more than the normal one.
  EXPECT_GT(flood_during, static_cast<size_t>(10 * kNormalUpdates));
  EXPECT_LE(p99, kMaxP99);
  EXPECT_LE(worst, kMaxWorst);
  EXPECT_TRUE(normal.Finish().ok());
}

}  // namespace
}  // namespace hostile_test
}  // namespace executor_runtime
