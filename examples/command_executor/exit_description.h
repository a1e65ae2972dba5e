// Human-readable descriptions of how a process ended, for status messages:
// "exited with status 3", "terminated by signal SIGKILL".
//
// Thread-safety: pure functions, safe to call concurrently.
#ifndef EXAMPLES_COMMAND_EXECUTOR_EXIT_DESCRIPTION_H_
#define EXAMPLES_COMMAND_EXECUTOR_EXIT_DESCRIPTION_H_

#include <string>

namespace executor_runtime {
namespace command_executor {

// "SIGTERM" for SIGTERM, ..., "signal 42" for a number without a name.
std::string SignalName(int signal);

// Describes a waitpid() status: "exited with status N" or "terminated by
// signal SIGNAME" (plus " (core dumped)" when it did).
std::string DescribeWaitStatus(int wait_status);

}  // namespace command_executor
}  // namespace executor_runtime

#endif  // EXAMPLES_COMMAND_EXECUTOR_EXIT_DESCRIPTION_H_
