// Random (version 4) UUIDs as Mesos carries them: 16 raw bytes in a
// `bytes` field (TaskStatus.uuid), printed in the usual 8-4-4-4-12 form.
//
// Thread-safety: all functions are safe to call concurrently.
#ifndef UTIL_UUID_H_
#define UTIL_UUID_H_

#include <string>

#include "absl/strings/string_view.h"

namespace executor_runtime {

// A fresh random version-4 UUID, 16 raw bytes.
std::string NewUuidBytes();

// The same, written into `*out` (resized to 16), reusing its buffer: no
// allocation when `out` already had room, for hot paths.
void FillNewUuidBytes(std::string* out);

// Turns 16 random bytes into a version-4 (RFC 4122) UUID: sets the version
// and variant bits. For callers with their own source of randomness.
void MarkUuidVersion4(char bytes[16]);

// True if `bytes` is 16 bytes long: what Mesos accepts as a UUID.
bool IsValidUuidBytes(absl::string_view bytes);

// "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" for 16 bytes; for anything else
// the bytes in hex, prefixed with "invalid-uuid:".
std::string UuidToString(absl::string_view bytes);

}  // namespace executor_runtime

#endif  // UTIL_UUID_H_
