#include "agent_shim/internal/recording_executor.h"

#include "absl/strings/match.h"

namespace executor_runtime {
namespace agent_shim {
namespace testing {

class RecordingExecutor::Scope {
 public:
  Scope(RecordingExecutor* executor, const std::string& entry)
      : executor_(executor) {
    absl::MutexLock lock(&executor_->mu_);
    if (++executor_->active_ > 1) executor_->concurrent_ = true;
    executor_->calls_.push_back(entry);
  }
  ~Scope() {
    absl::MutexLock lock(&executor_->mu_);
    --executor_->active_;
  }

 private:
  RecordingExecutor* executor_;
};

void RecordingExecutor::registered(mesos::ExecutorDriver*,
                                   const mesos::ExecutorInfo&,
                                   const mesos::FrameworkInfo&,
                                   const mesos::SlaveInfo& slave) {
  Scope scope(this, "registered:" + slave.id().value());
}

void RecordingExecutor::reregistered(mesos::ExecutorDriver*,
                                     const mesos::SlaveInfo& slave) {
  Scope scope(this, "reregistered:" + slave.id().value());
}

void RecordingExecutor::disconnected(mesos::ExecutorDriver*) {
  Scope scope(this, "disconnected");
}

void RecordingExecutor::launchTask(mesos::ExecutorDriver* driver,
                                   const mesos::TaskInfo& task) {
  Scope scope(this, "launchTask:" + task.task_id().value());
  if (on_launch) on_launch(driver, task);
}

void RecordingExecutor::killTask(mesos::ExecutorDriver* driver,
                                 const mesos::TaskID& task_id) {
  Scope scope(this, "killTask:" + task_id.value());
  if (on_kill) on_kill(driver, task_id);
}

void RecordingExecutor::frameworkMessage(mesos::ExecutorDriver* driver,
                                         const std::string& data) {
  Scope scope(this, "frameworkMessage:" + data);
  if (on_message) on_message(driver, data);
}

void RecordingExecutor::shutdown(mesos::ExecutorDriver* driver) {
  Scope scope(this, "shutdown");
  if (on_shutdown) on_shutdown(driver);
}

void RecordingExecutor::error(mesos::ExecutorDriver*,
                              const std::string& message) {
  Scope scope(this, "error:" + message);
}

std::vector<std::string> RecordingExecutor::Calls() const {
  absl::MutexLock lock(&mu_);
  return calls_;
}

size_t RecordingExecutor::Count(const std::string& prefix) const {
  absl::MutexLock lock(&mu_);
  size_t n = 0;
  for (const std::string& call : calls_) n += absl::StartsWith(call, prefix);
  return n;
}

bool RecordingExecutor::WaitForCount(const std::string& prefix, size_t n,
                                     absl::Duration timeout) const {
  auto enough = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    size_t count = 0;
    for (const std::string& call : calls_) {
      count += absl::StartsWith(call, prefix);
    }
    return count >= n;
  };
  absl::MutexLock lock(&mu_);
  return mu_.AwaitWithTimeout(absl::Condition(&enough), timeout);
}

bool RecordingExecutor::SawConcurrentCallbacks() const {
  absl::MutexLock lock(&mu_);
  return concurrent_;
}

}  // namespace testing
}  // namespace agent_shim
}  // namespace executor_runtime
