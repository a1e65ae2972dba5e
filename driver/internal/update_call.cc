#include "driver/internal/update_call.h"

#include <grpc/slice.h>
#include <grpcpp/support/slice.h>

#include <cstdint>
#include <cstring>

#include "api/executor/executor.pb.h"
#include "driver/internal/wire_bytes.h"

namespace executor_runtime {
namespace driver_internal {
namespace {

// mesos::executor::Call field numbers (api/executor/executor.proto).
constexpr uint32_t kCallUpdateField = 5;            // Call.Update update
constexpr uint32_t kCallBatchedUpdatesField = 100;  // repeated Call.Update
constexpr uint32_t kCallAcknowledgementsReceivedField = 101;  // uint64
constexpr uint32_t kCallSubscribeField = 4;         // Call.Subscribe
// Call.Subscribe field numbers.
constexpr uint32_t kSubscribeUpdatesField = 2;  // repeated Call.Update
// Call.Update field numbers.
constexpr uint32_t kUpdateStatusField = 1;  // TaskStatus status

size_t VarintSize(uint64_t value) {
  size_t size = 1;
  while (value >= 0x80) {
    value >>= 7;
    ++size;
  }
  return size;
}

constexpr uint64_t LengthDelimitedTag(uint32_t field) {
  return (static_cast<uint64_t>(field) << 3) |
         static_cast<uint32_t>(WireType::kLengthDelimited);
}
constexpr uint64_t kStatusTag = LengthDelimitedTag(kUpdateStatusField);

// The size of Call.Update { status (1) = <status_size bytes> }.
size_t UpdateMessageSize(size_t status_size) {
  return VarintSize(kStatusTag) + VarintSize(status_size) + status_size;
}

// The bytes of field `field` holding Call.Update { status (1) =
// <status_bytes> }.
size_t UpdateFieldSize(uint32_t field, size_t status_size) {
  const size_t update_size = UpdateMessageSize(status_size);
  return VarintSize(LengthDelimitedTag(field)) + VarintSize(update_size) +
         update_size;
}

// Writes that field at `out` (UpdateFieldSize bytes of room); returns the
// end.
char* WriteUpdateField(uint32_t field, absl::string_view status_bytes,
                       char* out) {
  out = EncodeVarint(LengthDelimitedTag(field), out);
  out = EncodeVarint(UpdateMessageSize(status_bytes.size()), out);
  out = EncodeVarint(kStatusTag, out);
  out = EncodeVarint(status_bytes.size(), out);
  if (!status_bytes.empty()) {
    std::memcpy(out, status_bytes.data(), status_bytes.size());
  }
  return out + status_bytes.size();
}

// Appends that field to `*out`.
void AppendUpdateMessage(uint32_t field, absl::string_view status_bytes,
                         std::string* out) {
  const size_t at = out->size();
  out->resize(at + UpdateFieldSize(field, status_bytes.size()));
  WriteUpdateField(field, status_bytes, &(*out)[at]);
}

// The first update goes to Call.update (5), the rest to
// Call.batched_updates (100).
uint32_t UpdateFieldFor(size_t index) {
  return index == 0 ? kCallUpdateField : kCallBatchedUpdatesField;
}

}  // namespace

UpdateCallWriter::UpdateCallWriter(const mesos::ExecutorID& executor_id,
                                   const mesos::FrameworkID& framework_id) {
  // Call { executor_id (1), framework_id (2), type (3) = UPDATE }, built by
  // protobuf once; every UPDATE call starts with these bytes.
  mesos::executor::Call header;
  *header.mutable_executor_id() = executor_id;
  *header.mutable_framework_id() = framework_id;
  header.set_type(mesos::executor::Call::UPDATE);
  header.AppendPartialToString(&header_);
}

void UpdateCallWriter::Begin(
    std::optional<uint64_t> acknowledgements_received) {
  updates_.clear();
  receipt_.clear();
  if (acknowledgements_received.has_value()) {
    AppendVarintField(kCallAcknowledgementsReceivedField,
                      *acknowledgements_received, &receipt_);
  }
  size_ = header_.size() + receipt_.size();
}

void UpdateCallWriter::Add(absl::string_view status_bytes) {
  size_ += UpdateFieldSize(UpdateFieldFor(updates_.size()),
                           status_bytes.size());
  updates_.push_back(status_bytes);
}

char* UpdateCallWriter::WriteTo(char* out) const {
  std::memcpy(out, header_.data(), header_.size());
  out += header_.size();
  for (size_t i = 0; i < updates_.size(); ++i) {
    out = WriteUpdateField(UpdateFieldFor(i), updates_[i], out);
  }
  if (!receipt_.empty()) {
    std::memcpy(out, receipt_.data(), receipt_.size());
    out += receipt_.size();
  }
  return out;
}

void UpdateCallWriter::Finish(grpc::ByteBuffer* out) const {
  grpc::Slice slice(grpc_slice_malloc(size_), grpc::Slice::STEAL_REF);
  // A fresh slice: ours alone to fill until it is handed to gRPC.
  WriteTo(reinterpret_cast<char*>(const_cast<uint8_t*>(slice.begin())));
  grpc::ByteBuffer buffer(&slice, 1);
  out->Swap(&buffer);
}

std::string UpdateCallWriter::ToString() const {
  std::string bytes(size_, '\0');
  WriteTo(&bytes[0]);
  return bytes;
}

void SerializeSubscribeCall(const mesos::executor::Call& call,
                            const std::vector<absl::string_view>& updates,
                            std::string* out) {
  out->clear();
  if (updates.empty()) {
    call.AppendPartialToString(out);
    return;
  }
  // Call.subscribe (4) is an embedded message whose length must precede
  // it: serialize the Subscribe protobuf has, append the updates to it as
  // Subscribe.unacknowledged_updates (2), then wrap it after the rest of
  // the Call (every other field, serialized without `subscribe`).
  std::string subscribe;
  call.subscribe().AppendPartialToString(&subscribe);
  for (absl::string_view update : updates) {
    AppendUpdateMessage(kSubscribeUpdatesField, update, &subscribe);
  }
  mesos::executor::Call rest = call;
  rest.clear_subscribe();
  rest.AppendPartialToString(out);
  AppendLengthDelimited(kCallSubscribeField, subscribe, out);
}

}  // namespace driver_internal
}  // namespace executor_runtime
