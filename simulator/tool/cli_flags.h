// Command-line helpers shared by agent_simulator and agent_simulator_ctl.
//
// - Flag names may be written with dashes or underscores ("--task-data" ==
//   "--task_data"): NormalizeFlagNames rewrites argv before absl parses it.
// - DurationFlag: an absl flag type that accepts both absl ("1.5s",
//   "250ms", "2m") and Mesos ("5secs", "2mins") duration formats.
// - RepeatedFlagValues: every value of a flag given several times
//   ("--executor_arg=a --executor_arg=b"), in order.
//
// Thread-safety: pure functions; call before starting threads.
#ifndef SIMULATOR_TOOL_CLI_FLAGS_H_
#define SIMULATOR_TOOL_CLI_FLAGS_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace executor_runtime {

struct DurationFlag {
  DurationFlag() = default;
  explicit DurationFlag(absl::Duration d) : value(d) {}
  absl::Duration value = absl::ZeroDuration();
};

bool AbslParseFlag(absl::string_view text, DurationFlag* flag,
                   std::string* error);
std::string AbslUnparseFlag(const DurationFlag& flag);

// Returns argv with "--a-b=c" rewritten to "--a_b=c" (values untouched;
// nothing after a bare "--").
std::vector<std::string> NormalizeFlagNames(int argc, char** argv);

// Values of "--name=value" / "--name value" occurrences in normalized
// `args`, in order.
std::vector<std::string> RepeatedFlagValues(
    const std::vector<std::string>& args, absl::string_view name);

// char* views of `args` for absl::ParseCommandLine (valid while `args`
// lives).
std::vector<char*> ArgvPointers(std::vector<std::string>& args);

}  // namespace executor_runtime

#endif  // SIMULATOR_TOOL_CLI_FLAGS_H_
