// Protocol buffer wire format, written by hand (util/wire_reader.h reads
// it): the few primitives the driver needs to assemble Calls from
// pre-serialized pieces without building (and copying) protobuf objects
// per status update, and to copy field bytes out cheaply.
//
// Encoding reminder (https://protobuf.dev/programming-guides/encoding/):
// every field is a tag `(field_number << 3) | wire_type` as a varint, then
// the value: varint (wire type 0), 8 little-endian bytes (1), or a varint
// length and that many bytes (2: strings, bytes, embedded messages).
// Parsers accept fields in any order; a singular scalar field seen twice
// keeps the last value, a singular message field seen twice is MERGED.
//
// Thread-safety: pure functions, safe to call concurrently.
#ifndef DRIVER_INTERNAL_WIRE_BYTES_H_
#define DRIVER_INTERNAL_WIRE_BYTES_H_

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

#include "absl/strings/string_view.h"
#include "util/wire_reader.h"  // WireType

namespace executor_runtime {
namespace driver_internal {

// Most bytes a varint takes.
constexpr size_t kMaxVarintSize = 10;

// Writes `value` as a varint at `out` (room for kMaxVarintSize bytes);
// returns the end.
inline char* EncodeVarint(uint64_t value, char* out) {
  while (value >= 0x80) {
    *out++ = static_cast<char>((value & 0x7f) | 0x80);
    value >>= 7;
  }
  *out++ = static_cast<char>(value);
  return out;
}

inline void AppendVarint(uint64_t value, std::string* out) {
  char bytes[kMaxVarintSize];
  out->append(bytes, EncodeVarint(value, bytes) - bytes);
}

inline void AppendTag(uint32_t field, WireType type, std::string* out) {
  AppendVarint(
      (static_cast<uint64_t>(field) << 3) | static_cast<uint64_t>(type), out);
}

// Field `field` holding `bytes` (a string, bytes or an embedded message).
inline void AppendLengthDelimited(uint32_t field, absl::string_view bytes,
                                  std::string* out) {
  AppendTag(field, WireType::kLengthDelimited, out);
  AppendVarint(bytes.size(), out);
  out->append(bytes.data(), bytes.size());
}

inline void AppendVarintField(uint32_t field, uint64_t value,
                              std::string* out) {
  AppendTag(field, WireType::kVarint, out);
  AppendVarint(value, out);
}

// A `double` field: fixed64, the IEEE 754 bits little-endian (x86 and
// every platform we build for are little-endian).
inline void AppendDoubleField(uint32_t field, double value, std::string* out) {
  static_assert(sizeof(double) == 8, "double must be 64 bits");
  static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
                "fixed64 is written with memcpy: little-endian hosts only");
  AppendTag(field, WireType::kFixed64, out);
  char bytes[8];
  std::memcpy(bytes, &value, 8);
  out->append(bytes, 8);
}

// Sets `*out` to a field's bytes (a UUID, an ID), copying straight over the
// old bytes when the size matches, as it usually does on hot paths: cheaper
// than std::string::assign.
inline void AssignBytes(absl::string_view bytes, std::string* out) {
  if (out->size() == bytes.size()) {
    if (!bytes.empty()) std::memcpy(&(*out)[0], bytes.data(), bytes.size());
  } else {
    out->assign(bytes.data(), bytes.size());
  }
}

}  // namespace driver_internal
}  // namespace executor_runtime

#endif  // DRIVER_INTERNAL_WIRE_BYTES_H_
