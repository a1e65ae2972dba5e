// SeenUuids: the status update UUIDs an executor's updates were recorded
// under, so that a retransmission is acknowledged again but recorded once,
// with a bound on how long each UUID is kept.
//
// The bound (the "resubscription rule"). A driver retransmits only updates
// it has not seen acknowledged, and a new SUBSCRIBE lists ALL of them
// (Subscribe.unacknowledged_updates). So a UUID recorded before SUBSCRIBE k
// and not listed in it can never come back: the driver had its
// acknowledgement. Each UUID carries a generation: the number of the
// subscription it was last recorded or listed under (updates arriving
// between SUBSCRIBE k and k+1 get k; those listed in SUBSCRIBE k get k).
// At SUBSCRIBE k the set forgets every UUID whose generation is below k-1:
// one subscription later than the rule allows, which tolerates a client
// that retransmits right after resubscribing with a plain UPDATE instead
// of in its SUBSCRIBE (and updates restored after an agent restart, which
// start at generation 0). Memory is thus bounded by what was recorded over
// the last two subscriptions, not by the executor's life.
//
// Within one long subscription, acknowledgement receipts (docs/PROTOCOL.md)
// bound it further: once a driver says it received an acknowledgement, the
// agent erases that UUID, since the driver never sends it again.
//
// Thread-safety: none; AgentState guards it with its mutex.
#ifndef SIMULATOR_INTERNAL_SEEN_UUIDS_H_
#define SIMULATOR_INTERNAL_SEEN_UUIDS_H_

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"

namespace executor_runtime {
namespace simulator_internal {

// A validated (16-byte) UUID as a hash key: 8-byte aligned, so that a map
// slot with its generation takes 24 bytes, not 32.
struct UuidKey {
  uint64_t halves[2];

  static UuidKey Of(absl::string_view bytes) {
    UuidKey key;
    std::memcpy(key.halves, bytes.data(), sizeof(key.halves));
    return key;
  }
  bool operator==(const UuidKey& other) const {
    return halves[0] == other.halves[0] && halves[1] == other.halves[1];
  }
  template <typename H>
  friend H AbslHashValue(H state, const UuidKey& key) {
    return H::combine(std::move(state), key.halves[0], key.halves[1]);
  }
};

class SeenUuids {
 public:
  // Records `key` under `generation`: true if it is new; false for a UUID
  // already seen, whose generation is raised to `generation`.
  bool Insert(const UuidKey& key, uint32_t generation) {
    auto [it, inserted] = map_.try_emplace(key, generation);
    if (!inserted && it->second < generation) it->second = generation;
    return inserted;
  }
  void Erase(const UuidKey& key) { map_.erase(key); }
  // Room for `count` more without rehashing (so prefetches stay valid).
  void Reserve(size_t count) { map_.reserve(map_.size() + count); }
  void Prefetch(const UuidKey& key) const { map_.prefetch(key); }
  // Forgets every UUID of a generation below `oldest_kept`.
  void ForgetBefore(uint32_t oldest_kept);
  size_t size() const { return map_.size(); }
  size_t capacity() const { return map_.capacity(); }

 private:
  absl::flat_hash_map<UuidKey, uint32_t> map_;  // UUID -> generation
};

}  // namespace simulator_internal
}  // namespace executor_runtime

#endif  // SIMULATOR_INTERNAL_SEEN_UUIDS_H_
