// DriverOptions for the legacy MesosExecutorDriver: the Mesos environment
// (via DriverOptions::FromEnvironment) plus the shim's own settings.
//
// Shim settings (environment variables, all optional):
//   EXECUTOR_RUNTIME_IN_PROCESS=1  the executor runs inside another program
//       (a test): never kill the process group after the shutdown grace
//       period; the driver aborts instead.
//
// Thread-safety: pure functions over their arguments (the process-environment
// overload reads, and erases the authentication token from, the environment).
#ifndef AGENT_SHIM_INTERNAL_LEGACY_OPTIONS_H_
#define AGENT_SHIM_INTERNAL_LEGACY_OPTIONS_H_

#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "driver/driver_options.h"

namespace executor_runtime {
namespace agent_shim {

constexpr char kInProcessVariable[] = "EXECUTOR_RUNTIME_IN_PROCESS";

// From an explicit environment. Errors name the variable and the problem.
absl::StatusOr<DriverOptions> LegacyDriverOptions(
    const std::map<std::string, std::string>& environment);
// From this process's environment.
absl::StatusOr<DriverOptions> LegacyDriverOptionsFromProcess();

}  // namespace agent_shim
}  // namespace executor_runtime

#endif  // AGENT_SHIM_INTERNAL_LEGACY_OPTIONS_H_
