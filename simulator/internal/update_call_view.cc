#include "simulator/internal/update_call_view.h"

#include <cstdint>

#include "api/executor/executor.pb.h"
#include "util/uuid.h"
#include "util/wire_reader.h"

namespace executor_runtime {
namespace simulator_internal {

namespace {

// Field numbers: api/executor/executor.proto and api/mesos/mesos.proto.
constexpr uint32_t kCallExecutorId = 1;
constexpr uint32_t kCallFrameworkId = 2;
constexpr uint32_t kCallType = 3;
constexpr uint32_t kCallUpdate = 5;
constexpr uint32_t kCallBatchedUpdates = 100;
constexpr uint32_t kCallAcknowledgementsReceived = 101;
constexpr uint32_t kUpdateStatus = 1;
constexpr uint32_t kIdValue = 1;  // TaskID, ExecutorID, ... { value = 1 }

constexpr uint32_t kStatusTaskId = 1;
constexpr uint32_t kStatusState = 2;
constexpr uint32_t kStatusData = 3;
constexpr uint32_t kStatusMessage = 4;
constexpr uint32_t kStatusSlaveId = 5;
constexpr uint32_t kStatusTimestamp = 6;
constexpr uint32_t kStatusExecutorId = 7;
constexpr uint32_t kStatusHealthy = 8;
constexpr uint32_t kStatusSource = 9;
constexpr uint32_t kStatusReason = 10;
constexpr uint32_t kStatusUuid = 11;

bool IsEnumValue(uint64_t value, bool (*is_valid)(int)) {
  return value <= INT32_MAX && is_valid(static_cast<int>(value));
}

// A TaskStatus that ValidateUpdate accepts from `caller`, holding only the
// fields checked here, each at most once.
bool ReadStatus(absl::string_view bytes, absl::string_view caller,
                UpdateView* update) {
  update->status_bytes = bytes;
  uint32_t seen = 0;  // Bit n: field n was read.
  WireReader reader(bytes);
  WireField field;
  WireRead read;
  while ((read = reader.Next(&field)) == WireRead::kField) {
    if (field.number > kStatusUuid) return false;
    const uint32_t bit = 1u << field.number;
    if ((seen & bit) != 0) return false;
    seen |= bit;
    const bool is_bytes = field.type == WireType::kLengthDelimited;
    const bool is_varint = field.type == WireType::kVarint;
    absl::string_view id;
    switch (field.number) {
      case kStatusTaskId:
        if (!is_bytes ||
            !ReadOnlyBytesField(field.bytes, kIdValue, &update->task_id) ||
            update->task_id.empty()) {
          return false;
        }
        break;
      case kStatusState:
        if (!is_varint || !IsEnumValue(field.value, mesos::TaskState_IsValid) ||
            field.value == mesos::TASK_STAGING) {
          return false;
        }
        update->state = static_cast<mesos::TaskState>(field.value);
        break;
      case kStatusData:
      case kStatusMessage:
        if (!is_bytes) return false;
        break;
      case kStatusSlaveId:
        if (!is_bytes || !ReadOnlyBytesField(field.bytes, kIdValue, &id)) {
          return false;
        }
        break;
      case kStatusTimestamp:
        if (field.type != WireType::kFixed64) return false;
        break;
      case kStatusExecutorId:
        if (!is_bytes || !ReadOnlyBytesField(field.bytes, kIdValue, &id) ||
            id != caller) {
          return false;
        }
        break;
      case kStatusHealthy:
        if (!is_varint) return false;
        break;
      case kStatusSource:
        if (!is_varint ||
            field.value != mesos::TaskStatus::SOURCE_EXECUTOR) {
          return false;
        }
        break;
      case kStatusReason:
        if (!is_varint ||
            !IsEnumValue(field.value, mesos::TaskStatus::Reason_IsValid)) {
          return false;
        }
        break;
      case kStatusUuid:
        if (!is_bytes || !IsValidUuidBytes(field.bytes)) return false;
        update->uuid = field.bytes;
        break;
      default:
        return false;
    }
  }
  constexpr uint32_t kRequired = (1u << kStatusTaskId) |
                                 (1u << kStatusState) |
                                 (1u << kStatusSource) | (1u << kStatusUuid);
  return read == WireRead::kEnd && (seen & kRequired) == kRequired;
}

}  // namespace

bool ReadUpdateCall(absl::string_view call_bytes, UpdateCallView* view) {
  view->Clear();
  bool has_executor_id = false;
  bool has_framework_id = false;
  bool is_update = false;
  bool has_update = false;
  WireReader reader(call_bytes);
  WireField field;
  WireRead read;
  while ((read = reader.Next(&field)) == WireRead::kField) {
    absl::string_view status;
    switch (field.number) {
      case kCallExecutorId:
        if (has_executor_id || field.type != WireType::kLengthDelimited ||
            !ReadOnlyBytesField(field.bytes, kIdValue, &view->executor_id)) {
          return false;
        }
        has_executor_id = true;
        break;
      case kCallFrameworkId:
        if (has_framework_id || field.type != WireType::kLengthDelimited ||
            !ReadOnlyBytesField(field.bytes, kIdValue,
                                  &view->framework_id)) {
          return false;
        }
        has_framework_id = true;
        break;
      case kCallType:
        if (is_update || field.type != WireType::kVarint ||
            field.value != mesos::executor::Call::UPDATE) {
          return false;
        }
        is_update = true;
        break;
      case kCallUpdate:
      case kCallBatchedUpdates: {
        const bool first = field.number == kCallUpdate;
        if ((first && has_update) || field.type != WireType::kLengthDelimited ||
            !ReadOnlyBytesField(field.bytes, kUpdateStatus, &status)) {
          return false;
        }
        UpdateView update;
        update.status_bytes = status;
        if (first) {
          // Call.update comes first in the view, wherever it was on the wire.
          view->updates.insert(view->updates.begin(), update);
          has_update = true;
        } else {
          view->updates.push_back(update);
        }
        break;
      }
      case kCallAcknowledgementsReceived:
        if (view->has_acknowledgements_received ||
            field.type != WireType::kVarint) {
          return false;
        }
        view->has_acknowledgements_received = true;
        view->acknowledgements_received = field.value;
        break;
      default:
        return false;
    }
  }
  if (read != WireRead::kEnd || !has_executor_id || !has_framework_id ||
      !is_update || !has_update || view->executor_id.empty() ||
      view->framework_id.empty()) {
    return false;
  }
  for (UpdateView& update : view->updates) {
    if (!ReadStatus(update.status_bytes, view->executor_id, &update)) {
      return false;
    }
  }
  return true;
}

UpdateView ViewOfParsedUpdate(const mesos::TaskStatus& status,
                              std::string* status_bytes) {
  status.SerializePartialToString(status_bytes);
  UpdateView view;
  view.status_bytes = *status_bytes;
  view.task_id = status.task_id().value();
  view.uuid = status.uuid();
  view.state = status.state();
  return view;
}

}  // namespace simulator_internal
}  // namespace executor_runtime
