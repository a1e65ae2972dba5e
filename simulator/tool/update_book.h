// UpdateBook: the simulated framework's record of status updates, the
// source of truth for the control service and the one-shot summary. Each
// update (by UUID) is recorded once, across restarts: the book is seeded
// from the checkpoint, and every new update is appended to the checkpoint
// before it counts as recorded (AgentCore acknowledges only after that; see
// JournalAdapter in simulator.cc). Updates the agent itself generates
// (executor terminated, agent restarted) are recorded the same way.
//
// Thread-safety: thread-safe. Record() may be called under AgentCore's lock
// (from its journal hook): the book never calls into AgentCore or the
// Simulator.
#ifndef SIMULATOR_TOOL_UPDATE_BOOK_H_
#define SIMULATOR_TOOL_UPDATE_BOOK_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "api/mesos/mesos.pb.h"
#include "simulator/checkpoint/checkpoint_store.h"
#include "simulator/control/control.pb.h"
#include "util/task_state.h"

namespace executor_runtime {

class UpdateBook {
 public:
  // `store` (may be null: no checkpoint) must outlive the book. `recovered`
  // seeds the book (sequence numbers and UUIDs continue from it).
  UpdateBook(CheckpointStore* store,
             const std::vector<checkpoint::UpdateRecorded>& recovered);

  struct Entry {
    std::string framework_id;
    std::string executor_id;
    mesos::TaskStatus status;
    absl::Time recorded_at;
  };
  // Records the entries whose UUID was not seen before, in order,
  // checkpointing each first. On a checkpoint error, the entries before the
  // failing one stay recorded and the error is returned.
  absl::Status Record(const std::vector<Entry>& entries);

  // Recorded updates with sequence > `after`, at most `max`, in order.
  std::vector<control::UpdateRecord> After(uint64_t after, size_t max) const;
  // Waits until an update with sequence > `after` exists or `timeout`
  // passes; returns whether one exists.
  bool WaitForAfter(uint64_t after, absl::Duration timeout) const;

  uint64_t count() const;  // updates recorded (== last sequence)
  // The state of each task's most recent update, by task ID.
  std::map<std::string, mesos::TaskState> LatestStates() const;
  std::optional<mesos::TaskState> LatestState(const std::string& task_id) const;
  // How many tasks have each latest state (cheap: kept up to date).
  std::map<mesos::TaskState, int> StateCounts() const;

 private:
  CheckpointStore* const store_;
  mutable absl::Mutex mu_;
  std::vector<control::UpdateRecord> records_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_set<std::string> uuids_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, mesos::TaskState> latest_ ABSL_GUARDED_BY(mu_);
  std::map<mesos::TaskState, int> counts_ ABSL_GUARDED_BY(mu_);
  void SetLatestLocked(const mesos::TaskStatus& status)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
};

}  // namespace executor_runtime

#endif  // SIMULATOR_TOOL_UPDATE_BOOK_H_
