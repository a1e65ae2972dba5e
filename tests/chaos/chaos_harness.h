// Process plumbing for the chaos soak: a reaper for every child and orphan
// of the test (the test becomes a child subreaper, so executors orphaned by
// a SIGKILLed simulator are reparented to it and their exit statuses are
// known), and `agent_simulator --serve` as a process that can be SIGKILLed
// and started again on the same work dir.
//
// Thread-safety: Reaper is thread-safe. SimulatorProcess is for one thread.
#ifndef TESTS_CHAOS_CHAOS_HARNESS_H_
#define TESTS_CHAOS_CHAOS_HARNESS_H_

#include <sys/types.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace executor_runtime {
namespace chaos {

// Reaps every process that exits while being our child (our own children
// and, as a subreaper, orphaned descendants). Exit codes: N for exit(N),
// -S for signal S.
class Reaper {
 public:
  Reaper();   // sets PR_SET_CHILD_SUBREAPER and starts the reaping thread
  ~Reaper();  // stops the thread

  struct Exit {
    int code = 0;
    absl::Time when;
  };
  // The exit of `pid`, if it was reaped.
  std::optional<Exit> Find(pid_t pid) const;
  // Waits until `pid` was reaped or `timeout` passed.
  std::optional<Exit> Wait(pid_t pid, absl::Duration timeout) const;
  // Forgets an exit of `pid` reaped before `before` (call when a new
  // process, forked after `before`, got a recycled pid).
  void Forget(pid_t pid, absl::Time before);

 private:
  void Loop();
  mutable absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::map<pid_t, Exit> exits_ ABSL_GUARDED_BY(mu_);
  std::thread thread_;
};

// $TEST_SRCDIR/executor_runtime/<relative>.
std::string Runfile(const std::string& relative);

// agent_simulator --serve with its sockets and work dir in `dir`.
class SimulatorProcess {
 public:
  SimulatorProcess(Reaper* reaper, std::string binary, std::string dir,
                   std::vector<std::string> flags);
  ~SimulatorProcess();  // SIGKILLs a running simulator

  // Starts it (again) and waits until its ready file appears. False with
  // the reason if it exited or was not ready within `timeout`.
  bool Start(absl::Duration timeout, std::string* error);
  // SIGKILL, then waits for it to be reaped. False if it had already
  // exited by itself (a crash), with its exit code in `code`.
  bool Kill(int* code);
  // True while the current incarnation has not exited.
  bool Running() const;
  // Waits for the current incarnation to exit; its code, or nullopt.
  std::optional<int> WaitExit(absl::Duration timeout);

  pid_t pid() const { return pid_; }
  int starts() const { return starts_; }
  std::string control_target() const {
    return "unix:" + dir_ + "/control.sock";
  }
  std::string work_dir() const { return dir_ + "/work"; }
  // Stderr of incarnation n (1-based), the last `max_bytes`.
  std::string Stderr(int n, size_t max_bytes = 4000) const;

 private:
  Reaper* const reaper_;
  const std::string binary_;
  const std::string dir_;
  const std::vector<std::string> flags_;
  pid_t pid_ = -1;
  int starts_ = 0;
};

// Reads a whole file ("" if it cannot).
std::string ReadFile(const std::string& path);

}  // namespace chaos
}  // namespace executor_runtime

#endif  // TESTS_CHAOS_CHAOS_HARNESS_H_
