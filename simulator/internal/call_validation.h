// Validation of executor calls that needs nothing but the call itself: the
// type, the payload matching it, the IDs, and the status update rules a
// Mesos agent applies (UUID, source, no TASK_STAGING, executor_id). The
// checks that need agent state (subscription, ownership, known tasks) live
// in AgentState. Messages name the offending call and task, e.g.
// "UPDATE for task 't1': status.uuid is 3 bytes, expected 16".
//
// Thread-safety: pure functions, safe to call concurrently.
#ifndef SIMULATOR_INTERNAL_CALL_VALIDATION_H_
#define SIMULATOR_INTERNAL_CALL_VALIDATION_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "api/executor/executor.pb.h"

namespace executor_runtime {
namespace simulator_internal {

// "SUBSCRIBE", "UPDATE", ... or "call type N" for an unknown value.
std::string CallTypeName(mesos::executor::Call::Type type);

// An identifier as it appears in messages: quoted, escaped, and cut at 64
// characters (a hostile executor may send anything).
std::string Quote(absl::string_view id);

// Checks `call` on its own: type set and known, executor_id/framework_id
// present, exactly the payload its type needs, batched_updates only on
// UPDATE, no acknowledgements_received on SUBSCRIBE, and every status
// update in it (ValidateUpdate). INVALID_ARGUMENT
// or PERMISSION_DENIED (a status naming another executor).
absl::Status ValidateCallShape(const mesos::executor::Call& call);

// Where an update sits, for messages: "UPDATE", "UPDATE (batched update 2)",
// "SUBSCRIBE (unacknowledged update 1)". Built only when a check fails.
struct UpdateLocation {
  const char* call = "UPDATE";
  const char* list = nullptr;  // "batched update", ... or none.
  int index = 0;               // 1-based within `list`.

  std::string Name() const;
};

// Checks one status update sent by executor `caller`.
absl::Status ValidateUpdate(const mesos::executor::Call::Update& update,
                            const mesos::ExecutorID& caller,
                            const UpdateLocation& where);

}  // namespace simulator_internal
}  // namespace executor_runtime

#endif  // SIMULATOR_INTERNAL_CALL_VALIDATION_H_
