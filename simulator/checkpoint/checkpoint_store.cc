#include "simulator/checkpoint/checkpoint_store.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <map>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "simulator/checkpoint/record_log.h"

namespace executor_runtime {
namespace {

std::string Key(const std::string& framework_id,
                const std::string& executor_id) {
  return absl::StrCat(framework_id.size(), ":", framework_id, "/", executor_id);
}

}  // namespace

absl::StatusOr<RecoveredState> ReplayCheckpoint(
    const std::vector<checkpoint::CheckpointRecord>& records) {
  RecoveredState state;
  std::map<std::string, size_t> index;  // Key -> executors position
  uint64_t number = 0;
  for (const checkpoint::CheckpointRecord& record : records) {
    ++number;
    auto find = [&](const std::string& fw,
                    const std::string& ex) -> absl::StatusOr<size_t> {
      auto it = index.find(Key(fw, ex));
      if (it == index.end()) {
        return absl::DataLossError(
            absl::StrCat("checkpoint record ", number, " names executor ", ex,
                         " of framework ", fw, ", which was never launched"));
      }
      return it->second;
    };
    switch (record.record_case()) {
      case checkpoint::CheckpointRecord::kAgentStarted:
        state.agent_id = record.agent_started().agent_id();
        break;
      case checkpoint::CheckpointRecord::kExecutorLaunched: {
        const auto& launched = record.executor_launched();
        std::string key = Key(launched.framework_info().id().value(),
                              launched.executor_info().executor_id().value());
        auto it = index.find(key);
        if (it != index.end()) {
          // Relaunched under the same IDs after it exited.
          state.executors[it->second] = RecoveredExecutor{launched};
        } else {
          index[key] = state.executors.size();
          state.executors.push_back(RecoveredExecutor{launched});
        }
        break;
      }
      case checkpoint::CheckpointRecord::kTaskLaunched: {
        const auto& task = record.task_launched();
        absl::StatusOr<size_t> at =
            find(task.framework_id(), task.executor_id());
        if (!at.ok()) return at.status();
        state.executors[*at].tasks.push_back(task.task());
        break;
      }
      case checkpoint::CheckpointRecord::kUpdateRecorded:
        state.updates.push_back(record.update_recorded());
        break;
      case checkpoint::CheckpointRecord::kExecutorExited: {
        const auto& exited = record.executor_exited();
        absl::StatusOr<size_t> at =
            find(exited.framework_id(), exited.executor_id());
        if (!at.ok()) return at.status();
        state.executors[*at].exited = true;
        state.executors[*at].exit_description = exited.description();
        break;
      }
      case checkpoint::CheckpointRecord::RECORD_NOT_SET:
        return absl::DataLossError(
            absl::StrCat("checkpoint record ", number, " is empty"));
    }
  }
  state.records = number;
  return state;
}

class CheckpointStore::Impl {
 public:
  Impl(std::string dir, int lock_fd, RecoveredState recovered,
       std::unique_ptr<RecordLogWriter> writer)
      : dir_(std::move(dir)),
        lock_fd_(lock_fd),
        recovered_(std::move(recovered)),
        writer_(std::move(writer)) {}
  ~Impl() { close(lock_fd_); }

  absl::Status Append(const checkpoint::CheckpointRecord& record) {
    std::string payload;
    if (!record.SerializeToString(&payload)) {
      return absl::InternalError("cannot serialize checkpoint record");
    }
    absl::MutexLock lock(&mu_);
    return writer_->Append(payload);
  }

  const std::string dir_;
  const int lock_fd_;
  const RecoveredState recovered_;

 private:
  absl::Mutex mu_;
  std::unique_ptr<RecordLogWriter> writer_ ABSL_GUARDED_BY(mu_);
};

std::string CheckpointStore::LogPath(const std::string& dir) {
  return dir + "/checkpoint.log";
}

absl::StatusOr<std::unique_ptr<CheckpointStore>> CheckpointStore::Open(
    const std::string& dir, bool sync) {
  if (dir.empty()) return absl::InvalidArgumentError("empty work directory");
  if (mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return absl::InternalError(absl::StrCat("cannot create work directory ",
                                            dir, ": ", strerror(errno)));
  }
  struct stat st;
  if (stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return absl::InvalidArgumentError(
        absl::StrCat("work directory ", dir, " is not a directory"));
  }
  const std::string lock_path = dir + "/lock";
  int lock_fd = open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lock_fd < 0) {
    return absl::InternalError(
        absl::StrCat("cannot open ", lock_path, ": ", strerror(errno)));
  }
  if (flock(lock_fd, LOCK_EX | LOCK_NB) != 0) {
    close(lock_fd);
    return absl::FailedPreconditionError(absl::StrCat(
        "work directory ", dir, " is in use by another agent simulator"));
  }
  auto fail = [&](absl::Status status) {
    close(lock_fd);
    return status;
  };
  const std::string log_path = LogPath(dir);
  absl::StatusOr<RecordLogContents> contents = ReadRecordLog(log_path);
  if (!contents.ok()) return fail(contents.status());
  std::vector<checkpoint::CheckpointRecord> records;
  records.reserve(contents->records.size());
  for (size_t i = 0; i < contents->records.size(); ++i) {
    checkpoint::CheckpointRecord record;
    if (!record.ParseFromString(contents->records[i])) {
      return fail(absl::DataLossError(absl::StrCat(
          "checkpoint ", log_path, ": record ", i + 1,
          " passes its CRC but does not parse; refusing to recover from it")));
    }
    records.push_back(std::move(record));
  }
  absl::StatusOr<RecoveredState> state = ReplayCheckpoint(records);
  if (!state.ok()) {
    return fail(absl::DataLossError(
        absl::StrCat("checkpoint ", log_path, ": ", state.status().message())));
  }
  state->dropped_tail_bytes = contents->dropped_tail_bytes;
  absl::StatusOr<std::unique_ptr<RecordLogWriter>> writer =
      RecordLogWriter::Open(log_path, contents->valid_bytes, sync);
  if (!writer.ok()) return fail(writer.status());
  return std::unique_ptr<CheckpointStore>(
      new CheckpointStore(std::make_unique<Impl>(
          dir, lock_fd, *std::move(state), *std::move(writer))));
}

CheckpointStore::CheckpointStore(std::unique_ptr<Impl> impl)
    : impl_(std::move(impl)) {}
CheckpointStore::~CheckpointStore() = default;

const RecoveredState& CheckpointStore::recovered() const {
  return impl_->recovered_;
}
const std::string& CheckpointStore::directory() const { return impl_->dir_; }

absl::Status CheckpointStore::Append(
    const checkpoint::CheckpointRecord& record) {
  return impl_->Append(record);
}

}  // namespace executor_runtime
