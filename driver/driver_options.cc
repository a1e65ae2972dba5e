// DriverOptions::FromEnvironment: the Mesos-style executor environment
// turned into DriverOptions, with an error naming the variable on bad input.
#include "driver/driver_options.h"

#include <cstdlib>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "util/mesos_duration.h"

extern char** environ;

namespace executor_runtime {
namespace {

using Environment = std::map<std::string, std::string>;

constexpr char kTokenVariable[] = "MESOS_EXECUTOR_AUTHENTICATION_TOKEN";

// The value of `name`, or nullptr when it is absent.
const std::string* Find(const Environment& env, const std::string& name) {
  auto it = env.find(name);
  return it == env.end() ? nullptr : &it->second;
}

absl::StatusOr<std::string> Required(const Environment& env,
                                     const std::string& name) {
  const std::string* value = Find(env, name);
  if (value == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("missing environment variable ", name));
  }
  if (value->empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("environment variable ", name, " is empty"));
  }
  return *value;
}

// Parses an optional duration variable into `*out` (left alone if absent).
absl::Status OptionalDuration(const Environment& env, const std::string& name,
                              absl::Duration* out) {
  const std::string* value = Find(env, name);
  if (value == nullptr) return absl::OkStatus();
  absl::StatusOr<absl::Duration> parsed = ParseMesosDuration(*value);
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "malformed ", name, "='", *value, "': ", parsed.status().message()));
  }
  if (*parsed < absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        absl::StrCat("malformed ", name, "='", *value, "': negative duration"));
  }
  *out = *parsed;
  return absl::OkStatus();
}

absl::Status OptionalBool(const Environment& env, const std::string& name,
                          bool* out) {
  const std::string* value = Find(env, name);
  if (value == nullptr) return absl::OkStatus();
  if (*value == "1" || *value == "true") {
    *out = true;
  } else if (*value == "0" || *value == "false" || value->empty()) {
    *out = false;
  } else {
    return absl::InvalidArgumentError(absl::StrCat(
        "malformed ", name, "='", *value, "': expected 1, 0, true or false"));
  }
  return absl::OkStatus();
}

// CA bundles are kilobytes; a bound keeps /dev/zero or a huge file from
// exhausting memory.
constexpr std::uintmax_t kMaxPemFileBytes = 1 << 20;

absl::StatusOr<std::string> ReadPemFile(const std::string& variable,
                                        const std::string& path) {
  std::error_code error;
  const std::filesystem::file_status status = std::filesystem::status(path, error);
  if (!error && status.type() != std::filesystem::file_type::regular) {
    return absl::InvalidArgumentError(absl::StrCat(
        variable, "='", path, "': not a regular file"));
  }
  const std::uintmax_t size = std::filesystem::file_size(path, error);
  if (!error && size > kMaxPemFileBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat(variable, "='", path, "': ", size,
                     " bytes, more than a CA certificate file may have (",
                     kMaxPemFileBytes, ")"));
  }
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    return absl::InvalidArgumentError(absl::StrCat(
        variable, "='", path, "': cannot read the CA certificate file"));
  }
  std::ostringstream contents;
  contents << file.rdbuf();
  std::string pem = contents.str();
  if (pem.find("-----BEGIN CERTIFICATE-----") == std::string::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat(variable, "='", path,
                     "': the file holds no PEM certificate (no "
                     "'-----BEGIN CERTIFICATE-----')"));
  }
  return pem;
}

}  // namespace

absl::StatusOr<DriverOptions> DriverOptions::FromEnvironment(
    const Environment& env) {
  DriverOptions options;

  absl::StatusOr<std::string> framework_id =
      Required(env, "MESOS_FRAMEWORK_ID");
  if (!framework_id.ok()) return framework_id.status();
  options.framework_id.set_value(*framework_id);

  absl::StatusOr<std::string> executor_id = Required(env, "MESOS_EXECUTOR_ID");
  if (!executor_id.ok()) return executor_id.status();
  options.executor_id.set_value(*executor_id);

  // Mesos sets MESOS_SLAVE_ID; newer agents also MESOS_AGENT_ID.
  const std::string* slave_id = Find(env, "MESOS_SLAVE_ID");
  const std::string* agent_id = Find(env, "MESOS_AGENT_ID");
  if (slave_id != nullptr && agent_id != nullptr && *slave_id != *agent_id) {
    return absl::InvalidArgumentError(
        absl::StrCat("MESOS_SLAVE_ID='", *slave_id, "' and MESOS_AGENT_ID='",
                     *agent_id, "' disagree"));
  }
  const std::string* id = slave_id != nullptr ? slave_id : agent_id;
  if (id == nullptr) {
    return absl::InvalidArgumentError(
        "missing environment variable MESOS_SLAVE_ID (or MESOS_AGENT_ID)");
  }
  if (id->empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("environment variable ",
                     slave_id != nullptr ? "MESOS_SLAVE_ID" : "MESOS_AGENT_ID",
                     " is empty"));
  }
  options.agent_id.set_value(*id);

  absl::StatusOr<std::string> endpoint = Required(env, "MESOS_AGENT_ENDPOINT");
  if (!endpoint.ok()) return endpoint.status();
  if (*endpoint == "unix:" || *endpoint == "unix://") {
    return absl::InvalidArgumentError(
        "malformed MESOS_AGENT_ENDPOINT='" + *endpoint +
        "': a unix: endpoint needs a socket path");
  }
  options.agent_endpoint = *endpoint;

  if (const std::string* sandbox = Find(env, "MESOS_SANDBOX")) {
    options.sandbox_directory = *sandbox;
  } else if (const std::string* dir = Find(env, "MESOS_DIRECTORY")) {
    options.sandbox_directory = *dir;
  }

  absl::Status status =
      OptionalBool(env, "MESOS_CHECKPOINT", &options.checkpoint);
  if (!status.ok()) return status;
  status = OptionalDuration(env, "MESOS_RECOVERY_TIMEOUT",
                            &options.recovery_timeout);
  if (!status.ok()) return status;
  status = OptionalDuration(env, "MESOS_SUBSCRIPTION_BACKOFF_MAX",
                            &options.subscription_backoff_max);
  if (!status.ok()) return status;
  status = OptionalDuration(env, "MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD",
                            &options.shutdown_grace_period);
  if (!status.ok()) return status;

  if (const std::string* token = Find(env, kTokenVariable)) {
    options.auth_token = *token;
  }

  if (const std::string* ca_file = Find(env, "MESOS_EXECUTOR_TLS_CA_FILE")) {
    absl::StatusOr<std::string> pem =
        ReadPemFile("MESOS_EXECUTOR_TLS_CA_FILE", *ca_file);
    if (!pem.ok()) return pem.status();
    options.use_tls = true;
    options.tls_root_certs_pem = *std::move(pem);
  }
  return options;
}

absl::StatusOr<DriverOptions> DriverOptions::FromEnvironment() {
  Environment env;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    const std::string text(*entry);
    const size_t equals = text.find('=');
    if (equals == std::string::npos) continue;
    env.emplace(text.substr(0, equals), text.substr(equals + 1));
  }
  // The token is a secret: child processes must not inherit it.
  unsetenv(kTokenVariable);
  return FromEnvironment(env);
}

}  // namespace executor_runtime
