// Checking the bearer token an executor presents on its Connect stream
// ("authorization: Bearer <token>"). Comparison takes the same time wherever
// the tokens differ, and no message ever contains a token.
//
// Thread-safety: pure functions, safe to call concurrently.
#ifndef SIMULATOR_INTERNAL_BEARER_TOKEN_H_
#define SIMULATOR_INTERNAL_BEARER_TOKEN_H_

#include <optional>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace executor_runtime {
namespace simulator_internal {

// True when `a` and `b` are equal; the time taken depends only on their
// lengths, not on where they differ.
bool ConstantTimeEquals(absl::string_view a, absl::string_view b);

// Checks the value of the "authorization" metadata (nullopt when absent)
// against `expected_token`. `executor` describes the executor in messages
// ("executor 'e1' of framework 'f1'").
// OK, or UNAUTHENTICATED saying what was wrong (never the token).
absl::Status CheckBearerToken(std::optional<absl::string_view> authorization,
                              absl::string_view expected_token,
                              absl::string_view executor);

}  // namespace simulator_internal
}  // namespace executor_runtime

#endif  // SIMULATOR_INTERNAL_BEARER_TOKEN_H_
