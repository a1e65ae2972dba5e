// The chaos soak's executor on the driver API (//driver). Each launched task
// streams numbered updates on its own thread (see chaos_tasks.h). On
// SHUTDOWN (or a fatal driver error) the tasks send their TASK_FINISHED, the
// driver is stopped (draining every accepted update), and the record of
// accepted updates plus the stop outcome is written to --log=PATH.
//
// Exit status: 0 if stop() returned OK and the log was written; 1 if the
// driver failed (aborted, or stop() did not drain); 2 for bad usage.
#include <stdio.h>

#include <string>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "driver/driver_options.h"
#include "driver/executor_driver.h"
#include "tests/chaos/chaos_tasks.h"

namespace executor_runtime {
namespace chaos {
namespace {

// Longer than any outage the soak causes: stop() must drain, not give up.
constexpr absl::Duration kStopDrainTimeout = absl::Seconds(30);

class ChaosExecutor : public EventHandler {
 public:
  explicit ChaosExecutor(ChaosTasks* tasks) : tasks_(tasks) {}

  absl::Notification& done() { return done_; }

  void Launch(ExecutorDriver* driver, const mesos::TaskInfo& task) override {
    if (!tasks_->Launch(task.task_id().value(), task.data())) {
      mesos::TaskStatus status;
      status.mutable_task_id()->CopyFrom(task.task_id());
      status.set_state(mesos::TASK_ERROR);
      status.set_message("chaos executor: cannot run this task");
      driver->SendStatusUpdate(status).IgnoreError();
    }
  }

  void Kill(ExecutorDriver*, const mesos::TaskID& task_id,
            const mesos::KillPolicy&) override {
    // The soak never kills single tasks; say so if it happens.
    tasks_->Note("kill-ignored " + task_id.value());
  }

  void Shutdown(ExecutorDriver*) override {
    if (!done_.HasBeenNotified()) done_.Notify();
  }

  void Error(ExecutorDriver*, const std::string& message) override {
    fprintf(stderr, "chaos executor: driver error: %s\n", message.c_str());
    tasks_->Note("driver-error " + message);
    if (!done_.HasBeenNotified()) done_.Notify();
  }

 private:
  ChaosTasks* const tasks_;
  absl::Notification done_;
};

int Main(int argc, char** argv) {
  std::string log_path;
  for (int i = 1; i < argc; ++i) {
    if (absl::StartsWith(argv[i], "--log=")) {
      log_path = argv[i] + 6;
    } else {
      fprintf(stderr, "chaos executor: unknown argument '%s'\n", argv[i]);
      return 2;
    }
  }
  if (log_path.empty()) {
    fprintf(stderr, "chaos executor: --log=PATH is required\n");
    return 2;
  }
  absl::StatusOr<DriverOptions> options = DriverOptions::FromEnvironment();
  if (!options.ok()) {
    fprintf(stderr, "chaos executor: %s\n",
            options.status().ToString().c_str());
    return 2;
  }
  ExecutorDriver* driver_pointer = nullptr;  // set before any task starts
  ChaosTasks tasks(
      [&driver_pointer](const mesos::TaskStatus& status, std::string* error) {
        absl::Status sent = driver_pointer->SendStatusUpdate(status);
        if (!sent.ok()) *error = sent.ToString();
        return sent.ok();
      });
  ChaosExecutor executor(&tasks);
  ExecutorDriver driver(&executor, *options);
  driver_pointer = &driver;
  absl::Status started = driver.Start();
  if (!started.ok()) {
    fprintf(stderr, "chaos executor: start: %s\n", started.ToString().c_str());
    return 1;
  }
  executor.done().WaitForNotification();
  tasks.FinishAll();
  absl::Status stopped = driver.Stop(kStopDrainTimeout);
  const DriverState state = driver.Join();
  const DriverStats stats = driver.stats();
  tasks.Note(absl::StrCat("stats subscriptions=", stats.subscriptions,
                          " disconnections=", stats.disconnections));
  tasks.Note(absl::StrCat("stop ", stopped.ok() ? "ok" : "failed", " ",
                          stopped.ToString(), " state=", DriverStateName(state),
                          " accepted=", tasks.accepted(),
                          " refused=", tasks.refused()));
  if (!tasks.WriteLog(log_path)) {
    fprintf(stderr, "chaos executor: cannot write %s\n", log_path.c_str());
    return 1;
  }
  fprintf(stderr, "chaos executor: stop %s, %d updates accepted\n",
          stopped.ToString().c_str(), tasks.accepted());
  return stopped.ok() && state == DriverState::kStopped ? 0 : 1;
}

}  // namespace
}  // namespace chaos
}  // namespace executor_runtime

int main(int argc, char** argv) {
  return executor_runtime::chaos::Main(argc, argv);
}
