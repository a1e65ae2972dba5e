// ProcessMonitor: notices when watched processes end. Our own children are
// reaped with waitpid(WNOHANG), so they never linger as zombies; processes
// that are not our children (executors adopted from a checkpoint after a
// restart) are probed through /proc and kill(pid, 0), and a recorded start
// time guards against pid reuse.
//
//   ProcessMonitor monitor;
//   monitor.Watch(pid, start_time, /*is_child=*/true,
//                 [](const ProcessExit& exit) { ... });
//
// Thread-safety: all methods are thread-safe. Callbacks run on the
// monitor's own thread, one at a time, with no monitor lock held; they may
// call Watch()/Unwatch(). No callback runs after the destructor returns.
#ifndef SIMULATOR_LAUNCHER_PROCESS_MONITOR_H_
#define SIMULATOR_LAUNCHER_PROCESS_MONITOR_H_

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "absl/time/time.h"

namespace executor_runtime {

struct ProcessExit {
  pid_t pid = -1;
  // True when we reaped the process ourselves and know its wait status.
  bool status_known = false;
  int wait_status = 0;
  // "exited with status 1", "killed by signal 9 (Killed)", or "exited
  // (not our child: status unknown)".
  std::string description;
};

class ProcessMonitor {
 public:
  explicit ProcessMonitor(
      absl::Duration poll_interval = absl::Milliseconds(20));
  ~ProcessMonitor();
  ProcessMonitor(const ProcessMonitor&) = delete;
  ProcessMonitor& operator=(const ProcessMonitor&) = delete;

  // Calls `on_exit` once when `pid` ends. `start_time` (0 = unknown) is from
  // ProcessStartTime(); `is_child` says whether waitpid() applies.
  void Watch(pid_t pid, uint64_t start_time, bool is_child,
             std::function<void(const ProcessExit&)> on_exit);
  // Stops watching `pid` (no callback).
  void Unwatch(pid_t pid);
  // Number of processes watched.
  size_t size() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace executor_runtime

#endif  // SIMULATOR_LAUNCHER_PROCESS_MONITOR_H_
