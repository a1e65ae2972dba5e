// Legacy example (a): reports TASK_RUNNING and TASK_FINISHED from inside
// launchTask() and never calls stop(). On SHUTDOWN the process is ended by
// the driver after the shutdown grace period, as with libmesos.
//
// Written only against <mesos/executor.hpp>: it builds unchanged against
// libmesos.
#include <iostream>
#include <mesos/executor.hpp>
#include <string>

using namespace mesos;

class FinishingExecutor : public Executor {
 public:
  void registered(ExecutorDriver*, const ExecutorInfo& executorInfo,
                  const FrameworkInfo& frameworkInfo,
                  const SlaveInfo& slaveInfo) override {
    std::cerr << "registered executor " << executorInfo.executor_id()
              << " of framework " << frameworkInfo.name() << " on "
              << slaveInfo.hostname() << std::endl;
  }

  void reregistered(ExecutorDriver*, const SlaveInfo& slaveInfo) override {
    std::cerr << "reregistered on " << slaveInfo.hostname() << std::endl;
  }

  void disconnected(ExecutorDriver*) override {
    std::cerr << "disconnected" << std::endl;
  }

  void launchTask(ExecutorDriver* driver, const TaskInfo& task) override {
    TaskStatus status;
    status.mutable_task_id()->MergeFrom(task.task_id());
    status.set_state(TASK_RUNNING);
    driver->sendStatusUpdate(status);

    // The "work" of this task: echo its data back in the final update.
    status.set_state(TASK_FINISHED);
    status.set_data(task.data());
    status.set_message("finished " + task.name());
    driver->sendStatusUpdate(status);
  }

  void killTask(ExecutorDriver* driver, const TaskID& taskId) override {
    // Tasks finish inside launchTask(), so there is never one to kill;
    // answer anyway so the framework is not left waiting.
    TaskStatus status;
    status.mutable_task_id()->MergeFrom(taskId);
    status.set_state(TASK_KILLED);
    driver->sendStatusUpdate(status);
  }

  void frameworkMessage(ExecutorDriver*, const std::string&) override {}

  void shutdown(ExecutorDriver*) override {
    std::cerr << "shutdown requested" << std::endl;
  }

  void error(ExecutorDriver*, const std::string& message) override {
    std::cerr << "error: " << message << std::endl;
  }
};

int main() {
  FinishingExecutor executor;
  MesosExecutorDriver driver(&executor);
  return driver.run() == DRIVER_STOPPED ? 0 : 1;
}
