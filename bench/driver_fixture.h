// The runtime end to end, in one process, for the benchmarks: an AgentCore
// (simulator/agent_core.h) served on 127.0.0.1 and `executors`
// ExecutorDrivers subscribed to it, each with one launched task. Updates go
// round-robin over the drivers; the latency of an update runs from
// SendStatusUpdate() to the EventHandler::Acknowledged() callback.
//
//   auto bench = DriverFixture::Start({.executors = 8});
//   (*bench)->Send(1000);
//   (*bench)->WaitAcked(1000);
//
// Thread-safety: driven by one sending thread; Send(), WaitAcked(), sent()
// and TakeLatencies() are for that thread. Acknowledgements arrive on the
// drivers' callback threads.
#ifndef BENCH_DRIVER_FIXTURE_H_
#define BENCH_DRIVER_FIXTURE_H_

#include <cstddef>
#include <cstdint>
#include <memory>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "bench/latency.h"

namespace executor_runtime {
namespace bench {

struct DriverFixtureOptions {
  int executors = 1;
  // DriverOptions::max_in_flight_updates (0 = unbounded).
  size_t max_in_flight_updates = 0;
  // Tasks launched per executor; updates cycle over them.
  int tasks_per_executor = 1;
  // Latency is measured on every n-th update of each task (1: all). The
  // throughput benchmarks sample, so that reading the clock and locking the
  // samples for every update does not weigh on the figure measured.
  int latency_sample_every = 1;
};

class DriverFixture {
 public:
  // Starts the agent and the drivers and waits until every driver is
  // subscribed and has its tasks. Errors name what did not come up.
  static absl::StatusOr<std::unique_ptr<DriverFixture>> Start(
      const DriverFixtureOptions& options);
  // Stops the drivers (draining), then the agent.
  ~DriverFixture();
  DriverFixture(const DriverFixture&) = delete;
  DriverFixture& operator=(const DriverFixture&) = delete;

  // Sends `count` TASK_RUNNING updates: each driver its share in one run
  // (the drivers take turns), each driver's updates cycling over its tasks.
  absl::Status Send(int count);
  // Blocks until `total` acknowledgements arrived (false after 60 s).
  bool WaitAcked(uint64_t total);
  uint64_t sent() const;
  LatencySamples TakeLatencies();

 private:
  class Impl;
  explicit DriverFixture(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace bench
}  // namespace executor_runtime

#endif  // BENCH_DRIVER_FIXTURE_H_
