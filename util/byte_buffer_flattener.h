// ByteBufferFlattener: a grpc::ByteBuffer's contents as one contiguous view,
// for the readers that walk wire bytes in place (util/wire_reader.h): the
// buffer's own memory when it is a single slice (no copy), otherwise a copy
// in a buffer reused from call to call (kept up to a bound).
//
// Thread-safety: a ByteBufferFlattener is used by one thread at a time.
#ifndef UTIL_BYTE_BUFFER_FLATTENER_H_
#define UTIL_BYTE_BUFFER_FLATTENER_H_

#include <grpcpp/support/byte_buffer.h>
#include <grpcpp/support/slice.h>

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace executor_runtime {

class ByteBufferFlattener {
 public:
  // False if the buffer could not be read. The view stays valid until the
  // next call or the flattener's destruction, even if `buffer` is cleared.
  bool Flatten(const grpc::ByteBuffer& buffer, absl::string_view* bytes);

 private:
  grpc::Slice single_;               // holds a reference to a lone slice
  std::vector<grpc::Slice> slices_;  // reused by multi-slice buffers
  std::string copy_;                 // their bytes, joined
};

}  // namespace executor_runtime

#endif  // UTIL_BYTE_BUFFER_FLATTENER_H_
