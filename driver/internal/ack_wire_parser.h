// Reading ACKNOWLEDGED events straight from their wire bytes.
//
// The agent acknowledges status updates in ACKNOWLEDGED events, up to
// hundreds per event. Parsing those into protobuf objects (an
// Event::Acknowledged and a TaskID per acknowledgement, then destroying
// them) cost the driver more than matching the acknowledgements against
// its UpdateTracker. ParseAcknowledgedEvent walks the bytes instead and
// yields views into them.
//
// It accepts only the plain shape: the fields `type` (= ACKNOWLEDGED, once),
// `acknowledged` (at most once) and `batched_acknowledgements`, each
// acknowledgement holding exactly `task_id` { `value` } and `uuid`, once
// each. For any other input (other fields, repeated singular fields, odd
// encodings, truncation, ...) it returns false and the caller parses the
// event with protobuf as usual, so behaviour never differs from protobuf's.
//
// Thread-safety: the functions are pure and safe to call concurrently.
#ifndef DRIVER_INTERNAL_ACK_WIRE_PARSER_H_
#define DRIVER_INTERNAL_ACK_WIRE_PARSER_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "api/executor/executor.pb.h"

namespace executor_runtime {
namespace driver_internal {

// One acknowledgement: views into bytes the caller keeps alive.
struct AckView {
  absl::string_view task_id;  // TaskID.value
  absl::string_view uuid;
};

// If `event_bytes` is a serialized Event of type ACKNOWLEDGED in the plain
// shape (see above), replaces `*acks` with its acknowledgements in the
// order protobuf would report them (`acknowledged` first, then
// `batched_acknowledgements` in order) and returns true. Otherwise returns
// false; `*acks` is then unspecified.
bool ParseAcknowledgedEvent(absl::string_view event_bytes,
                            std::vector<AckView>* acks);

// Appends the acknowledgements of a parsed ACKNOWLEDGED `event`, in the
// same order; the views point into `event`.
void AppendAckViews(const mesos::executor::Event& event,
                    std::vector<AckView>* acks);

}  // namespace driver_internal
}  // namespace executor_runtime

#endif  // DRIVER_INTERNAL_ACK_WIRE_PARSER_H_
