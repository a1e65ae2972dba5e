// Hostile executors (issue 7, part 4): bearer tokens never reach the logs,
// even verbose ones. With EXEC_RT_VERBOSE=1, executors fail to authenticate
// in every way we can think of (wrong token, a near miss, another
// executor's token, no scheme, no token) and one succeeds; the stderr of
// the agent (the simulator binary, and an in-process AgentCore with a
// driver) must name the failures but never contain any of the tokens.
//
// (Constant-time comparison cannot be observed through gRPC, whose noise
// is a million times larger than a 32-byte compare; it is covered by
// simulator/internal/bearer_token_test.cc and code review.)
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "driver/executor_driver.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/hostile/hostile_util.h"
#include "tests/hostile/sim_process.h"
#include "util/logging.h"

namespace executor_runtime {
namespace hostile_test {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// Logging reads EXEC_RT_VERBOSE once, at the first log line: set it before
// anything runs.
const bool kVerboseSet = [] {
  setenv("EXEC_RT_VERBOSE", "1", 1);
  return true;
}();

// A token and every wrong token derived from it that a test presents.
std::vector<std::string> WrongTokens(const std::string& token) {
  std::string near_miss = token;
  near_miss.back() = near_miss.back() == 'x' ? 'y' : 'x';
  return {near_miss, token.substr(0, token.size() - 1), token + "0",
          "not-the-token-at-all-31415926"};
}

// Redirects this process's stderr (fd 2) to a file while alive.
class CaptureStderr {
 public:
  explicit CaptureStderr(std::string path) : path_(std::move(path)) {
    fflush(stderr);
    saved_ = dup(2);
    const int fd = open(path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    dup2(fd, 2);
    close(fd);
  }
  // Restores stderr; what was written meanwhile.
  std::string Stop() {
    if (saved_ >= 0) {
      fflush(stderr);
      dup2(saved_, 2);
      close(saved_);
      saved_ = -1;
    }
    return ReadFile(path_);
  }
  ~CaptureStderr() { Stop(); }

 private:
  std::string path_;
  int saved_ = -1;
};

class NullHandler : public EventHandler {
 public:
  void Launch(ExecutorDriver*, const mesos::TaskInfo&) override {}
  void Kill(ExecutorDriver*, const mesos::TaskID&,
            const mesos::KillPolicy&) override {}
  void Shutdown(ExecutorDriver*) override {}
  void Subscribed(ExecutorDriver*, const mesos::executor::Event::Subscribed&,
                  bool) override {
    if (!subscribed.HasBeenNotified()) subscribed.Notify();
  }
  absl::Notification subscribed;
};

TEST(TokenLogTest, InProcessAgentAndDriverNeverLogTokens) {
  ASSERT_TRUE(kVerboseSet);
  const std::string token_a = "in-process-token-a-7f3c9e1d2b";
  const std::string token_b = "in-process-token-b-4a8d6c0e5f";
  TempDir dir;
  CaptureStderr capture(dir / "stderr");
  ASSERT_TRUE(VerboseLogging());
  XRT_LOG(INFO) << "token-log-test: capture works";
  {
    AgentHarness agent;
    const ExecutorRef a = agent.Add("fw", "exec-a", token_a);
    const ExecutorRef b = agent.Add("fw", "exec-b", token_b);
    std::vector<std::string> presented = WrongTokens(token_b);
    presented.push_back(token_a);  // A's token with B's IDs.
    for (const std::string& wrong : presented) {
      RawStream stream(agent.NewChannel(), wrong);
      EXPECT_FALSE(stream.Subscribe(b).has_value());
      const grpc::Status status = stream.Finish();
      EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
      EXPECT_THAT(status.error_message(), Not(HasSubstr(wrong)));
      EXPECT_THAT(status.error_message(), Not(HasSubstr(token_b)));
    }
    // Drivers: one refused (it logs why it aborts), one accepted.
    for (const std::string& token : {WrongTokens(token_b)[0], token_b}) {
      NullHandler handler;
      DriverOptions options;
      options.framework_id.set_value(b.framework_id);
      options.executor_id.set_value(b.executor_id);
      options.agent_id.set_value("agent-1");
      options.agent_endpoint = agent.endpoint();
      options.auth_token = token;
      options.recovery_timeout = absl::Seconds(10);
      options.kill_process_group_on_shutdown = false;
      ExecutorDriver driver(&handler, options);
      ASSERT_TRUE(driver.Start().ok());
      if (token == token_b) {
        ASSERT_TRUE(handler.subscribed.WaitForNotificationWithTimeout(
            absl::Seconds(10)));
        EXPECT_TRUE(driver.Stop().ok());
      }
      driver.Join();
    }
    (void)a;
  }
  const std::string log = capture.Stop();
  std::printf("captured %zu bytes of verbose stderr\n", log.size());
  EXPECT_THAT(log, HasSubstr("token-log-test: capture works"));
  EXPECT_THAT(log, HasSubstr("wrong bearer token"));  // The failure is told.
  EXPECT_THAT(log, HasSubstr("subscribed to"));       // So is the success.
  for (const std::string& secret :
       {token_a, token_b, WrongTokens(token_b)[0], WrongTokens(token_b)[1],
        WrongTokens(token_b)[2], WrongTokens(token_b)[3]}) {
    EXPECT_THAT(log, Not(HasSubstr(secret)));
  }
}

TEST(TokenLogTest, SimulatorBinaryNeverLogsTokens) {
  TempDir dir;
  // The executor: a script that hands us its environment (token, IDs,
  // endpoint) and waits to be killed.
  const std::string script = dir / "executor.sh";
  {
    std::string text = absl::StrCat(
        "#!/bin/sh\n"
        "env > '",
        dir / "env.tmp",
        "'\n"
        "echo \"SCRIPT_PID=$$\" >> '",
        dir / "env.tmp",
        "'\n"
        "mv '",
        dir / "env.tmp", "' '", dir / "env",
        "'\n"
        "exec sleep 60\n");
    FILE* file = fopen(script.c_str(), "w");
    ASSERT_NE(file, nullptr);
    fputs(text.c_str(), file);
    fclose(file);
    ASSERT_EQ(chmod(script.c_str(), 0700), 0);
  }
  SimulatorProcess sim;
  std::string error;
  ASSERT_TRUE(sim.Start(
      dir.path(),
      {"--executor=" + script, "--registration_timeout=60s", "--authenticate"},
      {{"EXEC_RT_VERBOSE", "1"}, {"TMPDIR", dir.path()}}, 077, &error))
      << error;
  std::map<std::string, std::string> env;
  const absl::Time deadline = absl::Now() + absl::Seconds(20);
  while (absl::Now() < deadline && env.empty()) {
    env = ParseKeyValues(ReadFile(dir / "env"));
    if (env.empty()) absl::SleepFor(absl::Milliseconds(20));  // A file: poll.
  }
  ASSERT_FALSE(env.empty())
      << "the executor script never ran: " << sim.Stderr();
  const std::string token = env["MESOS_EXECUTOR_AUTHENTICATION_TOKEN"];
  ASSERT_GE(token.size(), 16u) << "the simulator gave no real token";
  const ExecutorRef ref{env["MESOS_FRAMEWORK_ID"], env["MESOS_EXECUTOR_ID"]};
  const std::string endpoint = env["MESOS_AGENT_ENDPOINT"];

  auto channel =
      grpc::CreateChannel(endpoint, grpc::InsecureChannelCredentials());
  const std::vector<std::string> wrong = WrongTokens(token);
  for (const std::string& presented : wrong) {
    RawStream stream(channel, presented);
    EXPECT_FALSE(stream.Subscribe(ref).has_value());
    EXPECT_EQ(stream.Finish().error_code(), grpc::StatusCode::UNAUTHENTICATED);
  }
  for (const std::string& verbatim : {token, "Basic " + token, std::string()}) {
    RawStream stream(channel, "", absl::Seconds(20), verbatim);
    EXPECT_FALSE(stream.Subscribe(ref).has_value());
    EXPECT_EQ(stream.Finish().error_code(), grpc::StatusCode::UNAUTHENTICATED);
  }
  {
    RawStream stream(channel, token);  // The right one: accepted.
    EXPECT_TRUE(stream.Subscribe(ref).has_value());
    EXPECT_TRUE(stream.Finish().ok());
  }
  EXPECT_EQ(sim.Stop(), 0);
  const pid_t script_pid = std::atoi(env["SCRIPT_PID"].c_str());
  // If the simulator left our script running, end it (by its own pid,
  // after checking that it still is our `sleep`).
  if (script_pid > 0 && ReadFile(absl::StrCat("/proc/", script_pid, "/cmdline"))
                                .rfind("sleep", 0) == 0) {
    kill(script_pid, SIGKILL);
  }

  const std::string log = sim.Stderr();
  std::printf("captured %zu bytes of the simulator's verbose stderr\n",
              log.size());
  EXPECT_THAT(log, HasSubstr("started executor"));  // Verbose lines are there.
  EXPECT_THAT(log, Not(HasSubstr(token)));
  for (const std::string& presented : wrong) {
    EXPECT_THAT(log, Not(HasSubstr(presented)));
  }
  // Nor in anything else it wrote next to its state.
  EXPECT_THAT(ReadFile(dir / "sim.out"), Not(HasSubstr(token)));
}

}  // namespace
}  // namespace hostile_test
}  // namespace executor_runtime
