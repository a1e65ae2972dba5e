#include "examples/command_executor/task_runner.h"

#include <poll.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "examples/command_executor/child_process.h"
#include "util/logging.h"

namespace executor_runtime {
namespace command_executor {
namespace {

// Without pidfd support, exits are noticed by polling this often.
constexpr int kExitPollMillis = 20;

int OpenPidfd(pid_t pid) {
#ifdef SYS_pidfd_open
  return static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
#else
  return -1;
#endif
}

// True if `pid` has ended; leaves it a zombie (WNOWAIT) so that its process
// group ID cannot be reused while we clean the group up.
// ECHILD (someone else reaped it) also counts as ended.
bool HasEnded(pid_t pid) {
  siginfo_t info;
  std::memset(&info, 0, sizeof(info));
  if (waitid(P_PID, pid, &info, WEXITED | WNOHANG | WNOWAIT) != 0) {
    return errno == ECHILD;
  }
  return info.si_pid == pid;
}

// With SIGCHLD ignored (inheritable across exec) the kernel reaps children
// itself and their exit status is lost: restore the default.
void EnsureChildrenCanBeWaitedFor() {
  struct sigaction current;
  if (sigaction(SIGCHLD, nullptr, &current) == 0 &&
      current.sa_handler == SIG_IGN) {
    XRT_LOG(WARNING) << "SIGCHLD was ignored; restoring its default so that "
                        "task exit statuses can be collected";
    signal(SIGCHLD, SIG_DFL);
  }
}

}  // namespace

TaskRunner::TaskRunner(Callbacks callbacks) : callbacks_(std::move(callbacks)) {
  EnsureChildrenCanBeWaitedFor();
  wake_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (wake_fd_ < 0) {
    // Without it the monitor still polls (see MonitorLoop), only slower.
    XRT_LOG(WARNING) << "eventfd failed: " << std::strerror(errno);
  }
  monitor_ = std::thread([this] { MonitorLoop(); });
}

TaskRunner::~TaskRunner() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
    for (auto& [id, child] : children_) {
      XRT_LOG(WARNING) << "task " << id
                       << " still running at shutdown of the task runner: "
                          "killing its process group "
                       << child.pid;
      killpg(child.pid, SIGKILL);
      child.exit.sigkill_sent = true;
      child.sigkill_at.reset();
    }
  }
  Wake();
  monitor_.join();
  if (wake_fd_ >= 0) close(wake_fd_);
}

absl::Status TaskRunner::Start(const LaunchPlan& plan) {
  absl::MutexLock spawn_lock(&spawn_mu_);
  {
    absl::MutexLock lock(&mu_);
    if (stopping_) {
      return absl::FailedPreconditionError("the task runner is shutting down");
    }
    if (children_.count(plan.task_id) > 0) {
      return absl::AlreadyExistsError(
          absl::StrCat("task ", plan.task_id, " is already running"));
    }
  }
  absl::StatusOr<SpawnedChild> spawned = SpawnChild(plan);
  if (!spawned.ok()) return spawned.status();

  Child child;
  child.plan = plan;
  child.pid = spawned->pid;
  child.status_fd = spawned->status_fd;
  child.pidfd = OpenPidfd(spawned->pid);
  child.exit.task_id = plan.task_id;
  child.exit.pid = spawned->pid;
  {
    absl::MutexLock lock(&mu_);
    children_.emplace(plan.task_id, std::move(child));
  }
  Wake();
  return absl::OkStatus();
}

KillOutcome TaskRunner::Kill(const std::string& task_id, absl::Duration grace) {
  absl::MutexLock lock(&mu_);
  auto it = children_.find(task_id);
  if (it == children_.end()) return KillOutcome::kNotRunning;
  Child& child = it->second;
  if (child.exit.killed_before_start) return KillOutcome::kKilledBeforeStart;
  // The exec may have succeeded without the monitor having seen it yet.
  if (child.status_fd >= 0) ReadExecResultLocked(child, /*ended=*/false);
  if (!child.exit.launch_error.empty()) {
    return KillOutcome::kNotRunning;  // it never ran; on_exited says why
  }
  if (!child.started) {
    // Not confirmed running yet: nothing to be graceful with.
    child.exit.killed_before_start = true;
    child.exit.kill_requested = true;
    child.exit.sigkill_sent = true;
    killpg(child.pid, SIGKILL);
    Wake();
    return KillOutcome::kKilledBeforeStart;
  }
  if (!child.exit.kill_requested) {
    child.exit.kill_requested = true;
    killpg(child.pid, SIGTERM);
    killpg(child.pid, SIGCONT);  // a stopped group must see the SIGTERM
  }
  if (!child.exit.sigkill_sent) {
    absl::Time deadline = absl::Now() + std::max(grace, absl::ZeroDuration());
    if (!child.sigkill_at.has_value() || deadline < *child.sigkill_at) {
      child.sigkill_at = deadline;
    }
  }
  Wake();
  return KillOutcome::kTerminating;
}

size_t TaskRunner::live_count() const {
  absl::MutexLock lock(&mu_);
  return children_.size();
}

void TaskRunner::Wake() {
  if (wake_fd_ < 0) return;
  uint64_t one = 1;
  ssize_t ignored = write(wake_fd_, &one, sizeof(one));
  (void)ignored;
}

void TaskRunner::MonitorLoop() {
  std::vector<pollfd> fds;
  while (true) {
    fds.clear();
    if (wake_fd_ >= 0) fds.push_back({wake_fd_, POLLIN, 0});
    int timeout_ms = wake_fd_ >= 0 ? -1 : kExitPollMillis;
    {
      absl::MutexLock lock(&mu_);
      if (stopping_ && children_.empty()) return;
      absl::Time now = absl::Now();
      for (const auto& [id, child] : children_) {
        if (child.status_fd >= 0) fds.push_back({child.status_fd, POLLIN, 0});
        if (child.pidfd >= 0) {
          fds.push_back({child.pidfd, POLLIN, 0});
        } else {
          timeout_ms = timeout_ms < 0 ? kExitPollMillis
                                      : std::min(timeout_ms, kExitPollMillis);
        }
        if (child.sigkill_at.has_value()) {
          int64_t until = absl::ToInt64Milliseconds(
              absl::Ceil(*child.sigkill_at - now, absl::Milliseconds(1)));
          int wait = static_cast<int>(std::max<int64_t>(0, until));
          timeout_ms = timeout_ms < 0 ? wait : std::min(timeout_ms, wait);
        }
      }
    }
    int ready = poll(fds.data(), fds.size(), timeout_ms);
    if (ready < 0 && errno != EINTR) {
      XRT_LOG(ERROR) << "poll failed: " << std::strerror(errno);
    }
    if (wake_fd_ >= 0) {
      uint64_t count;
      ssize_t ignored = read(wake_fd_, &count, sizeof(count));
      (void)ignored;
    }
    std::vector<std::function<void()>> calls;
    {
      absl::MutexLock lock(&mu_);
      PollChildrenLocked(&calls);
    }
    for (std::function<void()>& call : calls) call();
  }
}

void TaskRunner::ReadExecResultLocked(Child& child, bool ended) {
  ExecResult result = ReadExecResult(child.status_fd, child.plan);
  if (!result.known && ended) {
    // Someone else holds the pipe's write end (a concurrent fork in another
    // library); the child is gone, so assume it did exec.
    result.known = true;
    result.succeeded = true;
  }
  if (!result.known) return;
  close(child.status_fd);
  child.status_fd = -1;
  if (!result.succeeded) {
    child.exit.launch_error = result.error;
  } else if (!child.exit.killed_before_start) {
    child.started = true;
  }
}

void TaskRunner::PollChildrenLocked(std::vector<std::function<void()>>* calls) {
  const absl::Time now = absl::Now();
  for (auto it = children_.begin(); it != children_.end();) {
    Child& child = it->second;
    const std::string& id = it->first;

    if (child.sigkill_at.has_value() && *child.sigkill_at <= now) {
      XRT_LOG(INFO) << "task " << id
                    << ": kill grace period over, sending SIGKILL";
      killpg(child.pid, SIGKILL);
      child.exit.sigkill_sent = true;
      child.sigkill_at.reset();
    }

    const bool ended = HasEnded(child.pid);
    if (child.status_fd >= 0) ReadExecResultLocked(child, ended);
    if (child.started && !child.start_reported) {
      child.start_reported = true;
      if (callbacks_.on_started) {
        calls->push_back([this, id = id, pid = child.pid] {
          callbacks_.on_started(id, pid);
        });
      }
    }

    if (!ended) {
      ++it;
      continue;
    }
    // The main process ended: clean up its group while the zombie still
    // holds the group ID, then reap it.
    killpg(child.pid, SIGKILL);
    int status = 0;
    pid_t reaped;
    while ((reaped = waitpid(child.pid, &status, 0)) < 0 && errno == EINTR) {
    }
    if (reaped != child.pid) {
      XRT_LOG(ERROR) << "task " << id << ": cannot collect the exit status of "
                     << child.pid << ": " << std::strerror(errno)
                     << "; reporting exit status 255";
      status = 255 << 8;
    }
    child.exit.wait_status = status;
    if (child.pidfd >= 0) close(child.pidfd);
    if (callbacks_.on_exited) {
      calls->push_back(
          [this, exit = child.exit] { callbacks_.on_exited(exit); });
    }
    it = children_.erase(it);
  }
}

}  // namespace command_executor
}  // namespace executor_runtime
