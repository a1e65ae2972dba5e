// agent_simulator's flags as an executor sees them (its environment), TCP
// endpoints that survive a restart, the control endpoint from the
// environment, and stopping with SIGTERM.
#include <signal.h>
#include <unistd.h>

#include <fstream>
#include <map>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/simulator/sim_test_util.h"

namespace executor_runtime {
namespace simtest {
namespace {

using ::testing::HasSubstr;
using ::testing::MatchesRegex;

std::map<std::string, std::string> ReadKeyValues(const std::string& path) {
  std::map<std::string, std::string> values;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    size_t eq = line.find('=');
    if (eq != std::string::npos)
      values[line.substr(0, eq)] = line.substr(eq + 1);
  }
  return values;
}

bool WaitForFile(const std::string& path) {
  for (int i = 0; i < 2000; ++i) {
    if (access(path.c_str(), F_OK) == 0) return true;
    absl::SleepFor(absl::Milliseconds(10));
  }
  return false;
}

TEST(EnvTest, FlagsReachTheExecutorEnvironment) {
  ScratchDir dir;
  SimulatorProcess sim(dir.path());
  std::string error;
  ASSERT_TRUE(sim.Start(
      {"--executor=" + TestExecutor(), "--work_dir=" + (dir / "w"),
       "--agent_id=agent-a1", "--framework_id=fw-1", "--checkpoint=false",
       "--recovery_timeout=3mins", "--subscription_backoff_max=700ms",
       "--executor_shutdown_grace_period=4s", "--sync_checkpoint"},
      &error))
      << error;
  const std::string sandbox = dir / "w/sandboxes/executor-1/runs/1";
  ASSERT_TRUE(WaitForFile(sandbox + "/env.log"));
  ASSERT_TRUE(sim.WaitForList([](const std::map<std::string, ExecutorLine>& l) {
    return l.count("executor-1") &&
           l.at("executor-1").fields.at("phase") == "subscribed";
  }));
  std::map<std::string, std::string> env = ReadKeyValues(sandbox + "/env.log");
  EXPECT_EQ(env["MESOS_FRAMEWORK_ID"], "fw-1");
  EXPECT_EQ(env["MESOS_EXECUTOR_ID"], "executor-1");
  EXPECT_EQ(env["MESOS_SLAVE_ID"], "agent-a1");
  EXPECT_EQ(env["MESOS_AGENT_ENDPOINT"], "unix:" + sim.agent_socket());
  EXPECT_EQ(env["MESOS_SANDBOX"], sandbox);
  EXPECT_EQ(env["MESOS_DIRECTORY"], sandbox);
  EXPECT_EQ(env["MESOS_CHECKPOINT"], "0");
  EXPECT_EQ(env["MESOS_RECOVERY_TIMEOUT"], "3mins");
  EXPECT_EQ(env["MESOS_SUBSCRIPTION_BACKOFF_MAX"], "700ms");
  EXPECT_EQ(env["MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD"], "4secs");
  EXPECT_THAT(env["MESOS_EXECUTOR_AUTHENTICATION_TOKEN"],
              MatchesRegex("[0-9a-f]{64}"));
  // The control endpoint may come from the environment.
  setenv("AGENT_SIMULATOR_CONTROL", ("unix:" + sim.control_socket()).c_str(),
         1);
  CommandResult list = RunCommand({CtlBinary(), "list"});
  unsetenv("AGENT_SIMULATOR_CONTROL");
  EXPECT_EQ(list.exit_code, 0) << list.err;
  EXPECT_THAT(list.out, HasSubstr("agent agent-a1 "));
  // SIGTERM stops a serving simulator cleanly (executors shut down first).
  sim.process().Kill(SIGTERM);
  EXPECT_EQ(sim.process().Wait(absl::Seconds(20)), 0);
  EXPECT_THAT(sim.Log(), HasSubstr("stopped, 0 updates recorded"));
}

TEST(EnvTest, NoTokenWithoutAuthentication) {
  ScratchDir dir;
  SimulatorProcess sim(dir.path());
  std::string error;
  ASSERT_TRUE(sim.Start({"--executor=" + TestExecutor(),
                         "--work_dir=" + (dir / "w"), "--authenticate=false"},
                        &error))
      << error;
  const std::string sandbox = dir / "w/sandboxes/executor-1/runs/1";
  ASSERT_TRUE(WaitForFile(sandbox + "/env.log"));
  ASSERT_TRUE(sim.WaitForList([](const std::map<std::string, ExecutorLine>& l) {
    return l.count("executor-1") &&
           l.at("executor-1").fields.at("phase") == "subscribed";
  }));
  std::map<std::string, std::string> env = ReadKeyValues(sandbox + "/env.log");
  EXPECT_EQ(env.count("MESOS_EXECUTOR_AUTHENTICATION_TOKEN"), 0u);
  EXPECT_EQ(sim.Stop(), 0);
}

TEST(EnvTest, TcpEndpointsSurviveARestart) {
  ScratchDir dir;
  Process sim;
  const std::string ready = dir / "ready";
  ASSERT_TRUE(
      sim.Start({SimulatorBinary(), "--serve", "--executor=" + TestExecutor(),
                 "--listen=127.0.0.1:0", "--control_listen=127.0.0.1:0",
                 "--work_dir=" + (dir / "w"), "--ready_file=" + ready,
                 "--subscription_backoff_max=50ms"},
                dir / "out", dir / "err"));
  ASSERT_TRUE(WaitForFile(ready));
  std::map<std::string, std::string> first = ReadKeyValues(ready);
  EXPECT_THAT(first["agent_endpoint"], MatchesRegex("127\\.0\\.0\\.1:[0-9]+"));
  const std::string server = "--server=" + first["control_endpoint"];
  auto subscribed = [&](const std::string& marker) {
    for (int i = 0; i < 1000; ++i) {
      CommandResult list = RunCommand({CtlBinary(), server, "list"});
      if (absl::StrContains(list.out, "phase=subscribed") &&
          absl::StrContains(list.out, marker)) {
        return true;
      }
      absl::SleepFor(absl::Milliseconds(20));
    }
    return false;
  };
  ASSERT_TRUE(subscribed(""));
  unlink(ready.c_str());
  ASSERT_EQ(RunCommand({CtlBinary(), server, "fault", "restart"}).exit_code, 0);
  ASSERT_TRUE(WaitForFile(ready));
  std::map<std::string, std::string> second = ReadKeyValues(ready);
  EXPECT_EQ(second["agent_endpoint"], first["agent_endpoint"]);
  EXPECT_EQ(second["control_endpoint"], first["control_endpoint"]);
  EXPECT_EQ(second["pid"], first["pid"]);  // re-executed in place
  ASSERT_TRUE(subscribed(" recovered"));
  ASSERT_EQ(RunCommand({CtlBinary(), server, "stop"}).exit_code, 0);
  EXPECT_EQ(sim.Wait(absl::Seconds(20)), 0);
}

}  // namespace
}  // namespace simtest
}  // namespace executor_runtime
