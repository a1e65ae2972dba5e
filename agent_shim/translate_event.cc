// Events (agent -> executor) <-> legacy agent -> executor messages.
#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"
#include "agent_shim/internal/translate_util.h"
#include "agent_shim/translate.h"

namespace executor_runtime {
namespace agent_shim {
namespace {

using internal::CheckInitialized;
using internal::CheckSameId;
using internal::CheckUuid;
using internal::Legacy;
using internal::RequireId;

absl::StatusOr<LegacyMessage> SubscribedToLegacy(const Event& event,
                                                 const LegacyContext& context) {
  if (!event.has_subscribed()) {
    return absl::InvalidArgumentError("SUBSCRIBED event without 'subscribed'");
  }
  const Event::Subscribed& subscribed = event.subscribed();
  mesos::SlaveID slave_id = subscribed.agent_info().has_id()
                                ? subscribed.agent_info().id()
                                : context.slave_id;
  absl::Status status = RequireId(
      slave_id, "SUBSCRIBED agent_info.id (or LegacyContext.slave_id)",
      "a legacy registration message");
  if (!status.ok()) return status;
  if (context.reregistering) {
    auto message =
        std::make_unique<mesos::internal::ExecutorReregisteredMessage>();
    *message->mutable_slave_id() = slave_id;
    *message->mutable_slave_info() = subscribed.agent_info();
    return Legacy(std::move(message));
  }
  mesos::FrameworkID framework_id = subscribed.framework_info().has_id()
                                        ? subscribed.framework_info().id()
                                        : context.framework_id;
  status =
      RequireId(framework_id,
                "SUBSCRIBED framework_info.id (or LegacyContext.framework_id)",
                "an ExecutorRegisteredMessage");
  if (!status.ok()) return status;
  auto message = std::make_unique<mesos::internal::ExecutorRegisteredMessage>();
  *message->mutable_executor_info() = subscribed.executor_info();
  *message->mutable_framework_id() = framework_id;
  *message->mutable_framework_info() = subscribed.framework_info();
  *message->mutable_slave_id() = slave_id;
  *message->mutable_slave_info() = subscribed.agent_info();
  return Legacy(std::move(message));
}

absl::StatusOr<LegacyMessage> LaunchToLegacy(const Event& event,
                                             const LegacyContext& context) {
  if (!event.has_launch()) {
    return absl::InvalidArgumentError("LAUNCH event without 'launch'");
  }
  absl::Status status =
      CheckInitialized(context.framework_info,
                       "LegacyContext.framework_info (needed for a "
                       "RunTaskMessage)");
  if (!status.ok()) return status;
  auto message = std::make_unique<mesos::internal::RunTaskMessage>();
  if (!context.framework_id.value().empty()) {
    internal::SetDeprecatedFrameworkId(context.framework_id, message.get());
  } else if (context.framework_info.has_id()) {
    internal::SetDeprecatedFrameworkId(context.framework_info.id(),
                                       message.get());
  }
  *message->mutable_framework() = context.framework_info;
  *message->mutable_task() = event.launch().task();
  return Legacy(std::move(message));
}

absl::StatusOr<LegacyMessage> KillToLegacy(const Event& event,
                                           const LegacyContext& context) {
  if (!event.has_kill()) {
    return absl::InvalidArgumentError("KILL event without 'kill'");
  }
  absl::Status status = RequireId(
      context.framework_id, "LegacyContext.framework_id", "a KillTaskMessage");
  if (!status.ok()) return status;
  auto message = std::make_unique<mesos::internal::KillTaskMessage>();
  *message->mutable_framework_id() = context.framework_id;
  *message->mutable_task_id() = event.kill().task_id();
  if (event.kill().has_kill_policy()) {
    *message->mutable_kill_policy() = event.kill().kill_policy();
  }
  return Legacy(std::move(message));
}

absl::StatusOr<LegacyMessage> AcknowledgedToLegacy(
    const Event::Acknowledged& acknowledged, const LegacyContext& context) {
  absl::Status status = RequireId(context.slave_id, "LegacyContext.slave_id",
                                  "a StatusUpdateAcknowledgementMessage");
  if (status.ok()) {
    status = RequireId(context.framework_id, "LegacyContext.framework_id",
                       "a StatusUpdateAcknowledgementMessage");
  }
  if (status.ok()) {
    status = CheckUuid(acknowledged.uuid(),
                       absl::StrCat("acknowledgement for task '",
                                    acknowledged.task_id().value(), "'"));
  }
  if (!status.ok()) return status;
  auto message =
      std::make_unique<mesos::internal::StatusUpdateAcknowledgementMessage>();
  *message->mutable_slave_id() = context.slave_id;
  *message->mutable_framework_id() = context.framework_id;
  *message->mutable_task_id() = acknowledged.task_id();
  message->set_uuid(acknowledged.uuid());
  return Legacy(std::move(message));
}

absl::StatusOr<LegacyMessage> MessageToLegacy(const Event& event,
                                              const LegacyContext& context) {
  if (!event.has_message()) {
    return absl::InvalidArgumentError("MESSAGE event without 'message'");
  }
  const char* kPurpose = "a FrameworkToExecutorMessage";
  absl::Status status =
      RequireId(context.slave_id, "LegacyContext.slave_id", kPurpose);
  if (status.ok()) {
    status =
        RequireId(context.framework_id, "LegacyContext.framework_id", kPurpose);
  }
  if (status.ok()) {
    status =
        RequireId(context.executor_id, "LegacyContext.executor_id", kPurpose);
  }
  if (!status.ok()) return status;
  auto message =
      std::make_unique<mesos::internal::FrameworkToExecutorMessage>();
  *message->mutable_slave_id() = context.slave_id;
  *message->mutable_framework_id() = context.framework_id;
  *message->mutable_executor_id() = context.executor_id;
  message->set_data(event.message().data());
  return Legacy(std::move(message));
}

LegacyMessage ShutdownToLegacy(const LegacyContext& context) {
  auto message = std::make_unique<mesos::internal::ShutdownExecutorMessage>();
  if (!context.executor_id.value().empty()) {
    *message->mutable_executor_id() = context.executor_id;
  }
  if (!context.framework_id.value().empty()) {
    *message->mutable_framework_id() = context.framework_id;
  }
  return Legacy(std::move(message));
}

Event NewEvent(Event::Type type) {
  Event event;
  event.set_type(type);
  return event;
}

}  // namespace

absl::StatusOr<std::vector<LegacyMessage>> EventToLegacy(
    const Event& event, const LegacyContext& context) {
  absl::Status status = CheckInitialized(event, "event");
  if (!status.ok()) return status;
  if (!event.has_type()) return absl::InvalidArgumentError("event has no type");
  if (event.type() != Event::ACKNOWLEDGED &&
      !event.batched_acknowledgements().empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        Event::Type_Name(event.type()),
        " event carries batched_acknowledgements (only ACKNOWLEDGED may)"));
  }
  std::vector<LegacyMessage> result;
  absl::StatusOr<LegacyMessage> message;
  switch (event.type()) {
    case Event::SUBSCRIBED:
      message = SubscribedToLegacy(event, context);
      break;
    case Event::LAUNCH:
      message = LaunchToLegacy(event, context);
      break;
    case Event::KILL:
      message = KillToLegacy(event, context);
      break;
    case Event::ACKNOWLEDGED: {
      if (!event.has_acknowledged()) {
        return absl::InvalidArgumentError(
            "ACKNOWLEDGED event without 'acknowledged'");
      }
      message = AcknowledgedToLegacy(event.acknowledged(), context);
      if (!message.ok()) return message.status();
      result.push_back(*std::move(message));
      for (const Event::Acknowledged& more : event.batched_acknowledgements()) {
        message = AcknowledgedToLegacy(more, context);
        if (!message.ok()) return message.status();
        result.push_back(*std::move(message));
      }
      return result;
    }
    case Event::MESSAGE:
      message = MessageToLegacy(event, context);
      break;
    case Event::SHUTDOWN:
      message = ShutdownToLegacy(context);
      break;
    case Event::LAUNCH_GROUP:
      return absl::UnimplementedError(absl::StrCat(
          "LAUNCH_GROUP (", event.launch_group().task_group().tasks_size(),
          " tasks) cannot be sent to a legacy executor: the legacy protocol "
          "has no task groups"));
    case Event::ERROR:
      return absl::UnimplementedError(
          absl::StrCat("ERROR events have no legacy counterpart (error: '",
                       event.error().message(), "')"));
    case Event::HEARTBEAT:
      return absl::UnimplementedError(
          "HEARTBEAT events have no legacy counterpart");
    default:
      return absl::InvalidArgumentError(absl::StrCat(
          "event of type ", Event::Type_Name(event.type()), " (",
          static_cast<int>(event.type()), ") cannot be translated"));
  }
  if (!message.ok()) return message.status();
  result.push_back(*std::move(message));
  return result;
}

absl::StatusOr<Event> EventFromLegacy(
    const mesos::internal::ExecutorRegisteredMessage& message,
    const LegacyContext& context) {
  absl::Status status = CheckInitialized(message, "legacy message");
  if (status.ok()) {
    status = CheckSameId(message.framework_id(), context.framework_id,
                         "ExecutorRegisteredMessage");
  }
  if (status.ok()) {
    status =
        CheckSameId(message.executor_info().executor_id(), context.executor_id,
                    "ExecutorRegisteredMessage's executor_info");
  }
  if (status.ok() && message.framework_info().has_id()) {
    status = CheckSameId(message.framework_info().id(), message.framework_id(),
                         "ExecutorRegisteredMessage's framework_info");
  }
  if (status.ok() && message.slave_info().has_id()) {
    status = CheckSameId(message.slave_info().id(), message.slave_id(),
                         "ExecutorRegisteredMessage's slave_info");
  }
  if (!status.ok()) return status;
  Event event = NewEvent(Event::SUBSCRIBED);
  Event::Subscribed* subscribed = event.mutable_subscribed();
  *subscribed->mutable_executor_info() = message.executor_info();
  *subscribed->mutable_framework_info() = message.framework_info();
  *subscribed->mutable_framework_info()->mutable_id() = message.framework_id();
  *subscribed->mutable_agent_info() = message.slave_info();
  *subscribed->mutable_agent_info()->mutable_id() = message.slave_id();
  return event;
}

absl::StatusOr<Event> EventFromLegacy(
    const mesos::internal::ExecutorReregisteredMessage& message,
    const LegacyContext& context) {
  absl::Status status = CheckInitialized(message, "legacy message");
  if (status.ok()) {
    status = CheckInitialized(context.executor_info,
                              "LegacyContext.executor_info (needed to turn an "
                              "ExecutorReregisteredMessage into SUBSCRIBED)");
  }
  if (status.ok()) {
    status = CheckInitialized(context.framework_info,
                              "LegacyContext.framework_info (needed to turn an "
                              "ExecutorReregisteredMessage into SUBSCRIBED)");
  }
  if (status.ok() && message.slave_info().has_id()) {
    status = CheckSameId(message.slave_info().id(), message.slave_id(),
                         "ExecutorReregisteredMessage's slave_info");
  }
  if (!status.ok()) return status;
  Event event = NewEvent(Event::SUBSCRIBED);
  Event::Subscribed* subscribed = event.mutable_subscribed();
  *subscribed->mutable_executor_info() = context.executor_info;
  *subscribed->mutable_framework_info() = context.framework_info;
  *subscribed->mutable_agent_info() = message.slave_info();
  *subscribed->mutable_agent_info()->mutable_id() = message.slave_id();
  return event;
}

absl::StatusOr<Event> EventFromLegacy(
    const mesos::internal::RunTaskMessage& message,
    const LegacyContext& context) {
  absl::Status status = CheckInitialized(message, "legacy message");
  if (status.ok() && message.framework().has_id()) {
    status = CheckSameId(message.framework().id(), context.framework_id,
                         "RunTaskMessage");
  }
  const mesos::FrameworkID* framework_id =
      internal::DeprecatedFrameworkId(message);
  if (status.ok() && framework_id != nullptr) {
    status = CheckSameId(*framework_id, context.framework_id, "RunTaskMessage");
  }
  if (!status.ok()) return status;
  Event event = NewEvent(Event::LAUNCH);
  *event.mutable_launch()->mutable_task() = message.task();
  return event;
}

absl::StatusOr<Event> EventFromLegacy(
    const mesos::internal::KillTaskMessage& message,
    const LegacyContext& context) {
  absl::Status status = CheckInitialized(message, "legacy message");
  if (status.ok()) {
    status = CheckSameId(message.framework_id(), context.framework_id,
                         "KillTaskMessage");
  }
  if (!status.ok()) return status;
  Event event = NewEvent(Event::KILL);
  *event.mutable_kill()->mutable_task_id() = message.task_id();
  if (message.has_kill_policy()) {
    *event.mutable_kill()->mutable_kill_policy() = message.kill_policy();
  }
  return event;
}

absl::StatusOr<Event> EventFromLegacy(
    const mesos::internal::StatusUpdateAcknowledgementMessage& message,
    const LegacyContext& context) {
  absl::Status status = CheckInitialized(message, "legacy message");
  if (status.ok()) {
    status = CheckSameId(message.framework_id(), context.framework_id,
                         "StatusUpdateAcknowledgementMessage");
  }
  if (status.ok()) {
    status =
        CheckUuid(message.uuid(), absl::StrCat("acknowledgement for task '",
                                               message.task_id().value(), "'"));
  }
  if (!status.ok()) return status;
  Event event = NewEvent(Event::ACKNOWLEDGED);
  *event.mutable_acknowledged()->mutable_task_id() = message.task_id();
  event.mutable_acknowledged()->set_uuid(message.uuid());
  return event;
}

absl::StatusOr<Event> EventFromLegacy(
    const mesos::internal::FrameworkToExecutorMessage& message,
    const LegacyContext& context) {
  absl::Status status = CheckInitialized(message, "legacy message");
  if (status.ok()) {
    status = CheckSameId(message.framework_id(), context.framework_id,
                         "FrameworkToExecutorMessage");
  }
  if (status.ok()) {
    status = CheckSameId(message.executor_id(), context.executor_id,
                         "FrameworkToExecutorMessage");
  }
  if (!status.ok()) return status;
  Event event = NewEvent(Event::MESSAGE);
  event.mutable_message()->set_data(message.data());
  return event;
}

absl::StatusOr<Event> EventFromLegacy(
    const mesos::internal::ShutdownExecutorMessage& message,
    const LegacyContext& context) {
  absl::Status status = CheckInitialized(message, "legacy message");
  if (status.ok() && message.has_framework_id()) {
    status = CheckSameId(message.framework_id(), context.framework_id,
                         "ShutdownExecutorMessage");
  }
  if (status.ok() && message.has_executor_id()) {
    status = CheckSameId(message.executor_id(), context.executor_id,
                         "ShutdownExecutorMessage");
  }
  if (!status.ok()) return status;
  return NewEvent(Event::SHUTDOWN);
}

absl::StatusOr<Event> EventFromLegacy(absl::string_view type_name,
                                      absl::string_view bytes,
                                      const LegacyContext& context) {
  absl::StatusOr<LegacyMessage> parsed = ParseLegacy(type_name, bytes);
  if (!parsed.ok()) return parsed.status();
  namespace mi = mesos::internal;
  if (auto* m = parsed->As<mi::ExecutorRegisteredMessage>()) {
    return EventFromLegacy(*m, context);
  }
  if (auto* m = parsed->As<mi::ExecutorReregisteredMessage>()) {
    return EventFromLegacy(*m, context);
  }
  if (auto* m = parsed->As<mi::RunTaskMessage>()) {
    return EventFromLegacy(*m, context);
  }
  if (auto* m = parsed->As<mi::KillTaskMessage>()) {
    return EventFromLegacy(*m, context);
  }
  if (auto* m = parsed->As<mi::StatusUpdateAcknowledgementMessage>()) {
    return EventFromLegacy(*m, context);
  }
  if (auto* m = parsed->As<mi::FrameworkToExecutorMessage>()) {
    return EventFromLegacy(*m, context);
  }
  if (auto* m = parsed->As<mi::ShutdownExecutorMessage>()) {
    return EventFromLegacy(*m, context);
  }
  if (parsed->As<mi::ReconnectExecutorMessage>() != nullptr) {
    return absl::UnimplementedError(
        "ReconnectExecutorMessage has no event counterpart: an executor on "
        "the gRPC runtime resubscribes by itself after a broken stream");
  }
  return absl::InvalidArgumentError(
      absl::StrCat(type_name,
                   " is not an agent -> executor message, so it has no Event "
                   "counterpart"));
}

}  // namespace agent_shim
}  // namespace executor_runtime
