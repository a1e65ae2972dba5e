#include "simulator/launcher/process_monitor.h"

#include <errno.h>
#include <sys/wait.h>

#include <map>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "simulator/launcher/process_launcher.h"

namespace executor_runtime {

class ProcessMonitor::Impl {
 public:
  explicit Impl(absl::Duration poll_interval) : poll_interval_(poll_interval) {
    thread_ = std::thread([this] { Run(); });
  }

  ~Impl() {
    {
      absl::MutexLock lock(&mu_);
      stopping_ = true;
    }
    thread_.join();
  }

  void Watch(pid_t pid, uint64_t start_time, bool is_child,
             std::function<void(const ProcessExit&)> on_exit) {
    absl::MutexLock lock(&mu_);
    watched_[pid] = Watched{start_time, is_child, std::move(on_exit)};
  }

  void Unwatch(pid_t pid) {
    absl::MutexLock lock(&mu_);
    watched_.erase(pid);
  }

  size_t size() const {
    absl::MutexLock lock(&mu_);
    return watched_.size();
  }

 private:
  struct Watched {
    uint64_t start_time;
    bool is_child;
    std::function<void(const ProcessExit&)> on_exit;
  };

  void Run() {
    while (true) {
      std::vector<std::pair<pid_t, Watched>> candidates;
      {
        absl::MutexLock lock(&mu_);
        auto stop = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
          return stopping_;
        };
        mu_.AwaitWithTimeout(absl::Condition(&stop), poll_interval_);
        if (stopping_) return;
        for (const auto& entry : watched_) candidates.push_back(entry);
      }
      for (auto& [pid, watched] : candidates) {
        ProcessExit exit;
        exit.pid = pid;
        if (!Ended(pid, watched, &exit)) continue;
        {
          absl::MutexLock lock(&mu_);
          // Unwatched meanwhile: no callback.
          if (watched_.erase(pid) == 0) continue;
        }
        watched.on_exit(exit);
      }
    }
  }

  static bool Ended(pid_t pid, const Watched& watched, ProcessExit* exit) {
    if (watched.is_child) {
      int status = 0;
      pid_t reaped = waitpid(pid, &status, WNOHANG);
      if (reaped == pid) {
        exit->status_known = true;
        exit->wait_status = status;
        exit->description = DescribeWaitStatus(status);
        return true;
      }
      if (reaped == 0) return false;
      if (errno != ECHILD) return false;
      // Not (or no longer) our child: probe it like an adopted process.
    }
    ProcessLiveness liveness = ProbeProcess(pid, watched.start_time);
    if (liveness == ProcessLiveness::kRunning) return false;
    exit->description = "exited (not our child: status unknown)";
    return true;
  }

  const absl::Duration poll_interval_;
  mutable absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::map<pid_t, Watched> watched_ ABSL_GUARDED_BY(mu_);
  std::thread thread_;
};

ProcessMonitor::ProcessMonitor(absl::Duration poll_interval)
    : impl_(std::make_unique<Impl>(poll_interval)) {}
ProcessMonitor::~ProcessMonitor() = default;

void ProcessMonitor::Watch(pid_t pid, uint64_t start_time, bool is_child,
                           std::function<void(const ProcessExit&)> on_exit) {
  impl_->Watch(pid, start_time, is_child, std::move(on_exit));
}
void ProcessMonitor::Unwatch(pid_t pid) { impl_->Unwatch(pid); }
size_t ProcessMonitor::size() const { return impl_->size(); }

}  // namespace executor_runtime
