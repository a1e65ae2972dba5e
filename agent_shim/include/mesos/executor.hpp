// The legacy <mesos/executor.hpp>: mesos::Executor (what an executor
// implements), mesos::ExecutorDriver and mesos::MesosExecutorDriver, with
// the interface and contract of libmesos's executor API, implemented on the
// gRPC executor runtime (//driver). Executors written against libmesos
// build unchanged with the Bazel dependency
// `@executor_runtime//agent_shim:legacy_executor`; see agent_shim/README.md
// for what behaves better than in libmesos.
//
// Thread-safety: Executor callbacks are called one at a time, on a thread
// the driver owns. Once the driver is stopped or aborted no further
// callback starts, except the error() that reports why it aborted (which
// may still be running, or about to run, when join() returns).
// MesosExecutorDriver is thread-safe: every method may be called from any
// thread, including from inside a callback and from threads the executor
// starts itself.
#ifndef MESOS_EXECUTOR_HPP_
#define MESOS_EXECUTOR_HPP_

#include <map>
#include <memory>
#include <mesos/mesos.hpp>
#include <string>

namespace mesos {

class ExecutorDriver;

// Callback interface implemented by an executor. Only one callback is
// invoked at a time, so a callback that blocks delays all later ones (it
// does not stop status updates from being sent or acknowledged).
// Each callback receives the driver running this executor; the pointer
// stays the same from start() until join() returns.
class Executor {
 public:
  virtual ~Executor() {}

  // The driver subscribed to the agent for the first time. A scheduler can
  // pass data to its executors in ExecutorInfo.data.
  virtual void registered(ExecutorDriver* driver,
                          const ExecutorInfo& executorInfo,
                          const FrameworkInfo& frameworkInfo,
                          const SlaveInfo& slaveInfo) = 0;

  // The driver subscribed again after the connection to the agent broke
  // (e.g. the agent restarted). Unacknowledged updates were resent.
  virtual void reregistered(ExecutorDriver* driver,
                            const SlaveInfo& slaveInfo) = 0;

  // The connection to the agent broke or went silent. With checkpointing
  // the driver reconnects (reregistered() follows); without it, shutdown()
  // follows.
  virtual void disconnected(ExecutorDriver* driver) = 0;

  // Launch a task (a thread, a process, a computation). No other callback
  // runs until this one returns; sendStatusUpdate() from here is fine.
  virtual void launchTask(ExecutorDriver* driver, const TaskInfo& task) = 0;

  // Kill a task. The driver sends no update for it: the executor sends
  // TASK_KILLED itself with sendStatusUpdate().
  virtual void killTask(ExecutorDriver* driver, const TaskID& taskId) = 0;

  // A framework message (best effort, never retransmitted).
  virtual void frameworkMessage(ExecutorDriver* driver,
                                const std::string& data) = 0;

  // Kill all tasks and terminate. Updates sent from here still go out.
  // If the executor does not call stop(), its process group is killed
  // after the shutdown grace period (MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD).
  virtual void shutdown(ExecutorDriver* driver) = 0;

  // A fatal error (bad environment, refused by the agent, recovery timed
  // out). The driver is aborted before this is called.
  virtual void error(ExecutorDriver* driver, const std::string& message) = 0;
};

// Connects an Executor to its agent: lifecycle (start/stop/abort/join/run)
// and messages to the framework.
class ExecutorDriver {
 public:
  virtual ~ExecutorDriver() {}

  // Starts the driver; call before anything else. Returns DRIVER_RUNNING,
  // DRIVER_ABORTED if the environment is missing or malformed (error() was
  // called with the reason), or the current status if already started.
  virtual Status start() = 0;

  // Stops the driver after the agent acknowledged every update sent so far
  // (or a bounded timeout passed). Returns DRIVER_STOPPED, DRIVER_ABORTED
  // if the driver had been aborted, or the current status if it was
  // neither running nor aborted.
  virtual Status stop() = 0;

  // Aborts a running driver: no more callbacks, no draining. join()
  // returns DRIVER_ABORTED.
  virtual Status abort() = 0;

  // Blocks while the driver is running; returns DRIVER_STOPPED or
  // DRIVER_ABORTED (or the current status if it was not running).
  virtual Status join() = 0;

  // start() and, if that gave DRIVER_RUNNING, join().
  virtual Status run() = 0;

  // Sends a status update; the driver stamps it (fresh UUID, timestamp,
  // IDs, source) and resends it until the agent acknowledges it, across
  // reconnects. Acts only while running.
  virtual Status sendStatusUpdate(const TaskStatus& status) = 0;

  // Sends a message to the framework (best effort). Acts only while
  // running.
  virtual Status sendFrameworkMessage(const std::string& data) = 0;
};

// The ExecutorDriver of the gRPC executor runtime. Thread-safe.
//
// Configuration comes from the environment the agent gives the executor
// (MESOS_FRAMEWORK_ID, MESOS_EXECUTOR_ID, MESOS_SLAVE_ID,
// MESOS_AGENT_ENDPOINT, ...; see agent_shim/README.md), read by start().
class MesosExecutorDriver : public ExecutorDriver {
 public:
  // Reads this process's environment at start(). `executor` is not owned
  // and must outlive the driver.
  explicit MesosExecutorDriver(Executor* executor);

  // Uses `environment` instead of the process's (preferable in a
  // multithreaded program, and for in-process tests).
  MesosExecutorDriver(Executor* executor,
                      const std::map<std::string, std::string>& environment);

  // Unlike libmesos, never blocks indefinitely: a running driver is aborted
  // (no draining) and its threads joined.
  ~MesosExecutorDriver() override;

  MesosExecutorDriver(const MesosExecutorDriver&) = delete;
  MesosExecutorDriver& operator=(const MesosExecutorDriver&) = delete;

  Status start() override;
  Status stop() override;
  Status abort() override;
  Status join() override;
  Status run() override;
  Status sendStatusUpdate(const TaskStatus& status) override;
  Status sendFrameworkMessage(const std::string& data) override;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mesos

#endif  // MESOS_EXECUTOR_HPP_
