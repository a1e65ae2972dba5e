#include "bench/latency.h"

#include <sys/prctl.h>
#include <time.h>

#include <algorithm>
#include <cmath>

namespace executor_runtime {
namespace bench {

int64_t NowNanos() {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t{ts.tv_sec} * 1000000000 + ts.tv_nsec;
}

void ReduceTimerSlack() { prctl(PR_SET_TIMERSLACK, 1000UL, 0, 0, 0); }

void LatencySamples::Append(const LatencySamples& other) {
  samples_.insert(samples_.end(), other.samples_.begin(), other.samples_.end());
}

double LatencySamples::PercentileMicros(double p) {
  if (samples_.empty()) return 0;
  std::sort(samples_.begin(), samples_.end());
  size_t rank = static_cast<size_t>(std::ceil(p / 100.0 * samples_.size()));
  rank = std::clamp<size_t>(rank, 1, samples_.size());
  return samples_[rank - 1] / 1000.0;
}

Pacer::Pacer(double rate_per_second)
    : interval_nanos_(static_cast<int64_t>(1e9 / rate_per_second)),
      next_nanos_(NowNanos()) {}

void Pacer::WaitNext() {
  const int64_t due = next_nanos_;
  next_nanos_ += interval_nanos_;
  if (NowNanos() >= due) return;
  struct timespec ts;
  ts.tv_sec = due / 1000000000;
  ts.tv_nsec = due % 1000000000;
  while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nullptr) != 0) {
  }
}

}  // namespace bench
}  // namespace executor_runtime
