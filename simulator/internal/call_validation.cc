#include "simulator/internal/call_validation.h"

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "util/uuid.h"

namespace executor_runtime {
namespace simulator_internal {

using mesos::executor::Call;

namespace {

constexpr size_t kMaxQuotedLength = 64;

// The payloads a call may carry, and the type each belongs to.
struct Payload {
  const char* name;
  Call::Type type;
  bool (Call::*present)() const;
};

constexpr Payload kPayloads[] = {
    {"subscribe", Call::SUBSCRIBE, &Call::has_subscribe},
    {"update", Call::UPDATE, &Call::has_update},
    {"message", Call::MESSAGE, &Call::has_message},
};

absl::Status ValidatePayload(const Call& call);

}  // namespace

std::string CallTypeName(Call::Type type) {
  if (Call::Type_IsValid(type)) return Call::Type_Name(type);
  return absl::StrCat("call type ", static_cast<int>(type));
}

std::string Quote(absl::string_view id) {
  const bool cut = id.size() > kMaxQuotedLength;
  return absl::StrCat("'", absl::CHexEscape(id.substr(0, kMaxQuotedLength)),
                      cut ? "...'" : "'");
}

absl::Status ValidateCallShape(const Call& call) {
  if (!call.has_executor_id() || call.executor_id().value().empty()) {
    return absl::InvalidArgumentError("call has no executor_id");
  }
  if (!call.has_framework_id() || call.framework_id().value().empty()) {
    return absl::InvalidArgumentError("call has no framework_id");
  }
  if (!call.has_type()) {
    return absl::InvalidArgumentError(
        "call has no type (or a type this agent does not know)");
  }
  if (call.type() == Call::UNKNOWN) {
    return absl::InvalidArgumentError("call type is UNKNOWN");
  }
  auto type_name = [&call] { return CallTypeName(call.type()); };
  for (const Payload& payload : kPayloads) {
    if (payload.type == call.type() && !(call.*payload.present)()) {
      return absl::InvalidArgumentError(absl::StrCat(
          type_name(), " call has no '", payload.name, "' payload"));
    }
  }
  for (const Payload& payload : kPayloads) {
    if (payload.type != call.type() && (call.*payload.present)()) {
      return absl::InvalidArgumentError(
          absl::StrCat(type_name(), " call carries an unexpected '",
                       payload.name, "' payload"));
    }
  }
  if (call.batched_updates_size() > 0 && call.type() != Call::UPDATE) {
    return absl::InvalidArgumentError(
        absl::StrCat(type_name(), " call carries batched_updates"));
  }
  if (call.has_acknowledgements_received() && call.type() == Call::SUBSCRIBE) {
    return absl::InvalidArgumentError(
        "SUBSCRIBE call carries acknowledgements_received (a new stream has "
        "received nothing)");
  }

  absl::Status status = ValidatePayload(call);
  if (status.ok() && !call.IsInitialized()) {
    // Whatever the specific checks above do not name (say a label without
    // its key): the agent keeps only complete messages, so that anyone can
    // serialize what it recorded.
    return absl::InvalidArgumentError(
        absl::StrCat(type_name(), " call is missing required fields: ",
                     call.InitializationErrorString()));
  }
  return status;
}

namespace {

absl::Status ValidatePayload(const Call& call) {
  auto type_name = [&call] { return CallTypeName(call.type()); };
  switch (call.type()) {
    case Call::SUBSCRIBE: {
      const Call::Subscribe& subscribe = call.subscribe();
      for (int i = 0; i < subscribe.unacknowledged_tasks_size(); ++i) {
        const mesos::TaskInfo& task = subscribe.unacknowledged_tasks(i);
        if (!task.has_task_id() || task.task_id().value().empty()) {
          return absl::InvalidArgumentError(absl::StrCat(
              "SUBSCRIBE: unacknowledged task ", i + 1, " has no task_id"));
        }
      }
      for (int i = 0; i < subscribe.unacknowledged_updates_size(); ++i) {
        absl::Status status = ValidateUpdate(
            subscribe.unacknowledged_updates(i), call.executor_id(),
            {"SUBSCRIBE", "unacknowledged update", i + 1});
        if (!status.ok()) return status;
      }
      return absl::OkStatus();
    }
    case Call::UPDATE: {
      absl::Status status =
          ValidateUpdate(call.update(), call.executor_id(), {"UPDATE"});
      for (int i = 0; status.ok() && i < call.batched_updates_size(); ++i) {
        status = ValidateUpdate(call.batched_updates(i), call.executor_id(),
                                {"UPDATE", "batched update", i + 1});
      }
      return status;
    }
    case Call::MESSAGE:
      if (!call.message().has_data()) {
        return absl::InvalidArgumentError("MESSAGE call has no message.data");
      }
      return absl::OkStatus();
    case Call::HEARTBEAT:
      return absl::OkStatus();
    default:
      return absl::InvalidArgumentError(
          absl::StrCat(type_name(), " is not a call this agent knows"));
  }
}

}  // namespace

std::string UpdateLocation::Name() const {
  if (list == nullptr) return call;
  return absl::StrCat(call, " (", list, " ", index, ")");
}

absl::Status ValidateUpdate(const Call::Update& update,
                            const mesos::ExecutorID& caller,
                            const UpdateLocation& where) {
  if (!update.has_status()) {
    return absl::InvalidArgumentError(
        absl::StrCat(where.Name(), ": update has no status"));
  }
  const mesos::TaskStatus& status = update.status();
  if (!status.has_task_id() || status.task_id().value().empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(where.Name(), ": status has no task_id"));
  }
  // Messages start "UPDATE for task 't1': "; built only on failure.
  auto prefix = [&] {
    return absl::StrCat(where.Name(), " for task ",
                        Quote(status.task_id().value()), ": ");
  };
  if (!status.has_state()) {
    return absl::InvalidArgumentError(absl::StrCat(
        prefix(), "status.state is missing (or not a known TaskState)"));
  }
  if (!status.has_uuid()) {
    return absl::InvalidArgumentError(
        absl::StrCat(prefix(), "status.uuid is missing"));
  }
  if (!IsValidUuidBytes(status.uuid())) {
    return absl::InvalidArgumentError(absl::StrCat(prefix(), "status.uuid is ",
                                                   status.uuid().size(),
                                                   " bytes, expected 16"));
  }
  if (status.has_executor_id() &&
      status.executor_id().value() != caller.value()) {
    return absl::PermissionDeniedError(absl::StrCat(
        prefix(), "status.executor_id ", Quote(status.executor_id().value()),
        " is not the calling executor ", Quote(caller.value())));
  }
  if (!status.has_source()) {
    return absl::InvalidArgumentError(absl::StrCat(
        prefix(), "status.source is not set, expected SOURCE_EXECUTOR"));
  }
  if (status.source() != mesos::TaskStatus::SOURCE_EXECUTOR) {
    return absl::InvalidArgumentError(
        absl::StrCat(prefix(), "status.source is ",
                     mesos::TaskStatus::Source_Name(status.source()),
                     ", expected SOURCE_EXECUTOR"));
  }
  if (status.state() == mesos::TASK_STAGING) {
    return absl::InvalidArgumentError(absl::StrCat(
        prefix(), "state TASK_STAGING is set by the agent, not the executor"));
  }
  return absl::OkStatus();
}

}  // namespace simulator_internal
}  // namespace executor_runtime
