// Builds the wire bytes of mesos::executor::Call messages from status
// updates that were serialized once (status_update.h), so that a batch or a
// resend costs a memcpy per update instead of a protobuf copy.
//
//   UpdateCallWriter writer(executor_id, framework_id);
//   writer.Begin();
//   writer.Add(update.bytes);  // becomes Call.update
//   writer.Add(next.bytes);    // becomes Call.batched_updates[0] ...
//   SendBytes(writer.bytes());
//
// Thread-safety: not synchronized (the driver guards its writer).
#ifndef DRIVER_INTERNAL_UPDATE_CALL_H_
#define DRIVER_INTERNAL_UPDATE_CALL_H_

#include <cstddef>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "api/executor/executor.pb.h"
#include "api/mesos/mesos.pb.h"

namespace executor_runtime {
namespace driver_internal {

class UpdateCallWriter {
 public:
  UpdateCallWriter(const mesos::ExecutorID& executor_id,
                   const mesos::FrameworkID& framework_id);

  // Starts a new UPDATE call (keeping the buffer's memory).
  void Begin();
  // Appends one serialized TaskStatus: the first as Call.update, the
  // others as Call.batched_updates, in order.
  void Add(absl::string_view status_bytes);

  // Updates added since Begin().
  size_t count() const { return count_; }
  // The serialized Call so far.
  const std::string& bytes() const { return bytes_; }

 private:
  std::string header_;  // executor_id, framework_id and type: constant
  std::string bytes_;
  size_t count_ = 0;
};

// Serializes `call` (a SUBSCRIBE) into `*out`, replacing its contents, with
// `updates` (serialized TaskStatus, oldest first) appended to
// Call.subscribe.unacknowledged_updates after any the message holds.
void SerializeSubscribeCall(const mesos::executor::Call& call,
                            const std::vector<absl::string_view>& updates,
                            std::string* out);

}  // namespace driver_internal
}  // namespace executor_runtime

#endif  // DRIVER_INTERNAL_UPDATE_CALL_H_
