#include "util/byte_buffer_flattener.h"

namespace executor_runtime {
namespace {

// A joined copy larger than this is not kept for the next call.
constexpr size_t kMaxKeptCopy = 64 * 1024;

}  // namespace

bool ByteBufferFlattener::Flatten(const grpc::ByteBuffer& buffer,
                                  absl::string_view* bytes) {
  single_ = grpc::Slice();
  if (buffer.TrySingleSlice(&single_).ok()) {
    *bytes = absl::string_view(reinterpret_cast<const char*>(single_.begin()),
                               single_.size());
    return true;
  }
  slices_.clear();
  if (copy_.capacity() > kMaxKeptCopy) std::string().swap(copy_);
  if (!buffer.Dump(&slices_).ok()) return false;
  copy_.clear();
  for (const grpc::Slice& slice : slices_) {
    copy_.append(reinterpret_cast<const char*>(slice.begin()), slice.size());
  }
  slices_.clear();
  *bytes = copy_;
  return true;
}

}  // namespace executor_runtime
