#include "simulator/internal/update_call_view.h"

#include <google/protobuf/io/coded_stream.h>

#include <cstdint>

#include "api/executor/executor.pb.h"
#include "util/uuid.h"

namespace executor_runtime {
namespace simulator_internal {

namespace {

// Wire types (https://protobuf.dev/programming-guides/encoding/).
constexpr uint32_t kVarint = 0;
constexpr uint32_t kFixed64 = 1;
constexpr uint32_t kLengthDelimited = 2;

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

struct Field {
  uint32_t number = 0;
  uint32_t wire_type = 0;
  uint64_t value = 0;       // varint and fixed64 fields
  absl::string_view bytes;  // length-delimited fields
};

enum class Read { kField, kEnd, kMalformed };

// The fields of one message, in order, over protobuf's CodedInputStream.
class FieldReader {
 public:
  explicit FieldReader(absl::string_view bytes)
      : base_(bytes.data()),
        size_(static_cast<int>(bytes.size())),
        input_(reinterpret_cast<const uint8_t*>(bytes.data()), size_) {}

  Read Next(Field* field) {
    if (input_.CurrentPosition() == size_) return Read::kEnd;
    const uint32_t tag = input_.ReadTag();
    if (tag == 0) return Read::kMalformed;
    field->number = tag >> 3;
    field->wire_type = tag & 7;
    bool ok = false;
    switch (field->wire_type) {
      case kVarint:
        ok = input_.ReadVarint64(&field->value);
        break;
      case kFixed64:
        ok = input_.ReadLittleEndian64(&field->value);
        break;
      case kLengthDelimited: {
        uint32_t length = 0;
        if (!input_.ReadVarint32(&length)) break;
        const int at = input_.CurrentPosition();
        if (length > static_cast<uint32_t>(size_ - at)) break;
        field->bytes = absl::string_view(base_ + at, length);
        ok = input_.Skip(static_cast<int>(length));
        break;
      }
      default:  // fixed32 and groups: no field of ours uses them.
        break;
    }
    return ok ? Read::kField : Read::kMalformed;
  }

 private:
  const char* const base_;
  const int size_;
  google::protobuf::io::CodedInputStream input_;
};

// A message holding exactly one length-delimited field `number`.
bool ReadSingleBytesField(absl::string_view message, uint32_t number,
                          absl::string_view* value) {
  FieldReader reader(message);
  Field field;
  if (reader.Next(&field) != Read::kField || field.number != number ||
      field.wire_type != kLengthDelimited) {
    return false;
  }
  *value = field.bytes;
  return reader.Next(&field) == Read::kEnd;
}

bool IsEnumValue(uint64_t value, bool (*is_valid)(int)) {
  return value <= INT32_MAX && is_valid(static_cast<int>(value));
}

// A TaskStatus that ValidateUpdate accepts from `caller`, holding only the
// fields checked here, each at most once.
bool ReadStatus(absl::string_view bytes, absl::string_view caller,
                UpdateView* update) {
  update->status_bytes = bytes;
  uint32_t seen = 0;  // Bit n: field n was read.
  FieldReader reader(bytes);
  Field field;
  Read read;
  while ((read = reader.Next(&field)) == Read::kField) {
    if (field.number > kStatusUuid) return false;
    const uint32_t bit = 1u << field.number;
    if ((seen & bit) != 0) return false;
    seen |= bit;
    const bool is_bytes = field.wire_type == kLengthDelimited;
    const bool is_varint = field.wire_type == kVarint;
    absl::string_view id;
    switch (field.number) {
      case kStatusTaskId:
        if (!is_bytes ||
            !ReadSingleBytesField(field.bytes, kIdValue, &update->task_id) ||
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
        if (!is_bytes || !ReadSingleBytesField(field.bytes, kIdValue, &id)) {
          return false;
        }
        break;
      case kStatusTimestamp:
        if (field.wire_type != kFixed64) return false;
        break;
      case kStatusExecutorId:
        if (!is_bytes || !ReadSingleBytesField(field.bytes, kIdValue, &id) ||
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
  return read == Read::kEnd && (seen & kRequired) == kRequired;
}

}  // namespace

bool ReadUpdateCall(absl::string_view call_bytes, UpdateCallView* view) {
  view->Clear();
  bool has_executor_id = false;
  bool has_framework_id = false;
  bool is_update = false;
  bool has_update = false;
  FieldReader reader(call_bytes);
  Field field;
  Read read;
  while ((read = reader.Next(&field)) == Read::kField) {
    absl::string_view status;
    switch (field.number) {
      case kCallExecutorId:
        if (has_executor_id || field.wire_type != kLengthDelimited ||
            !ReadSingleBytesField(field.bytes, kIdValue, &view->executor_id)) {
          return false;
        }
        has_executor_id = true;
        break;
      case kCallFrameworkId:
        if (has_framework_id || field.wire_type != kLengthDelimited ||
            !ReadSingleBytesField(field.bytes, kIdValue,
                                  &view->framework_id)) {
          return false;
        }
        has_framework_id = true;
        break;
      case kCallType:
        if (is_update || field.wire_type != kVarint ||
            field.value != mesos::executor::Call::UPDATE) {
          return false;
        }
        is_update = true;
        break;
      case kCallUpdate:
      case kCallBatchedUpdates: {
        const bool first = field.number == kCallUpdate;
        if ((first && has_update) || field.wire_type != kLengthDelimited ||
            !ReadSingleBytesField(field.bytes, kUpdateStatus, &status)) {
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
            field.wire_type != kVarint) {
          return false;
        }
        view->has_acknowledgements_received = true;
        view->acknowledgements_received = field.value;
        break;
      default:
        return false;
    }
  }
  if (read != Read::kEnd || !has_executor_id || !has_framework_id ||
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
