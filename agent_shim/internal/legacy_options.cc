#include "agent_shim/internal/legacy_options.h"

#include <cstdlib>

#include "absl/strings/str_cat.h"

namespace executor_runtime {
namespace agent_shim {
namespace {

// Applies EXECUTOR_RUNTIME_IN_PROCESS (`value` null when unset).
absl::Status ApplyInProcess(const char* value, DriverOptions* options) {
  if (value == nullptr) return absl::OkStatus();
  const std::string text = value;
  if (text == "1" || text == "true") {
    options->kill_process_group_on_shutdown = false;
  } else if (text != "0" && text != "false" && !text.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "malformed ", kInProcessVariable, "='", text, "' (expected 1 or 0)"));
  }
  return absl::OkStatus();
}

absl::StatusOr<DriverOptions> Finish(absl::StatusOr<DriverOptions> options,
                                     const char* in_process) {
  if (!options.ok()) return options.status();
  absl::Status status = ApplyInProcess(in_process, &*options);
  if (!status.ok()) return status;
  return options;
}

}  // namespace

absl::StatusOr<DriverOptions> LegacyDriverOptions(
    const std::map<std::string, std::string>& environment) {
  auto it = environment.find(kInProcessVariable);
  return Finish(DriverOptions::FromEnvironment(environment),
                it == environment.end() ? nullptr : it->second.c_str());
}

absl::StatusOr<DriverOptions> LegacyDriverOptionsFromProcess() {
  return Finish(DriverOptions::FromEnvironment(),
                std::getenv(kInProcessVariable));
}

}  // namespace agent_shim
}  // namespace executor_runtime
