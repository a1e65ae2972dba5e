// Acknowledgements without protobuf objects: AckList collects them in one
// flat buffer, and AppendEncodedAck writes them straight into the wire form
// of an ACKNOWLEDGED Event. At a million acknowledgements a second, building
// an Event::Acknowledged message (five allocations) for each would cost more
// than everything else the agent does for an update.
//
// The encoding is that of mesos.executor.Event (api/executor/executor.proto):
// type = ACKNOWLEDGED, the first acknowledgement in `acknowledged` (field 3),
// the others in `batched_acknowledgements` (field 100); each is
// Acknowledged { task_id = TaskID { value }, uuid }.
//
// Thread-safety: an AckList is a value; use it from one thread at a time.
#ifndef SIMULATOR_INTERNAL_ACK_ENCODING_H_
#define SIMULATOR_INTERNAL_ACK_ENCODING_H_

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

#include "absl/strings/string_view.h"

namespace executor_runtime {
namespace simulator_internal {

// Acknowledgements (task ID, UUID) in order, in one buffer.
class AckList {
 public:
  void Reserve(size_t count) { data_.reserve(count * 40); }
  void Add(absl::string_view task_id, absl::string_view uuid);
  void Clear() {
    data_.clear();
    count_ = 0;
  }
  size_t size() const { return count_; }
  bool empty() const { return count_ == 0; }

  // Iterates in order: start with *at = 0; each call reads the next
  // acknowledgement and returns true, or returns false at the end.
  bool Next(size_t* at, absl::string_view* task_id,
            absl::string_view* uuid) const {
    if (*at >= data_.size()) return false;
    *task_id = Field(at);
    *uuid = Field(at);
    return true;
  }

 private:
  absl::string_view Field(size_t* at) const {
    uint32_t size;
    std::memcpy(&size, data_.data() + *at, sizeof(size));
    absl::string_view field(data_.data() + *at + sizeof(size), size);
    *at += sizeof(size) + size;
    return field;
  }

  std::string data_;  // Per entry: u32 size, task ID, u32 size, UUID.
  size_t count_ = 0;
};

// Appends one acknowledgement to `event`, the encoding of an ACKNOWLEDGED
// Event: when `event` is empty it starts the event (type and
// `acknowledged`), otherwise it adds to `batched_acknowledgements`.
void AppendEncodedAck(absl::string_view task_id, absl::string_view uuid,
                      std::string* event);

}  // namespace simulator_internal
}  // namespace executor_runtime

#endif  // SIMULATOR_INTERNAL_ACK_ENCODING_H_
