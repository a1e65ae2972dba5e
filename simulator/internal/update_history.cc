#include "simulator/internal/update_history.h"

#include "util/logging.h"

namespace executor_runtime {
namespace simulator_internal {

StoredUpdate* UpdateHistory::Next() {
  if (limit_ == 0) return nullptr;
  if (slots_.size() < limit_) return &slots_.emplace_back();
  StoredUpdate* slot = &slots_[oldest_];
  oldest_ = oldest_ + 1 == slots_.size() ? 0 : oldest_ + 1;
  return slot;
}

std::vector<RecordedUpdate> UpdateHistory::Snapshot() const {
  std::vector<RecordedUpdate> records;
  records.reserve(slots_.size());
  for (size_t i = 0; i < slots_.size(); ++i) {
    const StoredUpdate& slot = slots_[(oldest_ + i) % slots_.size()];
    RecordedUpdate& record = records.emplace_back();
    record.sequence = slot.sequence;
    record.executor = slot.executor;
    record.recorded_at = slot.recorded_at;
    // The bytes were validated (or serialized from a valid status) when
    // recorded, so this cannot fail short of memory corruption.
    if (!record.status.ParsePartialFromString(slot.status_bytes)) {
      XRT_LOG(ERROR) << "recorded update " << slot.sequence
                     << " no longer parses as a TaskStatus";
    }
  }
  return records;
}

}  // namespace simulator_internal
}  // namespace executor_runtime
