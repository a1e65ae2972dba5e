#include "driver/driver_options.h"

#include <stdlib.h>

#include <fstream>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace executor_runtime {
namespace {

using ::testing::HasSubstr;
using Env = std::map<std::string, std::string>;

Env Minimal() {
  return {{"MESOS_FRAMEWORK_ID", "fw-1"},
          {"MESOS_EXECUTOR_ID", "ex-1"},
          {"MESOS_SLAVE_ID", "agent-1"},
          {"MESOS_AGENT_ENDPOINT", "127.0.0.1:5051"}};
}

TEST(DriverOptionsTest, MinimalEnvironmentGivesDefaults) {
  absl::StatusOr<DriverOptions> options =
      DriverOptions::FromEnvironment(Minimal());
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->framework_id.value(), "fw-1");
  EXPECT_EQ(options->executor_id.value(), "ex-1");
  EXPECT_EQ(options->agent_id.value(), "agent-1");
  EXPECT_EQ(options->agent_endpoint, "127.0.0.1:5051");
  EXPECT_FALSE(options->checkpoint);
  EXPECT_EQ(options->recovery_timeout, absl::Minutes(15));
  EXPECT_EQ(options->shutdown_grace_period, absl::Seconds(5));
  EXPECT_EQ(options->subscription_backoff_max, absl::Seconds(2));
  EXPECT_TRUE(options->auth_token.empty());
  EXPECT_FALSE(options->use_tls);
}

TEST(DriverOptionsTest, ReadsEveryOptionalVariable) {
  Env env = Minimal();
  env["MESOS_SANDBOX"] = "/sandbox";
  env["MESOS_DIRECTORY"] = "/directory";
  env["MESOS_CHECKPOINT"] = "1";
  env["MESOS_RECOVERY_TIMEOUT"] = "2mins";
  env["MESOS_SUBSCRIPTION_BACKOFF_MAX"] = "500ms";
  env["MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD"] = "1.5secs";
  env["MESOS_EXECUTOR_AUTHENTICATION_TOKEN"] = "secret";
  absl::StatusOr<DriverOptions> options = DriverOptions::FromEnvironment(env);
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->sandbox_directory, "/sandbox");
  EXPECT_TRUE(options->checkpoint);
  EXPECT_EQ(options->recovery_timeout, absl::Minutes(2));
  EXPECT_EQ(options->subscription_backoff_max, absl::Milliseconds(500));
  EXPECT_EQ(options->shutdown_grace_period, absl::Milliseconds(1500));
  EXPECT_EQ(options->auth_token, "secret");
}

TEST(DriverOptionsTest, SandboxFallsBackToDirectoryAndAgentIdToAgentVariable) {
  Env env = Minimal();
  env.erase("MESOS_SLAVE_ID");
  env["MESOS_AGENT_ID"] = "agent-2";
  env["MESOS_DIRECTORY"] = "/directory";
  env["MESOS_AGENT_ENDPOINT"] = "unix:/tmp/agent.sock";
  absl::StatusOr<DriverOptions> options = DriverOptions::FromEnvironment(env);
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->agent_id.value(), "agent-2");
  EXPECT_EQ(options->sandbox_directory, "/directory");
  EXPECT_EQ(options->agent_endpoint, "unix:/tmp/agent.sock");
}

struct BadCase {
  const char* name;
  std::vector<std::pair<std::string, std::string>> set;
  std::vector<std::string> erase;
  std::string expected;  // substring of the error message
};

TEST(DriverOptionsTest, BadEnvironmentNamesTheVariable) {
  const std::vector<BadCase> cases = {
      {"no framework",
       {},
       {"MESOS_FRAMEWORK_ID"},
       "missing environment variable MESOS_FRAMEWORK_ID"},
      {"no executor",
       {},
       {"MESOS_EXECUTOR_ID"},
       "missing environment variable MESOS_EXECUTOR_ID"},
      {"no agent id",
       {},
       {"MESOS_SLAVE_ID"},
       "MESOS_SLAVE_ID (or MESOS_AGENT_ID)"},
      {"no endpoint",
       {},
       {"MESOS_AGENT_ENDPOINT"},
       "missing environment variable MESOS_AGENT_ENDPOINT"},
      {"empty framework",
       {{"MESOS_FRAMEWORK_ID", ""}},
       {},
       "MESOS_FRAMEWORK_ID is empty"},
      {"empty agent id",
       {{"MESOS_SLAVE_ID", ""}},
       {},
       "MESOS_SLAVE_ID is empty"},
      {"ids disagree", {{"MESOS_AGENT_ID", "other"}}, {}, "disagree"},
      {"unix without path",
       {{"MESOS_AGENT_ENDPOINT", "unix:"}},
       {},
       "MESOS_AGENT_ENDPOINT"},
      {"bad checkpoint",
       {{"MESOS_CHECKPOINT", "yes please"}},
       {},
       "malformed MESOS_CHECKPOINT='yes please'"},
      {"bad recovery timeout",
       {{"MESOS_RECOVERY_TIMEOUT", "soon"}},
       {},
       "malformed MESOS_RECOVERY_TIMEOUT='soon'"},
      {"no unit",
       {{"MESOS_SUBSCRIPTION_BACKOFF_MAX", "5"}},
       {},
       "malformed MESOS_SUBSCRIPTION_BACKOFF_MAX='5'"},
      {"bad grace period",
       {{"MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD", "5parsecs"}},
       {},
       "malformed MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD='5parsecs'"},
      {"negative duration",
       {{"MESOS_RECOVERY_TIMEOUT", "-5secs"}},
       {},
       "MESOS_RECOVERY_TIMEOUT"},
      {"unreadable CA",
       {{"MESOS_EXECUTOR_TLS_CA_FILE", "/nonexistent/ca.pem"}},
       {},
       "MESOS_EXECUTOR_TLS_CA_FILE='/nonexistent/ca.pem': cannot read"},
  };
  for (const BadCase& c : cases) {
    Env env = Minimal();
    for (const auto& [key, value] : c.set) env[key] = value;
    for (const std::string& key : c.erase) env.erase(key);
    absl::StatusOr<DriverOptions> options = DriverOptions::FromEnvironment(env);
    ASSERT_FALSE(options.ok()) << c.name;
    EXPECT_EQ(options.status().code(), absl::StatusCode::kInvalidArgument)
        << c.name;
    EXPECT_THAT(options.status().message(), HasSubstr(c.expected)) << c.name;
  }
}

TEST(DriverOptionsTest, CheckpointAcceptsTheUsualSpellings) {
  const std::vector<std::pair<std::string, bool>> cases = {
      {"1", true}, {"true", true}, {"0", false}, {"false", false}, {"", false}};
  for (const auto& [text, expected] : cases) {
    Env env = Minimal();
    env["MESOS_CHECKPOINT"] = text;
    absl::StatusOr<DriverOptions> options = DriverOptions::FromEnvironment(env);
    ASSERT_TRUE(options.ok()) << text;
    EXPECT_EQ(options->checkpoint, expected) << text;
  }
}

std::string WriteFile(const std::string& name, const std::string& contents) {
  const char* dir = getenv("TEST_TMPDIR");
  const std::string path =
      std::string(dir != nullptr ? dir : "/tmp") + "/" + name;
  std::ofstream(path) << contents;
  return path;
}

TEST(DriverOptionsTest, TlsCaFileTurnsOnTlsWithItsCertificates) {
  const std::string pem =
      "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
  Env env = Minimal();
  env["MESOS_EXECUTOR_TLS_CA_FILE"] = WriteFile("ca.pem", pem);
  absl::StatusOr<DriverOptions> options = DriverOptions::FromEnvironment(env);
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_TRUE(options->use_tls);
  EXPECT_EQ(options->tls_root_certs_pem, pem);
}

TEST(DriverOptionsTest, TlsCaFileWithoutCertificateIsRefused) {
  Env env = Minimal();
  env["MESOS_EXECUTOR_TLS_CA_FILE"] = WriteFile("not-a-cert.pem", "hello\n");
  absl::StatusOr<DriverOptions> options = DriverOptions::FromEnvironment(env);
  ASSERT_FALSE(options.ok());
  EXPECT_THAT(options.status().message(),
              HasSubstr("holds no PEM certificate"));
}

TEST(DriverOptionsTest, TlsCaFileMustBeASmallRegularFile) {
  Env env = Minimal();
  env["MESOS_EXECUTOR_TLS_CA_FILE"] = "/dev/zero";  // would never end
  absl::StatusOr<DriverOptions> options = DriverOptions::FromEnvironment(env);
  ASSERT_FALSE(options.ok());
  EXPECT_THAT(options.status().message(), HasSubstr("not a regular file"));

  env["MESOS_EXECUTOR_TLS_CA_FILE"] =
      WriteFile("huge.pem", std::string((1 << 20) + 1, 'x'));
  options = DriverOptions::FromEnvironment(env);
  ASSERT_FALSE(options.ok());
  EXPECT_THAT(options.status().message(),
              HasSubstr("more than a CA certificate file may have"));
}

TEST(DriverOptionsTest, ProcessEnvironmentIsReadAndTheTokenErased) {
  for (const auto& [key, value] : Minimal())
    setenv(key.c_str(), value.c_str(), 1);
  setenv("MESOS_EXECUTOR_AUTHENTICATION_TOKEN", "t0ken", 1);
  absl::StatusOr<DriverOptions> options = DriverOptions::FromEnvironment();
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->executor_id.value(), "ex-1");
  EXPECT_EQ(options->auth_token, "t0ken");
  EXPECT_EQ(getenv("MESOS_EXECUTOR_AUTHENTICATION_TOKEN"), nullptr);
  EXPECT_NE(getenv("MESOS_EXECUTOR_ID"), nullptr);
}

TEST(DriverOptionsTest, ProcessEnvironmentErrorsStillEraseTheToken) {
  unsetenv("MESOS_FRAMEWORK_ID");
  setenv("MESOS_EXECUTOR_AUTHENTICATION_TOKEN", "t0ken", 1);
  absl::StatusOr<DriverOptions> options = DriverOptions::FromEnvironment();
  EXPECT_FALSE(options.ok());
  EXPECT_EQ(getenv("MESOS_EXECUTOR_AUTHENTICATION_TOKEN"), nullptr);
}

}  // namespace
}  // namespace executor_runtime
