#include "examples/command_executor/task_runner.h"

#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "examples/command_executor/exit_description.h"
#include "examples/command_executor/launch_plan.h"
#include "examples/command_executor/test_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace executor_runtime {
namespace command_executor {
namespace {

using ::executor_runtime::command_executor::testing::ChildrenOf;
using ::executor_runtime::command_executor::testing::Eventually;
using ::executor_runtime::command_executor::testing::HasAnyChild;
using ::executor_runtime::command_executor::testing::MakeTempDir;
using ::executor_runtime::command_executor::testing::ProcessIsGone;
using ::executor_runtime::command_executor::testing::ReadFileOrEmpty;
using ::testing::HasSubstr;

// Records the runner's callbacks and lets the test wait for them.
class Recorder {
 public:
  TaskRunner::Callbacks callbacks() {
    return {[this](const std::string& id, pid_t pid) {
              absl::MutexLock lock(&mu_);
              events_.push_back("started:" + id);
              pids_[id] = pid;
            },
            [this](const TaskExit& exit) {
              absl::MutexLock lock(&mu_);
              events_.push_back("exited:" + exit.task_id);
              exits_[exit.task_id] = exit;
            }};
  }

  // The exit of `id`; fails the test if it does not come within 10s.
  TaskExit AwaitExit(const std::string& id) {
    absl::MutexLock lock(&mu_);
    auto done = [this, &id]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
      return exits_.count(id) > 0;
    };
    if (!mu_.AwaitWithTimeout(absl::Condition(&done), absl::Seconds(10))) {
      ADD_FAILURE() << "task " << id << " did not end";
      return TaskExit();
    }
    return exits_[id];
  }

  bool AwaitStarted(const std::string& id) {
    absl::MutexLock lock(&mu_);
    auto started = [this, &id]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
      return pids_.count(id) > 0;
    };
    return mu_.AwaitWithTimeout(absl::Condition(&started), absl::Seconds(10));
  }

  std::vector<std::string> events() {
    absl::MutexLock lock(&mu_);
    return events_;
  }

  pid_t pid(const std::string& id) {
    absl::MutexLock lock(&mu_);
    return pids_.count(id) ? pids_[id] : -1;
  }

 private:
  absl::Mutex mu_;
  std::vector<std::string> events_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, TaskExit> exits_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, pid_t> pids_ ABSL_GUARDED_BY(mu_);
};

class TaskRunnerTest : public ::testing::Test {
 protected:
  LaunchPlan Plan(const std::string& id, const mesos::CommandInfo& command) {
    PlanOptions options;
    options.task_id = id;
    options.directory = absl::StrCat(root_, "/tasks/", id);
    options.base_environment = CurrentEnvironment();
    options.honor_user = geteuid() == 0;
    absl::StatusOr<LaunchPlan> plan = PlanLaunch(command, options);
    EXPECT_TRUE(plan.ok()) << plan.status();
    return plan.ok() ? *plan : LaunchPlan();
  }

  LaunchPlan ShellPlan(const std::string& id, const std::string& script) {
    mesos::CommandInfo command;
    command.set_value(script);
    return Plan(id, command);
  }

  std::string TaskFile(const std::string& id, const std::string& name) {
    return absl::StrCat(root_, "/tasks/", id, "/", name);
  }

  const std::string root_ = MakeTempDir();
  Recorder recorder_;
};

TEST_F(TaskRunnerTest, SuccessfulCommandStartsThenExitsZero) {
  TaskRunner runner(recorder_.callbacks());
  ASSERT_TRUE(runner.Start(ShellPlan("ok", "true")).ok());
  TaskExit exit = recorder_.AwaitExit("ok");
  EXPECT_EQ(DescribeWaitStatus(exit.wait_status), "exited with status 0");
  EXPECT_EQ(exit.launch_error, "");
  EXPECT_FALSE(exit.kill_requested);
  EXPECT_THAT(recorder_.events(),
              ::testing::ElementsAre("started:ok", "exited:ok"));
  EXPECT_EQ(runner.live_count(), 0);
}

TEST_F(TaskRunnerTest, ReportsExitCode) {
  TaskRunner runner(recorder_.callbacks());
  ASSERT_TRUE(runner.Start(ShellPlan("three", "exit 3")).ok());
  TaskExit exit = recorder_.AwaitExit("three");
  ASSERT_TRUE(WIFEXITED(exit.wait_status));
  EXPECT_EQ(WEXITSTATUS(exit.wait_status), 3);
  EXPECT_EQ(DescribeWaitStatus(exit.wait_status), "exited with status 3");
}

TEST_F(TaskRunnerTest, ReportsDeathBySignal) {
  TaskRunner runner(recorder_.callbacks());
  ASSERT_TRUE(runner.Start(ShellPlan("usr1", "kill -USR1 $$")).ok());
  TaskExit exit = recorder_.AwaitExit("usr1");
  ASSERT_TRUE(WIFSIGNALED(exit.wait_status));
  EXPECT_EQ(DescribeWaitStatus(exit.wait_status),
            "terminated by signal SIGUSR1");
  EXPECT_FALSE(exit.kill_requested);
}

TEST_F(TaskRunnerTest, ExecFailureIsALaunchErrorWithErrno) {
  TaskRunner runner(recorder_.callbacks());
  mesos::CommandInfo command;
  command.set_shell(false);
  command.set_value("/nonexistent/program");
  ASSERT_TRUE(runner.Start(Plan("noexec", command)).ok());
  TaskExit exit = recorder_.AwaitExit("noexec");
  EXPECT_EQ(exit.launch_error,
            "cannot execute '/nonexistent/program': No such file or directory");
  EXPECT_THAT(recorder_.events(), ::testing::ElementsAre("exited:noexec"));
}

TEST_F(TaskRunnerTest, ExecOfANonExecutableFileFails) {
  std::string script = absl::StrCat(root_, "/not-executable");
  ASSERT_EQ(ReadFileOrEmpty(script), "");
  FILE* file = fopen(script.c_str(), "w");
  ASSERT_NE(file, nullptr);
  fputs("#!/bin/sh\ntrue\n", file);
  fclose(file);
  chmod(script.c_str(), 0644);
  mesos::CommandInfo command;
  command.set_shell(false);
  command.set_value(script);
  TaskRunner runner(recorder_.callbacks());
  ASSERT_TRUE(runner.Start(Plan("noperm", command)).ok());
  TaskExit exit = recorder_.AwaitExit("noperm");
  // No x bit at all: execve refuses it even to root.
  EXPECT_EQ(exit.launch_error,
            absl::StrCat("cannot execute '", script, "': Permission denied"));
}

TEST_F(TaskRunnerTest, TaskSeesItsEnvironmentAndSandbox) {
  mesos::CommandInfo command;
  command.set_value("printf '%s|%s|%s' \"$FOO\" \"$MESOS_SANDBOX\" \"$(pwd)\"");
  auto* variable = command.mutable_environment()->add_variables();
  variable->set_name("FOO");
  variable->set_value("bar baz");
  TaskRunner runner(recorder_.callbacks());
  ASSERT_TRUE(runner.Start(Plan("env", command)).ok());
  TaskExit exit = recorder_.AwaitExit("env");
  EXPECT_EQ(DescribeWaitStatus(exit.wait_status), "exited with status 0");
  std::string dir = absl::StrCat(root_, "/tasks/env");
  EXPECT_EQ(ReadFileOrEmpty(TaskFile("env", "stdout")),
            absl::StrCat("bar baz|", dir, "|", dir));
}

TEST_F(TaskRunnerTest, ArgvCommandGetsItsArgumentsUnsplit) {
  mesos::CommandInfo command;
  command.set_shell(false);
  command.set_value("printf");
  for (const char* arg : {"printf", "[%s]", "a b", "$HOME", "*"}) {
    command.add_arguments(arg);
  }
  TaskRunner runner(recorder_.callbacks());
  ASSERT_TRUE(runner.Start(Plan("argv", command)).ok());
  recorder_.AwaitExit("argv");
  EXPECT_EQ(ReadFileOrEmpty(TaskFile("argv", "stdout")), "[a b][$HOME][*]");
}

TEST_F(TaskRunnerTest, WritesStdoutAndStderrFilesInTheSandbox) {
  TaskRunner runner(recorder_.callbacks());
  ASSERT_TRUE(runner
                  .Start(ShellPlan("files",
                                   "echo out; echo err >&2; read x; "
                                   "echo \"stdin:$x\""))
                  .ok());
  recorder_.AwaitExit("files");
  EXPECT_EQ(ReadFileOrEmpty(TaskFile("files", "stdout")), "out\nstdin:\n");
  EXPECT_EQ(ReadFileOrEmpty(TaskFile("files", "stderr")), "err\n");
}

TEST_F(TaskRunnerTest, TaskRunsInItsOwnProcessGroup) {
  TaskRunner runner(recorder_.callbacks());
  ASSERT_TRUE(
      runner.Start(ShellPlan("pgid", "ps -o pgid= -p $$ > pgid; echo $$"))
          .ok());
  recorder_.AwaitExit("pgid");
  int pgid = 0, pid = 0;
  ASSERT_TRUE(absl::SimpleAtoi(
      absl::StripAsciiWhitespace(ReadFileOrEmpty(TaskFile("pgid", "stdout"))),
      &pid));
  std::string pgid_text = ReadFileOrEmpty(TaskFile("pgid", "pgid"));
  if (pgid_text.empty()) GTEST_SKIP() << "ps is not installed";
  ASSERT_TRUE(absl::SimpleAtoi(absl::StripAsciiWhitespace(pgid_text), &pgid));
  EXPECT_EQ(pgid, pid);
  EXPECT_NE(pgid, getpgrp());
}

TEST_F(TaskRunnerTest, KillOfACooperativeTaskEndsItWithSigterm) {
  TaskRunner runner(recorder_.callbacks());
  ASSERT_TRUE(runner.Start(ShellPlan("sleepy", "exec sleep 30")).ok());
  ASSERT_TRUE(recorder_.AwaitStarted("sleepy"));
  absl::Time start = absl::Now();
  EXPECT_EQ(runner.Kill("sleepy", absl::Seconds(20)),
            KillOutcome::kTerminating);
  TaskExit exit = recorder_.AwaitExit("sleepy");
  EXPECT_LT(absl::Now() - start, absl::Seconds(5));
  EXPECT_TRUE(exit.kill_requested);
  EXPECT_FALSE(exit.sigkill_sent);
  EXPECT_EQ(DescribeWaitStatus(exit.wait_status),
            "terminated by signal SIGTERM");
}

TEST_F(TaskRunnerTest, KillEscalatesToSigkillForATaskIgnoringSigterm) {
  TaskRunner runner(recorder_.callbacks());
  ASSERT_TRUE(
      runner.Start(ShellPlan("stubborn", "trap '' TERM; echo ready; sleep 30"))
          .ok());
  ASSERT_TRUE(recorder_.AwaitStarted("stubborn"));
  // SIGTERM must only come once the trap is in place.
  ASSERT_TRUE(Eventually([&] {
    return ReadFileOrEmpty(TaskFile("stubborn", "stdout")) == "ready\n";
  }));
  const absl::Duration grace = absl::Milliseconds(300);
  absl::Time start = absl::Now();
  EXPECT_EQ(runner.Kill("stubborn", grace), KillOutcome::kTerminating);
  TaskExit exit = recorder_.AwaitExit("stubborn");
  absl::Duration took = absl::Now() - start;
  EXPECT_GE(took, grace);
  EXPECT_LT(took, absl::Seconds(5));
  EXPECT_TRUE(exit.kill_requested);
  EXPECT_TRUE(exit.sigkill_sent);
  EXPECT_EQ(DescribeWaitStatus(exit.wait_status),
            "terminated by signal SIGKILL");
}

TEST_F(TaskRunnerTest, SecondKillCanShortenTheGracePeriod) {
  TaskRunner runner(recorder_.callbacks());
  ASSERT_TRUE(
      runner.Start(ShellPlan("stubborn2", "trap '' TERM; echo ready; sleep 30"))
          .ok());
  ASSERT_TRUE(recorder_.AwaitStarted("stubborn2"));
  ASSERT_TRUE(Eventually([&] {
    return ReadFileOrEmpty(TaskFile("stubborn2", "stdout")) == "ready\n";
  }));
  absl::Time start = absl::Now();
  EXPECT_EQ(runner.Kill("stubborn2", absl::Seconds(60)),
            KillOutcome::kTerminating);
  EXPECT_EQ(runner.Kill("stubborn2", absl::ZeroDuration()),
            KillOutcome::kTerminating);
  TaskExit exit = recorder_.AwaitExit("stubborn2");
  EXPECT_LT(absl::Now() - start, absl::Seconds(5));
  EXPECT_TRUE(exit.sigkill_sent);
}

TEST_F(TaskRunnerTest, KillBeforeTheExecIsConfirmedKillsAtOnce) {
  // The child blocks opening its stdout (a FIFO nobody reads) before exec.
  std::string dir = absl::StrCat(root_, "/tasks/blocked");
  ASSERT_EQ(mkdir(absl::StrCat(root_, "/tasks").c_str(), 0755), 0);
  ASSERT_EQ(mkdir(dir.c_str(), 0755), 0);
  ASSERT_EQ(mkfifo(TaskFile("blocked", "stdout").c_str(), 0644), 0);
  TaskRunner runner(recorder_.callbacks());
  ASSERT_TRUE(runner.Start(ShellPlan("blocked", "true")).ok());
  EXPECT_EQ(runner.Kill("blocked", absl::Seconds(30)),
            KillOutcome::kKilledBeforeStart);
  // Again: still being killed, or already reaped; never a graceful kill.
  EXPECT_NE(runner.Kill("blocked", absl::Seconds(30)),
            KillOutcome::kTerminating);
  TaskExit exit = recorder_.AwaitExit("blocked");
  EXPECT_TRUE(exit.killed_before_start);
  EXPECT_EQ(DescribeWaitStatus(exit.wait_status),
            "terminated by signal SIGKILL");
  EXPECT_THAT(recorder_.events(), ::testing::ElementsAre("exited:blocked"));
}

TEST_F(TaskRunnerTest, KillOfUnknownOrEndedTaskIsNotRunning) {
  TaskRunner runner(recorder_.callbacks());
  EXPECT_EQ(runner.Kill("nope", absl::Seconds(1)), KillOutcome::kNotRunning);
  ASSERT_TRUE(runner.Start(ShellPlan("done", "true")).ok());
  recorder_.AwaitExit("done");
  EXPECT_EQ(runner.Kill("done", absl::Seconds(1)), KillOutcome::kNotRunning);
}

TEST_F(TaskRunnerTest, DuplicateRunningTaskIdIsRefused) {
  TaskRunner runner(recorder_.callbacks());
  ASSERT_TRUE(runner.Start(ShellPlan("dup", "exec sleep 30")).ok());
  EXPECT_EQ(runner.Start(ShellPlan("dup", "true")).code(),
            absl::StatusCode::kAlreadyExists);
  runner.Kill("dup", absl::ZeroDuration());
  recorder_.AwaitExit("dup");
}

TEST_F(TaskRunnerTest, LeftoverProcessesOfAnEndedTaskAreKilled) {
  TaskRunner runner(recorder_.callbacks());
  ASSERT_TRUE(
      runner.Start(ShellPlan("bg", "sleep 30 & echo $! > bgpid; exit 0")).ok());
  TaskExit exit = recorder_.AwaitExit("bg");
  EXPECT_EQ(DescribeWaitStatus(exit.wait_status), "exited with status 0");
  int background = 0;
  ASSERT_TRUE(absl::SimpleAtoi(
      absl::StripAsciiWhitespace(ReadFileOrEmpty(TaskFile("bg", "bgpid"))),
      &background));
  EXPECT_TRUE(Eventually([&] { return ProcessIsGone(background); }));
}

TEST_F(TaskRunnerTest, DestructorKillsAndReapsRunningTasks) {
  {
    TaskRunner runner(recorder_.callbacks());
    ASSERT_TRUE(runner.Start(ShellPlan("left", "trap '' TERM; sleep 30")).ok());
    ASSERT_TRUE(recorder_.AwaitStarted("left"));
    EXPECT_THAT(ChildrenOf(getpid()),
                ::testing::Contains(recorder_.pid("left")));
  }
  TaskExit exit = recorder_.AwaitExit("left");
  EXPECT_EQ(DescribeWaitStatus(exit.wait_status),
            "terminated by signal SIGKILL");
  EXPECT_FALSE(HasAnyChild());
  EXPECT_THAT(ChildrenOf(getpid()), ::testing::IsEmpty());
}

TEST_F(TaskRunnerTest, ManyShortTasksInARowLeaveNoZombie) {
  TaskRunner runner(recorder_.callbacks());
  for (int i = 0; i < 200; ++i) {
    std::string id = absl::StrCat("short-", i);
    ASSERT_TRUE(runner.Start(ShellPlan(id, "true")).ok()) << id;
    TaskExit exit = recorder_.AwaitExit(id);
    ASSERT_EQ(DescribeWaitStatus(exit.wait_status), "exited with status 0")
        << id;
  }
  EXPECT_EQ(runner.live_count(), 0);
  EXPECT_EQ(recorder_.events().size(), 400);
  EXPECT_FALSE(HasAnyChild());
}

TEST_F(TaskRunnerTest, ManyConcurrentTasksAllReaped) {
  TaskRunner runner(recorder_.callbacks());
  for (int i = 0; i < 50; ++i) {
    ASSERT_TRUE(runner.Start(ShellPlan(absl::StrCat("c-", i), "exit 7")).ok());
  }
  for (int i = 0; i < 50; ++i) {
    TaskExit exit = recorder_.AwaitExit(absl::StrCat("c-", i));
    EXPECT_EQ(DescribeWaitStatus(exit.wait_status), "exited with status 7");
  }
  EXPECT_FALSE(HasAnyChild());
}

TEST_F(TaskRunnerTest, ExitStatusesSurviveAnIgnoredSigchld) {
  struct sigaction ignore, previous;
  std::memset(&ignore, 0, sizeof(ignore));
  ignore.sa_handler = SIG_IGN;
  ASSERT_EQ(sigaction(SIGCHLD, &ignore, &previous), 0);
  {
    TaskRunner runner(recorder_.callbacks());  // restores the default
    ASSERT_TRUE(runner.Start(ShellPlan("ign", "exit 5")).ok());
    TaskExit exit = recorder_.AwaitExit("ign");
    EXPECT_EQ(DescribeWaitStatus(exit.wait_status), "exited with status 5");
  }
  sigaction(SIGCHLD, &previous, nullptr);
}

TEST_F(TaskRunnerTest, RunsAsTheRequestedUserWhenRoot) {
  if (geteuid() != 0) GTEST_SKIP() << "switching users needs root";
  mesos::CommandInfo command;
  command.set_value("id -u; touch owned");
  command.set_user("nobody");
  LaunchPlan plan = Plan("user", command);
  ASSERT_TRUE(plan.user.has_value());
  TaskRunner runner(recorder_.callbacks());
  ASSERT_TRUE(runner.Start(plan).ok());
  TaskExit exit = recorder_.AwaitExit("user");
  EXPECT_EQ(DescribeWaitStatus(exit.wait_status), "exited with status 0")
      << ReadFileOrEmpty(TaskFile("user", "stderr"));
  EXPECT_EQ(ReadFileOrEmpty(TaskFile("user", "stdout")),
            absl::StrCat(plan.user->uid, "\n"));
  struct stat info;
  ASSERT_EQ(stat(TaskFile("user", "owned").c_str(), &info), 0);
  EXPECT_EQ(info.st_uid, plan.user->uid);
}

}  // namespace
}  // namespace command_executor
}  // namespace executor_runtime
