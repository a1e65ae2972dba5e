// command_executor: runs each task's CommandInfo as a child process, talking
// to the agent through an ExecutorDriver. Configured entirely by the Mesos
// environment the agent gives it (see README.md).
//
// SIGTERM or SIGINT to the executor acts like a SHUTDOWN from the agent:
// tasks are killed and reported, then the executor exits.
//
// Exit status: 0 when the driver stopped (after SHUTDOWN, with every task's
// last update acknowledged or the drain timeout passed); 1 with a message on
// stderr for a bad environment, an unusable sandbox, or an aborted driver.
#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "driver/driver_options.h"
#include "driver/executor_driver.h"
#include "examples/command_executor/command_executor.h"
#include "examples/command_executor/exit_description.h"
#include "util/logging.h"

namespace executor_runtime {
namespace command_executor {
namespace {

int Fail(const std::string& message) {
  std::fprintf(stderr, "command_executor: %s\n", message.c_str());
  return 1;
}

// The directory tasks go under: MESOS_SANDBOX (or MESOS_DIRECTORY), else
// the working directory. Its tasks/ subdirectory must be creatable.
absl::StatusOr<std::string> SandboxRoot(const DriverOptions& options) {
  std::string root = options.sandbox_directory;
  if (root.empty()) {
    char cwd[4096];
    if (getcwd(cwd, sizeof(cwd)) == nullptr) {
      return absl::FailedPreconditionError(
          std::string("no MESOS_SANDBOX and no working directory: ") +
          std::strerror(errno));
    }
    root = cwd;
  }
  struct stat info;
  if (stat(root.c_str(), &info) != 0 || !S_ISDIR(info.st_mode)) {
    return absl::FailedPreconditionError("sandbox directory '" + root +
                                         "' (MESOS_SANDBOX) does not exist");
  }
  std::string tasks = root + "/tasks";
  if (mkdir(tasks.c_str(), 0755) != 0 && errno != EEXIST) {
    return absl::FailedPreconditionError("cannot create '" + tasks +
                                         "': " + std::strerror(errno));
  }
  if (access(tasks.c_str(), W_OK | X_OK) != 0) {
    return absl::FailedPreconditionError(
        "'" + tasks + "' is not writable: " + std::strerror(errno));
  }
  return root;
}

// Turns SIGTERM/SIGINT into CommandExecutor::Shutdown(). The signals must
// be blocked in every thread (BlockShutdownSignals() before any thread
// starts); tasks unblock them before exec.
class SignalWatcher {
 public:
  explicit SignalWatcher(CommandExecutor* executor)
      : thread_([this, executor] { Watch(executor); }) {}
  ~SignalWatcher() {
    exiting_ = true;
    pthread_kill(thread_.native_handle(), SIGTERM);
    thread_.join();
  }

  static void BlockShutdownSignals() {
    sigset_t set = Signals();
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
  }

 private:
  static sigset_t Signals() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    return set;
  }

  void Watch(CommandExecutor* executor) {
    const sigset_t set = Signals();
    int signal = 0;
    while (sigwait(&set, &signal) == 0 && !exiting_) {
      XRT_LOG(WARNING) << "received " << SignalName(signal)
                       << ": killing all tasks and shutting down";
      executor->Shutdown(nullptr);
    }
  }

  std::atomic<bool> exiting_{false};
  std::thread thread_;
};

int Run() {
  SignalWatcher::BlockShutdownSignals();
  absl::StatusOr<DriverOptions> driver_options =
      DriverOptions::FromEnvironment();
  if (!driver_options.ok()) {
    return Fail("bad environment: " +
                std::string(driver_options.status().message()));
  }
  absl::StatusOr<std::string> sandbox = SandboxRoot(*driver_options);
  if (!sandbox.ok()) {
    return Fail("bad sandbox: " + std::string(sandbox.status().message()));
  }

  CommandExecutorOptions options;
  options.sandbox_root = *sandbox;
  options.shutdown_grace_period = driver_options->shutdown_grace_period;
  options.honor_user = geteuid() == 0;
  CommandExecutor executor(options);
  SignalWatcher signals(&executor);
  ExecutorDriver driver(&executor, *driver_options);
  executor.SetUpdateSender([&driver](const mesos::TaskStatus& status) {
    return driver.SendStatusUpdate(status);
  });

  if (absl::Status started = driver.Start(); !started.ok()) {
    executor.Close();
    return Fail("cannot start the driver: " + std::string(started.message()));
  }
  // Stop() drains the updates; it runs here, not on a driver or runner
  // thread, once SHUTDOWN was handled.
  std::thread stopper([&executor, &driver] {
    if (executor.AwaitFinished() != FinishReason::kShutdownComplete) return;
    if (absl::Status stopped = driver.Stop(); !stopped.ok()) {
      XRT_LOG(WARNING) << "stop: " << stopped;
    }
  });
  const DriverState state = driver.Join();
  executor.NotifyDriverEnded();
  stopper.join();
  executor.Close();  // before the driver behind the sender goes away

  if (state == DriverState::kStopped) return 0;
  std::string error = executor.error();
  return Fail(std::string("driver ") + DriverStateName(state) +
              (error.empty() ? "" : ": " + error));
}

}  // namespace
}  // namespace command_executor
}  // namespace executor_runtime

int main() { return executor_runtime::command_executor::Run(); }
