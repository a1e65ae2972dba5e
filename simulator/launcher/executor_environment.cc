#include "simulator/launcher/executor_environment.h"

#include <sys/random.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <fstream>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "util/mesos_duration.h"

extern char** environ;

namespace executor_runtime {

std::map<std::string, std::string> BuildExecutorEnvironment(
    const ExecutorEnvironment& env,
    const std::map<std::string, std::string>& inherited) {
  std::map<std::string, std::string> vars;
  for (const auto& [name, value] : inherited) {
    if (!absl::StartsWith(name, "MESOS_")) vars[name] = value;
  }
  for (const auto& [name, value] : env.extra) vars[name] = value;
  vars["MESOS_FRAMEWORK_ID"] = env.framework_id;
  vars["MESOS_EXECUTOR_ID"] = env.executor_id;
  vars["MESOS_SLAVE_ID"] = env.agent_id;
  vars["MESOS_AGENT_ID"] = env.agent_id;
  vars["MESOS_AGENT_ENDPOINT"] = env.agent_endpoint;
  vars["MESOS_DIRECTORY"] = env.sandbox_directory;
  vars["MESOS_SANDBOX"] = env.sandbox_directory;
  vars["MESOS_CHECKPOINT"] = env.checkpoint ? "1" : "0";
  vars["MESOS_RECOVERY_TIMEOUT"] = FormatMesosDuration(env.recovery_timeout);
  vars["MESOS_SUBSCRIPTION_BACKOFF_MAX"] =
      FormatMesosDuration(env.subscription_backoff_max);
  vars["MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD"] =
      FormatMesosDuration(env.shutdown_grace_period);
  if (!env.auth_token.empty()) {
    vars["MESOS_EXECUTOR_AUTHENTICATION_TOKEN"] = env.auth_token;
  }
  if (!env.tls_ca_file.empty()) {
    vars["MESOS_EXECUTOR_TLS_CA_FILE"] = env.tls_ca_file;
  }
  return vars;
}

std::map<std::string, std::string> CurrentEnvironment() {
  std::map<std::string, std::string> vars;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    const char* eq = std::strchr(*entry, '=');
    if (eq == nullptr) continue;
    vars.emplace(std::string(*entry, eq - *entry), std::string(eq + 1));
  }
  return vars;
}

std::string GenerateAuthToken() {
  std::string bytes(32, '\0');
  size_t filled = 0;
  while (filled < bytes.size()) {
    ssize_t n = getrandom(bytes.data() + filled, bytes.size() - filled, 0);
    if (n > 0) filled += static_cast<size_t>(n);
    // EINTR: retry. getrandom() cannot otherwise fail for 32 bytes.
  }
  return absl::BytesToHexString(bytes);
}

}  // namespace executor_runtime
