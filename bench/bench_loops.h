// The measurement loops every status-update benchmark shares, written once
// over a "client" that can send updates and wait for acknowledgements:
//
//   absl::Status Send(int count);     // sends `count` more updates
//   bool WaitAcked(uint64_t total);   // until `total` were acknowledged
//   uint64_t sent() const;            // updates sent so far
//   LatencySamples TakeLatencies();   // send -> ack latencies so far
//
// Each benchmark iteration is a batch of updates sent and all acknowledged,
// timed by hand (UseManualTime), so set-up and tear-down are not counted.
// items_per_second = acknowledged updates per second; counters p50_us and
// p99_us are the send -> acknowledgement latency over the whole run.
//
// Thread-safety: run from the benchmark thread only.
#ifndef BENCH_BENCH_LOOPS_H_
#define BENCH_BENCH_LOOPS_H_

#include <algorithm>
#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "bench/latency.h"
#include "benchmark/benchmark.h"

namespace executor_runtime {
namespace bench {

// Updates per iteration of the throughput benchmarks (window > 1).
inline constexpr int kThroughputBatch = 4096;
// Updates per iteration with a window of 1 (each one a round trip).
inline constexpr int kRoundTripBatch = 512;
// Length of one iteration of the fixed-load benchmarks.
inline constexpr double kLoadIterationSeconds = 0.2;
// The throughput benchmarks measure the latency of every n-th update of a
// task (the fixed-load ones measure all): the clock read and the locked
// sample for each update would otherwise weigh on the throughput measured.
inline constexpr int kThroughputLatencySampleEvery = 16;

inline void ReportLatencies(benchmark::State& state, LatencySamples samples) {
  state.counters["p50_us"] = samples.PercentileMicros(50);
  state.counters["p99_us"] = samples.PercentileMicros(99);
  state.counters["samples"] = samples.size();
}

// Sends `batch` updates per iteration with at most `window` unacknowledged
// (0 = no limit: the whole batch is handed over at once).
template <typename Client>
void RunWindowed(benchmark::State& state, Client& client, int window,
                 int batch) {
  uint64_t acked = 0;
  for (auto _ : state) {
    const int64_t start = NowNanos();
    const uint64_t end = client.sent() + batch;
    absl::Status status;
    if (window == 0) {
      status = client.Send(batch);
    } else {
      while (status.ok() && client.sent() < end) {
        if (client.sent() >= static_cast<uint64_t>(window) &&
            !client.WaitAcked(client.sent() - window + 1)) {
          status = absl::UnavailableError("stream ended");
          break;
        }
        status = client.Send(1);
      }
    }
    if (!status.ok() || !client.WaitAcked(end)) {
      state.SkipWithError(status.ok() ? "stream ended before all acks"
                                      : std::string(status.message()).c_str());
      break;
    }
    acked = end;
    state.SetIterationTime((NowNanos() - start) / 1e9);
  }
  state.SetItemsProcessed(acked);
  ReportLatencies(state, client.TakeLatencies());
}

// Offers `rate` updates per second, one at a time on an absolute schedule,
// for kLoadIterationSeconds per iteration, then waits for the stragglers.
template <typename Client>
void RunOfferedLoad(benchmark::State& state, Client& client, double rate) {
  const int per_iteration =
      std::max(1, static_cast<int>(rate * kLoadIterationSeconds));
  ReduceTimerSlack();
  uint64_t acked = 0;
  for (auto _ : state) {
    const int64_t start = NowNanos();
    const uint64_t end = client.sent() + per_iteration;
    Pacer pacer(rate);
    absl::Status status;
    for (int i = 0; status.ok() && i < per_iteration; ++i) {
      pacer.WaitNext();
      status = client.Send(1);
    }
    if (!status.ok() || !client.WaitAcked(end)) {
      state.SkipWithError(status.ok() ? "stream ended before all acks"
                                      : std::string(status.message()).c_str());
      break;
    }
    acked = end;
    state.SetIterationTime((NowNanos() - start) / 1e9);
  }
  state.SetItemsProcessed(acked);
  state.counters["offered_per_second"] = rate;
  ReportLatencies(state, client.TakeLatencies());
}

}  // namespace bench
}  // namespace executor_runtime

#endif  // BENCH_BENCH_LOOPS_H_
