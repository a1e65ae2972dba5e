// Status updates as the driver sends them: local validation (so that an
// executor learns about a bad update at once instead of through an agent
// refusal) and stamping with a fresh UUID, the time and our IDs.
//
// Thread-safety: pure functions, safe to call concurrently.
#ifndef DRIVER_INTERNAL_STATUS_UPDATE_H_
#define DRIVER_INTERNAL_STATUS_UPDATE_H_

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "api/mesos/mesos.pb.h"

namespace executor_runtime {
namespace driver_internal {

// OK, or INVALID_ARGUMENT saying what is wrong: no task ID, an empty task
// ID, no state, an unknown state, or TASK_STAGING (an agent shuts down an
// executor that sends it).
absl::Status ValidateStatusUpdate(const mesos::TaskStatus& status);

// Overwrites what the driver owns in an update: status.uuid (fresh random
// 16 bytes), timestamp (`now`, seconds since the epoch), executor_id,
// slave_id and source (SOURCE_EXECUTOR). Everything else is kept.
void StampStatusUpdate(const mesos::ExecutorID& executor_id,
                       const mesos::SlaveID& agent_id, absl::Time now,
                       mesos::TaskStatus* status);

}  // namespace driver_internal
}  // namespace executor_runtime

#endif  // DRIVER_INTERNAL_STATUS_UPDATE_H_
