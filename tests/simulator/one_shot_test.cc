// agent_simulator in one-shot mode, and its answers to bad input.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/simulator/sim_test_util.h"

namespace executor_runtime {
namespace simtest {
namespace {

using ::testing::HasSubstr;

CommandResult Simulate(std::vector<std::string> args) {
  args.insert(args.begin(), SimulatorBinary());
  return RunCommand(args);
}

TEST(OneShotTest, RunsTasksToTheEndAndSummarizes) {
  CommandResult result =
      Simulate({"--executor=" + TestExecutor(), "--tasks=5",
                "--progress=always", "--progress-interval=1ms"});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out,
            "summary: tasks=5 finished=5 failed=0 killed=0 lost=0 "
            "updates=10\n");
  EXPECT_THAT(result.err, HasSubstr("progress: "));
  // What a person watching wants: launched, running, finished, rate.
  EXPECT_THAT(result.err,
              ::testing::ContainsRegex(
                  "tasks=5 launched=[0-9]+ running=[0-9]+ finished=[0-9]+ "
                  "terminal=[0-9]+ updates=[0-9]+ updates/s=[0-9]+"));
}

TEST(OneShotTest, SeveralExecutorsAndJsonSummary) {
  CommandResult result =
      Simulate({"--executor=" + TestExecutor(), "--executors=3", "--tasks=7",
                "--json", "--progress=never"});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.out, HasSubstr("\"tasks\":7,\"finished\":7,"));
  EXPECT_THAT(result.out, HasSubstr("\"updates\":14,"));
  EXPECT_THAT(result.out, HasSubstr("\"executors\":3,\"executors_exited\":3"));
  EXPECT_THAT(result.out, HasSubstr("\"ok\":true"));
  EXPECT_EQ(result.err, "");  // --progress=never
}

TEST(OneShotTest, TaskDataAndTaskGroups) {
  CommandResult result = Simulate({"--executor=" + TestExecutor(), "--tasks=3",
                                   "--task-data=fail", "--task_group"});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out,
            "summary: tasks=3 finished=0 failed=3 killed=0 lost=0 "
            "updates=6\n");
}

TEST(OneShotTest, CrashingExecutorFailsItsTasks) {
  // The executor exits once the first TASK_RUNNING is acknowledged; the
  // agent records TASK_FAILED for every task that was not terminal.
  CommandResult result = Simulate(
      {"--executor=" + TestExecutor(), "--tasks=1", "--task-data=crash"});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out,
            "summary: tasks=1 finished=0 failed=1 killed=0 lost=0 "
            "updates=2\n");
}

TEST(OneShotTest, TimeoutKillsAndFails) {
  CommandResult result =
      Simulate({"--executor=" + TestExecutor(), "--tasks=2", "--task-data=hang",
                "--timeout=300ms", "--executor_shutdown_grace_period=2s"});
  EXPECT_EQ(result.exit_code, 1);
  // Shutdown kills the hanging tasks (the executor reports TASK_KILLED).
  EXPECT_EQ(result.out,
            "summary: tasks=2 finished=0 failed=0 killed=2 lost=0 "
            "updates=4\n");
  EXPECT_THAT(result.err, HasSubstr("timed out waiting for tasks"));
}

TEST(OneShotTest, ControlServiceDuringARun) {
  // A one-shot run serves the control service too: it can be watched, it
  // refuses a restart, and a control stop ends the run early.
  ScratchDir dir;
  Process run;
  ASSERT_TRUE(run.Start({SimulatorBinary(), "--executor=" + TestExecutor(),
                         "--tasks=1", "--task-data=hang", "--timeout=60s",
                         "--control_socket=" + (dir / "c.sock"),
                         "--ready_file=" + (dir / "ready")},
                        dir / "out", dir / "err"));
  for (int i = 0; i < 2000 && access((dir / "ready").c_str(), F_OK) != 0; ++i) {
    usleep(10000);
  }
  const std::string server = "--server=unix:" + (dir / "c.sock");
  CommandResult updates =
      RunCommand({CtlBinary(), server, "updates", "--count=1"});
  EXPECT_EQ(updates.exit_code, 0) << updates.err;
  EXPECT_THAT(updates.out, HasSubstr("state=TASK_RUNNING"));
  CommandResult restart = RunCommand({CtlBinary(), server, "fault", "restart"});
  EXPECT_EQ(restart.exit_code, 1);
  EXPECT_THAT(restart.err, HasSubstr("a restart needs serve mode"));
  EXPECT_EQ(RunCommand({CtlBinary(), server, "stop"}).exit_code, 0);
  EXPECT_EQ(run.Wait(absl::Seconds(20)), 1);
  std::ifstream err(dir / "err");
  std::stringstream text;
  text << err.rdbuf();
  EXPECT_THAT(text.str(), HasSubstr("agent_simulator: interrupted"));
}

TEST(OneShotTest, ExecutorArgumentsArePassed) {
  // test_executor refuses unknown arguments: exit 2 before subscribing.
  CommandResult result = Simulate(
      {"--executor=" + TestExecutor(), "--executor-arg=--bogus", "--tasks=1"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.err, HasSubstr("exited with status 2 before subscribing"));
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

TEST(OneShotTest, TaskCommandReachesTheExecutorAndWorkDirKeepsSandboxes) {
  ScratchDir dir;
  CommandResult result =
      Simulate({"--executor=" + TestExecutor(), "--tasks=2",
                "--work_dir=" + (dir / "w"), "--task-command=echo hello"});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(ReadFile(dir / "w/sandboxes/executor-1/runs/1/commands.log"),
            "task-1: echo hello\ntask-2: echo hello\n");
  EXPECT_THAT(ReadFile(dir / "w/sandboxes/executor-1/runs/1/stderr"),
              HasSubstr("test_executor: driver DRIVER_STOPPED"));
}

TEST(BadInputTest, UnknownFlag) {
  CommandResult result = Simulate({"--no_such_flag=1"});
  EXPECT_NE(result.exit_code, 0);
  EXPECT_THAT(result.err, HasSubstr("no_such_flag"));
}

TEST(BadInputTest, BadFlagValues) {
  CommandResult result =
      Simulate({"--executor=" + TestExecutor(), "--progress=sometimes"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err,
              HasSubstr("--progress must be auto, always or never"));
  result = Simulate({"--executor=" + TestExecutor(), "--timeout=soon"});
  EXPECT_NE(result.exit_code, 0);
  EXPECT_THAT(result.err, HasSubstr("'soon' is not a duration"));
  result = Simulate({"--executor=" + TestExecutor(), "--executors=0"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err, HasSubstr("--executors must be at least 1"));
}

TEST(BadInputTest, NothingToDo) {
  CommandResult result = Simulate({});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err, HasSubstr("nothing to do"));
}

TEST(BadInputTest, ExecutorThatDoesNotExist) {
  CommandResult result =
      Simulate({"--executor=/no/such/executor", "--tasks=1"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err, HasSubstr("/no/such/executor does not exist"));
  ScratchDir dir;
  result = Simulate({"--executor=" + dir.path(), "--tasks=1"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err, HasSubstr("is not an executable file"));
}

TEST(BadInputTest, PortInUse) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  ASSERT_EQ(listen(fd, 1), 0);
  socklen_t len = sizeof(addr);
  ASSERT_EQ(getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  const std::string taken = absl::StrCat("127.0.0.1:", ntohs(addr.sin_port));
  CommandResult result = Simulate(
      {"--executor=" + TestExecutor(), "--listen=" + taken, "--tasks=1"});
  close(fd);
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err,
              HasSubstr("cannot serve the agent service on " + taken));
}

TEST(BadInputTest, TcpPortOfAnotherSimulator) {
  // gRPC would share a port with SO_REUSEPORT; the simulator refuses.
  ScratchDir dir;
  Process first;
  ASSERT_TRUE(first.Start({SimulatorBinary(), "--serve", "--listen=127.0.0.1:0",
                           "--control_socket=" + (dir / "c.sock"),
                           "--ready_file=" + (dir / "ready")},
                          dir / "out", dir / "err"));
  std::string endpoint;
  for (int i = 0; i < 2000 && endpoint.empty(); ++i) {
    std::ifstream in(dir / "ready");
    std::string line;
    while (std::getline(in, line)) {
      if (line.rfind("agent_endpoint=", 0) == 0) endpoint = line.substr(15);
    }
    if (endpoint.empty()) usleep(10000);
  }
  ASSERT_FALSE(endpoint.empty());
  CommandResult result = Simulate({"--serve", "--listen=" + endpoint,
                                   "--control_socket=" + (dir / "c2.sock")});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err,
              HasSubstr("cannot serve the agent service on " + endpoint));
  EXPECT_EQ(
      RunCommand({CtlBinary(), "--server=unix:" + (dir / "c.sock"), "stop"})
          .exit_code,
      0);
  EXPECT_EQ(first.Wait(absl::Seconds(20)), 0);
}

TEST(BadInputTest, UnixSocketInUse) {
  ScratchDir dir;
  SimulatorProcess first(dir.path());
  std::string error;
  ASSERT_TRUE(first.Start({}, &error)) << error;
  CommandResult result =
      Simulate({"--serve", "--agent_socket=" + first.agent_socket(),
                "--control_socket=" + (dir / "other.sock")});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err, HasSubstr("another server is using it"));
  EXPECT_EQ(first.Stop(), 0);
}

TEST(BadInputTest, CorruptCheckpoint) {
  ScratchDir dir;
  const std::string work = dir / "work";
  ASSERT_EQ(mkdir(work.c_str(), 0700), 0);
  std::ofstream(work + "/checkpoint.log") << "not a checkpoint";
  CommandResult result = Simulate({"--serve", "--work_dir=" + work});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err, HasSubstr("is not a record log"));
  EXPECT_THAT(result.err, HasSubstr("refusing to recover"));
}

TEST(BadInputTest, OneShotRefusesAWorkDirWithHistory) {
  ScratchDir dir;
  const std::string work = dir / "work";
  CommandResult result = Simulate(
      {"--executor=" + TestExecutor(), "--tasks=1", "--work_dir=" + work});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  result = Simulate(
      {"--executor=" + TestExecutor(), "--tasks=1", "--work_dir=" + work});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err, HasSubstr("holds a checkpoint of an earlier run"));
}

TEST(BadInputTest, TooLongSocketPath) {
  CommandResult result =
      Simulate({"--serve", "--agent_socket=/tmp/" + std::string(120, 'x')});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err, HasSubstr("the limit is 107"));
}

TEST(BadInputTest, CtlErrors) {
  CommandResult result = RunCommand({CtlBinary(), "list"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err, HasSubstr("no --server"));
  result =
      RunCommand({CtlBinary(), "--server=unix:/nonexistent", "frobnicate"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err, HasSubstr("unknown command 'frobnicate'"));
  result = RunCommand(
      {CtlBinary(), "--server=unix:/nonexistent", "--timeout=1s", "list"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.err, HasSubstr("UNAVAILABLE"));
  result = RunCommand({CtlBinary(), "--bogus", "list"});
  EXPECT_NE(result.exit_code, 0);
  EXPECT_THAT(result.err, HasSubstr("bogus"));
}

}  // namespace
}  // namespace simtest
}  // namespace executor_runtime
