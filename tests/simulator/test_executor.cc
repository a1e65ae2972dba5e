// A tiny executor for the agent simulator's end-to-end tests, written on
// the driver API. What each task does is chosen by its TaskInfo.data:
//
//   "" or "finish"   TASK_RUNNING, then TASK_FINISHED
//   "fail"           TASK_RUNNING, then TASK_FAILED
//   "hang"           TASK_RUNNING, then nothing until killed (TASK_KILLED)
//   "crash"          TASK_RUNNING; once that is acknowledged, the process
//                    exits with status 3 (the agent must fail the task)
//   "stream:N:MS"    N TASK_RUNNING updates MS ms apart, messages
//                    "update 1".."update N", then TASK_FINISHED
//
// At start, the MESOS_* environment is written to $MESOS_SANDBOX/env.log.
// A task's CommandInfo value, if any, is appended to
// $MESOS_SANDBOX/commands.log ("<task ID>: <command>").
// Framework messages are appended to $MESOS_SANDBOX/messages.log and
// echoed back to the framework. On SHUTDOWN running tasks are killed
// (TASK_KILLED) and the driver stops; exit status 0 if it stopped cleanly.
//
// Flags (argv): --ignore-shutdown (do nothing on SHUTDOWN, never kill our
// own process group, and hang once the driver gave up: the agent must kill
// us), --token=T (use T as the bearer
// token instead of the one the agent gave).
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "driver/driver_options.h"
#include "driver/executor_driver.h"

extern char** environ;

namespace executor_runtime {
namespace {

class TestExecutor : public EventHandler {
 public:
  TestExecutor(bool ignore_shutdown, std::string sandbox)
      : ignore_shutdown_(ignore_shutdown), sandbox_(std::move(sandbox)) {}

  // Waits for the stream threads (they end once their task is terminal).
  void JoinThreads() {
    for (std::thread& thread : threads_) thread.join();
    threads_.clear();
  }

  void Launch(ExecutorDriver* driver, const mesos::TaskInfo& task) override {
    const std::string id = task.task_id().value();
    const std::string mode = task.data();
    {
      absl::MutexLock lock(&mu_);
      running_[id] = mode;
    }
    if (task.has_command()) {
      std::ofstream(sandbox_ + "/commands.log", std::ios::app)
          << id << ": " << task.command().value() << "\n";
    }
    Send(driver, id, mesos::TASK_RUNNING, "running");
    if (mode.empty() || mode == "finish") {
      Finish(driver, id, mesos::TASK_FINISHED, "finished");
    } else if (mode == "fail") {
      Finish(driver, id, mesos::TASK_FAILED, "failed on purpose");
    } else if (absl::StartsWith(mode, "stream:")) {
      std::vector<std::string> parts = absl::StrSplit(mode, ':');
      int count = 0, interval_ms = 0;
      if (parts.size() != 3 || !absl::SimpleAtoi(parts[1], &count) ||
          !absl::SimpleAtoi(parts[2], &interval_ms)) {
        Finish(driver, id, mesos::TASK_ERROR, "bad stream spec " + mode);
        return;
      }
      threads_.emplace_back([this, driver, id, count, interval_ms] {
        for (int i = 1; i <= count; ++i) {
          absl::SleepFor(absl::Milliseconds(interval_ms));
          if (!Running(id)) return;
          Send(driver, id, mesos::TASK_RUNNING, absl::StrCat("update ", i));
        }
        Finish(driver, id, mesos::TASK_FINISHED, "stream done");
      });
    }
    // "hang" and "crash": nothing more now.
  }

  void Kill(ExecutorDriver* driver, const mesos::TaskID& task_id,
            const mesos::KillPolicy&) override {
    Finish(driver, task_id.value(), mesos::TASK_KILLED, "killed");
  }

  void Acknowledged(ExecutorDriver*, const mesos::TaskID& task_id,
                    const std::string&) override {
    absl::MutexLock lock(&mu_);
    auto it = running_.find(task_id.value());
    if (it != running_.end() && it->second == "crash") {
      std::fprintf(stderr, "test_executor: crashing on purpose\n");
      _exit(3);
    }
  }

  void Message(ExecutorDriver* driver, const std::string& data) override {
    std::ofstream(sandbox_ + "/messages.log", std::ios::app) << data << "\n";
    driver->SendMessage("echo:" + data).IgnoreError();
  }

  void Shutdown(ExecutorDriver* driver) override {
    if (ignore_shutdown_) {
      std::fprintf(stderr, "test_executor: ignoring SHUTDOWN\n");
      return;
    }
    std::vector<std::string> ids;
    {
      absl::MutexLock lock(&mu_);
      for (const auto& [id, mode] : running_) ids.push_back(id);
    }
    for (const std::string& id : ids) {
      Finish(driver, id, mesos::TASK_KILLED, "killed by shutdown");
    }
    driver->Stop().IgnoreError();
  }

  void Error(ExecutorDriver*, const std::string& message) override {
    std::fprintf(stderr, "test_executor: error: %s\n", message.c_str());
  }

 private:
  bool Running(const std::string& id) {
    absl::MutexLock lock(&mu_);
    return running_.count(id) > 0;
  }

  void Send(ExecutorDriver* driver, const std::string& id,
            mesos::TaskState state, const std::string& message) {
    mesos::TaskStatus status;
    status.mutable_task_id()->set_value(id);
    status.set_state(state);
    status.set_message(message);
    absl::Status sent = driver->SendStatusUpdate(status);
    if (!sent.ok()) {
      std::fprintf(stderr, "test_executor: cannot send update: %s\n",
                   sent.ToString().c_str());
    }
  }

  void Finish(ExecutorDriver* driver, const std::string& id,
              mesos::TaskState state, const std::string& message) {
    {
      absl::MutexLock lock(&mu_);
      if (running_.erase(id) == 0) return;  // already terminal
    }
    Send(driver, id, state, message);
  }

  const bool ignore_shutdown_;
  const std::string sandbox_;
  absl::Mutex mu_;
  std::map<std::string, std::string> running_ ABSL_GUARDED_BY(mu_);
  std::vector<std::thread> threads_;  // touched on the callback thread only
};

int Main(int argc, char** argv) {
  bool ignore_shutdown = false;
  std::string token_override;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--ignore-shutdown") {
      ignore_shutdown = true;
    } else if (absl::StartsWith(arg, "--token=")) {
      token_override = arg.substr(8);
    } else {
      std::fprintf(stderr, "test_executor: unknown argument %s\n", argv[i]);
      return 2;
    }
  }
  // What the agent gave us, for the tests (before the driver erases the
  // token from the environment).
  if (const char* sandbox = getenv("MESOS_SANDBOX")) {
    std::ofstream env(std::string(sandbox) + "/env.log");
    for (char** entry = environ; *entry != nullptr; ++entry) {
      if (absl::StartsWith(*entry, "MESOS_")) env << *entry << "\n";
    }
  }
  absl::StatusOr<DriverOptions> options = DriverOptions::FromEnvironment();
  if (!options.ok()) {
    std::fprintf(stderr, "test_executor: %s\n",
                 options.status().ToString().c_str());
    return 2;
  }
  if (!token_override.empty()) options->auth_token = token_override;
  if (ignore_shutdown) options->kill_process_group_on_shutdown = false;
  TestExecutor executor(ignore_shutdown, options->sandbox_directory);
  ExecutorDriver driver(&executor, *options);
  absl::Status started = driver.Start();
  if (!started.ok()) {
    std::fprintf(stderr, "test_executor: %s\n", started.ToString().c_str());
    return 1;
  }
  DriverState state = driver.Join();
  executor.JoinThreads();
  if (ignore_shutdown) {
    // A stuck executor: it outlives its driver until the agent kills it.
    std::fprintf(stderr, "test_executor: driver %s; hanging\n",
                 DriverStateName(state));
    while (true) pause();
  }
  std::fprintf(stderr, "test_executor: driver %s\n", DriverStateName(state));
  return state == DriverState::kStopped ? 0 : 1;
}

}  // namespace
}  // namespace executor_runtime

int main(int argc, char** argv) { return executor_runtime::Main(argc, argv); }
