// The fuzz entry point of the translation: feeds one input to every
// parse-and-translate function of agent_shim/translate.h and checks that
// whatever they return is well formed. Used by the libFuzzer target
// (translate_fuzzer) and by the seed-corpus regression test.
//
// Input layout: byte 0 picks a legacy type name (FuzzTypeNames(), modulo
// its size), byte 1 holds flags (bit 0: LegacyContext.reregistering, bit 1:
// an empty context), the rest is the payload. The payload is given to
// CallFromLegacy and EventFromLegacy under that type name, and is parsed as
// a Call (then CallToLegacy) and as an Event (then EventToLegacy).
//
// Thread-safety: pure; safe to call concurrently.
#ifndef AGENT_SHIM_FUZZ_TRANSLATE_FUZZ_H_
#define AGENT_SHIM_FUZZ_TRANSLATE_FUZZ_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace executor_runtime {
namespace agent_shim {

// Every legacy message type name, plus one unknown name.
const std::vector<std::string>& FuzzTypeNames();

// Builds an input in the layout above (for seeds).
std::string MakeFuzzInput(absl::string_view type_name, bool reregistering,
                          absl::string_view payload);

// Runs every entry point on `data`. Aborts (so the fuzzer reports it) only
// if a translation returns OK with a malformed result.
void FuzzTranslate(const uint8_t* data, size_t size);

}  // namespace agent_shim
}  // namespace executor_runtime

#endif  // AGENT_SHIM_FUZZ_TRANSLATE_FUZZ_H_
