// Starting one task's process: fork() + execve() from a LaunchPlan, in a
// new process group, with a pipe that tells the parent whether the exec
// succeeded.
//
// The child runs only async-signal-safe code between fork() and execve():
// it makes itself a process group leader, restores default signal handling
// and an empty signal mask, opens <directory>/stdout and <directory>/stderr
// (stdin is /dev/null), changes to the directory, switches user if the plan
// says so, and execs. If any step fails it writes (step, errno) to the
// status pipe and exits with status 127. The pipe is close-on-exec, so
// end-of-file without data means the exec succeeded (or the child died
// before reaching it).
//
// Thread-safety: SpawnChild() may be called from any thread; callers must
// serialize calls (TaskRunner does) so that no other child inherits the
// write end of a status pipe.
#ifndef EXAMPLES_COMMAND_EXECUTOR_CHILD_PROCESS_H_
#define EXAMPLES_COMMAND_EXECUTOR_CHILD_PROCESS_H_

#include <sys/types.h>

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "examples/command_executor/launch_plan.h"

namespace executor_runtime {
namespace command_executor {

struct SpawnedChild {
  pid_t pid = -1;  // also the process group ID
  // Read end of the exec status pipe (non-blocking, close-on-exec). Owned
  // by the caller.
  int status_fd = -1;
};

// Creates the plan's directory (mode 0755, parents included; chowned to the
// plan's user if any) and starts the child. Errors (the directory, pipe or
// fork failed) mean no child exists.
absl::StatusOr<SpawnedChild> SpawnChild(const LaunchPlan& plan);

// The result of reading a status pipe.
struct ExecResult {
  bool known = false;      // false: nothing to read yet (EAGAIN)
  bool succeeded = false;  // EOF without a failure report
  std::string error;       // on failure: which step failed and why
};

// Reads the status pipe once (non-blocking) and describes a failure with
// the plan's paths ("cannot execute '/bin/x': No such file or directory").
ExecResult ReadExecResult(int status_fd, const LaunchPlan& plan);

}  // namespace command_executor
}  // namespace executor_runtime

#endif  // EXAMPLES_COMMAND_EXECUTOR_CHILD_PROCESS_H_
