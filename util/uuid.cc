#include "util/uuid.h"

#include <cstdint>
#include <cstring>

#include "absl/random/random.h"
#include "absl/strings/escaping.h"

namespace executor_runtime {

void FillNewUuidBytes(std::string* out) {
  // One generator per thread: absl::BitGen is not thread-safe, and
  // constructing it per call would dominate the cost.
  thread_local absl::BitGen gen;
  const uint64_t halves[2] = {absl::Uniform<uint64_t>(gen),
                              absl::Uniform<uint64_t>(gen)};
  out->resize(16);
  char* bytes = &(*out)[0];
  std::memcpy(bytes, halves, 16);
  MarkUuidVersion4(bytes);
}

void MarkUuidVersion4(char bytes[16]) {
  bytes[6] = static_cast<char>((bytes[6] & 0x0f) | 0x40);  // Version 4.
  bytes[8] = static_cast<char>((bytes[8] & 0x3f) | 0x80);  // RFC 4122.
}

std::string NewUuidBytes() {
  std::string bytes;
  FillNewUuidBytes(&bytes);
  return bytes;
}

bool IsValidUuidBytes(absl::string_view bytes) { return bytes.size() == 16; }

std::string UuidToString(absl::string_view bytes) {
  const std::string hex = absl::BytesToHexString(bytes);
  if (bytes.size() != 16) return "invalid-uuid:" + hex;
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) +
         "-" + hex.substr(16, 4) + "-" + hex.substr(20, 12);
}

}  // namespace executor_runtime
