#include "driver/internal/backoff.h"

#include <algorithm>

namespace executor_runtime {
namespace driver_internal {

absl::Duration ComputeBackoff(int attempt, absl::Duration initial,
                              absl::Duration max, double jitter) {
  jitter = std::clamp(jitter, 0.0, 1.0);
  absl::Duration bound = initial;
  for (int i = 0; i < attempt && bound < max; ++i) bound *= 2;
  bound = std::min(bound, max);
  if (bound <= absl::ZeroDuration()) return absl::ZeroDuration();
  return bound / 2 + (bound / 2) * jitter;
}

absl::Duration Backoff::Next() {
  const double jitter = absl::Uniform<double>(absl::IntervalClosed, gen_, 0, 1);
  const absl::Duration delay = ComputeBackoff(attempt_, initial_, max_, jitter);
  if (attempt_ < 62) ++attempt_;
  return delay;
}

}  // namespace driver_internal
}  // namespace executor_runtime
