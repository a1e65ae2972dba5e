#include "simulator/internal/abuse_guard.h"

#include "gtest/gtest.h"

namespace executor_runtime {
namespace simulator_internal {
namespace {

const absl::Time kStart = absl::FromUnixSeconds(1000);
constexpr char kPeer[] = "ipv4:127.0.0.1:40000";

TEST(AbuseGuardTest, BlocksAPeerAfterTooManyRefusalsInTheWindow) {
  AbuseGuard guard(3, absl::Seconds(60), absl::Seconds(30));
  guard.RecordRefusal(kPeer, kStart);
  guard.RecordRefusal(kPeer, kStart + absl::Seconds(1));
  EXPECT_FALSE(guard.Blocked(kPeer, kStart + absl::Seconds(2)).has_value());
  guard.RecordRefusal(kPeer, kStart + absl::Seconds(2));
  std::optional<absl::Duration> left =
      guard.Blocked(kPeer, kStart + absl::Seconds(12));
  ASSERT_TRUE(left.has_value());
  EXPECT_EQ(*left, absl::Seconds(20));
  // Other connections are not affected; the block ends after the cooldown.
  EXPECT_FALSE(guard.Blocked("ipv4:127.0.0.1:40001", kStart).has_value());
  EXPECT_FALSE(guard.Blocked(kPeer, kStart + absl::Seconds(33)).has_value());
}

TEST(AbuseGuardTest, RefusalsOutsideTheWindowDoNotAddUp) {
  AbuseGuard guard(3, absl::Seconds(10), absl::Seconds(30));
  guard.RecordRefusal(kPeer, kStart);
  guard.RecordRefusal(kPeer, kStart + absl::Seconds(1));
  guard.RecordRefusal(kPeer, kStart + absl::Seconds(20));  // new window
  EXPECT_FALSE(guard.Blocked(kPeer, kStart + absl::Seconds(21)).has_value());
}

TEST(AbuseGuardTest, UnixSocketPeersAndADisabledGuardAreNotTracked) {
  AbuseGuard guard(1, absl::Seconds(10), absl::Seconds(30));
  guard.RecordRefusal("unix:/tmp/agent.sock", kStart);
  EXPECT_FALSE(guard.Blocked("unix:/tmp/agent.sock", kStart).has_value());
  AbuseGuard disabled(0, absl::Seconds(10), absl::Seconds(30));
  disabled.RecordRefusal(kPeer, kStart);
  EXPECT_FALSE(disabled.Blocked(kPeer, kStart).has_value());
}

}  // namespace
}  // namespace simulator_internal
}  // namespace executor_runtime
