// agent_simulator --serve driven through agent_simulator_ctl: every
// control command, executors that crash, ignore SHUTDOWN, never subscribe
// or present a wrong token.
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/simulator/sim_test_util.h"

namespace executor_runtime {
namespace simtest {
namespace {

using ::testing::HasSubstr;
using List = std::map<std::string, ExecutorLine>;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::string Field(const List& list, const std::string& executor,
                  const std::string& field) {
  auto it = list.find(executor);
  if (it == list.end()) return "";
  auto f = it->second.fields.find(field);
  return f == it->second.fields.end() ? "" : f->second;
}

std::string TaskState(const List& list, const std::string& executor,
                      const std::string& task) {
  auto it = list.find(executor);
  if (it == list.end()) return "";
  auto t = it->second.tasks.find(task);
  return t == it->second.tasks.end() ? "" : t->second;
}

class ControlTest : public ::testing::Test {
 protected:
  void StartSimulator(std::vector<std::string> extra) {
    std::string error;
    ASSERT_TRUE(sim_.Start(extra, &error)) << error;
  }

  void ExpectOk(const CommandResult& result) {
    EXPECT_EQ(result.exit_code, 0) << result.out << result.err << sim_.Log();
  }

  bool WaitForTask(const std::string& executor, const std::string& task,
                   const std::string& state) {
    return sim_.WaitForList([&](const List& list) {
      return TaskState(list, executor, task) == state;
    });
  }

  bool WaitForPhase(const std::string& executor, const std::string& phase) {
    return sim_.WaitForList([&](const List& list) {
      return Field(list, executor, "phase") == phase;
    });
  }

  ScratchDir dir_;
  SimulatorProcess sim_{dir_.path()};
};

TEST_F(ControlTest, EveryCommandEndToEnd) {
  StartSimulator(
      {"--executor=" + TestExecutor(), "--work_dir=" + (dir_ / "w")});
  // Owner-only sockets.
  struct stat st;
  ASSERT_EQ(stat(sim_.agent_socket().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(stat(sim_.control_socket().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  ASSERT_TRUE(WaitForPhase("executor-1", "subscribed")) << sim_.Log();
  CommandResult list = sim_.Ctl({"list"});
  ExpectOk(list);
  EXPECT_THAT(list.out, HasSubstr("endpoint=unix:" + sim_.agent_socket()));

  // launch (generated IDs), launch with explicit IDs and data, wait.
  CommandResult launched = sim_.Ctl({"launch", "--count=2"});
  ExpectOk(launched);
  EXPECT_EQ(launched.out, "launched task-1 task-2\n");
  ExpectOk(sim_.Ctl({"launch", "--task=h1", "--task=h2", "--data=hang"}));
  CommandResult waited = sim_.Ctl({"wait", "--count=2"});
  ExpectOk(waited);
  EXPECT_EQ(waited.out, "terminal 2 of 4\n");
  // --prefix names generated tasks; plain `wait` waits for every task.
  ExpectOk(sim_.Ctl({"launch", "--count=1", "--prefix=p-"}));
  CommandResult all_but_hung = sim_.Ctl({"wait", "--timeout=300ms"});
  EXPECT_EQ(all_but_hung.exit_code, 1);  // h1 and h2 hang
  EXPECT_THAT(all_but_hung.err, HasSubstr("3 of 5 tasks terminal"));
  ASSERT_TRUE(WaitForTask("executor-1", "h1", "TASK_RUNNING"));

  // kill (with a kill policy) -> TASK_KILLED from the executor.
  ExpectOk(sim_.Ctl({"kill", "--task=h1", "--grace=1s"}));
  ASSERT_TRUE(WaitForTask("executor-1", "h1", "TASK_KILLED"));
  // A duplicate task ID is refused.
  CommandResult duplicate = sim_.Ctl({"launch", "--task=h1"});
  EXPECT_EQ(duplicate.exit_code, 1);
  EXPECT_THAT(duplicate.err, HasSubstr("ALREADY_EXISTS"));

  // launch-group.
  ExpectOk(sim_.Ctl({"launch-group", "--task=g1", "--task=g2"}));
  ASSERT_TRUE(WaitForTask("executor-1", "g2", "TASK_FINISHED"));

  // message: the executor logs it in its sandbox.
  ExpectOk(sim_.Ctl({"message", "--data=hello executor"}));
  const std::string sandbox = Field(sim_.List(), "executor-1", "sandbox");
  ASSERT_FALSE(sandbox.empty());
  bool logged = false;
  for (int i = 0; i < 500 && !logged; ++i) {
    logged = ReadFile(sandbox + "/messages.log") == "hello executor\n";
    if (!logged) usleep(10000);
  }
  EXPECT_TRUE(logged);
  // The executor's output went to its sandbox.
  EXPECT_EQ(access((sandbox + "/stdout").c_str(), F_OK), 0);
  EXPECT_EQ(access((sandbox + "/stderr").c_str(), F_OK), 0);

  // start-executor: a second executor with a chosen ID.
  CommandResult started = sim_.Ctl(
      {"start-executor", "--executor=second", "--path=" + TestExecutor()});
  ExpectOk(started);
  EXPECT_THAT(started.out, HasSubstr("started second pid="));
  ASSERT_TRUE(WaitForPhase("second", "subscribed"));
  // With two executors, the executor must be named.
  CommandResult ambiguous = sim_.Ctl({"launch", "--task=x"});
  EXPECT_EQ(ambiguous.exit_code, 1);
  EXPECT_THAT(ambiguous.err, HasSubstr("name the executor"));
  ExpectOk(sim_.Ctl({"launch", "--executor=second", "--task=s1"}));
  ASSERT_TRUE(WaitForTask("second", "s1", "TASK_FINISHED"));

  // updates: everything so far, after a sequence, and --count.
  std::vector<std::map<std::string, std::string>> updates = sim_.Updates();
  // task-1, task-2, p-1, g1, g2, s1: RUNNING+FINISHED; h1: RUNNING+KILLED;
  // h2: RUNNING.
  ASSERT_EQ(updates.size(), 15u);
  EXPECT_EQ(updates[0]["seq"], "1");
  EXPECT_EQ(updates[0]["source"], "SOURCE_EXECUTOR");
  CommandResult after = sim_.Ctl({"updates", "--after=14"});
  ExpectOk(after);
  EXPECT_EQ(ParseUpdates(after.out).size(), 1u);
  CommandResult counted = sim_.Ctl({"updates", "--after=10", "--count=2"});
  ExpectOk(counted);
  EXPECT_EQ(ParseUpdates(counted.out).size(), 2u);
  // --follow without --count ends at --timeout, after printing what exists.
  CommandResult followed_all =
      sim_.Ctl({"updates", "--follow", "--after=13", "--timeout=300ms"});
  ExpectOk(followed_all);
  EXPECT_EQ(ParseUpdates(followed_all.out).size(), 2u);
  // --follow: streams new updates as they are recorded.
  Process follower;
  ASSERT_TRUE(
      follower.Start({CtlBinary(), "--server=unix:" + sim_.control_socket(),
                      "updates", "--follow", "--after=15", "--count=2"},
                     dir_ / "follow.out", dir_ / "follow.err"));
  ExpectOk(sim_.Ctl({"launch", "--executor=second", "--task=s2"}));
  EXPECT_EQ(follower.Wait(absl::Seconds(20)), 0);
  std::vector<std::map<std::string, std::string>> followed =
      ParseUpdates(ReadFile(dir_ / "follow.out"));
  ASSERT_EQ(followed.size(), 2u);
  EXPECT_EQ(followed[0]["task"], "s2");
  EXPECT_EQ(followed[1]["state"], "TASK_FINISHED");

  // shutdown: the executor kills h2 and exits cleanly.
  ExpectOk(sim_.Ctl({"shutdown", "--executor=executor-1"}));
  ASSERT_TRUE(WaitForPhase("executor-1", "exited"));
  List final_list = sim_.List();
  EXPECT_EQ(Field(final_list, "executor-1", "exit"), "exited with status 0");
  EXPECT_EQ(TaskState(final_list, "executor-1", "h2"), "TASK_KILLED");

  // stop: shuts "second" down too, and exits 0.
  EXPECT_EQ(sim_.Stop(), 0) << sim_.Log();
  EXPECT_THAT(sim_.Log(), HasSubstr("stopped, 18 updates recorded"));
}

TEST_F(ControlTest, CrashedExecutorsTasksFailWithReason) {
  StartSimulator({"--executor=" + TestExecutor()});
  ASSERT_TRUE(WaitForPhase("executor-1", "subscribed"));
  ExpectOk(sim_.Ctl({"launch", "--task=c1", "--data=crash"}));
  ASSERT_TRUE(WaitForPhase("executor-1", "exited"));
  List list = sim_.List();
  EXPECT_EQ(Field(list, "executor-1", "exit"), "exited with status 3");
  std::vector<std::map<std::string, std::string>> updates = sim_.Updates();
  ASSERT_EQ(updates.size(), 2u);
  EXPECT_EQ(updates[1]["task"], "c1");
  EXPECT_EQ(updates[1]["state"], "TASK_FAILED");
  EXPECT_EQ(updates[1]["source"], "SOURCE_SLAVE");
  EXPECT_EQ(updates[1]["reason"], "REASON_EXECUTOR_TERMINATED");
  EXPECT_THAT(updates[1]["message"], HasSubstr("exited with status 3"));
  EXPECT_EQ(sim_.Stop(), 0);
}

TEST_F(ControlTest, ExecutorIgnoringShutdownIsKilledAfterGracePeriod) {
  StartSimulator({"--executor=" + TestExecutor(),
                  "--executor-arg=--ignore-shutdown",
                  "--executor_shutdown_grace_period=300ms",
                  "--shutdown_kill_margin=200ms"});
  ASSERT_TRUE(WaitForPhase("executor-1", "subscribed"));
  ExpectOk(sim_.Ctl({"launch", "--task=h1", "--data=hang"}));
  ASSERT_TRUE(WaitForTask("executor-1", "h1", "TASK_RUNNING"));
  const absl::Time sent = absl::Now();
  ExpectOk(sim_.Ctl({"shutdown"}));
  ASSERT_TRUE(WaitForPhase("executor-1", "exited"));
  // Killed no earlier than grace period + margin.
  EXPECT_GE(absl::Now() - sent, absl::Milliseconds(500));
  List list = sim_.List();
  EXPECT_EQ(Field(list, "executor-1", "exit"),
            "killed by signal 9 (Killed) (killed by the agent)");
  EXPECT_EQ(TaskState(list, "executor-1", "h1"), "TASK_FAILED");
  std::vector<std::map<std::string, std::string>> updates = sim_.Updates();
  ASSERT_EQ(updates.size(), 2u);
  EXPECT_EQ(updates[1]["reason"], "REASON_EXECUTOR_TERMINATED");
  EXPECT_EQ(sim_.Stop(), 0);
}

TEST_F(ControlTest, ExecutorThatNeverSubscribesIsKilled) {
  StartSimulator({"--registration_timeout=300ms"});
  ExpectOk(sim_.Ctl({"start-executor", "--path=/bin/sleep", "--arg=30"}));
  ASSERT_TRUE(WaitForPhase("executor-1", "exited"));
  EXPECT_EQ(Field(sim_.List(), "executor-1", "exit"),
            "killed by signal 9 (Killed) (killed by the agent)");
  EXPECT_EQ(sim_.Stop(), 0);
}

TEST_F(ControlTest, WrongTokenIsRefused) {
  StartSimulator({"--registration_timeout=5s"});
  ExpectOk(sim_.Ctl({"start-executor", "--path=" + TestExecutor(),
                     "--arg=--token=not-the-token"}));
  ASSERT_TRUE(WaitForPhase("executor-1", "exited"));
  List list = sim_.List();
  EXPECT_EQ(Field(list, "executor-1", "subscriptions"), "0");
  // The driver gives up on UNAUTHENTICATED at once (no kill needed).
  EXPECT_EQ(Field(list, "executor-1", "exit"), "exited with status 1");
  const std::string sandbox = Field(list, "executor-1", "sandbox");
  EXPECT_THAT(ReadFile(sandbox + "/stderr"),
              HasSubstr("test_executor: error:"));
  // The right token (the one the agent generated) works.
  ExpectOk(sim_.Ctl(
      {"start-executor", "--executor=good", "--path=" + TestExecutor()}));
  ASSERT_TRUE(WaitForPhase("good", "subscribed"));
  EXPECT_EQ(sim_.Stop(), 0);
}

TEST_F(ControlTest, BadRequestsAreRefusedClearly) {
  StartSimulator({});
  struct Case {
    std::vector<std::string> args;
    std::string error;
  };
  const std::vector<Case> cases = {
      {{"start-executor"}, "INVALID_ARGUMENT: no executor path"},
      {{"start-executor", "--path=/no/such/executor"},
       "NOT_FOUND: executor /no/such/executor does not exist"},
      {{"start-executor", "--path=" + TestExecutor(), "--executor=a/b"},
       "INVALID_ARGUMENT: executor ID 'a/b' must be"},
      {{"launch", "--task=t1"}, "name the executor (there are 0 running"},
      {{"launch", "--executor=ghost", "--task=t1"},
       "NOT_FOUND: no executor with ID 'ghost'"},
      {{"kill", "--task=ghost"}, "NOT_FOUND: no task with ID 'ghost'"},
      {{"shutdown", "--executor=ghost"}, "NOT_FOUND"},
      {{"message", "--executor=ghost", "--data=x"}, "NOT_FOUND"},
  };
  for (const Case& c : cases) {
    CommandResult result = sim_.Ctl(c.args);
    EXPECT_EQ(result.exit_code, 1) << c.args[0];
    EXPECT_THAT(result.err, HasSubstr(c.error)) << c.args[0];
  }
  // Tasks for an executor that has not subscribed are refused, not lost:
  // their IDs stay free.
  ExpectOk(sim_.Ctl({"start-executor", "--executor=sleeper",
                     "--path=/bin/sleep", "--arg=30"}));
  CommandResult early = sim_.Ctl({"launch", "--executor=sleeper", "--task=t1"});
  EXPECT_EQ(early.exit_code, 1);
  EXPECT_THAT(early.err,
              HasSubstr("FAILED_PRECONDITION: launched 0 of 1 tasks"));
  EXPECT_EQ(Field(sim_.List(), "sleeper", "tasks"), "0");
  CommandResult usage = sim_.Ctl({"launch"});
  EXPECT_EQ(usage.exit_code, 2);
  EXPECT_THAT(usage.err, HasSubstr("launch needs --task=ID or --count=N"));
  usage = sim_.Ctl({"fault", "earthquake"});
  EXPECT_EQ(usage.exit_code, 2);
  EXPECT_THAT(usage.err, HasSubstr("fault needs one of"));
  EXPECT_EQ(sim_.Stop(), 0);
}

TEST_F(ControlTest, StopCanLeaveExecutorsRunning) {
  StartSimulator({"--executor=" + TestExecutor()});
  ASSERT_TRUE(WaitForPhase("executor-1", "subscribed"));
  List list = sim_.List();
  ExpectOk(sim_.Ctl({"stop", "--leave_executors"}));
  EXPECT_EQ(sim_.process().Wait(absl::Seconds(20)), 0);
  int pid = std::stoi(Field(list, "executor-1", "pid"));
  EXPECT_EQ(kill(pid, 0), 0);  // still running
  sim_.KillExecutors(list);
}

}  // namespace
}  // namespace simtest
}  // namespace executor_runtime
