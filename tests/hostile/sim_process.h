// Runs the agent simulator binary (//simulator/tool:agent_simulator) for the
// hostile tests: `--serve` with extra flags and environment, output to
// files, a ready file to wait for, SIGTERM to stop it.
//
// Thread-safety: one test thread.
#ifndef TESTS_HOSTILE_SIM_PROCESS_H_
#define TESTS_HOSTILE_SIM_PROCESS_H_

#include <sys/types.h>

#include <map>
#include <string>
#include <vector>

#include "absl/time/time.h"

namespace executor_runtime {
namespace hostile_test {

// A fresh mkdtemp directory under /tmp (short enough for socket paths),
// removed with its contents by the destructor.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& name) const {
    return path_ + "/" + name;
  }

 private:
  std::string path_;
};

std::string ReadFile(const std::string& path);
// "key=value" lines as a map.
std::map<std::string, std::string> ParseKeyValues(const std::string& text);

class SimulatorProcess {
 public:
  SimulatorProcess() = default;
  ~SimulatorProcess();  // SIGKILLs the simulator if still running.

  // Starts `agent_simulator --serve --ready_file=<dir>/ready <flags>` with
  // `env` added to the environment and the given umask, stdout and stderr
  // to <dir>/sim.out and <dir>/sim.err; waits for the ready file. False,
  // with the reason in `error`, if it exited or was not ready in 20 s.
  bool Start(const std::string& dir, const std::vector<std::string>& flags,
             const std::map<std::string, std::string>& env, mode_t umask_value,
             std::string* error);
  // The ready file's fields (agent_endpoint, control_endpoint, pid, ...).
  const std::map<std::string, std::string>& ready() const { return ready_; }
  // SIGTERM, then waits up to `timeout`; the exit code (-N for signal N,
  // -100 on timeout, after which it is SIGKILLed).
  int Stop(absl::Duration timeout = absl::Seconds(15));
  std::string Stderr() const;

 private:
  std::string dir_;
  pid_t pid_ = -1;
  std::map<std::string, std::string> ready_;
};

}  // namespace hostile_test
}  // namespace executor_runtime

#endif  // TESTS_HOSTILE_SIM_PROCESS_H_
