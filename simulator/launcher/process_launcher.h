// Starting executor processes the way an agent does: fork/exec in a new
// process group, working directory = sandbox, stdout/stderr redirected to
// files in the sandbox, a given environment (see executor_environment.h).
//
//   LaunchRequest request;
//   request.path = "/path/to/executor";
//   request.sandbox_directory = "/tmp/work/sandboxes/e1";
//   request.environment = BuildExecutorEnvironment(env, CurrentEnvironment());
//   absl::StatusOr<LaunchedProcess> process = LaunchProcess(request);
//
// Thread-safety: functions are safe to call from any thread; the child does
// only async-signal-safe work between fork and exec.
#ifndef SIMULATOR_LAUNCHER_PROCESS_LAUNCHER_H_
#define SIMULATOR_LAUNCHER_PROCESS_LAUNCHER_H_

#include <sys/types.h>

#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace executor_runtime {

struct LaunchRequest {
  std::string path;               // executable; must exist and be executable
  std::vector<std::string> args;  // argv[1..]; argv[0] is `path`
  std::map<std::string, std::string> environment;  // the whole environment
  // Created (with parents, mode 0755) if missing; the child's working
  // directory; receives the files "stdout" and "stderr".
  std::string sandbox_directory;
};

struct LaunchedProcess {
  pid_t pid = -1;
  pid_t process_group = -1;  // == pid: the child leads its own group
  // Start time of the process in clock ticks since boot (from
  // /proc/<pid>/stat), so that a recorded pid is not confused with a later
  // process that reuses it. 0 if unknown.
  uint64_t start_time = 0;
};

// Starts the process. Errors (the process is not started):
// INVALID_ARGUMENT for an empty path, NOT_FOUND if `path` does not exist,
// PERMISSION_DENIED if it is not an executable file, INTERNAL if the sandbox
// cannot be created or exec fails (the message names the path and errno).
absl::StatusOr<LaunchedProcess> LaunchProcess(const LaunchRequest& request);

// Creates `path` and its missing parents with `mode`.
absl::Status MakeDirectories(const std::string& path, mode_t mode);

// True for IDs safe to use as one path component: non-empty, at most 200
// characters of [A-Za-z0-9._-], not "." or "..".
bool IsSafePathComponent(absl::string_view id);

// The start time of `pid` from /proc (clock ticks since boot), or 0 if the
// process does not exist.
uint64_t ProcessStartTime(pid_t pid);

// How a process looks from outside (for processes that are not our
// children, e.g. after a restart): running, gone, or a zombie nobody reaped.
enum class ProcessLiveness { kRunning, kGone, kZombie };
ProcessLiveness ProbeProcess(pid_t pid, uint64_t expected_start_time);

// Sends `signal` to every process of the group. OK if the group is already
// gone.
absl::Status SignalProcessGroup(pid_t process_group, int signal);

// Describes a wait(2) status: "exited with status 3", "killed by signal 9".
std::string DescribeWaitStatus(int wait_status);

}  // namespace executor_runtime

#endif  // SIMULATOR_LAUNCHER_PROCESS_LAUNCHER_H_
