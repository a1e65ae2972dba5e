#include "simulator/internal/abuse_guard.h"

#include "absl/strings/match.h"

namespace executor_runtime {
namespace simulator_internal {
namespace {

// Above this many tracked peers, expired entries are dropped at once.
constexpr size_t kPruneAbove = 4096;

}  // namespace

bool AbuseGuard::Tracked(const std::string& peer) {
  return absl::StartsWith(peer, "ipv4:") || absl::StartsWith(peer, "ipv6:");
}

std::optional<absl::Duration> AbuseGuard::Blocked(const std::string& peer,
                                                  absl::Time now) {
  if (max_refusals_ <= 0 || !Tracked(peer)) return std::nullopt;
  absl::MutexLock lock(&mu_);
  auto it = entries_.find(peer);
  if (it == entries_.end() || it->second.blocked_until <= now) {
    return std::nullopt;
  }
  return it->second.blocked_until - now;
}

void AbuseGuard::RecordRefusal(const std::string& peer, absl::Time now) {
  if (max_refusals_ <= 0 || !Tracked(peer)) return;
  absl::MutexLock lock(&mu_);
  if (entries_.size() > kPruneAbove) PruneLocked(now);
  Entry& entry = entries_[peer];
  if (entry.refusals == 0 || now - entry.window_start > window_) {
    entry.refusals = 0;
    entry.window_start = now;
  }
  if (++entry.refusals >= max_refusals_) {
    entry.blocked_until = now + cooldown_;
    entry.refusals = 0;
  }
}

void AbuseGuard::PruneLocked(absl::Time now) {
  for (auto it = entries_.begin(); it != entries_.end();) {
    const Entry& entry = it->second;
    if (entry.blocked_until <= now && now - entry.window_start > window_) {
      entries_.erase(it++);
    } else {
      ++it;
    }
  }
}

}  // namespace simulator_internal
}  // namespace executor_runtime
