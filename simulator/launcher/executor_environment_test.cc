#include "simulator/launcher/executor_environment.h"

#include <set>

#include "absl/time/time.h"
#include "gtest/gtest.h"

namespace executor_runtime {
namespace {

ExecutorEnvironment SampleEnvironment() {
  ExecutorEnvironment env;
  env.framework_id = "fw-1";
  env.executor_id = "exec-1";
  env.agent_id = "agent-1";
  env.agent_endpoint = "unix:/tmp/agent.sock";
  env.sandbox_directory = "/tmp/work/sandboxes/exec-1";
  env.checkpoint = true;
  env.recovery_timeout = absl::Minutes(2);
  env.subscription_backoff_max = absl::Milliseconds(500);
  env.shutdown_grace_period = absl::Seconds(3);
  env.auth_token = "token";
  return env;
}

TEST(ExecutorEnvironmentTest, SetsEveryAgentVariable) {
  auto vars = BuildExecutorEnvironment(SampleEnvironment(), {});
  EXPECT_EQ(vars["MESOS_FRAMEWORK_ID"], "fw-1");
  EXPECT_EQ(vars["MESOS_EXECUTOR_ID"], "exec-1");
  EXPECT_EQ(vars["MESOS_SLAVE_ID"], "agent-1");
  EXPECT_EQ(vars["MESOS_AGENT_ID"], "agent-1");
  EXPECT_EQ(vars["MESOS_AGENT_ENDPOINT"], "unix:/tmp/agent.sock");
  EXPECT_EQ(vars["MESOS_DIRECTORY"], "/tmp/work/sandboxes/exec-1");
  EXPECT_EQ(vars["MESOS_SANDBOX"], "/tmp/work/sandboxes/exec-1");
  EXPECT_EQ(vars["MESOS_CHECKPOINT"], "1");
  EXPECT_EQ(vars["MESOS_RECOVERY_TIMEOUT"], "2mins");
  EXPECT_EQ(vars["MESOS_SUBSCRIPTION_BACKOFF_MAX"], "500ms");
  EXPECT_EQ(vars["MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD"], "3secs");
  EXPECT_EQ(vars["MESOS_EXECUTOR_AUTHENTICATION_TOKEN"], "token");
  EXPECT_EQ(vars.count("MESOS_EXECUTOR_TLS_CA_FILE"), 0u);
}

TEST(ExecutorEnvironmentTest, NoTokenVariableWithoutToken) {
  ExecutorEnvironment env = SampleEnvironment();
  env.auth_token.clear();
  env.checkpoint = false;
  auto vars = BuildExecutorEnvironment(env, {});
  EXPECT_EQ(vars.count("MESOS_EXECUTOR_AUTHENTICATION_TOKEN"), 0u);
  EXPECT_EQ(vars["MESOS_CHECKPOINT"], "0");
}

TEST(ExecutorEnvironmentTest, InheritsAllButMesosVariables) {
  ExecutorEnvironment env = SampleEnvironment();
  env.extra = {{"TASK_VAR", "x"}, {"MESOS_FRAMEWORK_ID", "forged"}};
  auto vars = BuildExecutorEnvironment(
      env, {{"PATH", "/bin"}, {"MESOS_STALE", "old"}, {"TASK_VAR", "y"}});
  EXPECT_EQ(vars["PATH"], "/bin");
  EXPECT_EQ(vars.count("MESOS_STALE"), 0u);
  EXPECT_EQ(vars["TASK_VAR"], "x");
  EXPECT_EQ(vars["MESOS_FRAMEWORK_ID"], "fw-1");
}

TEST(ExecutorEnvironmentTest, TokensAreRandomHex) {
  std::set<std::string> seen;
  for (int i = 0; i < 10; ++i) {
    std::string token = GenerateAuthToken();
    ASSERT_EQ(token.size(), 64u);
    for (char c : token) {
      EXPECT_TRUE((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')) << token;
    }
    seen.insert(token);
  }
  EXPECT_EQ(seen.size(), 10u);
}

TEST(ExecutorEnvironmentTest, CurrentEnvironmentSeesSetenv) {
  setenv("XRT_LAUNCHER_TEST_VAR", "a=b", 1);
  auto vars = CurrentEnvironment();
  EXPECT_EQ(vars["XRT_LAUNCHER_TEST_VAR"], "a=b");
}

}  // namespace
}  // namespace executor_runtime
