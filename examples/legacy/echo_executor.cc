// Legacy example (c): echoes every framework message back to the
// framework, keeps each task running until it is killed (TASK_KILLED), and
// on shutdown kills the remaining tasks and stops.
//
// Written only against <mesos/executor.hpp>: it builds unchanged against
// libmesos.
#include <iostream>
#include <mesos/executor.hpp>
#include <set>
#include <string>

using namespace mesos;

class EchoExecutor : public Executor {
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

  // Callbacks run one at a time, so `running_` needs no lock.
  void launchTask(ExecutorDriver* driver, const TaskInfo& task) override {
    running_.insert(task.task_id());
    send(driver, task.task_id(), TASK_RUNNING);
  }

  void killTask(ExecutorDriver* driver, const TaskID& taskId) override {
    if (running_.erase(taskId) == 0) {
      std::cerr << "kill of unknown task " << taskId << std::endl;
    }
    send(driver, taskId, TASK_KILLED);
  }

  void frameworkMessage(ExecutorDriver* driver,
                        const std::string& data) override {
    driver->sendFrameworkMessage(data);
  }

  void shutdown(ExecutorDriver* driver) override {
    for (const TaskID& taskId : running_) send(driver, taskId, TASK_KILLED);
    running_.clear();
    driver->stop();
  }

  void error(ExecutorDriver*, const std::string& message) override {
    std::cerr << "error: " << message << std::endl;
  }

 private:
  static void send(ExecutorDriver* driver, const TaskID& taskId,
                   TaskState state) {
    TaskStatus status;
    status.mutable_task_id()->MergeFrom(taskId);
    status.set_state(state);
    driver->sendStatusUpdate(status);
  }

  std::set<TaskID> running_;
};

int main() {
  EchoExecutor executor;
  MesosExecutorDriver driver(&executor);
  return driver.run() == DRIVER_STOPPED ? 0 : 1;
}
