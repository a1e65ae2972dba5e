#include "simulator/internal/update_history.h"

namespace executor_runtime {
namespace simulator_internal {

RecordedUpdate* UpdateHistory::Next() {
  if (limit_ == 0) return nullptr;
  if (slots_.size() < limit_) return &slots_.emplace_back();
  RecordedUpdate* slot = &slots_[oldest_];
  oldest_ = oldest_ + 1 == slots_.size() ? 0 : oldest_ + 1;
  return slot;
}

std::vector<RecordedUpdate> UpdateHistory::Snapshot() const {
  std::vector<RecordedUpdate> records;
  records.reserve(slots_.size());
  for (size_t i = 0; i < slots_.size(); ++i) {
    records.push_back(slots_[(oldest_ + i) % slots_.size()]);
  }
  return records;
}

}  // namespace simulator_internal
}  // namespace executor_runtime
