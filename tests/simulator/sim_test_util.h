// Helpers for the agent simulator's end-to-end tests: find the binaries in
// the runfiles, run commands and capture their output, start
// `agent_simulator --serve` and drive it with `agent_simulator_ctl`.
//
// Thread-safety: for use from one test thread.
#ifndef TESTS_SIMULATOR_SIM_TEST_UTIL_H_
#define TESTS_SIMULATOR_SIM_TEST_UTIL_H_

#include <sys/types.h>

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/time/time.h"

namespace executor_runtime {
namespace simtest {

// $TEST_SRCDIR/executor_runtime/<relative>.
std::string Runfile(const std::string& relative);
std::string SimulatorBinary();  // simulator/tool/agent_simulator
std::string CtlBinary();        // simulator/tool/agent_simulator_ctl
std::string TestExecutor();     // tests/simulator/test_executor

// A fresh directory under /tmp (short paths, for Unix sockets), removed
// with everything in it by the destructor.
class ScratchDir {
 public:
  ScratchDir();
  ~ScratchDir();
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& name) const {
    return path_ + "/" + name;
  }

 private:
  std::string path_;
};

struct CommandResult {
  int exit_code = -1;  // -N: killed by signal N; -100: timed out
  std::string out;
  std::string err;
};

// Runs argv[0] with the arguments, waits up to `timeout`.
CommandResult RunCommand(const std::vector<std::string>& argv,
                         absl::Duration timeout = absl::Seconds(30));

// A started process whose output goes to files.
class Process {
 public:
  Process() = default;
  ~Process();  // SIGKILLs the process if still running
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  bool Start(const std::vector<std::string>& argv, const std::string& out_path,
             const std::string& err_path);
  pid_t pid() const { return pid_; }
  bool running() const { return pid_ > 0; }
  // Waits for exit; returns the exit code (or -signal), -100 on timeout.
  int Wait(absl::Duration timeout);
  // True if it has exited (reaping it).
  bool Exited();
  void Kill(int signal);

 private:
  pid_t pid_ = -1;
  int exit_code_ = -100;
};

// The fields of one "executor ..." line of `ctl list`, plus task states.
struct ExecutorLine {
  std::map<std::string, std::string> fields;  // pid, phase, subscriptions...
  std::map<std::string, std::string> tasks;   // task ID -> state
};
// Parses `ctl list` output: executor ID -> line.
std::map<std::string, ExecutorLine> ParseList(const std::string& out);

// One "update ..." line of `ctl updates`, as key=value fields.
std::vector<std::map<std::string, std::string>> ParseUpdates(
    const std::string& out);

// agent_simulator --serve in `dir`, with its sockets there.
class SimulatorProcess {
 public:
  explicit SimulatorProcess(std::string dir) : dir_(std::move(dir)) {}
  ~SimulatorProcess();

  // Starts it with --serve, the sockets in dir, a ready file and `extra`
  // flags; waits until it is ready. False (with the reason in `error`) if it
  // exited or was not ready within 20s.
  bool Start(const std::vector<std::string>& extra, std::string* error);
  std::string control_socket() const { return dir_ + "/control.sock"; }
  std::string agent_socket() const { return dir_ + "/agent.sock"; }
  Process& process() { return process_; }
  std::string Log() const;  // its stdout and stderr so far

  // agent_simulator_ctl --server=... args...
  CommandResult Ctl(const std::vector<std::string>& args,
                    absl::Duration timeout = absl::Seconds(20));
  std::map<std::string, ExecutorLine> List();
  std::vector<std::map<std::string, std::string>> Updates();
  // Polls List() until `condition` holds or `timeout` passes.
  bool WaitForList(
      const std::function<bool(const std::map<std::string, ExecutorLine>&)>&
          condition,
      absl::Duration timeout = absl::Seconds(20));
  // ctl stop, then waits for the process to exit; returns its exit code.
  int Stop();
  // SIGKILLs the process group of every executor still listed as running
  // (for cleanup after a test that killed the simulator).
  void KillExecutors(const std::map<std::string, ExecutorLine>& list);

 private:
  std::string dir_;
  Process process_;
  int starts_ = 0;
};

}  // namespace simtest
}  // namespace executor_runtime

#endif  // TESTS_SIMULATOR_SIM_TEST_UTIL_H_
