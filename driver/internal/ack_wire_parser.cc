#include "driver/internal/ack_wire_parser.h"

#include <cstdint>

#include "util/wire_reader.h"

namespace executor_runtime {
namespace driver_internal {
namespace {

using mesos::executor::Event;

// Field numbers (api/executor/executor.proto, api/mesos/mesos.proto).
constexpr uint32_t kEventType = 1;
constexpr uint32_t kEventAcknowledged = 3;
constexpr uint32_t kEventBatchedAcknowledgements = 100;
constexpr uint32_t kAckTaskId = 1;
constexpr uint32_t kAckUuid = 2;
constexpr uint32_t kTaskIdValue = 1;

// Acknowledged { task_id { value }, uuid }, each exactly once, in either
// order.
bool ParseAcknowledged(absl::string_view bytes, AckView* ack) {
  WireReader in(bytes);
  WireField field;
  WireRead read;
  bool have_task_id = false;
  bool have_uuid = false;
  while ((read = in.Next(&field)) == WireRead::kField) {
    if (field.type != WireType::kLengthDelimited) return false;
    if (field.number == kAckTaskId && !have_task_id) {
      if (!ReadOnlyBytesField(field.bytes, kTaskIdValue, &ack->task_id)) {
        return false;
      }
      have_task_id = true;
    } else if (field.number == kAckUuid && !have_uuid) {
      ack->uuid = field.bytes;
      have_uuid = true;
    } else {
      return false;
    }
  }
  return read == WireRead::kEnd && have_task_id && have_uuid;
}

}  // namespace

bool ParseAcknowledgedEvent(absl::string_view event_bytes,
                            std::vector<AckView>* acks) {
  acks->clear();
  WireReader in(event_bytes);
  WireField field;
  WireRead read;
  bool have_type = false;
  bool have_first = false;  // Event.acknowledged
  while ((read = in.Next(&field)) == WireRead::kField) {
    if (field.number == kEventType && !have_type) {
      if (field.type != WireType::kVarint ||
          field.value != Event::ACKNOWLEDGED) {
        return false;
      }
      have_type = true;
    } else if (field.number == kEventAcknowledged && !have_first &&
               field.type == WireType::kLengthDelimited) {
      AckView first;
      if (!ParseAcknowledged(field.bytes, &first)) return false;
      // Protobuf puts `acknowledged` before the batched ones wherever it
      // sits in the bytes; the agent writes it first, so this appends.
      acks->insert(acks->begin(), first);
      have_first = true;
    } else if (field.number == kEventBatchedAcknowledgements &&
               field.type == WireType::kLengthDelimited) {
      AckView ack;
      if (!ParseAcknowledged(field.bytes, &ack)) return false;
      acks->push_back(ack);
    } else {
      return false;
    }
  }
  return read == WireRead::kEnd && have_type;
}

void AppendAckViews(const Event& event, std::vector<AckView>* acks) {
  if (event.has_acknowledged()) {
    acks->push_back(AckView{event.acknowledged().task_id().value(),
                            event.acknowledged().uuid()});
  }
  for (const Event::Acknowledged& ack : event.batched_acknowledgements()) {
    acks->push_back(AckView{ack.task_id().value(), ack.uuid()});
  }
}

}  // namespace driver_internal
}  // namespace executor_runtime
