#include "driver/fuzz/environment_fuzz.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>

#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/time/time.h"
#include "driver/driver_options.h"
#include "util/mesos_duration.h"

namespace executor_runtime {
namespace driver_fuzz {
namespace {

using Environment = std::map<std::string, std::string>;

constexpr char kCaFile[] = "MESOS_EXECUTOR_TLS_CA_FILE";

[[noreturn]] void Fail(const std::string& what) {
  std::fprintf(stderr, "FromEnvironment contract broken: %s\n", what.c_str());
  std::abort();
}

void Check(bool condition, const char* what) {
  if (!condition) Fail(what);
}

const std::string* Find(const Environment& env, const char* name) {
  auto it = env.find(name);
  return it == env.end() ? nullptr : &it->second;
}

// A scratch file for the CA content, created once per process.
const std::string& ScratchCaPath() {
  static const std::string* const kPath = [] {
    const char* base = std::getenv("TEST_TMPDIR");
    if (base == nullptr) base = std::getenv("TMPDIR");
    if (base == nullptr) base = "/tmp";
    std::string pattern = std::string(base) + "/environment_fuzz_ca.XXXXXX";
    const int fd = mkstemp(pattern.data());
    if (fd < 0) {
      std::perror("mkstemp");
      std::abort();
    }
    close(fd);
    return new std::string(pattern);
  }();
  return *kPath;
}

void WriteFile(const std::string& path, const std::string& contents) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(contents.data(), static_cast<std::streamsize>(contents.size()));
  if (!out) {
    std::fprintf(stderr, "cannot write %s\n", path.c_str());
    std::abort();
  }
}

// An optional duration: absent keeps the default, present must be exactly
// what ParseMesosDuration makes of it.
void CheckDuration(const Environment& env, const char* name,
                   absl::Duration value, absl::Duration default_value) {
  Check(value >= absl::ZeroDuration(), "a negative duration");
  Check(value != absl::InfiniteDuration(), "an infinite duration");
  const std::string* text = Find(env, name);
  if (text == nullptr) {
    if (value != default_value) Fail(std::string(name) + " lost its default");
    return;
  }
  absl::StatusOr<absl::Duration> parsed = ParseMesosDuration(*text);
  if (!parsed.ok() || *parsed != value) {
    Fail(std::string(name) + " accepted but not what it says");
  }
}

void CheckOptions(const Environment& env, const DriverOptions& options) {
  const DriverOptions defaults;
  Check(!options.framework_id.value().empty(), "empty framework_id");
  Check(!options.executor_id.value().empty(), "empty executor_id");
  Check(!options.agent_id.value().empty(), "empty agent_id");
  Check(!options.agent_endpoint.empty(), "empty agent_endpoint");
  Check(options.agent_endpoint != "unix:" && options.agent_endpoint != "unix://",
        "unix: endpoint without a path");
  Check(options.framework_id.value() == *Find(env, "MESOS_FRAMEWORK_ID"),
        "framework_id differs from MESOS_FRAMEWORK_ID");
  Check(options.executor_id.value() == *Find(env, "MESOS_EXECUTOR_ID"),
        "executor_id differs from MESOS_EXECUTOR_ID");
  Check(options.agent_endpoint == *Find(env, "MESOS_AGENT_ENDPOINT"),
        "agent_endpoint differs from MESOS_AGENT_ENDPOINT");
  const std::string* slave = Find(env, "MESOS_SLAVE_ID");
  const std::string* agent = Find(env, "MESOS_AGENT_ID");
  Check(slave == nullptr || *slave == options.agent_id.value(),
        "agent_id differs from MESOS_SLAVE_ID");
  Check(agent == nullptr || *agent == options.agent_id.value(),
        "agent_id differs from MESOS_AGENT_ID");

  const std::string* sandbox = Find(env, "MESOS_SANDBOX");
  if (sandbox == nullptr) sandbox = Find(env, "MESOS_DIRECTORY");
  Check(options.sandbox_directory == (sandbox ? *sandbox : std::string()),
        "sandbox_directory is not MESOS_SANDBOX, else MESOS_DIRECTORY");

  const std::string* checkpoint = Find(env, "MESOS_CHECKPOINT");
  const bool expected_checkpoint =
      checkpoint != nullptr && (*checkpoint == "1" || *checkpoint == "true");
  Check(options.checkpoint == expected_checkpoint,
        "checkpoint does not follow MESOS_CHECKPOINT");

  CheckDuration(env, "MESOS_RECOVERY_TIMEOUT", options.recovery_timeout,
                defaults.recovery_timeout);
  CheckDuration(env, "MESOS_SUBSCRIPTION_BACKOFF_MAX",
                options.subscription_backoff_max,
                defaults.subscription_backoff_max);
  CheckDuration(env, "MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD",
                options.shutdown_grace_period, defaults.shutdown_grace_period);

  const std::string* token = Find(env, "MESOS_EXECUTOR_AUTHENTICATION_TOKEN");
  Check(options.auth_token == (token ? *token : std::string()),
        "auth_token is not MESOS_EXECUTOR_AUTHENTICATION_TOKEN");

  Check(options.use_tls == (Find(env, kCaFile) != nullptr),
        "use_tls does not follow MESOS_EXECUTOR_TLS_CA_FILE");
  if (options.use_tls) {
    Check(absl::StrContains(options.tls_root_certs_pem,
                            "-----BEGIN CERTIFICATE-----"),
          "TLS accepted without a PEM certificate");
  } else {
    Check(options.tls_root_certs_pem.empty(), "PEM without TLS");
  }

  // The tuning knobs are not read from the environment.
  Check(options.max_unacknowledged_updates ==
                defaults.max_unacknowledged_updates &&
            options.send_timeout == defaults.send_timeout &&
            options.max_in_flight_updates == defaults.max_in_flight_updates &&
            options.missed_heartbeats_before_disconnect ==
                defaults.missed_heartbeats_before_disconnect &&
            options.kill_process_group_on_shutdown ==
                defaults.kill_process_group_on_shutdown &&
            options.subscription_backoff_initial ==
                defaults.subscription_backoff_initial &&
            options.enable_batching == defaults.enable_batching,
        "a tuning option changed");
}

}  // namespace

const std::vector<std::string>& FuzzVariableNames() {
  static const std::vector<std::string>* const kNames =
      new std::vector<std::string>{
          "MESOS_FRAMEWORK_ID",
          "MESOS_EXECUTOR_ID",
          "MESOS_SLAVE_ID",
          "MESOS_AGENT_ID",
          "MESOS_AGENT_ENDPOINT",
          "MESOS_SANDBOX",
          "MESOS_DIRECTORY",
          "MESOS_CHECKPOINT",
          "MESOS_RECOVERY_TIMEOUT",
          "MESOS_SUBSCRIPTION_BACKOFF_MAX",
          "MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD",
          "MESOS_EXECUTOR_AUTHENTICATION_TOKEN",
          kCaFile,
          "MESOS_UNRELATED",
      };
  return *kNames;
}

Environment ParseFuzzEnvironment(absl::string_view data) {
  Environment env;
  const std::vector<std::string>& names = FuzzVariableNames();
  while (!data.empty()) {
    const size_t end = data.find('\n');
    absl::string_view line = data.substr(0, end);
    data = end == absl::string_view::npos ? absl::string_view()
                                          : data.substr(end + 1);
    const size_t equals = line.find('=');
    absl::string_view name = line.substr(0, equals);
    absl::string_view value = equals == absl::string_view::npos
                                  ? absl::string_view()
                                  : line.substr(equals + 1);
    std::string key =
        name.size() == 1
            ? names[static_cast<unsigned char>(name[0]) % names.size()]
            : std::string(name);
    env[key] = std::string(value);
  }
  return env;
}

void FuzzEnvironment(const uint8_t* data, size_t size) {
  const Environment input = ParseFuzzEnvironment(absl::string_view(
      reinterpret_cast<const char*>(data), size));
  Environment env = input;
  auto ca = env.find(kCaFile);
  if (ca != env.end()) {
    WriteFile(ScratchCaPath(), ca->second);
    ca->second = ScratchCaPath();
  }
  absl::StatusOr<DriverOptions> options = DriverOptions::FromEnvironment(env);
  absl::StatusOr<DriverOptions> again = DriverOptions::FromEnvironment(env);
  Check(options.ok() == again.ok(), "two answers for one environment");
  if (!options.ok()) {
    Check(options.status().code() == absl::StatusCode::kInvalidArgument,
          "an error other than INVALID_ARGUMENT");
    Check(!options.status().message().empty(), "an error without a message");
    Check(options.status() == again.status(), "two errors for one environment");
    return;
  }
  CheckOptions(env, *options);
  if (options->use_tls) {
    Check(options->tls_root_certs_pem == input.at(kCaFile),
          "tls_root_certs_pem is not the CA file's content");
  }
}

}  // namespace driver_fuzz
}  // namespace executor_runtime
