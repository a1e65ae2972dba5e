// Helpers shared by this package's tests: temporary directories, reading
// files, waiting for a condition, and finding leftover child processes.
//
// Thread-safety: plain functions; safe to call from any thread.
#ifndef EXAMPLES_COMMAND_EXECUTOR_TEST_UTIL_H_
#define EXAMPLES_COMMAND_EXECUTOR_TEST_UTIL_H_

#include <sys/types.h>

#include <functional>
#include <string>
#include <vector>

#include "absl/time/time.h"

namespace executor_runtime {
namespace command_executor {
namespace testing {

// A fresh directory under $TEST_TMPDIR (or /tmp).
std::string MakeTempDir();

// The whole file, or "" if it cannot be read.
std::string ReadFileOrEmpty(const std::string& path);

// Re-checks `condition` every few milliseconds until it holds or `timeout`
// passes; returns whether it held. For conditions no one can signal (a file
// appearing, a process disappearing).
bool Eventually(const std::function<bool()>& condition,
                absl::Duration timeout = absl::Seconds(10));

// True if this process has any child, zombie or not (waitid WNOWAIT; reaps
// nothing).
bool HasAnyChild();

// The processes (zombies included) whose parent is `pid`, from /proc.
std::vector<pid_t> ChildrenOf(pid_t pid);

// True if `pid` no longer exists or is a zombie (it is dead either way).
bool ProcessIsGone(pid_t pid);

}  // namespace testing
}  // namespace command_executor
}  // namespace executor_runtime

#endif  // EXAMPLES_COMMAND_EXECUTOR_TEST_UTIL_H_
