// The environment an agent gives an executor process, as Mesos agents do:
// IDs, the agent endpoint, the sandbox, recovery settings (in Mesos's
// duration format) and the bearer token. See
// shared/reference/mesos-executor-facts.md for what each variable means.
//
//   ExecutorEnvironment env;
//   env.framework_id = "fw"; env.executor_id = "e1"; ...
//   std::map<std::string, std::string> vars = BuildExecutorEnvironment(env);
//
// Thread-safety: pure functions and value types.
#ifndef SIMULATOR_LAUNCHER_EXECUTOR_ENVIRONMENT_H_
#define SIMULATOR_LAUNCHER_EXECUTOR_ENVIRONMENT_H_

#include <map>
#include <string>

#include "absl/time/time.h"

namespace executor_runtime {

struct ExecutorEnvironment {
  std::string framework_id;
  std::string executor_id;
  std::string agent_id;
  std::string agent_endpoint;  // gRPC target: "unix:/path" or "host:port"
  std::string sandbox_directory;
  bool checkpoint = false;
  absl::Duration recovery_timeout = absl::Minutes(15);
  absl::Duration subscription_backoff_max = absl::Seconds(2);
  absl::Duration shutdown_grace_period = absl::Seconds(5);
  std::string auth_token;   // empty: variable not set
  std::string tls_ca_file;  // empty: variable not set
  // Extra variables (e.g. from CommandInfo.environment); they cannot
  // override the agent's MESOS_* variables.
  std::map<std::string, std::string> extra;
};

// The full environment for the executor: `inherited` (typically this
// process's environment) without any MESOS_* variable, plus `extra`, plus
// the agent's variables.
std::map<std::string, std::string> BuildExecutorEnvironment(
    const ExecutorEnvironment& env,
    const std::map<std::string, std::string>& inherited);

// This process's environment as a map.
std::map<std::string, std::string> CurrentEnvironment();

// A fresh random bearer token: 32 random bytes as 64 lowercase hex digits.
std::string GenerateAuthToken();

}  // namespace executor_runtime

#endif  // SIMULATOR_LAUNCHER_EXECUTOR_ENVIRONMENT_H_
