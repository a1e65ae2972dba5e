#include "util/task_state.h"

namespace executor_runtime {

bool IsTerminalState(mesos::TaskState state) {
  switch (state) {
    case mesos::TASK_FINISHED:
    case mesos::TASK_FAILED:
    case mesos::TASK_KILLED:
    case mesos::TASK_ERROR:
    case mesos::TASK_LOST:
    case mesos::TASK_DROPPED:
    case mesos::TASK_GONE:
    case mesos::TASK_GONE_BY_OPERATOR:
      return true;
    default:
      return false;
  }
}

}  // namespace executor_runtime
