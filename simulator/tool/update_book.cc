#include "simulator/tool/update_book.h"

#include <algorithm>

namespace executor_runtime {

UpdateBook::UpdateBook(CheckpointStore* store,
                       const std::vector<checkpoint::UpdateRecorded>& recovered)
    : store_(store) {
  absl::MutexLock lock(&mu_);
  for (const checkpoint::UpdateRecorded& update : recovered) {
    control::UpdateRecord record;
    // Renumber densely: the log holds each sequence once, in order.
    record.set_sequence(records_.size() + 1);
    record.set_framework_id(update.framework_id());
    record.set_executor_id(update.executor_id());
    *record.mutable_status() = update.status();
    record.set_recorded_at(update.recorded_at());
    uuids_.insert(update.status().uuid());
    SetLatestLocked(update.status());
    records_.push_back(std::move(record));
  }
}

absl::Status UpdateBook::Record(const std::vector<Entry>& entries) {
  absl::MutexLock lock(&mu_);
  for (const Entry& entry : entries) {
    if (uuids_.contains(entry.status.uuid())) continue;  // seen: once only
    const uint64_t sequence = records_.size() + 1;
    const double recorded_at =
        absl::ToDoubleSeconds(entry.recorded_at - absl::UnixEpoch());
    if (store_ != nullptr) {
      checkpoint::CheckpointRecord record;
      checkpoint::UpdateRecorded* update = record.mutable_update_recorded();
      update->set_sequence(sequence);
      update->set_framework_id(entry.framework_id);
      update->set_executor_id(entry.executor_id);
      *update->mutable_status() = entry.status;
      update->set_recorded_at(recorded_at);
      absl::Status appended = store_->Append(record);
      if (!appended.ok()) return appended;
    }
    control::UpdateRecord record;
    record.set_sequence(sequence);
    record.set_framework_id(entry.framework_id);
    record.set_executor_id(entry.executor_id);
    *record.mutable_status() = entry.status;
    record.set_recorded_at(recorded_at);
    uuids_.insert(entry.status.uuid());
    SetLatestLocked(entry.status);
    records_.push_back(std::move(record));
  }
  return absl::OkStatus();
}

std::vector<control::UpdateRecord> UpdateBook::After(uint64_t after,
                                                     size_t max) const {
  absl::MutexLock lock(&mu_);
  std::vector<control::UpdateRecord> result;
  for (uint64_t i = after; i < records_.size() && result.size() < max; ++i) {
    result.push_back(records_[i]);
  }
  return result;
}

bool UpdateBook::WaitForAfter(uint64_t after, absl::Duration timeout) const {
  absl::MutexLock lock(&mu_);
  auto more = [this, after]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return records_.size() > after;
  };
  return mu_.AwaitWithTimeout(absl::Condition(&more), timeout);
}

void UpdateBook::SetLatestLocked(const mesos::TaskStatus& status) {
  auto [it, inserted] =
      latest_.emplace(status.task_id().value(), status.state());
  if (!inserted) {
    if (--counts_[it->second] == 0) counts_.erase(it->second);
    it->second = status.state();
  }
  ++counts_[status.state()];
}

std::map<mesos::TaskState, int> UpdateBook::StateCounts() const {
  absl::MutexLock lock(&mu_);
  return counts_;
}

uint64_t UpdateBook::count() const {
  absl::MutexLock lock(&mu_);
  return records_.size();
}

std::map<std::string, mesos::TaskState> UpdateBook::LatestStates() const {
  absl::MutexLock lock(&mu_);
  return latest_;
}

std::optional<mesos::TaskState> UpdateBook::LatestState(
    const std::string& task_id) const {
  absl::MutexLock lock(&mu_);
  auto it = latest_.find(task_id);
  if (it == latest_.end()) return std::nullopt;
  return it->second;
}

}  // namespace executor_runtime
