#include "tests/chaos/chaos_harness.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace executor_runtime {
namespace chaos {

Reaper::Reaper() {
  prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
  thread_ = std::thread([this] { Loop(); });
}

Reaper::~Reaper() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  thread_.join();
}

void Reaper::Loop() {
  while (true) {
    int status = 0;
    const pid_t pid = waitpid(-1, &status, WNOHANG);
    if (pid > 0) {
      Exit exit;
      exit.when = absl::Now();
      exit.code = WIFEXITED(status)     ? WEXITSTATUS(status)
                  : WIFSIGNALED(status) ? -WTERMSIG(status)
                                        : -99;
      absl::MutexLock lock(&mu_);
      exits_[pid] = exit;
      continue;
    }
    absl::MutexLock lock(&mu_);
    if (stopping_) return;
    mu_.AwaitWithTimeout(absl::Condition(&stopping_), absl::Milliseconds(5));
  }
}

std::optional<Reaper::Exit> Reaper::Find(pid_t pid) const {
  absl::MutexLock lock(&mu_);
  auto it = exits_.find(pid);
  if (it == exits_.end()) return std::nullopt;
  return it->second;
}

std::optional<Reaper::Exit> Reaper::Wait(pid_t pid,
                                         absl::Duration timeout) const {
  const absl::Time deadline = absl::Now() + timeout;
  absl::MutexLock lock(&mu_);
  auto reaped = [&]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
    return exits_.count(pid) > 0;
  };
  while (!reaped() && absl::Now() < deadline) {
    mu_.AwaitWithDeadline(absl::Condition(&reaped), deadline);
  }
  auto it = exits_.find(pid);
  if (it == exits_.end()) return std::nullopt;
  return it->second;
}

void Reaper::Forget(pid_t pid, absl::Time before) {
  absl::MutexLock lock(&mu_);
  auto it = exits_.find(pid);
  if (it != exits_.end() && it->second.when < before) exits_.erase(it);
}

std::string Runfile(const std::string& relative) {
  const char* srcdir = getenv("TEST_SRCDIR");
  return absl::StrCat(srcdir != nullptr ? srcdir : ".", "/executor_runtime/",
                      relative);
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

SimulatorProcess::SimulatorProcess(Reaper* reaper, std::string binary,
                                   std::string dir,
                                   std::vector<std::string> flags)
    : reaper_(reaper),
      binary_(std::move(binary)),
      dir_(std::move(dir)),
      flags_(std::move(flags)) {}

SimulatorProcess::~SimulatorProcess() {
  if (Running()) {
    kill(pid_, SIGKILL);
    reaper_->Wait(pid_, absl::Seconds(10));
  }
}

bool SimulatorProcess::Start(absl::Duration timeout, std::string* error) {
  const std::string ready = dir_ + "/ready";
  unlink(ready.c_str());
  ++starts_;
  std::vector<std::string> argv = {
      binary_,
      "--serve",
      "--work_dir=" + work_dir(),
      "--agent_socket=" + dir_ + "/agent.sock",
      "--control_socket=" + dir_ + "/control.sock",
      "--ready_file=" + ready,
  };
  argv.insert(argv.end(), flags_.begin(), flags_.end());
  std::vector<char*> args;
  for (std::string& arg : argv) args.push_back(arg.data());
  args.push_back(nullptr);
  const std::string out = absl::StrCat(dir_, "/sim.", starts_, ".out");
  const std::string err = absl::StrCat(dir_, "/sim.", starts_, ".err");
  const absl::Time forked = absl::Now();
  const pid_t pid = fork();
  if (pid < 0) {
    *error = absl::StrCat("fork: ", strerror(errno));
    return false;
  }
  if (pid == 0) {
    const int in_fd = open("/dev/null", O_RDONLY);
    const int out_fd = open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int err_fd = open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(in_fd, 0);
    dup2(out_fd, 1);
    dup2(err_fd, 2);
    execv(args[0], args.data());
    _exit(127);
  }
  pid_ = pid;
  reaper_->Forget(pid, forked);  // a pid recycled from an earlier process
  const absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    if (access(ready.c_str(), F_OK) == 0) return true;
    if (!Running()) {
      *error = absl::StrCat("agent_simulator (start ", starts_, ") exited ",
                            reaper_->Find(pid_)->code, ": ", Stderr(starts_));
      return false;
    }
    absl::SleepFor(absl::Milliseconds(5));
  }
  *error = absl::StrCat("agent_simulator (start ", starts_, ") not ready in ",
                        absl::FormatDuration(timeout), ": ", Stderr(starts_));
  return false;
}

bool SimulatorProcess::Running() const {
  return pid_ > 0 && !reaper_->Find(pid_).has_value();
}

bool SimulatorProcess::Kill(int* code) {
  const bool was_running = Running();
  if (was_running) kill(pid_, SIGKILL);
  std::optional<Reaper::Exit> exit = reaper_->Wait(pid_, absl::Seconds(10));
  *code = exit.has_value() ? exit->code : -100;
  return was_running;
}

std::optional<int> SimulatorProcess::WaitExit(absl::Duration timeout) {
  std::optional<Reaper::Exit> exit = reaper_->Wait(pid_, timeout);
  if (!exit.has_value()) return std::nullopt;
  return exit->code;
}

std::string SimulatorProcess::Stderr(int n, size_t max_bytes) const {
  std::string text = ReadFile(absl::StrCat(dir_, "/sim.", n, ".err"));
  if (text.size() > max_bytes)
    text = "..." + text.substr(text.size() - max_bytes);
  return text;
}

}  // namespace chaos
}  // namespace executor_runtime
