// Helpers shared by the translation files (agent_shim/translate_*.cc):
// required-field checks and ID checks that turn bad input into a clear
// INVALID_ARGUMENT instead of a crash.
//
// Thread-safety: pure functions.
#ifndef AGENT_SHIM_INTERNAL_TRANSLATE_UTIL_H_
#define AGENT_SHIM_INTERNAL_TRANSLATE_UTIL_H_

#include <memory>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "agent_shim/translate.h"
#include "api/mesos/internal/messages.pb.h"
#include "google/protobuf/message.h"

namespace executor_runtime {
namespace agent_shim {
namespace internal {

// OK if `message` has all its required fields; otherwise INVALID_ARGUMENT
// naming `what` and the missing fields.
// Wraps a typed legacy message with its full type name.
template <typename T>
LegacyMessage Legacy(std::unique_ptr<T> message) {
  LegacyMessage result;
  result.type_name = T::descriptor()->full_name();
  result.message = std::move(message);
  return result;
}

absl::Status CheckInitialized(const google::protobuf::Message& message,
                              absl::string_view what);

// OK if the ID (any mesos *ID message) is non-empty; otherwise
// INVALID_ARGUMENT: "<name> is not set (needed for <purpose>)".
template <typename Id>
absl::Status RequireId(const Id& id, absl::string_view name,
                       absl::string_view purpose) {
  if (!id.value().empty()) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat(name, " is not set (needed for ", purpose, ")"));
}

// OK if `expected` is empty (unknown) or equals `given`; otherwise
// INVALID_ARGUMENT: "<what> is for <given>, expected <expected>".
template <typename Id>
absl::Status CheckSameId(const Id& given, const Id& expected,
                         absl::string_view what) {
  if (expected.value().empty() || given.value() == expected.value()) {
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError(absl::StrCat(what, " is for '",
                                                 given.value(), "', expected '",
                                                 expected.value(), "'"));
}

// OK for a 16-byte UUID; otherwise INVALID_ARGUMENT naming `what`.
absl::Status CheckUuid(absl::string_view uuid, absl::string_view what);

// RunTaskMessage.framework_id is deprecated in Mesos but agents still send
// it; these are the only places that touch it (no deprecation warnings
// elsewhere). DeprecatedFrameworkId gives nullptr when it is unset.
void SetDeprecatedFrameworkId(const mesos::FrameworkID& id,
                              mesos::internal::RunTaskMessage* message);
const mesos::FrameworkID* DeprecatedFrameworkId(
    const mesos::internal::RunTaskMessage& message);

}  // namespace internal
}  // namespace agent_shim
}  // namespace executor_runtime

#endif  // AGENT_SHIM_INTERNAL_TRANSLATE_UTIL_H_
