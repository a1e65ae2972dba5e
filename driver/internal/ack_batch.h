// AckBatch: acknowledgements (task ID, UUID) the driver matched in one
// event, copied into one flat buffer for the callback thread, which hands
// them to EventHandler::Acknowledged. Reused from event to event, it costs
// no allocation per acknowledgement (unlike a protobuf message per ack).
//
// Thread-safety: a value; used by one thread at a time (the driver passes
// it from a gRPC thread to the callback thread under its mutex).
#ifndef DRIVER_INTERNAL_ACK_BATCH_H_
#define DRIVER_INTERNAL_ACK_BATCH_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <utility>

#include "absl/strings/string_view.h"

namespace executor_runtime {
namespace driver_internal {

class AckBatch {
 public:
  void Add(absl::string_view task_id, absl::string_view uuid) {
    const size_t needed = 2 * sizeof(uint32_t) + task_id.size() + uuid.size();
    if (capacity_ - used_ < needed) Grow(needed);
    char* out = WriteField(task_id, data_.get() + used_);
    out = WriteField(uuid, out);
    used_ = out - data_.get();
    ++size_;
  }
  // Empties the batch, keeping its memory.
  void Clear() {
    used_ = 0;
    size_ = 0;
  }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

  // Calls f(task_id, uuid) for each acknowledgement, in the order added.
  template <typename F>
  void ForEach(F&& f) const {
    size_t at = 0;
    while (at < used_) {
      const absl::string_view task_id = ReadField(&at);
      const absl::string_view uuid = ReadField(&at);
      f(task_id, uuid);
    }
  }

 private:
  // Writes `field` with its size at `out`; returns the end.
  static char* WriteField(absl::string_view field, char* out) {
    const uint32_t size = static_cast<uint32_t>(field.size());
    std::memcpy(out, &size, sizeof(size));
    if (size > 0) std::memcpy(out + sizeof(size), field.data(), size);
    return out + sizeof(size) + size;
  }
  absl::string_view ReadField(size_t* at) const {
    uint32_t size;
    std::memcpy(&size, data_.get() + *at, sizeof(size));
    const absl::string_view field(data_.get() + *at + sizeof(size), size);
    *at += sizeof(size) + size;
    return field;
  }
  // Makes room for `needed` more bytes, at least doubling.
  void Grow(size_t needed) {
    const size_t capacity = std::max(2 * capacity_, used_ + needed);
    std::unique_ptr<char[]> data(new char[capacity]);
    if (used_ > 0) std::memcpy(data.get(), data_.get(), used_);
    data_ = std::move(data);
    capacity_ = capacity;
  }

  // Per entry: u32 size, task ID, u32 size, UUID. A plain buffer: growing a
  // string or vector would first zero the bytes we are about to write.
  std::unique_ptr<char[]> data_;
  size_t capacity_ = 0;
  size_t used_ = 0;  // bytes of data_ in use
  size_t size_ = 0;
};

}  // namespace driver_internal
}  // namespace executor_runtime

#endif  // DRIVER_INTERNAL_ACK_BATCH_H_
