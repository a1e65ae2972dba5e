// ParseLegacy and LegacyMessage: legacy messages by full type name.

#include "absl/strings/str_cat.h"
#include "agent_shim/internal/translate_util.h"
#include "agent_shim/translate.h"

namespace executor_runtime {
namespace agent_shim {
namespace {

// Every legacy executor message, by full type name.
const google::protobuf::Message* const* LegacyPrototypes(size_t* count) {
  static const google::protobuf::Message* const kPrototypes[] = {
      &mesos::internal::RegisterExecutorMessage::default_instance(),
      &mesos::internal::ExecutorRegisteredMessage::default_instance(),
      &mesos::internal::ReconnectExecutorMessage::default_instance(),
      &mesos::internal::ReregisterExecutorMessage::default_instance(),
      &mesos::internal::ExecutorReregisteredMessage::default_instance(),
      &mesos::internal::RunTaskMessage::default_instance(),
      &mesos::internal::KillTaskMessage::default_instance(),
      &mesos::internal::StatusUpdateMessage::default_instance(),
      &mesos::internal::StatusUpdateAcknowledgementMessage::default_instance(),
      &mesos::internal::FrameworkToExecutorMessage::default_instance(),
      &mesos::internal::ExecutorToFrameworkMessage::default_instance(),
      &mesos::internal::ShutdownExecutorMessage::default_instance(),
  };
  *count = sizeof(kPrototypes) / sizeof(kPrototypes[0]);
  return kPrototypes;
}

}  // namespace

std::string LegacyMessage::Serialize() const {
  return message == nullptr ? std::string() : message->SerializeAsString();
}

absl::StatusOr<LegacyMessage> ParseLegacy(absl::string_view type_name,
                                          absl::string_view bytes) {
  size_t count = 0;
  const google::protobuf::Message* const* prototypes = LegacyPrototypes(&count);
  for (size_t i = 0; i < count; ++i) {
    if (prototypes[i]->GetDescriptor()->full_name() != type_name) continue;
    LegacyMessage result;
    result.type_name = std::string(type_name);
    result.message.reset(prototypes[i]->New());
    if (!result.message->ParsePartialFromArray(
            bytes.data(), static_cast<int>(bytes.size()))) {
      return absl::InvalidArgumentError(
          absl::StrCat("cannot parse ", bytes.size(), " bytes as ", type_name));
    }
    absl::Status initialized =
        internal::CheckInitialized(*result.message, "legacy message");
    if (!initialized.ok()) return initialized;
    return result;
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "unknown legacy message type '", type_name,
      "' (expected a full name such as mesos.internal.RunTaskMessage)"));
}

}  // namespace agent_shim
}  // namespace executor_runtime
