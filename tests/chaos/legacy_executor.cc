// The chaos soak's executor on the legacy API: only <mesos/executor.hpp>
// (//agent_shim:legacy_executor), as a ported libmesos executor would be.
// Each launched task streams numbered updates on its own thread (see
// chaos_tasks.h). On shutdown() (or error()) the tasks send their
// TASK_FINISHED, the driver is stopped (stop() drains), and the record of
// accepted updates plus the stop outcome is written to --log=PATH.
//
// "Accepted" here is all the legacy API can tell: sendStatusUpdate()
// returned DRIVER_RUNNING.
//
// Exit status: 0 if stop() returned DRIVER_STOPPED and the log was written;
// 1 otherwise; 2 for bad usage.
#include <stdio.h>
#include <string.h>

#include <atomic>
#include <mesos/executor.hpp>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "tests/chaos/chaos_tasks.h"

namespace executor_runtime {
namespace chaos {
namespace {

class LegacyChaosExecutor : public mesos::Executor {
 public:
  explicit LegacyChaosExecutor(ChaosTasks* tasks) : tasks_(tasks) {}

  absl::Notification& done() { return done_; }

  int subscriptions() const { return subscriptions_; }
  int disconnections() const { return disconnections_; }

  void registered(mesos::ExecutorDriver*, const mesos::ExecutorInfo&,
                  const mesos::FrameworkInfo&,
                  const mesos::SlaveInfo&) override {
    ++subscriptions_;
  }
  void reregistered(mesos::ExecutorDriver*, const mesos::SlaveInfo&) override {
    ++subscriptions_;
  }
  void disconnected(mesos::ExecutorDriver*) override { ++disconnections_; }

  void launchTask(mesos::ExecutorDriver* driver,
                  const mesos::TaskInfo& task) override {
    if (!tasks_->Launch(task.task_id().value(), task.data())) {
      mesos::TaskStatus status;
      status.mutable_task_id()->CopyFrom(task.task_id());
      status.set_state(mesos::TASK_ERROR);
      status.set_message("legacy chaos executor: cannot run this task");
      driver->sendStatusUpdate(status);
    }
  }

  void killTask(mesos::ExecutorDriver*, const mesos::TaskID& task_id) override {
    tasks_->Note("kill-ignored " + task_id.value());
  }

  void frameworkMessage(mesos::ExecutorDriver*, const std::string&) override {}

  void shutdown(mesos::ExecutorDriver*) override {
    if (!done_.HasBeenNotified()) done_.Notify();
  }

  void error(mesos::ExecutorDriver*, const std::string& message) override {
    fprintf(stderr, "legacy chaos executor: error: %s\n", message.c_str());
    tasks_->Note("driver-error " + message);
    if (!done_.HasBeenNotified()) done_.Notify();
  }

 private:
  ChaosTasks* const tasks_;
  absl::Notification done_;
  std::atomic<int> subscriptions_{0};
  std::atomic<int> disconnections_{0};
};

int Main(int argc, char** argv) {
  std::string log_path;
  for (int i = 1; i < argc; ++i) {
    if (strncmp(argv[i], "--log=", 6) == 0) {
      log_path = argv[i] + 6;
    } else {
      fprintf(stderr, "legacy chaos executor: unknown argument '%s'\n",
              argv[i]);
      return 2;
    }
  }
  if (log_path.empty()) {
    fprintf(stderr, "legacy chaos executor: --log=PATH is required\n");
    return 2;
  }
  mesos::MesosExecutorDriver* driver_pointer = nullptr;
  ChaosTasks tasks(
      [&driver_pointer](const mesos::TaskStatus& status, std::string* error) {
        const mesos::Status sent = driver_pointer->sendStatusUpdate(status);
        if (sent != mesos::DRIVER_RUNNING) *error = mesos::Status_Name(sent);
        return sent == mesos::DRIVER_RUNNING;
      });
  LegacyChaosExecutor executor(&tasks);
  mesos::MesosExecutorDriver driver(&executor);
  driver_pointer = &driver;
  if (driver.start() != mesos::DRIVER_RUNNING) {
    fprintf(stderr, "legacy chaos executor: start() failed\n");
    tasks.WriteLog(log_path);
    return 1;
  }
  executor.done().WaitForNotification();
  tasks.FinishAll();
  const mesos::Status stopped = driver.stop();
  const mesos::Status joined = driver.join();
  tasks.Note(absl::StrCat("stats subscriptions=", executor.subscriptions(),
                          " disconnections=", executor.disconnections()));
  const bool ok =
      stopped == mesos::DRIVER_STOPPED && joined == mesos::DRIVER_STOPPED;
  tasks.Note(absl::StrCat(
      "stop ", ok ? "ok" : "failed", " stop=", mesos::Status_Name(stopped),
      " join=", mesos::Status_Name(joined), " accepted=", tasks.accepted(),
      " refused=", tasks.refused()));
  if (!tasks.WriteLog(log_path)) {
    fprintf(stderr, "legacy chaos executor: cannot write %s\n",
            log_path.c_str());
    return 1;
  }
  fprintf(stderr, "legacy chaos executor: stop %s, %d updates accepted\n",
          mesos::Status_Name(stopped).c_str(), tasks.accepted());
  return ok ? 0 : 1;
}

}  // namespace
}  // namespace chaos
}  // namespace executor_runtime

int main(int argc, char** argv) {
  return executor_runtime::chaos::Main(argc, argv);
}
