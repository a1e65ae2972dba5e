// Legacy example (b): a long-lived executor. Each task runs on its own
// detached thread that sleeps (the task's data may give the time in
// milliseconds; 100 by default), then reports TASK_FINISHED. killTask()
// reports TASK_KILLED; shutdown() kills every running task and calls
// driver->stop(), which returns once the agent has every update.
//
// Written only against <mesos/executor.hpp>: it builds unchanged against
// libmesos.
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <map>
#include <memory>
#include <mesos/executor.hpp>
#include <mutex>
#include <string>
#include <thread>

using namespace mesos;

namespace {

// Shared with the task threads, which may outlive a callback. Updates are
// sent under `mutex`, and never once `stopped`, so no thread touches the
// driver after shutdown() stopped it.
struct State {
  std::mutex mutex;
  bool stopped = false;
  std::map<std::string, TaskID> running;  // by task ID value
};

void SendLocked(ExecutorDriver* driver, const TaskID& taskId, TaskState state,
                const std::string& message) {
  TaskStatus status;
  status.mutable_task_id()->MergeFrom(taskId);
  status.set_state(state);
  status.set_message(message);
  driver->sendStatusUpdate(status);
}

long SleepMillis(const TaskInfo& task) {
  if (task.has_data() && !task.data().empty()) {
    char* end = nullptr;
    long value = std::strtol(task.data().c_str(), &end, 10);
    if (end != task.data().c_str() && value >= 0) return value;
  }
  return 100;
}

}  // namespace

class SleepingExecutor : public Executor {
 public:
  void registered(ExecutorDriver*, const ExecutorInfo& executorInfo,
                  const FrameworkInfo&, const SlaveInfo& slaveInfo) override {
    std::cerr << "registered " << executorInfo.executor_id() << " on "
              << slaveInfo.hostname() << std::endl;
  }

  void reregistered(ExecutorDriver*, const SlaveInfo& slaveInfo) override {
    std::cerr << "reregistered on " << slaveInfo.hostname() << std::endl;
  }

  void disconnected(ExecutorDriver*) override {
    std::cerr << "disconnected" << std::endl;
  }

  void launchTask(ExecutorDriver* driver, const TaskInfo& task) override {
    const long millis = SleepMillis(task);
    {
      std::lock_guard<std::mutex> lock(state_->mutex);
      if (state_->stopped) return;
      state_->running[task.task_id().value()] = task.task_id();
      SendLocked(driver, task.task_id(), TASK_RUNNING, "sleeping");
    }
    std::shared_ptr<State> state = state_;
    TaskID taskId = task.task_id();
    std::thread([state, driver, taskId, millis] {
      std::this_thread::sleep_for(std::chrono::milliseconds(millis));
      std::lock_guard<std::mutex> lock(state->mutex);
      // Killed or shut down meanwhile: already reported.
      if (state->stopped || state->running.erase(taskId.value()) == 0) return;
      SendLocked(driver, taskId, TASK_FINISHED,
                 "slept " + std::to_string(millis) + "ms");
    }).detach();
  }

  void killTask(ExecutorDriver* driver, const TaskID& taskId) override {
    std::lock_guard<std::mutex> lock(state_->mutex);
    if (state_->stopped || state_->running.erase(taskId.value()) == 0) return;
    SendLocked(driver, taskId, TASK_KILLED, "killed");
  }

  void frameworkMessage(ExecutorDriver*, const std::string&) override {}

  void shutdown(ExecutorDriver* driver) override {
    {
      std::lock_guard<std::mutex> lock(state_->mutex);
      for (const auto& entry : state_->running) {
        SendLocked(driver, entry.second, TASK_KILLED, "executor shut down");
      }
      state_->running.clear();
      state_->stopped = true;
    }
    driver->stop();
  }

  void error(ExecutorDriver*, const std::string& message) override {
    std::cerr << "error: " << message << std::endl;
    quiesce();
  }

  // After this, no task thread touches the driver again (call it before
  // the driver goes away).
  void quiesce() {
    std::lock_guard<std::mutex> lock(state_->mutex);
    state_->stopped = true;
  }

 private:
  std::shared_ptr<State> state_ = std::make_shared<State>();
};

int main() {
  SleepingExecutor executor;
  MesosExecutorDriver driver(&executor);
  Status status = driver.run();
  executor.quiesce();
  return status == DRIVER_STOPPED ? 0 : 1;
}
