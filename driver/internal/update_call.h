// Builds the wire bytes of mesos::executor::Call messages from status
// updates that were serialized once (status_update.h), so that a batch or a
// resend costs a memcpy per update instead of a protobuf copy.
//
// An UPDATE call is written straight into the buffer gRPC sends: Add()
// only notes where each update's bytes are, and Finish() sizes the call,
// allocates its one slice and copies every update in once.
//
//   UpdateCallWriter writer(executor_id, framework_id);
//   writer.Begin();  // or Begin(acks_received): with a receipt
//   writer.Add(update.bytes);  // becomes Call.update
//   writer.Add(next.bytes);    // becomes Call.batched_updates[0] ...
//   writer.Finish(&byte_buffer);
//
// Thread-safety: not synchronized (the driver guards its writer).
#ifndef DRIVER_INTERNAL_UPDATE_CALL_H_
#define DRIVER_INTERNAL_UPDATE_CALL_H_

#include <grpcpp/support/byte_buffer.h>

#include <cstddef>
#include <cstdint>
#include <optional>
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

  // Starts a new UPDATE call; with `acknowledgements_received`, the call
  // carries that receipt (Call.acknowledgements_received).
  void Begin(std::optional<uint64_t> acknowledgements_received = std::nullopt);
  // Adds one serialized TaskStatus: the first as Call.update, the others as
  // Call.batched_updates, in order. The bytes are NOT copied here: they
  // must stay valid and unchanged until Finish() or ToString().
  void Add(absl::string_view status_bytes);

  // Updates added since Begin().
  size_t count() const { return updates_.size(); }
  // The size of the serialized Call so far.
  size_t size() const { return size_; }

  // Writes the Call into `*out` (replacing what it held) as one slice.
  void Finish(grpc::ByteBuffer* out) const;
  // The same bytes as a string (for tests).
  std::string ToString() const;

 private:
  // Writes the Call at `out` (size() bytes of room); returns the end.
  char* WriteTo(char* out) const;

  std::string header_;  // executor_id, framework_id and type: constant
  std::vector<absl::string_view> updates_;  // reused from call to call
  std::string receipt_;  // The receipt field, encoded, or empty.
  size_t size_ = 0;
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
