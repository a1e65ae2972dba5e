// TaskRunner: runs command tasks as child processes, each in its own process
// group, and watches them on one monitor thread: it learns whether the exec
// succeeded, reaps every child (never leaving a zombie), and escalates kills
// (SIGTERM to the process group, SIGKILL once the grace period passed).
//
//   TaskRunner runner({.on_started = ..., .on_exited = ...});
//   absl::StatusOr<LaunchPlan> plan = PlanLaunch(command, plan_options);
//   absl::Status started = runner.Start(*plan);
//   ...
//   runner.Kill("task-1", absl::Seconds(3));
//
// Lifecycle of a task in the runner: Start() forks; then, on the monitor
// thread, exactly one of
//   - on_started (the exec succeeded), later on_exited;
//   - on_exited with a launch_error (the exec or a step before it failed) or
//     with killed_before_start (Kill() came before the exec was confirmed).
// When a task's main process ends, whatever is left of its process group is
// SIGKILLed before the process is reaped, so no task leaves processes
// behind.
//
// The constructor restores SIGCHLD's default disposition if it was ignored
// (otherwise exit statuses are lost).
//
// Thread-safety: all methods are thread-safe. Callbacks run one at a time on
// the monitor thread, with no runner lock held; they may call Start() and
// Kill(). The destructor SIGKILLs every process group still running, waits
// for the monitor thread to reap them (their on_exited callbacks still run)
// and joins it; it must not be called from a callback.
#ifndef EXAMPLES_COMMAND_EXECUTOR_TASK_RUNNER_H_
#define EXAMPLES_COMMAND_EXECUTOR_TASK_RUNNER_H_

#include <sys/types.h>

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "examples/command_executor/launch_plan.h"

namespace executor_runtime {
namespace command_executor {

// How a task's process ended.
struct TaskExit {
  std::string task_id;
  pid_t pid = -1;
  // The command never ran: which step failed and why (e.g. "cannot execute
  // '/no/such': No such file or directory").
  std::string launch_error;
  // Kill() arrived before the exec was confirmed; the child was SIGKILLed.
  bool killed_before_start = false;
  bool kill_requested = false;  // Kill() was called for it
  bool sigkill_sent = false;    // the grace period ran out (or the runner is
                                // being destroyed)
  int wait_status = 0;          // as returned by waitpid()
};

enum class KillOutcome {
  kNotRunning,         // unknown task, or it already ended
  kKilledBeforeStart,  // still launching: SIGKILLed at once
  kTerminating,        // SIGTERM sent (now or earlier), SIGKILL scheduled
};

class TaskRunner {
 public:
  struct Callbacks {
    std::function<void(const std::string& task_id, pid_t pid)> on_started;
    std::function<void(const TaskExit& exit)> on_exited;
  };

  explicit TaskRunner(Callbacks callbacks);
  ~TaskRunner();
  TaskRunner(const TaskRunner&) = delete;
  TaskRunner& operator=(const TaskRunner&) = delete;

  // Starts `plan` (see child_process.h). Returns once the child exists;
  // callbacks follow. Errors: ALREADY_EXISTS if a task with that ID is still
  // running here, FAILED_PRECONDITION while the runner is being destroyed,
  // and SpawnChild()'s errors (then no callback follows).
  absl::Status Start(const LaunchPlan& plan);

  // Kills a task: SIGTERM to its process group, then SIGKILL once `grace`
  // passed (a second Kill() can only bring that moment closer). A task whose
  // exec is not yet confirmed is SIGKILLed at once.
  KillOutcome Kill(const std::string& task_id, absl::Duration grace);

  // Tasks started and not yet reported by on_exited.
  size_t live_count() const;

 private:
  struct Child {
    LaunchPlan plan;
    pid_t pid = -1;
    int pidfd = -1;        // -1 when pidfd_open is unavailable (then polled)
    int status_fd = -1;    // -1 once the exec result is known
    bool started = false;  // the exec succeeded
    bool start_reported = false;  // on_started was queued
    TaskExit exit;
    std::optional<absl::Time> sigkill_at;
  };

  void MonitorLoop();
  // One pass over the children: exec results, exits, due SIGKILLs.
  // Appends the callbacks to run (in order) to `calls`.
  void PollChildrenLocked(std::vector<std::function<void()>>* calls)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Reads the exec status pipe (if the result is there) and records it.
  void ReadExecResultLocked(Child& child, bool ended)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Wake();

  const Callbacks callbacks_;
  int wake_fd_ = -1;      // eventfd: wakes the monitor thread
  absl::Mutex spawn_mu_;  // serializes SpawnChild() (see child_process.h)

  mutable absl::Mutex mu_;
  std::map<std::string, Child> children_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;

  std::thread monitor_;  // last: started after everything above exists
};

}  // namespace command_executor
}  // namespace executor_runtime

#endif  // EXAMPLES_COMMAND_EXECUTOR_TASK_RUNNER_H_
