// WireReader: the fields of one serialized protocol buffer message, read in
// place (views into the bytes, no protobuf objects), for the hot paths that
// read a few known message shapes: the agent's UPDATE calls
// (simulator/internal/update_call_view.h) and the driver's ACKNOWLEDGED
// events (driver/internal/ack_wire_parser.h). Both fall back to protobuf's
// own parser for anything they do not recognize.
//
// Encoding (https://protobuf.dev/programming-guides/encoding/): each field
// is a varint tag `(number << 3) | wire_type`, then a varint (wire type 0),
// 8 little-endian bytes (1), a varint length and that many bytes (2), or 4
// little-endian bytes (5). Groups (3, 4) are not supported: a message
// holding one reads as malformed.
//
//   WireReader reader(bytes);
//   WireField field;
//   WireRead read;
//   while ((read = reader.Next(&field)) == WireRead::kField) { ... }
//   if (read == WireRead::kMalformed) ...
//
// Thread-safety: a WireReader is a value used by one thread at a time; the
// bytes must outlive it and the views it yields.
#ifndef UTIL_WIRE_READER_H_
#define UTIL_WIRE_READER_H_

#include <cstdint>
#include <cstring>

#include "absl/strings/string_view.h"

namespace executor_runtime {

enum class WireType : uint32_t {
  kVarint = 0,
  kFixed64 = 1,
  kLengthDelimited = 2,
  kFixed32 = 5,
};

struct WireField {
  uint32_t number = 0;
  WireType type = WireType::kVarint;
  uint64_t value = 0;       // kVarint, kFixed64, kFixed32
  absl::string_view bytes;  // kLengthDelimited
};

enum class WireRead { kField, kEnd, kMalformed };

class WireReader {
 public:
  explicit WireReader(absl::string_view bytes)
      : at_(reinterpret_cast<const uint8_t*>(bytes.data())),
        end_(at_ + bytes.size()) {}

  // The next field into `*field`; kEnd after the last one; kMalformed for
  // bytes no parser accepts (truncation, an overlong varint, field number
  // 0, a group or unknown wire type), after which the reader is spent.
  WireRead Next(WireField* field) {
    if (at_ == end_) return WireRead::kEnd;
    uint64_t tag;
    if (!Varint(&tag) || tag > UINT32_MAX || (tag >> 3) == 0) {
      return Fail();
    }
    field->number = static_cast<uint32_t>(tag >> 3);
    switch (tag & 7) {
      case 0:
        field->type = WireType::kVarint;
        if (!Varint(&field->value)) return Fail();
        break;
      case 1:
        field->type = WireType::kFixed64;
        if (!Fixed(8, &field->value)) return Fail();
        break;
      case 2: {
        field->type = WireType::kLengthDelimited;
        uint64_t size;
        if (!Varint(&size) || size > static_cast<uint64_t>(end_ - at_)) {
          return Fail();
        }
        field->bytes =
            absl::string_view(reinterpret_cast<const char*>(at_), size);
        at_ += size;
        break;
      }
      case 5:
        field->type = WireType::kFixed32;
        if (!Fixed(4, &field->value)) return Fail();
        break;
      default:
        return Fail();
    }
    return WireRead::kField;
  }

 private:
  bool Varint(uint64_t* out) {
    uint64_t value = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (at_ == end_) return false;
      const uint8_t byte = *at_++;
      value |= static_cast<uint64_t>(byte & 0x7f) << shift;
      if ((byte & 0x80) == 0) {
        *out = value;
        return true;
      }
    }
    return false;  // More than 10 bytes.
  }
  bool Fixed(size_t size, uint64_t* out) {
    static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
                  "fixed fields are read with memcpy: little-endian only");
    if (static_cast<size_t>(end_ - at_) < size) return false;
    uint64_t value = 0;
    std::memcpy(&value, at_, size);
    at_ += size;
    *out = value;
    return true;
  }
  WireRead Fail() {
    at_ = end_;
    return WireRead::kMalformed;
  }

  const uint8_t* at_;
  const uint8_t* end_;
};

// True if `message` holds exactly one field, number `number`, and it is
// length-delimited (a string, bytes or a message): say TaskID { value }.
// `*bytes` is then a view of its contents.
inline bool ReadOnlyBytesField(absl::string_view message, uint32_t number,
                               absl::string_view* bytes) {
  WireReader reader(message);
  WireField field;
  if (reader.Next(&field) != WireRead::kField || field.number != number ||
      field.type != WireType::kLengthDelimited) {
    return false;
  }
  *bytes = field.bytes;
  return reader.Next(&field) == WireRead::kEnd;
}

}  // namespace executor_runtime

#endif  // UTIL_WIRE_READER_H_
