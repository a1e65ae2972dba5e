#include "simulator/internal/ack_encoding.h"

namespace executor_runtime {
namespace simulator_internal {
namespace {

// Wire-format tags: (field number << 3) | wire type (0 varint, 2 bytes).
constexpr char kEventTypeTag = (1 << 3) | 0;     // Event.type
constexpr char kAcknowledgedEventType = 4;       // Event.ACKNOWLEDGED
constexpr char kAcknowledgedTag = (3 << 3) | 2;  // Event.acknowledged
// Event.batched_acknowledgements: field 100, (100 << 3) | 2 = 802 as varint.
constexpr char kBatchedTag[] = {static_cast<char>(0xA2), 0x06};
constexpr char kTaskIdTag = (1 << 3) | 2;  // Acknowledged.task_id
constexpr char kValueTag = (1 << 3) | 2;   // TaskID.value
constexpr char kUuidTag = (2 << 3) | 2;    // Acknowledged.uuid

size_t VarintSize(uint64_t value) {
  size_t size = 1;
  while (value >= 0x80) {
    value >>= 7;
    ++size;
  }
  return size;
}

void AppendVarint(uint64_t value, std::string* out) {
  while (value >= 0x80) {
    out->push_back(static_cast<char>((value & 0x7F) | 0x80));
    value >>= 7;
  }
  out->push_back(static_cast<char>(value));
}

}  // namespace

void AckList::Add(absl::string_view task_id, absl::string_view uuid) {
  for (absl::string_view field : {task_id, uuid}) {
    const uint32_t size = static_cast<uint32_t>(field.size());
    data_.append(reinterpret_cast<const char*>(&size), sizeof(size));
    data_.append(field.data(), field.size());
  }
  ++count_;
}

void AppendEncodedAck(absl::string_view task_id, absl::string_view uuid,
                      std::string* event) {
  const size_t task_id_message =
      1 + VarintSize(task_id.size()) + task_id.size();
  const size_t acknowledged = 1 + VarintSize(task_id_message) +
                              task_id_message + 1 + VarintSize(uuid.size()) +
                              uuid.size();
  if (event->empty()) {
    event->push_back(kEventTypeTag);
    event->push_back(kAcknowledgedEventType);
    event->push_back(kAcknowledgedTag);
  } else {
    event->append(kBatchedTag, sizeof(kBatchedTag));
  }
  AppendVarint(acknowledged, event);
  event->push_back(kTaskIdTag);
  AppendVarint(task_id_message, event);
  event->push_back(kValueTag);
  AppendVarint(task_id.size(), event);
  event->append(task_id.data(), task_id.size());
  event->push_back(kUuidTag);
  AppendVarint(uuid.size(), event);
  event->append(uuid.data(), uuid.size());
}

}  // namespace simulator_internal
}  // namespace executor_runtime
