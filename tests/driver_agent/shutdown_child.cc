// An executor process for shutdown_kill_test: configured from the Mesos
// environment (DriverOptions::FromEnvironment), with the process-group kill
// on. argv[1] says what its Shutdown() does:
//   "ignore": nothing (the driver must kill the process group after the
//             grace period);
//   "stop":   stops the driver, so main() returns 0 before the grace period.
// Exit codes: 0 after a clean stop, 2 for bad usage or environment, 3 if
// Join() returned in "ignore" mode (it must be killed instead).
#include <cstdio>
#include <cstring>
#include <string>

#include "driver/executor_driver.h"

namespace {

class ChildExecutor : public executor_runtime::EventHandler {
 public:
  explicit ChildExecutor(bool stop_on_shutdown)
      : stop_on_shutdown_(stop_on_shutdown) {}
  void Launch(executor_runtime::ExecutorDriver*,
              const mesos::TaskInfo&) override {}
  void Kill(executor_runtime::ExecutorDriver*, const mesos::TaskID&,
            const mesos::KillPolicy&) override {}
  void Shutdown(executor_runtime::ExecutorDriver* driver) override {
    if (stop_on_shutdown_) driver->Stop().IgnoreError();
  }
  void Error(executor_runtime::ExecutorDriver*,
             const std::string& message) override {
    std::fprintf(stderr, "shutdown_child: error: %s\n", message.c_str());
  }

 private:
  const bool stop_on_shutdown_;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2 || (std::strcmp(argv[1], "ignore") != 0 &&
                    std::strcmp(argv[1], "stop") != 0)) {
    std::fprintf(stderr, "usage: shutdown_child ignore|stop\n");
    return 2;
  }
  const bool stop = std::strcmp(argv[1], "stop") == 0;
  absl::StatusOr<executor_runtime::DriverOptions> options =
      executor_runtime::DriverOptions::FromEnvironment();
  if (!options.ok()) {
    std::fprintf(stderr, "shutdown_child: %s\n",
                 std::string(options.status().message()).c_str());
    return 2;
  }
  ChildExecutor executor(stop);
  executor_runtime::ExecutorDriver driver(&executor, *options);
  if (!driver.Start().ok()) return 2;
  const executor_runtime::DriverState state = driver.Join();
  if (!stop) return 3;
  return state == executor_runtime::DriverState::kStopped ? 0 : 4;
}
