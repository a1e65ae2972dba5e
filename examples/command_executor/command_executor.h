// CommandExecutor: an EventHandler that runs each task's CommandInfo as a
// child process (see task_runner.h) and reports its life as status updates.
//
// Status updates, per task:
//   - invalid task (no CommandInfo, empty command, a task ID that cannot
//     name a directory, a secret variable): TASK_ERROR, REASON_TASK_INVALID;
//   - otherwise TASK_STARTING, then
//       - the command could not be started (unknown user, program not in
//         PATH, exec failed): TASK_FAILED, REASON_CONTAINER_LAUNCH_FAILED,
//         with the reason ("cannot execute '/x': No such file or directory");
//       - KILL (or SHUTDOWN) before the exec was confirmed: TASK_KILLED,
//         REASON_TASK_KILLED_DURING_LAUNCH;
//       - else TASK_RUNNING (its message carries warnings, e.g. an ignored
//         `user`), then TASK_FINISHED (exit status 0), TASK_FAILED ("exited
//         with status N" / "terminated by signal SIGNAME") or, after a KILL,
//         TASK_KILLED.
//   - TASK_KILLING is sent on KILL of a running task when the framework
//     advertised the TASK_KILLING_STATE capability.
// KILL: SIGTERM to the task's process group, SIGKILL after the grace period
// (the KILL event's kill policy, else TaskInfo.kill_policy, else
// default_kill_grace_period). SHUTDOWN kills every task the same way, with
// grace periods capped at half the executor's shutdown grace period, and is
// complete once every task's terminal update was handed to the sender.
//
//   CommandExecutor executor(options);
//   ExecutorDriver driver(&executor, driver_options);
//   executor.SetUpdateSender([&driver](const mesos::TaskStatus& status) {
//     return driver.SendStatusUpdate(status);
//   });
//   driver.Start();
//   if (executor.AwaitFinished() == FinishReason::kShutdownComplete)
//   driver.Stop();
//
// Thread-safety: all methods are thread-safe. Handler methods never wait
// for a child process; updates are sent from the driver's callback thread
// and from the task runner's monitor thread, in a consistent order per task
// (each task's updates are sent under one lock). The `driver` argument of
// the handler methods is not used (tests pass nullptr).
#ifndef EXAMPLES_COMMAND_EXECUTOR_COMMAND_EXECUTOR_H_
#define EXAMPLES_COMMAND_EXECUTOR_COMMAND_EXECUTOR_H_

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "api/mesos/mesos.pb.h"
#include "driver/event_handler.h"
#include "examples/command_executor/task_runner.h"

namespace executor_runtime {
namespace command_executor {

struct CommandExecutorOptions {
  // Each task runs in <sandbox_root>/tasks/<task ID>/ (created on launch).
  std::string sandbox_root;
  // Used when neither the KILL event nor the TaskInfo has a kill policy.
  absl::Duration default_kill_grace_period = absl::Seconds(3);
  // The executor's shutdown grace period
  // (MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD).
  absl::Duration shutdown_grace_period = absl::Seconds(5);
  // Switch to CommandInfo.user (the executor must run as root); when false
  // the user is ignored with a warning in TASK_RUNNING's message.
  bool honor_user = false;
  // The environment tasks inherit; when unset, this process's environment
  // at the time of each launch.
  std::optional<std::map<std::string, std::string>> base_environment;
};

enum class FinishReason {
  kShutdownComplete,  // SHUTDOWN handled: every task ended and was reported
  kDriverError,       // Error() was called (the driver aborted)
  kDriverEnded,       // NotifyDriverEnded() was called
};

class CommandExecutor : public EventHandler {
 public:
  using UpdateSender = std::function<absl::Status(const mesos::TaskStatus&)>;

  explicit CommandExecutor(CommandExecutorOptions options);
  // Close()s.
  ~CommandExecutor() override;

  // Where status updates go (ExecutorDriver::SendStatusUpdate in
  // production). Set it before the driver starts.
  void SetUpdateSender(UpdateSender sender);

  // ---- EventHandler ------------------------------------------------------
  void Subscribed(ExecutorDriver* driver,
                  const mesos::executor::Event::Subscribed& subscribed,
                  bool resubscribed) override;
  void Disconnected(ExecutorDriver* driver) override;
  void Launch(ExecutorDriver* driver, const mesos::TaskInfo& task) override;
  void Kill(ExecutorDriver* driver, const mesos::TaskID& task_id,
            const mesos::KillPolicy& kill_policy) override;
  void Message(ExecutorDriver* driver, const std::string& data) override;
  void Shutdown(ExecutorDriver* driver) override;
  void Error(ExecutorDriver* driver, const std::string& message) override;

  // ---- For main() and tests ---------------------------------------------

  // Blocks until the executor is finished (see FinishReason).
  FinishReason AwaitFinished();
  // The same with a deadline; nullopt if it passed.
  std::optional<FinishReason> AwaitFinished(absl::Duration timeout);
  // Wakes AwaitFinished() when the driver stopped on its own.
  void NotifyDriverEnded();
  // The message of Error(), if it was called.
  std::string error() const;
  // Tasks launched and not yet ended.
  size_t active_tasks() const;

  // Kills every remaining task (SIGKILL) and waits until they are reaped.
  // Updates produced from now on are logged, not sent: call it before the
  // driver behind the sender is destroyed. Idempotent.
  void Close();

 private:
  struct Task {
    std::optional<absl::Duration> kill_grace_period;  // TaskInfo.kill_policy
    std::vector<std::string> warnings;
    bool running = false;       // TASK_RUNNING sent
    bool killing_sent = false;  // TASK_KILLING sent
    bool shutdown_kill = false;
  };

  void OnStarted(const std::string& task_id);
  void OnExited(const TaskExit& exit);

  void SendLocked(const std::string& task_id, mesos::TaskState state,
                  const std::string& message,
                  std::optional<mesos::TaskStatus::Reason> reason = {})
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void FinishLocked(FinishReason reason) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  std::string TaskDirectory(const std::string& task_id) const;

  // Constant after construction.
  const CommandExecutorOptions options_;

  mutable absl::Mutex mu_;
  UpdateSender sender_ ABSL_GUARDED_BY(mu_);
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
  bool task_killing_capable_ ABSL_GUARDED_BY(mu_) = false;
  bool shutting_down_ ABSL_GUARDED_BY(mu_) = false;
  std::optional<FinishReason> finished_ ABSL_GUARDED_BY(mu_);
  std::string error_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, Task> tasks_ ABSL_GUARDED_BY(mu_);
  std::set<std::string> ended_tasks_ ABSL_GUARDED_BY(mu_);
  // Reset by Close(), outside mu_ (its callbacks take mu_).
  std::unique_ptr<TaskRunner> runner_ ABSL_GUARDED_BY(mu_);
};

}  // namespace command_executor
}  // namespace executor_runtime

#endif  // EXAMPLES_COMMAND_EXECUTOR_COMMAND_EXECUTOR_H_
