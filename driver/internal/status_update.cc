#include "driver/internal/status_update.h"

#include <cstdint>
#include <cstring>

#include "absl/random/random.h"
#include "absl/strings/str_cat.h"
#include "driver/internal/wire_bytes.h"
#include "util/uuid.h"

namespace executor_runtime {
namespace driver_internal {

absl::Status ValidateStatusUpdate(const mesos::TaskStatus& status) {
  if (!status.has_task_id()) {
    return absl::InvalidArgumentError("invalid status update: no task_id");
  }
  if (status.task_id().value().empty()) {
    return absl::InvalidArgumentError(
        "invalid status update: task_id is empty");
  }
  if (!status.has_state()) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid status update for task '",
                     status.task_id().value(), "': no state"));
  }
  if (!mesos::TaskState_IsValid(status.state())) {
    return absl::InvalidArgumentError(absl::StrCat(
        "invalid status update for task '", status.task_id().value(),
        "': unknown state ", static_cast<int>(status.state())));
  }
  if (status.state() == mesos::TASK_STAGING) {
    return absl::InvalidArgumentError(absl::StrCat(
        "invalid status update for task '", status.task_id().value(),
        "': an executor must not send TASK_STAGING"));
  }
  return absl::OkStatus();
}

void StampStatusUpdate(const mesos::ExecutorID& executor_id,
                       const mesos::SlaveID& agent_id, absl::Time now,
                       mesos::TaskStatus* status) {
  FillNewUuidBytes(status->mutable_uuid());
  status->set_timestamp(absl::ToDoubleSeconds(now - absl::UnixEpoch()));
  *status->mutable_executor_id() = executor_id;
  *status->mutable_slave_id() = agent_id;
  status->set_source(mesos::TaskStatus::SOURCE_EXECUTOR);
}

namespace {

// TaskStatus field numbers (api/mesos/mesos.proto) of what the driver
// stamps; IDs are embedded messages with their `value` in field 1.
constexpr uint32_t kSlaveIdField = 5;     // SlaveID
constexpr uint32_t kTimestampField = 6;   // double
constexpr uint32_t kExecutorIdField = 7;  // ExecutorID
constexpr uint32_t kSourceField = 9;      // enum Source
constexpr uint32_t kUuidField = 11;       // bytes
constexpr uint32_t kIdValueField = 1;     // {Slave,Executor}ID.value

// The stamp after the IDs, written byte by byte: every tag and the values
// of source and the UUID's length fit in one byte.
constexpr uint8_t Tag(uint32_t field, WireType type) {
  return static_cast<uint8_t>((field << 3) | static_cast<uint32_t>(type));
}
constexpr uint8_t kTimestampTag = Tag(kTimestampField, WireType::kFixed64);
constexpr uint8_t kSourceTag = Tag(kSourceField, WireType::kVarint);
constexpr uint8_t kUuidTag = Tag(kUuidField, WireType::kLengthDelimited);
constexpr uint8_t kSourceExecutor = mesos::TaskStatus::SOURCE_EXECUTOR;
constexpr size_t kUuidSize = 16;
static_assert(kSourceField < 16 && kUuidField < 16, "one-byte tags");
static_assert(mesos::TaskStatus::SOURCE_EXECUTOR < 0x80, "one-byte varint");
// Timestamp: tag + 8 bytes; source: tag + 1; UUID: tag + length + 16.
constexpr size_t kStampTailSize = 9 + 2 + 2 + kUuidSize;

// A fresh version-4 UUID into out[0..16). util/uuid.h's generator
// (absl::BitGen, a cryptographically strong Randen) costs more than the
// rest of an update's serialization; status update UUIDs only need to be
// unique and random-looking, which a 128-bit-state PCG generator (period
// 2^128) seeded per thread from the OS entropy source gives (122 random
// bits per UUID, like util's).
void WriteNewUuid(uint8_t* out) {
  thread_local absl::InsecureBitGen gen;
  const uint64_t halves[2] = {gen(), gen()};
  std::memcpy(out, halves, kUuidSize);
  MarkUuidVersion4(reinterpret_cast<char*>(out));
}

// Serializes `status` followed by the stamp into `*out` with one resize
// (no allocation once `out` has grown to the usual update size).
void SerializeWithStamp(const mesos::TaskStatus& status,
                        absl::string_view stamp_ids, absl::Time now,
                        StampedUpdate* out) {
  const size_t status_size = status.ByteSizeLong();
  out->bytes.resize(status_size + stamp_ids.size() + kStampTailSize);
  uint8_t* at = reinterpret_cast<uint8_t*>(&out->bytes[0]);
  at = status.SerializeWithCachedSizesToArray(at);
  // The stamp, after the caller's fields (field order does not matter to
  // parsers).
  std::memcpy(at, stamp_ids.data(), stamp_ids.size());
  at += stamp_ids.size();
  static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
                "fixed64 is written with memcpy: little-endian hosts only");
  const double timestamp = absl::ToDoubleSeconds(now - absl::UnixEpoch());
  *at++ = kTimestampTag;
  std::memcpy(at, &timestamp, sizeof(timestamp));
  at += sizeof(timestamp);
  *at++ = kSourceTag;
  *at++ = kSourceExecutor;
  *at++ = kUuidTag;
  *at++ = kUuidSize;
  WriteNewUuid(at);
  AssignBytes(absl::string_view(reinterpret_cast<const char*>(at), kUuidSize),
              &out->uuid);
}

}  // namespace

std::string StampIdBytes(const mesos::ExecutorID& executor_id,
                         const mesos::SlaveID& agent_id) {
  std::string agent;
  AppendLengthDelimited(kIdValueField, agent_id.value(), &agent);
  std::string executor;
  AppendLengthDelimited(kIdValueField, executor_id.value(), &executor);
  std::string out;
  AppendLengthDelimited(kSlaveIdField, agent, &out);
  AppendLengthDelimited(kExecutorIdField, executor, &out);
  return out;
}

void SerializeStampedUpdate(const mesos::TaskStatus& status,
                            absl::string_view stamp_ids, absl::Time now,
                            StampedUpdate* out) {
  if (status.has_slave_id() || status.has_executor_id() ||
      status.has_timestamp() || status.has_source() || status.has_uuid()) {
    // Rare: the caller filled fields the driver owns. Appending ours would
    // MERGE the ID messages, so serialize a copy without them.
    thread_local mesos::TaskStatus copy;
    copy = status;
    copy.clear_slave_id();
    copy.clear_executor_id();
    copy.clear_timestamp();
    copy.clear_source();
    copy.clear_uuid();
    SerializeWithStamp(copy, stamp_ids, now, out);
  } else {
    SerializeWithStamp(status, stamp_ids, now, out);
  }
  AssignBytes(status.task_id().value(), &out->task_id);
}

}  // namespace driver_internal
}  // namespace executor_runtime
