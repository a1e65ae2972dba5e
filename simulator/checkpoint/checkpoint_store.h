// CheckpointStore: the agent simulator's crash-safe memory in its work
// directory. Every executor launch, task launch, recorded status update and
// executor exit is appended as one CheckpointRecord to
// <dir>/checkpoint.log (a RecordLog: length + CRC per record, one write per
// record), before the simulator acts on it (for updates: before the
// acknowledgement is sent). Opening a directory replays the log into a
// RecoveredState.
//
// A work directory is used by one simulator at a time: Open() takes an
// exclusive lock (flock on <dir>/lock, released even on SIGKILL) and fails
// with FAILED_PRECONDITION if another process holds it.
//
//   absl::StatusOr<std::unique_ptr<CheckpointStore>> store =
//       CheckpointStore::Open("/var/tmp/sim");
//   const RecoveredState& state = (*store)->recovered();
//   (*store)->Append(record);
//
// Thread-safety: Append() is thread-safe; recovered() is constant after
// Open().
#ifndef SIMULATOR_CHECKPOINT_CHECKPOINT_STORE_H_
#define SIMULATOR_CHECKPOINT_CHECKPOINT_STORE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "simulator/checkpoint/checkpoint.pb.h"

namespace executor_runtime {

struct RecoveredExecutor {
  checkpoint::ExecutorLaunched launched;
  std::vector<mesos::TaskInfo> tasks;  // in launch order
  bool exited = false;
  std::string exit_description;
};

struct RecoveredState {
  std::string agent_id;                      // empty for a new work directory
  std::vector<RecoveredExecutor> executors;  // in launch order
  std::vector<checkpoint::UpdateRecorded> updates;  // in record order
  uint64_t records = 0;
  uint64_t dropped_tail_bytes = 0;  // a torn final record that was dropped
};

class CheckpointStore {
 public:
  // Opens (creating with mode 0700 if needed) the work directory `dir`,
  // locks it and recovers its log. Errors: FAILED_PRECONDITION if locked by
  // another process, DATA_LOSS for a corrupt log or a record that does not
  // parse (the message names the file and offset or record number),
  // INTERNAL for I/O errors. `sync`: fdatasync every record.
  static absl::StatusOr<std::unique_ptr<CheckpointStore>> Open(
      const std::string& dir, bool sync = false);
  ~CheckpointStore();
  CheckpointStore(const CheckpointStore&) = delete;
  CheckpointStore& operator=(const CheckpointStore&) = delete;

  const RecoveredState& recovered() const;
  const std::string& directory() const;

  // Appends one record durably (for the process: it is in the file when
  // this returns OK).
  absl::Status Append(const checkpoint::CheckpointRecord& record);

  // The path of the log inside `dir`.
  static std::string LogPath(const std::string& dir);

 private:
  class Impl;
  explicit CheckpointStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Folds records into a RecoveredState. DATA_LOSS for records that make no
// sense (a task or exit for an executor never launched).
absl::StatusOr<RecoveredState> ReplayCheckpoint(
    const std::vector<checkpoint::CheckpointRecord>& records);

}  // namespace executor_runtime

#endif  // SIMULATOR_CHECKPOINT_CHECKPOINT_STORE_H_
