// A mesos::Executor for tests: records every callback, optionally runs a
// hook for launchTask/killTask/frameworkMessage/shutdown, and lets a test
// wait until some condition on the record holds.
//
// Thread-safety: callbacks and the query methods may run on any threads.
#ifndef AGENT_SHIM_INTERNAL_RECORDING_EXECUTOR_H_
#define AGENT_SHIM_INTERNAL_RECORDING_EXECUTOR_H_

#include <functional>
#include <mesos/executor.hpp>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace executor_runtime {
namespace agent_shim {
namespace testing {

class RecordingExecutor : public mesos::Executor {
 public:
  // Hooks run inside the callback (after it was recorded).
  std::function<void(mesos::ExecutorDriver*, const mesos::TaskInfo&)> on_launch;
  std::function<void(mesos::ExecutorDriver*, const mesos::TaskID&)> on_kill;
  std::function<void(mesos::ExecutorDriver*, const std::string&)> on_message;
  std::function<void(mesos::ExecutorDriver*)> on_shutdown;

  void registered(mesos::ExecutorDriver* driver, const mesos::ExecutorInfo&,
                  const mesos::FrameworkInfo&,
                  const mesos::SlaveInfo& slave) override;
  void reregistered(mesos::ExecutorDriver* driver,
                    const mesos::SlaveInfo& slave) override;
  void disconnected(mesos::ExecutorDriver* driver) override;
  void launchTask(mesos::ExecutorDriver* driver,
                  const mesos::TaskInfo& task) override;
  void killTask(mesos::ExecutorDriver* driver,
                const mesos::TaskID& task_id) override;
  void frameworkMessage(mesos::ExecutorDriver* driver,
                        const std::string& data) override;
  void shutdown(mesos::ExecutorDriver* driver) override;
  void error(mesos::ExecutorDriver* driver,
             const std::string& message) override;

  // Every callback so far, e.g. "registered:agent-1", "launchTask:t1",
  // "error:<message>".
  std::vector<std::string> Calls() const;
  size_t Count(const std::string& prefix) const;
  // Waits until Count(prefix) >= n; false after `timeout`.
  bool WaitForCount(const std::string& prefix, size_t n,
                    absl::Duration timeout = absl::Seconds(10)) const;
  // True if two callbacks ever overlapped.
  bool SawConcurrentCallbacks() const;

 private:
  // Records a callback for its duration.
  class Scope;

  mutable absl::Mutex mu_;
  std::vector<std::string> calls_ ABSL_GUARDED_BY(mu_);
  int active_ ABSL_GUARDED_BY(mu_) = 0;
  bool concurrent_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace testing
}  // namespace agent_shim
}  // namespace executor_runtime

#endif  // AGENT_SHIM_INTERNAL_RECORDING_EXECUTOR_H_
