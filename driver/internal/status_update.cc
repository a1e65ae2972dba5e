#include "driver/internal/status_update.h"

#include <cstdint>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "util/uuid.h"

namespace executor_runtime {
namespace driver_internal {

absl::Status ValidateStatusUpdate(const mesos::TaskStatus& status) {
  if (!status.has_task_id()) {
    return absl::InvalidArgumentError("invalid status update: no task_id");
  }
  if (status.task_id().value().empty()) {
    return absl::InvalidArgumentError(
        "invalid status update: task_id is empty");
  }
  if (!status.has_state()) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid status update for task '",
                     status.task_id().value(), "': no state"));
  }
  if (!mesos::TaskState_IsValid(status.state())) {
    return absl::InvalidArgumentError(absl::StrCat(
        "invalid status update for task '", status.task_id().value(),
        "': unknown state ", static_cast<int>(status.state())));
  }
  if (status.state() == mesos::TASK_STAGING) {
    return absl::InvalidArgumentError(absl::StrCat(
        "invalid status update for task '", status.task_id().value(),
        "': an executor must not send TASK_STAGING"));
  }
  return absl::OkStatus();
}

void StampStatusUpdate(const mesos::ExecutorID& executor_id,
                       const mesos::SlaveID& agent_id, absl::Time now,
                       mesos::TaskStatus* status) {
  FillNewUuidBytes(status->mutable_uuid());
  status->set_timestamp(absl::ToDoubleSeconds(now - absl::UnixEpoch()));
  *status->mutable_executor_id() = executor_id;
  *status->mutable_slave_id() = agent_id;
  status->set_source(mesos::TaskStatus::SOURCE_EXECUTOR);
}

}  // namespace driver_internal
}  // namespace executor_runtime
