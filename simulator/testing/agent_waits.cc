#include "simulator/testing/agent_waits.h"

#include <optional>

namespace executor_runtime {
namespace testing_support {

bool WaitSubscribed(const AgentCore& agent, const ExecutorRef& executor,
                    int subscriptions, absl::Duration timeout) {
  return agent.WaitUntil(
      [&](const AgentCore& core) {
        std::optional<ExecutorView> view = core.Executor(executor);
        return view.has_value() && view->subscribed &&
               view->subscriptions >= subscriptions;
      },
      timeout);
}

bool WaitUpdateCount(const AgentCore& agent, size_t n,
                     absl::Duration timeout) {
  return agent.WaitUntil(
      [n](const AgentCore& core) { return core.UpdateCount() >= n; },
      timeout);
}

std::vector<mesos::TaskState> RecordedStates(const AgentCore& agent,
                                             const std::string& task_id) {
  std::vector<mesos::TaskState> states;
  for (const RecordedUpdate& update : agent.Updates()) {
    if (update.status.task_id().value() == task_id) {
      states.push_back(update.status.state());
    }
  }
  return states;
}

}  // namespace testing_support
}  // namespace executor_runtime
