#include "driver/internal/status_update.h"

#include <cstdint>
#include <cstring>

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

// The caller's fields, then room for the stamp, in one allocation at most
// (none once `out` has grown to the usual update size).
void SerializeWithRoomForStamp(const mesos::TaskStatus& status,
                               size_t stamp_size, std::string* out) {
  const size_t size = status.ByteSizeLong();
  out->reserve(size + stamp_size);
  out->resize(size);
  status.SerializeWithCachedSizesToArray(
      reinterpret_cast<uint8_t*>(&(*out)[0]));
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
  // Timestamp: tag + 8 bytes; source: tag + 1; UUID: tag + length + 16.
  const size_t stamp_size = stamp_ids.size() + 9 + 2 + 18;
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
    SerializeWithRoomForStamp(copy, stamp_size, &out->bytes);
  } else {
    SerializeWithRoomForStamp(status, stamp_size, &out->bytes);
  }
  FillNewUuidBytes(&out->uuid);
  out->task_id.assign(status.task_id().value());
  // The stamp, appended after the caller's fields (field order does not
  // matter to parsers).
  out->bytes.append(stamp_ids.data(), stamp_ids.size());
  AppendDoubleField(kTimestampField,
                    absl::ToDoubleSeconds(now - absl::UnixEpoch()),
                    &out->bytes);
  AppendVarintField(kSourceField, mesos::TaskStatus::SOURCE_EXECUTOR,
                    &out->bytes);
  AppendLengthDelimited(kUuidField, out->uuid, &out->bytes);
}

}  // namespace driver_internal
}  // namespace executor_runtime
