#include "driver/internal/options_check.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace executor_runtime {
namespace driver_internal {

absl::Status CheckDriverOptions(const DriverOptions& options) {
  auto bad = [](const char* what) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid driver options: ", what));
  };
  if (options.agent_endpoint.empty()) return bad("agent_endpoint is empty");
  if (options.agent_endpoint == "unix:" ||
      options.agent_endpoint == "unix://") {
    return bad("agent_endpoint 'unix:' names no socket path");
  }
  if (options.framework_id.value().empty()) return bad("framework_id is empty");
  if (options.executor_id.value().empty()) return bad("executor_id is empty");
  if (options.agent_id.value().empty()) return bad("agent_id is empty");
  if (options.max_unacknowledged_updates == 0) {
    return bad("max_unacknowledged_updates is 0");
  }
  if (options.missed_heartbeats_before_disconnect < 1) {
    return bad("missed_heartbeats_before_disconnect must be at least 1");
  }
  if (options.recovery_timeout < absl::ZeroDuration()) {
    return bad("recovery_timeout is negative");
  }
  if (options.subscription_backoff_max < absl::ZeroDuration()) {
    return bad("subscription_backoff_max is negative");
  }
  if (options.subscription_backoff_initial < absl::ZeroDuration()) {
    return bad("subscription_backoff_initial is negative");
  }
  if (options.shutdown_grace_period < absl::ZeroDuration()) {
    return bad("shutdown_grace_period is negative");
  }
  if (options.send_timeout < absl::ZeroDuration()) {
    return bad("send_timeout is negative");
  }
  return absl::OkStatus();
}

}  // namespace driver_internal
}  // namespace executor_runtime
