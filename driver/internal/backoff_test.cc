#include "driver/internal/backoff.h"

#include "gtest/gtest.h"

namespace executor_runtime {
namespace driver_internal {
namespace {

TEST(ComputeBackoffTest, DoublesUpToTheCapWithJitterInTheUpperHalf) {
  const absl::Duration initial = absl::Milliseconds(10);
  const absl::Duration max = absl::Milliseconds(100);
  struct Case {
    int attempt;
    double jitter;
    absl::Duration expected;
  };
  const Case cases[] = {
      {0, 0.0, absl::Milliseconds(5)},    {0, 1.0, absl::Milliseconds(10)},
      {1, 0.0, absl::Milliseconds(10)},   {1, 1.0, absl::Milliseconds(20)},
      {2, 0.5, absl::Milliseconds(30)},   {3, 1.0, absl::Milliseconds(80)},
      {4, 1.0, absl::Milliseconds(100)},  {4, 0.0, absl::Milliseconds(50)},
      {60, 1.0, absl::Milliseconds(100)}, {1000, 1.0, absl::Milliseconds(100)},
      {0, -3.0, absl::Milliseconds(5)},   {0, 7.0, absl::Milliseconds(10)},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(ComputeBackoff(c.attempt, initial, max, c.jitter), c.expected)
        << "attempt " << c.attempt << " jitter " << c.jitter;
  }
}

TEST(ComputeBackoffTest, CapBelowInitialWinsAndZeroMeansNoDelay) {
  EXPECT_EQ(ComputeBackoff(0, absl::Seconds(1), absl::Milliseconds(100), 1.0),
            absl::Milliseconds(100));
  EXPECT_EQ(ComputeBackoff(5, absl::Seconds(1), absl::ZeroDuration(), 1.0),
            absl::ZeroDuration());
  EXPECT_EQ(ComputeBackoff(5, absl::ZeroDuration(), absl::Seconds(1), 1.0),
            absl::ZeroDuration());
}

TEST(BackoffTest, GrowsStaysInBoundsAndResets) {
  Backoff backoff(absl::Milliseconds(10), absl::Milliseconds(80));
  absl::Duration bound = absl::Milliseconds(10);
  for (int i = 0; i < 10; ++i) {
    const absl::Duration delay = backoff.Next();
    EXPECT_GE(delay, bound / 2) << i;
    EXPECT_LE(delay, bound) << i;
    bound = std::min(bound * 2, absl::Milliseconds(80));
  }
  backoff.Reset();
  EXPECT_LE(backoff.Next(), absl::Milliseconds(10));
}

}  // namespace
}  // namespace driver_internal
}  // namespace executor_runtime
