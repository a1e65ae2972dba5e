#include "driver/internal/update_tracker.h"

#include <algorithm>
#include <cstring>
#include <utility>

namespace executor_runtime {
namespace driver_internal {

void UpdateTracker::Grow() {
  std::vector<Entry> bigger(ring_.empty() ? 64 : ring_.size() * 2);
  const uint64_t count = next_seq_ - front_seq_;
  for (uint64_t i = 0; i < count; ++i) {
    Entry& old = At(front_seq_ + i);
    bigger[i].update = std::move(old.update);
    bigger[i].acknowledged = old.acknowledged;
  }
  ring_ = std::move(bigger);
  mask_ = ring_.size() - 1;
  head_ = 0;
}

void UpdateTracker::AddBySwap(StampedUpdate* update) {
  if (next_seq_ - front_seq_ == ring_.size()) Grow();
  Entry& entry = At(next_seq_);
  entry.update.bytes.swap(update->bytes);
  entry.update.task_id.swap(update->task_id);
  entry.update.uuid.swap(update->uuid);
  entry.acknowledged = false;
  by_uuid_.emplace(Key(entry.update.uuid), next_seq_);
  ++next_seq_;
}

bool UpdateTracker::Acknowledge(absl::string_view task_id,
                                absl::string_view uuid) {
  if (uuid.size() != 16) return false;
  auto it = by_uuid_.find(Key(uuid));
  if (it == by_uuid_.end()) return false;
  const uint64_t seq = it->second;
  Entry& entry = At(seq);
  if (entry.update.task_id != task_id) return false;
  by_uuid_.erase(it);
  entry.acknowledged = true;
  if (seq < cursor_) --in_flight_;
  if (!tasks_.empty()) tasks_.erase(entry.update.task_id);
  // Kept as is: the slot's memory serves a later update (AddBySwap).
  while (front_seq_ < next_seq_ && At(front_seq_).acknowledged) {
    head_ = (head_ + 1) & mask_;
    ++front_seq_;
  }
  if (cursor_ < front_seq_) cursor_ = front_seq_;
  return true;
}

const StampedUpdate* UpdateTracker::NextUnsent() {
  while (cursor_ < next_seq_) {
    Entry& entry = At(cursor_);
    ++cursor_;
    if (!entry.acknowledged) {
      ++in_flight_;
      return &entry.update;
    }
  }
  return nullptr;
}

void UpdateTracker::StartStreamDeliverAll() {
  cursor_ = next_seq_;
  in_flight_ = by_uuid_.size();
}

void UpdateTracker::StartStreamDeliverNone() {
  cursor_ = front_seq_;
  in_flight_ = 0;
}

bool UpdateTracker::AddTask(const mesos::TaskInfo& task) {
  return tasks_.emplace(task.task_id().value(), task).second;
}

}  // namespace driver_internal
}  // namespace executor_runtime
