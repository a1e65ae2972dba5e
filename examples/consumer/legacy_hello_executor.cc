// A legacy executor, written against libmesos's interface only. It builds
// unchanged against the runtime: the BUILD file is all that changes.
#include <iostream>

#include <mesos/executor.hpp>

using namespace mesos;

class LegacyHelloExecutor : public Executor {
 public:
  void registered(ExecutorDriver*, const ExecutorInfo& executorInfo,
                  const FrameworkInfo&, const SlaveInfo&) override {
    std::cout << "registered " << executorInfo.executor_id().value() << "\n";
  }
  void reregistered(ExecutorDriver*, const SlaveInfo&) override {}
  void disconnected(ExecutorDriver*) override {}
  void launchTask(ExecutorDriver* driver, const TaskInfo& task) override {
    TaskStatus status;
    status.mutable_task_id()->MergeFrom(task.task_id());
    status.set_state(TASK_FINISHED);
    driver->sendStatusUpdate(status);
  }
  void killTask(ExecutorDriver* driver, const TaskID& taskId) override {
    TaskStatus status;
    status.mutable_task_id()->MergeFrom(taskId);
    status.set_state(TASK_KILLED);
    driver->sendStatusUpdate(status);
  }
  void frameworkMessage(ExecutorDriver*, const std::string&) override {}
  void shutdown(ExecutorDriver* driver) override { driver->stop(); }
  void error(ExecutorDriver*, const std::string& message) override {
    std::cerr << "error: " << message << "\n";
  }
};

int main() {
  LegacyHelloExecutor executor;
  MesosExecutorDriver driver(&executor);
  return driver.run() == DRIVER_STOPPED ? 0 : 1;
}
