#include "driver/internal/update_call.h"

#include <cstdint>

#include "api/executor/executor.pb.h"
#include "driver/internal/wire_bytes.h"

namespace executor_runtime {
namespace driver_internal {
namespace {

// mesos::executor::Call field numbers (api/executor/executor.proto).
constexpr uint32_t kCallUpdateField = 5;            // Call.Update update
constexpr uint32_t kCallBatchedUpdatesField = 100;  // repeated Call.Update
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

// Appends field `field` holding Call.Update { status (1) = <status_bytes> }.
void AppendUpdateMessage(uint32_t field, absl::string_view status_bytes,
                         std::string* out) {
  const size_t update_size = VarintSize(kUpdateStatusField << 3) +
                             VarintSize(status_bytes.size()) +
                             status_bytes.size();
  AppendTag(field, WireType::kLengthDelimited, out);
  AppendVarint(update_size, out);
  AppendLengthDelimited(kUpdateStatusField, status_bytes, out);
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

void UpdateCallWriter::Begin() {
  bytes_.assign(header_);
  count_ = 0;
}

void UpdateCallWriter::Add(absl::string_view status_bytes) {
  // The first goes to Call.update (5), the rest to Call.batched_updates
  // (100).
  AppendUpdateMessage(count_ == 0 ? kCallUpdateField : kCallBatchedUpdatesField,
                      status_bytes, &bytes_);
  ++count_;
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
