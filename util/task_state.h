// Facts about Mesos task states shared by the driver, the agent core, the
// simulator tool and executors.
//
// Thread-safety: pure functions, safe to call concurrently.
#ifndef UTIL_TASK_STATE_H_
#define UTIL_TASK_STATE_H_

#include "api/mesos/mesos.pb.h"

namespace executor_runtime {

// True for the states after which a task never changes again, as Mesos
// defines them: FINISHED, FAILED, KILLED, ERROR, LOST, DROPPED, GONE,
// GONE_BY_OPERATOR.
bool IsTerminalState(mesos::TaskState state);

}  // namespace executor_runtime

#endif  // UTIL_TASK_STATE_H_
