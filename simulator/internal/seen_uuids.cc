#include "simulator/internal/seen_uuids.h"

namespace executor_runtime {
namespace simulator_internal {

void SeenUuids::ForgetBefore(uint32_t oldest_kept) {
  if (oldest_kept == 0) return;
  absl::erase_if(map_, [oldest_kept](const auto& entry) {
    return entry.second < oldest_kept;
  });
  // A map that shrank a lot gives its memory back.
  if (map_.empty()) {
    absl::flat_hash_map<UuidKey, uint32_t>().swap(map_);
  } else if (map_.capacity() > 8 * map_.size() + 64) {
    map_.rehash(0);
  }
}

}  // namespace simulator_internal
}  // namespace executor_runtime
