// AbuseGuard: remembers which connections keep sending refused calls and
// turns them away for a while.
//
// A refused call ends only its own stream; without this, one connection
// could open streams and guess tokens (or send foreign updates) forever.
// After `max_refusals` refused calls from one TCP peer ("ipv4:a.b.c.d:port",
// so one connection) within `window`, every new stream from that peer is
// refused for `cooldown`. Unix-socket peers are not told apart by gRPC, so
// they are not tracked (the simulator's sockets are owner-only).
//
// Thread-safety: thread-safe.
#ifndef SIMULATOR_INTERNAL_ABUSE_GUARD_H_
#define SIMULATOR_INTERNAL_ABUSE_GUARD_H_

#include <optional>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace executor_runtime {
namespace simulator_internal {

class AbuseGuard {
 public:
  AbuseGuard(int max_refusals, absl::Duration window, absl::Duration cooldown)
      : max_refusals_(max_refusals), window_(window), cooldown_(cooldown) {}

  // How much longer `peer` is turned away, or nullopt if it may connect.
  std::optional<absl::Duration> Blocked(const std::string& peer,
                                        absl::Time now = absl::Now());

  // Counts a refused call from `peer`.
  void RecordRefusal(const std::string& peer, absl::Time now = absl::Now());

 private:
  struct Entry {
    int refusals = 0;
    absl::Time window_start;
    absl::Time blocked_until = absl::InfinitePast();
  };
  static bool Tracked(const std::string& peer);
  void PruneLocked(absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // ---- Constant after construction ----
  const int max_refusals_;
  const absl::Duration window_;
  const absl::Duration cooldown_;

  absl::Mutex mu_;
  absl::flat_hash_map<std::string, Entry> entries_ ABSL_GUARDED_BY(mu_);
};

}  // namespace simulator_internal
}  // namespace executor_runtime

#endif  // SIMULATOR_INTERNAL_ABUSE_GUARD_H_
