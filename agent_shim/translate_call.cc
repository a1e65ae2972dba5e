// Calls (executor -> agent) <-> legacy executor -> agent messages.
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

absl::StatusOr<LegacyMessage> SubscribeToLegacy(const Call& call,
                                                const LegacyContext& context) {
  if (!call.has_subscribe()) {
    return absl::InvalidArgumentError("SUBSCRIBE call without 'subscribe'");
  }
  const Call::Subscribe& subscribe = call.subscribe();
  if (subscribe.unacknowledged_tasks().empty() &&
      subscribe.unacknowledged_updates().empty() && !context.reregistering) {
    auto message = std::make_unique<mesos::internal::RegisterExecutorMessage>();
    *message->mutable_framework_id() = call.framework_id();
    *message->mutable_executor_id() = call.executor_id();
    return Legacy(std::move(message));
  }
  auto message = std::make_unique<mesos::internal::ReregisterExecutorMessage>();
  *message->mutable_executor_id() = call.executor_id();
  *message->mutable_framework_id() = call.framework_id();
  *message->mutable_tasks() = subscribe.unacknowledged_tasks();
  for (const Call::Update& update : subscribe.unacknowledged_updates()) {
    absl::StatusOr<mesos::internal::StatusUpdate> wrapped = WrapStatusUpdate(
        update, call.framework_id(), call.executor_id(), context);
    if (!wrapped.ok()) return wrapped.status();
    *message->add_updates() = *std::move(wrapped);
  }
  return Legacy(std::move(message));
}

absl::StatusOr<LegacyMessage> UpdateToLegacy(const Call& call,
                                             const Call::Update& update,
                                             const LegacyContext& context) {
  absl::StatusOr<mesos::internal::StatusUpdate> wrapped = WrapStatusUpdate(
      update, call.framework_id(), call.executor_id(), context);
  if (!wrapped.ok()) return wrapped.status();
  auto message = std::make_unique<mesos::internal::StatusUpdateMessage>();
  *message->mutable_update() = *std::move(wrapped);
  if (!context.pid.empty()) message->set_pid(context.pid);
  return Legacy(std::move(message));
}

absl::StatusOr<LegacyMessage> MessageToLegacy(const Call& call,
                                              const LegacyContext& context) {
  if (!call.has_message()) {
    return absl::InvalidArgumentError("MESSAGE call without 'message'");
  }
  absl::Status status = RequireId(context.slave_id, "LegacyContext.slave_id",
                                  "an ExecutorToFrameworkMessage");
  if (!status.ok()) return status;
  auto message =
      std::make_unique<mesos::internal::ExecutorToFrameworkMessage>();
  *message->mutable_slave_id() = context.slave_id;
  *message->mutable_framework_id() = call.framework_id();
  *message->mutable_executor_id() = call.executor_id();
  message->set_data(call.message().data());
  return Legacy(std::move(message));
}

Call NewCall(const mesos::FrameworkID& framework_id,
             const mesos::ExecutorID& executor_id, Call::Type type) {
  Call call;
  *call.mutable_framework_id() = framework_id;
  *call.mutable_executor_id() = executor_id;
  call.set_type(type);
  return call;
}

}  // namespace

absl::StatusOr<mesos::internal::StatusUpdate> WrapStatusUpdate(
    const Call::Update& update, const mesos::FrameworkID& framework_id,
    const mesos::ExecutorID& executor_id, const LegacyContext& context) {
  absl::Status status = CheckInitialized(update, "status update");
  if (!status.ok()) return status;
  const mesos::TaskStatus& task_status = update.status();
  const std::string what = absl::StrCat("status update for task '",
                                        task_status.task_id().value(), "'");
  if (!task_status.has_uuid()) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, " has no uuid (the driver stamps one)"));
  }
  status = CheckUuid(task_status.uuid(), what);
  if (!status.ok()) return status;
  if (task_status.has_executor_id()) {
    status = CheckSameId(task_status.executor_id(), executor_id, what);
    if (!status.ok()) return status;
  }
  mesos::internal::StatusUpdate wrapped;
  *wrapped.mutable_framework_id() = framework_id;
  *wrapped.mutable_executor_id() = executor_id;
  if (task_status.has_slave_id()) {
    *wrapped.mutable_slave_id() = task_status.slave_id();
  } else if (!context.slave_id.value().empty()) {
    *wrapped.mutable_slave_id() = context.slave_id;
  }
  *wrapped.mutable_status() = task_status;
  wrapped.set_timestamp(task_status.has_timestamp() ? task_status.timestamp()
                                                    : context.now_seconds);
  wrapped.set_uuid(task_status.uuid());
  return wrapped;
}

absl::StatusOr<Call::Update> UnwrapStatusUpdate(
    const mesos::internal::StatusUpdate& update) {
  absl::Status status = CheckInitialized(update, "StatusUpdate");
  if (!status.ok()) return status;
  Call::Update result;
  mesos::TaskStatus* task_status = result.mutable_status();
  *task_status = update.status();
  const std::string what = absl::StrCat("status update for task '",
                                        task_status->task_id().value(), "'");
  if (update.has_uuid() && task_status->has_uuid() &&
      update.uuid() != task_status->uuid()) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, ": StatusUpdate.uuid and TaskStatus.uuid differ"));
  }
  if (!task_status->has_uuid()) {
    if (!update.has_uuid()) {
      return absl::InvalidArgumentError(absl::StrCat(what, " has no uuid"));
    }
    task_status->set_uuid(update.uuid());
  }
  status = CheckUuid(task_status->uuid(), what);
  if (!status.ok()) return status;
  if (update.has_executor_id() && task_status->has_executor_id()) {
    status =
        CheckSameId(task_status->executor_id(), update.executor_id(), what);
    if (!status.ok()) return status;
  }
  if (!task_status->has_timestamp()) {
    task_status->set_timestamp(update.timestamp());
  }
  return result;
}

absl::StatusOr<std::vector<LegacyMessage>> CallToLegacy(
    const Call& call, const LegacyContext& context) {
  absl::Status status = CheckInitialized(call, "call");
  if (!status.ok()) return status;
  if (!call.has_type()) return absl::InvalidArgumentError("call has no type");
  status = CheckSameId(call.framework_id(), context.framework_id, "call");
  if (status.ok()) {
    status = CheckSameId(call.executor_id(), context.executor_id, "call");
  }
  if (!status.ok()) return status;
  if (call.type() != Call::UPDATE && !call.batched_updates().empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(Call::Type_Name(call.type()),
                     " call carries batched_updates (only UPDATE may)"));
  }
  std::vector<LegacyMessage> result;
  switch (call.type()) {
    case Call::SUBSCRIBE: {
      absl::StatusOr<LegacyMessage> message = SubscribeToLegacy(call, context);
      if (!message.ok()) return message.status();
      result.push_back(*std::move(message));
      return result;
    }
    case Call::UPDATE: {
      if (!call.has_update()) {
        return absl::InvalidArgumentError("UPDATE call without 'update'");
      }
      absl::StatusOr<LegacyMessage> first =
          UpdateToLegacy(call, call.update(), context);
      if (!first.ok()) return first.status();
      result.push_back(*std::move(first));
      for (const Call::Update& update : call.batched_updates()) {
        absl::StatusOr<LegacyMessage> more =
            UpdateToLegacy(call, update, context);
        if (!more.ok()) return more.status();
        result.push_back(*std::move(more));
      }
      return result;
    }
    case Call::MESSAGE: {
      absl::StatusOr<LegacyMessage> message = MessageToLegacy(call, context);
      if (!message.ok()) return message.status();
      result.push_back(*std::move(message));
      return result;
    }
    case Call::HEARTBEAT:
      return absl::UnimplementedError(
          "HEARTBEAT calls have no legacy counterpart (a legacy agent does "
          "not expect executor heartbeats)");
    default:
      return absl::InvalidArgumentError(absl::StrCat(
          "call of type ", Call::Type_Name(call.type()), " (",
          static_cast<int>(call.type()), ") cannot be translated"));
  }
}

absl::StatusOr<Call> CallFromLegacy(
    const mesos::internal::RegisterExecutorMessage& message,
    const LegacyContext& context) {
  absl::Status status = CheckInitialized(message, "legacy message");
  if (status.ok()) {
    status = CheckSameId(message.framework_id(), context.framework_id,
                         "RegisterExecutorMessage");
  }
  if (status.ok()) {
    status = CheckSameId(message.executor_id(), context.executor_id,
                         "RegisterExecutorMessage");
  }
  if (!status.ok()) return status;
  Call call =
      NewCall(message.framework_id(), message.executor_id(), Call::SUBSCRIBE);
  call.mutable_subscribe();
  return call;
}

absl::StatusOr<Call> CallFromLegacy(
    const mesos::internal::ReregisterExecutorMessage& message,
    const LegacyContext& context) {
  absl::Status status = CheckInitialized(message, "legacy message");
  if (status.ok()) {
    status = CheckSameId(message.framework_id(), context.framework_id,
                         "ReregisterExecutorMessage");
  }
  if (status.ok()) {
    status = CheckSameId(message.executor_id(), context.executor_id,
                         "ReregisterExecutorMessage");
  }
  if (!status.ok()) return status;
  Call call =
      NewCall(message.framework_id(), message.executor_id(), Call::SUBSCRIBE);
  Call::Subscribe* subscribe = call.mutable_subscribe();
  *subscribe->mutable_unacknowledged_tasks() = message.tasks();
  for (const mesos::internal::StatusUpdate& update : message.updates()) {
    status = CheckSameId(update.framework_id(), message.framework_id(),
                         "an update in ReregisterExecutorMessage");
    if (!status.ok()) return status;
    absl::StatusOr<Call::Update> unwrapped = UnwrapStatusUpdate(update);
    if (!unwrapped.ok()) return unwrapped.status();
    *subscribe->add_unacknowledged_updates() = *std::move(unwrapped);
  }
  return call;
}

absl::StatusOr<Call> CallFromLegacy(
    const mesos::internal::StatusUpdateMessage& message,
    const LegacyContext& context) {
  absl::Status status = CheckInitialized(message, "legacy message");
  if (!status.ok()) return status;
  const mesos::internal::StatusUpdate& update = message.update();
  status = CheckSameId(update.framework_id(), context.framework_id,
                       "StatusUpdateMessage");
  if (!status.ok()) return status;
  mesos::ExecutorID executor_id = context.executor_id;
  if (update.has_executor_id()) {
    status = CheckSameId(update.executor_id(), context.executor_id,
                         "StatusUpdateMessage");
    if (!status.ok()) return status;
    executor_id = update.executor_id();
  }
  status = RequireId(executor_id, "StatusUpdate.executor_id",
                     "an UPDATE call; LegacyContext.executor_id may give it");
  if (!status.ok()) return status;
  absl::StatusOr<Call::Update> unwrapped = UnwrapStatusUpdate(update);
  if (!unwrapped.ok()) return unwrapped.status();
  Call call = NewCall(update.framework_id(), executor_id, Call::UPDATE);
  *call.mutable_update() = *std::move(unwrapped);
  return call;
}

absl::StatusOr<Call> CallFromLegacy(
    const mesos::internal::ExecutorToFrameworkMessage& message,
    const LegacyContext& context) {
  absl::Status status = CheckInitialized(message, "legacy message");
  if (status.ok()) {
    status = CheckSameId(message.framework_id(), context.framework_id,
                         "ExecutorToFrameworkMessage");
  }
  if (status.ok()) {
    status = CheckSameId(message.executor_id(), context.executor_id,
                         "ExecutorToFrameworkMessage");
  }
  if (!status.ok()) return status;
  Call call =
      NewCall(message.framework_id(), message.executor_id(), Call::MESSAGE);
  call.mutable_message()->set_data(message.data());
  return call;
}

absl::StatusOr<Call> CallFromLegacy(absl::string_view type_name,
                                    absl::string_view bytes,
                                    const LegacyContext& context) {
  absl::StatusOr<LegacyMessage> parsed = ParseLegacy(type_name, bytes);
  if (!parsed.ok()) return parsed.status();
  if (auto* m = parsed->As<mesos::internal::RegisterExecutorMessage>()) {
    return CallFromLegacy(*m, context);
  }
  if (auto* m = parsed->As<mesos::internal::ReregisterExecutorMessage>()) {
    return CallFromLegacy(*m, context);
  }
  if (auto* m = parsed->As<mesos::internal::StatusUpdateMessage>()) {
    return CallFromLegacy(*m, context);
  }
  if (auto* m = parsed->As<mesos::internal::ExecutorToFrameworkMessage>()) {
    return CallFromLegacy(*m, context);
  }
  return absl::InvalidArgumentError(
      absl::StrCat(type_name,
                   " is not an executor -> agent message, so it has no Call "
                   "counterpart"));
}

}  // namespace agent_shim
}  // namespace executor_runtime
