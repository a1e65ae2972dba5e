// Latency bookkeeping for the status-update benchmarks: a monotonic clock in
// nanoseconds, a sample set that reports percentiles, and a pacer that
// spaces sends at a fixed offered rate.
//
// Thread-safety: NowNanos() is safe anywhere. LatencySamples and Pacer are
// plain values: one thread at a time (callers synchronize).
#ifndef BENCH_LATENCY_H_
#define BENCH_LATENCY_H_

#include <cstddef>
#include <cstdint>
#include <vector>

namespace executor_runtime {
namespace bench {

// CLOCK_MONOTONIC in nanoseconds.
int64_t NowNanos();

// Lowers this thread's timer slack so that paced sleeps wake on time (the
// Linux default adds up to 50 us to every sleep).
void ReduceTimerSlack();

// A bag of latency samples (nanoseconds).
class LatencySamples {
 public:
  void Add(int64_t nanos) { samples_.push_back(nanos); }
  void Append(const LatencySamples& other);
  void Reserve(size_t n) { samples_.reserve(n); }
  size_t size() const { return samples_.size(); }
  void Clear() { samples_.clear(); }

  // The p-th percentile (0 < p <= 100, nearest rank) in microseconds; 0 when
  // there are no samples. Sorts the samples.
  double PercentileMicros(double p);

 private:
  std::vector<int64_t> samples_;
};

// Spaces events `1/rate` seconds apart on an absolute schedule, so that a
// late wake-up does not shift every later send (the offered load stays the
// requested one as long as the sender keeps up).
class Pacer {
 public:
  explicit Pacer(double rate_per_second);
  // Sleeps until the next slot is due; returns at once if it already is.
  void WaitNext();

 private:
  int64_t interval_nanos_;
  int64_t next_nanos_;
};

}  // namespace bench
}  // namespace executor_runtime

#endif  // BENCH_LATENCY_H_
