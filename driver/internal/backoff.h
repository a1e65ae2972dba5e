// Jittered exponential backoff for subscription attempts.
//
// The n-th delay (n = 0, 1, ...) lies in [bound/2, bound] where
// bound = min(initial * 2^n, max): never a hot loop, never over the cap, and
// executors that lost the same agent do not retry in lockstep.
//
// Thread-safety: Backoff is not synchronized (the driver guards it);
// ComputeBackoff is a pure function.
#ifndef DRIVER_INTERNAL_BACKOFF_H_
#define DRIVER_INTERNAL_BACKOFF_H_

#include "absl/random/random.h"
#include "absl/time/time.h"

namespace executor_runtime {
namespace driver_internal {

// The delay before attempt `attempt` (0-based) for `jitter` in [0, 1].
absl::Duration ComputeBackoff(int attempt, absl::Duration initial,
                              absl::Duration max, double jitter);

class Backoff {
 public:
  Backoff(absl::Duration initial, absl::Duration max)
      : initial_(initial), max_(max) {}

  // The next delay; each call doubles the bound (up to max).
  absl::Duration Next();
  // Back to the initial delay (after a successful subscription).
  void Reset() { attempt_ = 0; }

 private:
  const absl::Duration initial_;
  const absl::Duration max_;
  int attempt_ = 0;
  absl::BitGen gen_;
};

}  // namespace driver_internal
}  // namespace executor_runtime

#endif  // DRIVER_INTERNAL_BACKOFF_H_
