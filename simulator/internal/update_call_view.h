// The agent's fast path for UPDATE calls: reads a serialized
// mesos.executor.Call in place, without building protobuf objects, when it
// is a valid UPDATE call of the usual shape, and yields what the status
// update manager needs of each update as views into the call's bytes.
//
// At a million updates a second, parsing every Call into TaskStatus
// objects (and clearing them for the next call) cost more than the rest of
// the agent's work per update. An update's recorded form is its TaskStatus
// bytes exactly as the executor sent them (UpdateView::status_bytes).
//
// The fast path only ever ACCEPTS: ReadUpdateCall returns true only for a
// call that ValidateCallShape (call_validation.h) would accept as well, with
// the same meaning. Anything else returns false and the caller takes the
// slow path (full parse, ValidateCallShape and its precise error messages):
// another call type, a field it does not check (labels, container status,
// check status, unreachable time, unknown fields), a field given twice
// (protobuf's merge rules), an unknown enum value, or any invalid update.
//
// Thread-safety: ReadUpdateCall is a pure function. An UpdateCallView is a
// value, used by one thread at a time; its views are valid while the bytes
// it was read from are.
#ifndef SIMULATOR_INTERNAL_UPDATE_CALL_VIEW_H_
#define SIMULATOR_INTERNAL_UPDATE_CALL_VIEW_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "api/mesos/mesos.pb.h"

namespace executor_runtime {
namespace simulator_internal {

// One status update of a call.
struct UpdateView {
  absl::string_view status_bytes;  // The serialized TaskStatus.
  absl::string_view task_id;       // status.task_id.value, never empty
  absl::string_view uuid;          // status.uuid, 16 bytes
  mesos::TaskState state = mesos::TASK_STAGING;
};

// An UPDATE call: `updates` holds Call.update, then Call.batched_updates.
struct UpdateCallView {
  absl::string_view executor_id;
  absl::string_view framework_id;
  std::vector<UpdateView> updates;
  // Call.acknowledgements_received, if present.
  bool has_acknowledgements_received = false;
  uint64_t acknowledgements_received = 0;

  // Empties the view, keeping the capacity of `updates`.
  void Clear() {
    executor_id = {};
    framework_id = {};
    updates.clear();
    has_acknowledgements_received = false;
    acknowledgements_received = 0;
  }
};

// Reads `call_bytes` into `*view` (cleared first) if it is a valid UPDATE
// call of the usual shape; false means "take the slow path", never "invalid".
bool ReadUpdateCall(absl::string_view call_bytes, UpdateCallView* view);

// The view of an update already parsed and validated by the slow path:
// `*status_bytes` receives its serialization. The view points into both
// `status` and `*status_bytes`, which must outlive it.
UpdateView ViewOfParsedUpdate(const mesos::TaskStatus& status,
                              std::string* status_bytes);

}  // namespace simulator_internal
}  // namespace executor_runtime

#endif  // SIMULATOR_INTERNAL_UPDATE_CALL_VIEW_H_
