// EventHandler: what an executor implements to receive events from its
// agent through an ExecutorDriver.
//
// Thread-safety: the driver calls these methods one at a time, on a thread it
// owns, in the order events arrived. A method may call any ExecutorDriver
// method (including Stop()) without deadlock. A method that blocks delays
// every later event, but not acknowledgement bookkeeping or heartbeats.
// No method is called after ExecutorDriver::Join() returned.
#ifndef DRIVER_EVENT_HANDLER_H_
#define DRIVER_EVENT_HANDLER_H_

#include <string>

#include "api/executor/executor.pb.h"
#include "api/mesos/mesos.pb.h"

namespace executor_runtime {

class ExecutorDriver;

class EventHandler {
 public:
  virtual ~EventHandler() = default;

  // The agent accepted the subscription. `resubscribed` is false the first
  // time and true after every reconnect (the legacy reregistered()).
  virtual void Subscribed(ExecutorDriver* driver,
                          const mesos::executor::Event::Subscribed& subscribed,
                          bool resubscribed) {}

  // The stream to the agent broke (or went silent). The driver reconnects
  // when checkpointing is on; otherwise Shutdown() follows.
  virtual void Disconnected(ExecutorDriver* driver) {}

  // Run a task. Report its progress with SendStatusUpdate().
  virtual void Launch(ExecutorDriver* driver, const mesos::TaskInfo& task) = 0;

  // Run a group of tasks. By default, Launch() for each task in order.
  virtual void LaunchGroup(ExecutorDriver* driver,
                           const mesos::TaskGroupInfo& group) {
    for (const mesos::TaskInfo& task : group.tasks()) Launch(driver, task);
  }

  // Kill a task; the executor reports TASK_KILLED itself. `kill_policy` is
  // empty when the agent sent none.
  virtual void Kill(ExecutorDriver* driver, const mesos::TaskID& task_id,
                    const mesos::KillPolicy& kill_policy) = 0;

  // The agent acknowledged the update `uuid` (16 raw bytes) of `task_id`.
  virtual void Acknowledged(ExecutorDriver* driver,
                            const mesos::TaskID& task_id,
                            const std::string& uuid) {}

  // A framework message (best effort).
  virtual void Message(ExecutorDriver* driver, const std::string& data) {}

  // Kill all tasks and exit. After shutdown_grace_period the driver kills
  // the process group if the process is still alive (see DriverOptions).
  virtual void Shutdown(ExecutorDriver* driver) = 0;

  // A fatal error: bad configuration, the agent refused us, recovery timed
  // out. The driver is already aborted when this is called.
  virtual void Error(ExecutorDriver* driver, const std::string& message) {}
};

}  // namespace executor_runtime

#endif  // DRIVER_EVENT_HANDLER_H_
