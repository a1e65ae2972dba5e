// Status updates as the driver sends them: local validation (so that an
// executor learns about a bad update at once instead of through an agent
// refusal) and stamping with a fresh UUID, the time and our IDs.
//
// The driver serializes each update exactly once, stamped
// (SerializeStampedUpdate), and keeps only those bytes until the agent
// acknowledges them: batches and resends are assembled from the bytes
// (update_call.h) without building protobuf objects per update.
//
// Thread-safety: pure functions, safe to call concurrently.
#ifndef DRIVER_INTERNAL_STATUS_UPDATE_H_
#define DRIVER_INTERNAL_STATUS_UPDATE_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
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

// A stamped status update as the driver keeps it.
struct StampedUpdate {
  std::string bytes;    // the serialized, stamped mesos::TaskStatus
  std::string task_id;  // its task_id.value
  std::string uuid;     // its uuid (16 bytes)
};

// The stamp's constant part, computed once per driver: the wire bytes of
// TaskStatus.slave_id (field 5) and TaskStatus.executor_id (field 7).
std::string StampIdBytes(const mesos::ExecutorID& executor_id,
                         const mesos::SlaveID& agent_id);

// Serializes `status` stamped as StampStatusUpdate would stamp it (fresh
// UUID, `now`, the IDs in `stamp_ids` from StampIdBytes, SOURCE_EXECUTOR)
// into `*out`, replacing its contents but reusing its buffers. Whatever
// the caller put in the stamped fields is dropped, not merged.
void SerializeStampedUpdate(const mesos::TaskStatus& status,
                            absl::string_view stamp_ids, absl::Time now,
                            StampedUpdate* out);

}  // namespace driver_internal
}  // namespace executor_runtime

#endif  // DRIVER_INTERNAL_STATUS_UPDATE_H_
