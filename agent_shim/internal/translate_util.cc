#include "agent_shim/internal/translate_util.h"

#include "util/uuid.h"

namespace executor_runtime {
namespace agent_shim {
namespace internal {

absl::Status CheckInitialized(const google::protobuf::Message& message,
                              absl::string_view what) {
  if (message.IsInitialized()) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(
      what, " (", message.GetTypeName(),
      ") lacks required field(s): ", message.InitializationErrorString()));
}

absl::Status CheckUuid(absl::string_view uuid, absl::string_view what) {
  if (IsValidUuidBytes(uuid)) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat(what, " has an invalid UUID (", uuid.size(),
                   " bytes, expected 16): ", UuidToString(uuid)));
}

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
void SetDeprecatedFrameworkId(const mesos::FrameworkID& id,
                              mesos::internal::RunTaskMessage* message) {
  *message->mutable_framework_id() = id;
}

const mesos::FrameworkID* DeprecatedFrameworkId(
    const mesos::internal::RunTaskMessage& message) {
  return message.has_framework_id() ? &message.framework_id() : nullptr;
}
#pragma GCC diagnostic pop

}  // namespace internal
}  // namespace agent_shim
}  // namespace executor_runtime
