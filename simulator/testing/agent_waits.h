// Waits and queries over an AgentCore for tests that drive executors
// against it (driver, legacy shim, examples): until an executor subscribed,
// until N updates were recorded, and the states recorded for a task.
//
// Thread-safety: like AgentCore's methods, safe from any thread.
#ifndef SIMULATOR_TESTING_AGENT_WAITS_H_
#define SIMULATOR_TESTING_AGENT_WAITS_H_

#include <cstddef>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "api/mesos/mesos.pb.h"
#include "simulator/agent_core.h"

namespace executor_runtime {
namespace testing_support {

inline constexpr absl::Duration kAgentWaitTimeout = absl::Seconds(10);

// Until `executor` has a live subscribed stream and at least
// `subscriptions` SUBSCRIBEs were accepted; false after `timeout`.
bool WaitSubscribed(const AgentCore& agent, const ExecutorRef& executor,
                    int subscriptions = 1,
                    absl::Duration timeout = kAgentWaitTimeout);

// Until at least `n` updates were recorded; false after `timeout`.
bool WaitUpdateCount(const AgentCore& agent, size_t n,
                     absl::Duration timeout = kAgentWaitTimeout);

// The states recorded for `task_id`, in record order (from the updates the
// agent still keeps).
std::vector<mesos::TaskState> RecordedStates(const AgentCore& agent,
                                             const std::string& task_id);

}  // namespace testing_support
}  // namespace executor_runtime

#endif  // SIMULATOR_TESTING_AGENT_WAITS_H_
