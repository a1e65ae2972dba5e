#include "agent_shim/fuzz/translate_fuzz.h"

#include <cstdio>
#include <cstdlib>

#include "agent_shim/translate.h"

namespace executor_runtime {
namespace agent_shim {
namespace {

// A result that claims success must be complete.
void CheckWellFormed(const google::protobuf::Message& message,
                     const char* what) {
  if (message.IsInitialized()) return;
  std::fprintf(stderr, "%s returned OK with a malformed %s: missing %s\n", what,
               message.GetTypeName().c_str(),
               message.InitializationErrorString().c_str());
  std::abort();
}

void CheckLegacy(const absl::StatusOr<std::vector<LegacyMessage>>& messages,
                 const char* what) {
  if (!messages.ok()) return;
  for (const LegacyMessage& message : *messages) {
    if (message.message == nullptr ||
        message.type_name != message.message->GetTypeName()) {
      std::fprintf(stderr, "%s returned a mislabelled message\n", what);
      std::abort();
    }
    CheckWellFormed(*message.message, what);
    if (!ParseLegacy(message.type_name, message.Serialize()).ok()) {
      std::fprintf(stderr, "%s returned bytes ParseLegacy refuses\n", what);
      std::abort();
    }
  }
}

LegacyContext FuzzContext() {
  LegacyContext context;
  context.framework_id.set_value("fw-1");
  context.executor_id.set_value("ex-1");
  context.slave_id.set_value("agent-1");
  context.framework_info.set_user("user");
  context.framework_info.set_name("framework");
  *context.framework_info.mutable_id() = context.framework_id;
  *context.executor_info.mutable_executor_id() = context.executor_id;
  context.now_seconds = 1;
  return context;
}

}  // namespace

const std::vector<std::string>& FuzzTypeNames() {
  static const std::vector<std::string>* const kNames =
      new std::vector<std::string>{
          "mesos.internal.RegisterExecutorMessage",
          "mesos.internal.ExecutorRegisteredMessage",
          "mesos.internal.ReconnectExecutorMessage",
          "mesos.internal.ReregisterExecutorMessage",
          "mesos.internal.ExecutorReregisteredMessage",
          "mesos.internal.RunTaskMessage",
          "mesos.internal.KillTaskMessage",
          "mesos.internal.StatusUpdateMessage",
          "mesos.internal.StatusUpdateAcknowledgementMessage",
          "mesos.internal.FrameworkToExecutorMessage",
          "mesos.internal.ExecutorToFrameworkMessage",
          "mesos.internal.ShutdownExecutorMessage",
          "mesos.internal.NoSuchMessage",
      };
  return *kNames;
}

std::string MakeFuzzInput(absl::string_view type_name, bool reregistering,
                          absl::string_view payload) {
  const std::vector<std::string>& names = FuzzTypeNames();
  size_t index = names.size() - 1;
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i] == type_name) index = i;
  }
  std::string input;
  input.push_back(static_cast<char>(index));
  input.push_back(static_cast<char>(reregistering ? 1 : 0));
  input.append(payload.data(), payload.size());
  return input;
}

void FuzzTranslate(const uint8_t* data, size_t size) {
  const std::vector<std::string>& names = FuzzTypeNames();
  const std::string& type_name = names[size > 0 ? data[0] % names.size() : 0];
  const uint8_t flags = size > 1 ? data[1] : 0;
  const absl::string_view payload =
      size > 2
          ? absl::string_view(reinterpret_cast<const char*>(data + 2), size - 2)
          : absl::string_view();
  LegacyContext context = (flags & 2) ? LegacyContext() : FuzzContext();
  context.reregistering = (flags & 1) != 0;

  absl::StatusOr<Call> call = CallFromLegacy(type_name, payload, context);
  if (call.ok()) CheckWellFormed(*call, "CallFromLegacy");
  absl::StatusOr<Event> event = EventFromLegacy(type_name, payload, context);
  if (event.ok()) CheckWellFormed(*event, "EventFromLegacy");

  // The payload as a Call and as an Event, possibly missing required
  // fields: the translation must refuse those, not crash.
  Call parsed_call;
  if (parsed_call.ParsePartialFromArray(payload.data(),
                                        static_cast<int>(payload.size()))) {
    CheckLegacy(CallToLegacy(parsed_call, context), "CallToLegacy");
  }
  Event parsed_event;
  if (parsed_event.ParsePartialFromArray(payload.data(),
                                         static_cast<int>(payload.size()))) {
    CheckLegacy(EventToLegacy(parsed_event, context), "EventToLegacy");
  }
  // And what the translation made of it, back again.
  if (call.ok()) CheckLegacy(CallToLegacy(*call, context), "CallToLegacy");
  if (event.ok()) CheckLegacy(EventToLegacy(*event, context), "EventToLegacy");
}

}  // namespace agent_shim
}  // namespace executor_runtime
