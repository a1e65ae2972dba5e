// The fuzz entry point of the agent's call validation: splits one input
// into a sequence of executor Calls, checks each with ValidateCallShape
// (simulator/internal/call_validation.h), and feeds the UUIDs of accepted
// status updates to SeenUuids (simulator/internal/seen_uuids.h), the agent's
// record-once set, following its subscription rule. Used by the libFuzzer
// target (call_sequence_fuzzer) and by the seed-corpus regression test.
//
// Input layout: a sequence of chunks.
//   [0xF0..0xFF][n][n bytes]: n bytes parsed (partially) as a Call: what a
//       hostile client can put on the wire.
//   [h < 0xF0][call flags][...]: a plausible Call built from the bytes: type
//       h % 5, then flags that each break one rule (see kCall* and kUpdate*
//       in call_sequence_fuzz.cc), then bytes for the IDs, payloads and each
//       status update. A call built with no breaking flag must be accepted.
// Missing bytes read as 0, so every prefix of an input is an input. At
// most 64 calls are read; the rest of the input is ignored.
//
// Checked (abort on violation): no crash; the agent's fast path for UPDATE
// calls (simulator/internal/update_call_view.h) takes only calls that
// ValidateCallShape accepts, reads the same updates from them, and takes
// every valid built UPDATE; an accepted call satisfies every
// rule the header documents and survives a serialize/parse round trip; a
// refused call is INVALID_ARGUMENT or PERMISSION_DENIED with a message, and
// records nothing; SeenUuids answers as a std::map model does; the number
// of recorded updates never exceeds the accepted status updates.
//
// Thread-safety: pure; safe to call concurrently.
#ifndef SIMULATOR_FUZZ_CALL_SEQUENCE_FUZZ_H_
#define SIMULATOR_FUZZ_CALL_SEQUENCE_FUZZ_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

namespace executor_runtime {
namespace simulator_fuzz {

// What one input did (for tests and seed checks).
struct CallSequenceStats {
  int calls = 0;
  int accepted = 0;
  int refused = 0;
  int unparsable = 0;           // raw chunks that are no Call
  int accepted_updates = 0;     // status updates in accepted calls
  int recorded = 0;             // of those, new UUIDs
  int built_valid = 0;          // plausible calls built with no breaking flag
  int fast_path = 0;            // calls the agent's fast path took
};

// A raw chunk holding `call_bytes` (at most 255 bytes are kept).
std::string RawChunk(absl::string_view call_bytes);

CallSequenceStats FuzzCallSequence(const uint8_t* data, size_t size);

}  // namespace simulator_fuzz
}  // namespace executor_runtime

#endif  // SIMULATOR_FUZZ_CALL_SEQUENCE_FUZZ_H_
