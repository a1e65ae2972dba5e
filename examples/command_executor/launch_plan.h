// LaunchPlan: everything needed to start one command task, worked out
// before fork() so that the child only runs async-signal-safe code.
//
// PlanLaunch() turns a mesos::CommandInfo into the program path, argv,
// environment and (optionally) the user to run as:
//   - shell (the default): /bin/sh -c <value>;
//   - shell = false: <value> is the program (searched in the task's PATH when
//     it has no '/'), and `arguments` is its whole argv, argv[0] included,
//     as in Mesos (execvp(value, arguments)); with no arguments argv is
//     {value};
//   - environment: the base environment, then MESOS_SANDBOX set to the task's
//     directory, then CommandInfo.environment (later entries win);
//   - user: honoured when `honor_user` (the executor runs as root); otherwise
//     ignored, with a warning in LaunchPlan::warnings.
//
// Thread-safety: pure functions (getpwnam_r/getgrouplist are reentrant).
#ifndef EXAMPLES_COMMAND_EXECUTOR_LAUNCH_PLAN_H_
#define EXAMPLES_COMMAND_EXECUTOR_LAUNCH_PLAN_H_

#include <sys/types.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "api/mesos/mesos.pb.h"

namespace executor_runtime {
namespace command_executor {

// The identity a task runs as.
struct Credentials {
  std::string name;
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> groups;  // supplementary groups, gid included
};

struct LaunchPlan {
  std::string task_id;
  // The task's sandbox: created if missing, becomes the child's working
  // directory and holds its `stdout` and `stderr` files.
  std::string directory;
  std::string program;              // the path handed to execve()
  std::vector<std::string> argv;    // argv[0] first
  std::vector<std::string> env;     // "NAME=value", one per variable
  std::optional<Credentials> user;  // run as this user (set*id in the child)
  // Things the task asked for that are not done (e.g. an ignored `user`).
  std::vector<std::string> warnings;

  std::string stdout_path() const { return directory + "/stdout"; }
  std::string stderr_path() const { return directory + "/stderr"; }
};

struct PlanOptions {
  std::string task_id;
  std::string directory;
  // The environment the task inherits (before MESOS_SANDBOX and the
  // CommandInfo's variables are applied).
  std::map<std::string, std::string> base_environment;
  // Switch to CommandInfo.user (needs root); when false `user` is ignored
  // with a warning.
  bool honor_user = false;
};

// INVALID_ARGUMENT for a command that cannot run (empty value, a variable
// without a name or with a secret), NOT_FOUND for an unknown user or a
// program not found in PATH. Messages name the offending field.
absl::StatusOr<LaunchPlan> PlanLaunch(const mesos::CommandInfo& command,
                                      const PlanOptions& options);

// The current process's environment as a map.
std::map<std::string, std::string> CurrentEnvironment();

// OK if `task_id` can name a directory (non-empty, not "." or "..", no '/',
// no NUL or other control characters); INVALID_ARGUMENT otherwise.
absl::Status ValidateTaskIdForPath(absl::string_view task_id);

}  // namespace command_executor
}  // namespace executor_runtime

#endif  // EXAMPLES_COMMAND_EXECUTOR_LAUNCH_PLAN_H_
