// CRC-32 (IEEE 802.3 polynomial, as zlib computes it) for checkpoint
// records.
//
// Thread-safety: pure function.
#ifndef SIMULATOR_CHECKPOINT_CRC32_H_
#define SIMULATOR_CHECKPOINT_CRC32_H_

#include <cstdint>

#include "absl/strings/string_view.h"

namespace executor_runtime {

// CRC-32 of `data`; Crc32("123456789") == 0xCBF43926. Chains:
// Crc32(b, Crc32(a)) == Crc32(a + b).
uint32_t Crc32(absl::string_view data, uint32_t previous = 0);

}  // namespace executor_runtime

#endif  // SIMULATOR_CHECKPOINT_CRC32_H_
