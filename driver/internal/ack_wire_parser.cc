#include "driver/internal/ack_wire_parser.h"

#include <cstdint>

namespace executor_runtime {
namespace driver_internal {
namespace {

using mesos::executor::Event;

// Tags as single-byte (or, for field 100, two-byte) varints:
// (field_number << 3) | wire type (0: varint, 2: length-delimited).
constexpr uint8_t kEventTypeTag = (1 << 3) | 0;      // Event.type
constexpr uint8_t kAcknowledgedTag = (3 << 3) | 2;   // Event.acknowledged
constexpr uint8_t kBatchedTagByte0 = 0xA2;           // Event.batched_
constexpr uint8_t kBatchedTagByte1 = 0x06;           //   acknowledgements
constexpr uint8_t kTaskIdTag = (1 << 3) | 2;         // Acknowledged.task_id
constexpr uint8_t kUuidTag = (2 << 3) | 2;           // Acknowledged.uuid
constexpr uint8_t kTaskIdValueTag = (1 << 3) | 2;    // TaskID.value
static_assert(((100 << 3) | 2) == ((kBatchedTagByte1 << 7) |
                                   (kBatchedTagByte0 & 0x7f)),
              "field 100, wire type 2");

// A forward-only reader over wire bytes; every read checks bounds.
class WireCursor {
 public:
  explicit WireCursor(absl::string_view bytes)
      : at_(reinterpret_cast<const uint8_t*>(bytes.data())),
        end_(at_ + bytes.size()) {}

  bool done() const { return at_ == end_; }
  // The next byte, consumed; false at the end.
  bool Byte(uint8_t* out) {
    if (at_ == end_) return false;
    *out = *at_++;
    return true;
  }
  // A length prefix and that many bytes. Lengths are varints of at most
  // five bytes (protobuf caps them below 2 GiB).
  bool LengthDelimited(absl::string_view* out) {
    uint64_t size = 0;
    for (int shift = 0;; shift += 7) {
      if (shift > 28 || at_ == end_) return false;
      const uint8_t byte = *at_++;
      size |= static_cast<uint64_t>(byte & 0x7f) << shift;
      if ((byte & 0x80) == 0) break;
    }
    if (size > static_cast<uint64_t>(end_ - at_)) return false;
    *out = absl::string_view(reinterpret_cast<const char*>(at_), size);
    at_ += size;
    return true;
  }

 private:
  const uint8_t* at_;
  const uint8_t* end_;
};

// TaskID { value } and nothing else.
bool ParseTaskId(absl::string_view bytes, absl::string_view* value) {
  WireCursor in(bytes);
  uint8_t tag;
  return in.Byte(&tag) && tag == kTaskIdValueTag && in.LengthDelimited(value) &&
         in.done();
}

// Acknowledged { task_id, uuid }, each exactly once, in either order.
bool ParseAcknowledged(absl::string_view bytes, AckView* ack) {
  WireCursor in(bytes);
  bool have_task_id = false;
  bool have_uuid = false;
  while (!in.done()) {
    uint8_t tag;
    if (!in.Byte(&tag)) return false;
    if (tag == kTaskIdTag && !have_task_id) {
      absl::string_view task_id;
      if (!in.LengthDelimited(&task_id) ||
          !ParseTaskId(task_id, &ack->task_id)) {
        return false;
      }
      have_task_id = true;
    } else if (tag == kUuidTag && !have_uuid) {
      if (!in.LengthDelimited(&ack->uuid)) return false;
      have_uuid = true;
    } else {
      return false;
    }
  }
  return have_task_id && have_uuid;
}

}  // namespace

bool ParseAcknowledgedEvent(absl::string_view event_bytes,
                            std::vector<AckView>* acks) {
  acks->clear();
  WireCursor in(event_bytes);
  bool have_type = false;
  bool have_first = false;  // Event.acknowledged
  while (!in.done()) {
    uint8_t tag;
    if (!in.Byte(&tag)) return false;
    if (tag == kEventTypeTag && !have_type) {
      uint8_t type;
      // Only the one-byte encoding of ACKNOWLEDGED.
      if (!in.Byte(&type) || type != Event::ACKNOWLEDGED) return false;
      have_type = true;
    } else if (tag == kAcknowledgedTag && !have_first) {
      absl::string_view bytes;
      AckView first;
      if (!in.LengthDelimited(&bytes) || !ParseAcknowledged(bytes, &first)) {
        return false;
      }
      // Protobuf puts `acknowledged` before the batched ones wherever it
      // sits in the bytes; the agent writes it first, so this appends.
      acks->insert(acks->begin(), first);
      have_first = true;
    } else if (tag == kBatchedTagByte0) {
      uint8_t tag_byte1;
      absl::string_view bytes;
      AckView ack;
      if (!in.Byte(&tag_byte1) || tag_byte1 != kBatchedTagByte1 ||
          !in.LengthDelimited(&bytes) || !ParseAcknowledged(bytes, &ack)) {
        return false;
      }
      acks->push_back(ack);
    } else {
      return false;
    }
  }
  return have_type;
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

bool ByteBufferFlattener::Flatten(const grpc::ByteBuffer& buffer,
                                  absl::string_view* bytes) {
  single_ = grpc::Slice();
  if (buffer.TrySingleSlice(&single_).ok()) {
    *bytes = absl::string_view(reinterpret_cast<const char*>(single_.begin()),
                               single_.size());
    return true;
  }
  slices_.clear();
  if (!buffer.Dump(&slices_).ok()) return false;
  copy_.clear();
  for (const grpc::Slice& slice : slices_) {
    copy_.append(reinterpret_cast<const char*>(slice.begin()), slice.size());
  }
  slices_.clear();
  *bytes = copy_;
  return true;
}

}  // namespace driver_internal
}  // namespace executor_runtime
