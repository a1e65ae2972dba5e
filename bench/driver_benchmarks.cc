// BM_Driver...: the runtime end to end (ExecutorDriver -> AgentCore ->
// acknowledgement back into the driver), see driver_fixture.h.
//
//   BM_DriverThroughput/window:W/executors:E[/burst:B]  batches of updates
//       handed to E drivers at once (B each, else 4096 in all and at least
//       16 each); W = DriverOptions::max_in_flight_updates.
//   BM_DriverRoundTrip/window:1  one update at a time, each waited for:
//       compare with BM_RawGrpcNaive/window:1.
//   BM_DriverLoad/offered:R  R updates/s offered, for p50/p99.
#include <algorithm>
#include <cstddef>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "bench/bench_loops.h"
#include "bench/benchmarks.h"
#include "bench/driver_fixture.h"
#include "benchmark/benchmark.h"

namespace executor_runtime {
namespace bench {
namespace {

std::unique_ptr<DriverFixture> StartOrSkip(
    benchmark::State& state, const DriverFixtureOptions& options) {
  auto fixture = DriverFixture::Start(options);
  if (!fixture.ok()) {
    state.SkipWithError(std::string(fixture.status().message()).c_str());
    return nullptr;
  }
  return *std::move(fixture);
}

void BM_DriverThroughput(benchmark::State& state, size_t window,
                         int executors, int burst) {
  DriverFixtureOptions options;
  options.executors = executors;
  options.max_in_flight_updates = window;
  if (window != 1) options.latency_sample_every = kThroughputLatencySampleEvery;
  auto fixture = StartOrSkip(state, options);
  if (fixture == nullptr) return;
  // `burst` updates per driver and iteration, or at least 16 each and
  // kThroughputBatch in all.
  const int batch = window == 1 ? kRoundTripBatch
                    : burst > 0 ? burst * executors
                                : std::max(kThroughputBatch, 16 * executors);
  RunWindowed(state, *fixture, /*window=*/0, batch);
}

void BM_DriverRoundTrip(benchmark::State& state) {
  DriverFixtureOptions options;
  options.max_in_flight_updates = 1;
  auto fixture = StartOrSkip(state, options);
  if (fixture == nullptr) return;
  RunWindowed(state, *fixture, /*window=*/1, kRoundTripBatch);
}

void BM_DriverLoad(benchmark::State& state, double rate) {
  auto fixture = StartOrSkip(state, DriverFixtureOptions());
  if (fixture == nullptr) return;
  RunOfferedLoad(state, *fixture, rate);
}

std::string WindowName(size_t window) {
  return window == 0 ? "unbounded" : absl::StrCat(window);
}

}  // namespace

void RegisterDriverBenchmarks() {
  struct Shape {
    size_t window;
    int executors;
    int burst = 0;  // Updates per executor and iteration; 0: the default.
  };
  for (Shape shape :
       {Shape{1, 1}, Shape{64, 1}, Shape{0, 1}, Shape{0, 8}, Shape{0, 64},
        Shape{0, 1000}, Shape{0, 1000, 256}}) {
    benchmark::RegisterBenchmark(
        absl::StrCat("BM_DriverThroughput/window:", WindowName(shape.window),
                     "/executors:", shape.executors,
                     shape.burst > 0 ? absl::StrCat("/burst:", shape.burst)
                                     : "")
            .c_str(),
        BM_DriverThroughput, shape.window, shape.executors, shape.burst)
        ->UseManualTime()
        ->Unit(benchmark::kMicrosecond);
  }
  benchmark::RegisterBenchmark("BM_DriverRoundTrip/window:1",
                               BM_DriverRoundTrip)
      ->UseManualTime()
      ->Unit(benchmark::kMicrosecond);
  benchmark::RegisterBenchmark("BM_DriverLoad/offered:1k", BM_DriverLoad,
                               1000.0)
      ->UseManualTime()
      ->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("BM_DriverLoad/offered:10k", BM_DriverLoad,
                               10000.0)
      ->UseManualTime()
      ->Unit(benchmark::kMillisecond);
}

}  // namespace bench
}  // namespace executor_runtime
