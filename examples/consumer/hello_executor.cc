// The smallest useful executor on the runtime's API: every task finishes at
// once. Built from a separate workspace to show the one-line dependency.
#include <iostream>

#include "driver/executor_driver.h"

namespace {

using executor_runtime::DriverOptions;
using executor_runtime::DriverState;
using executor_runtime::ExecutorDriver;

class HelloExecutor : public executor_runtime::EventHandler {
 public:
  void Launch(ExecutorDriver* driver, const mesos::TaskInfo& task) override {
    Report(driver, task.task_id(), mesos::TASK_RUNNING);
    Report(driver, task.task_id(), mesos::TASK_FINISHED);
  }
  void Kill(ExecutorDriver* driver, const mesos::TaskID& task_id,
            const mesos::KillPolicy&) override {
    Report(driver, task_id, mesos::TASK_KILLED);
  }
  void Shutdown(ExecutorDriver* driver) override { driver->Stop(); }
  void Error(ExecutorDriver*, const std::string& message) override {
    std::cerr << "hello_executor: " << message << "\n";
  }

 private:
  static void Report(ExecutorDriver* driver, const mesos::TaskID& id,
                     mesos::TaskState state) {
    mesos::TaskStatus status;
    *status.mutable_task_id() = id;
    status.set_state(state);
    if (absl::Status sent = driver->SendStatusUpdate(status); !sent.ok()) {
      std::cerr << "hello_executor: " << sent << "\n";
    }
  }
};

}  // namespace

int main() {
  absl::StatusOr<DriverOptions> options = DriverOptions::FromEnvironment();
  if (!options.ok()) {
    std::cerr << "hello_executor: " << options.status() << "\n";
    return 1;
  }
  HelloExecutor executor;
  ExecutorDriver driver(&executor, *options);
  if (!driver.Start().ok()) return 1;
  return driver.Join() == DriverState::kStopped ? 0 : 1;
}
