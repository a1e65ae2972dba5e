#include "simulator/internal/bearer_token.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace executor_runtime {
namespace simulator_internal {

bool ConstantTimeEquals(absl::string_view a, absl::string_view b) {
  // Walk all of `b` whatever the contents; a length difference is folded in
  // rather than returned early so that only the lengths leak.
  volatile unsigned char diff = a.size() == b.size() ? 0 : 1;
  for (size_t i = 0; i < b.size(); ++i) {
    const unsigned char x = a.empty() ? 0 : a[i % a.size()];
    diff =
        diff | static_cast<unsigned char>(x ^ static_cast<unsigned char>(b[i]));
  }
  return diff == 0;
}

absl::Status CheckBearerToken(std::optional<absl::string_view> authorization,
                              absl::string_view expected_token,
                              absl::string_view executor) {
  if (!authorization.has_value()) {
    return absl::UnauthenticatedError(absl::StrCat(
        executor, " must present 'authorization: Bearer <token>' metadata"));
  }
  constexpr absl::string_view kScheme = "Bearer ";
  if (!absl::StartsWithIgnoreCase(*authorization, kScheme) ||
      authorization->size() == kScheme.size()) {
    return absl::UnauthenticatedError(
        absl::StrCat("the 'authorization' metadata of ", executor,
                     " is not of the form 'Bearer <token>'"));
  }
  if (!ConstantTimeEquals(authorization->substr(kScheme.size()),
                          expected_token)) {
    return absl::UnauthenticatedError(
        absl::StrCat("wrong bearer token for ", executor));
  }
  return absl::OkStatus();
}

}  // namespace simulator_internal
}  // namespace executor_runtime
