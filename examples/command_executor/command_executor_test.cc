#include "examples/command_executor/command_executor.h"

#include <sys/stat.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "examples/command_executor/test_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "util/task_state.h"

namespace executor_runtime {
namespace command_executor {
namespace {

using ::executor_runtime::command_executor::testing::Eventually;
using ::executor_runtime::command_executor::testing::HasAnyChild;
using ::executor_runtime::command_executor::testing::MakeTempDir;
using ::executor_runtime::command_executor::testing::ReadFileOrEmpty;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// Stands in for the driver: records every update the executor sends.
class FakeSender {
 public:
  CommandExecutor::UpdateSender sender() {
    return [this](const mesos::TaskStatus& status) {
      absl::MutexLock lock(&mu_);
      updates_.push_back(status);
      return absl::OkStatus();
    };
  }

  // Waits for the terminal update of `task_id`; fails the test after 10s.
  mesos::TaskStatus AwaitTerminal(const std::string& task_id) {
    absl::MutexLock lock(&mu_);
    auto terminal = [&]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
      return FindTerminalLocked(task_id) != nullptr;
    };
    if (!mu_.AwaitWithTimeout(absl::Condition(&terminal), absl::Seconds(10))) {
      ADD_FAILURE() << "no terminal update for " << task_id;
      return mesos::TaskStatus();
    }
    return *FindTerminalLocked(task_id);
  }

  bool AwaitState(const std::string& task_id, mesos::TaskState state) {
    absl::MutexLock lock(&mu_);
    auto seen = [&]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
      for (const auto& update : updates_) {
        if (update.task_id().value() == task_id && update.state() == state) {
          return true;
        }
      }
      return false;
    };
    return mu_.AwaitWithTimeout(absl::Condition(&seen), absl::Seconds(10));
  }

  std::vector<mesos::TaskState> States(const std::string& task_id) {
    absl::MutexLock lock(&mu_);
    std::vector<mesos::TaskState> states;
    for (const auto& update : updates_) {
      if (update.task_id().value() == task_id) states.push_back(update.state());
    }
    return states;
  }

  std::vector<mesos::TaskStatus> Updates(const std::string& task_id) {
    absl::MutexLock lock(&mu_);
    std::vector<mesos::TaskStatus> result;
    for (const auto& update : updates_) {
      if (update.task_id().value() == task_id) result.push_back(update);
    }
    return result;
  }

  size_t size() {
    absl::MutexLock lock(&mu_);
    return updates_.size();
  }

 private:
  const mesos::TaskStatus* FindTerminalLocked(const std::string& task_id)
      ABSL_SHARED_LOCKS_REQUIRED(mu_) {
    for (const auto& update : updates_) {
      if (update.task_id().value() == task_id && IsTerminalState(update.state())) {
        return &update;
      }
    }
    return nullptr;
  }

  absl::Mutex mu_;
  std::vector<mesos::TaskStatus> updates_ ABSL_GUARDED_BY(mu_);
};

mesos::TaskInfo ShellTask(const std::string& id, const std::string& script) {
  mesos::TaskInfo task;
  task.set_name(id);
  task.mutable_task_id()->set_value(id);
  task.mutable_slave_id()->set_value("agent-1");
  task.mutable_command()->set_value(script);
  return task;
}

mesos::KillPolicy Grace(absl::Duration grace) {
  mesos::KillPolicy policy;
  policy.mutable_grace_period()->set_nanoseconds(
      absl::ToInt64Nanoseconds(grace));
  return policy;
}

mesos::TaskID Id(const std::string& id) {
  mesos::TaskID task_id;
  task_id.set_value(id);
  return task_id;
}

class CommandExecutorTest : public ::testing::Test {
 protected:
  CommandExecutorOptions Options() {
    CommandExecutorOptions options;
    options.sandbox_root = root_;
    options.honor_user = geteuid() == 0;
    return options;
  }

  std::string TaskFile(const std::string& id, const std::string& name) {
    return absl::StrCat(root_, "/tasks/", id, "/", name);
  }

  // Launches a task that ignores SIGTERM and waits until the trap is set.
  void LaunchStubborn(CommandExecutor& executor, const std::string& id,
                      std::optional<absl::Duration> task_grace = {}) {
    mesos::TaskInfo task = ShellTask(id, "trap '' TERM; echo ready; sleep 30");
    if (task_grace) *task.mutable_kill_policy() = Grace(*task_grace);
    executor.Launch(nullptr, task);
    ASSERT_TRUE(sender_.AwaitState(id, mesos::TASK_RUNNING));
    ASSERT_TRUE(Eventually(
        [&] { return ReadFileOrEmpty(TaskFile(id, "stdout")) == "ready\n"; }));
  }

  const std::string root_ = MakeTempDir();
  FakeSender sender_;
};

TEST_F(CommandExecutorTest, SuccessfulTaskIsStartingRunningFinished) {
  CommandExecutor executor(Options());
  executor.SetUpdateSender(sender_.sender());
  executor.Launch(nullptr, ShellTask("ok", "echo hello"));
  mesos::TaskStatus last = sender_.AwaitTerminal("ok");
  EXPECT_THAT(sender_.States("ok"),
              ElementsAre(mesos::TASK_STARTING, mesos::TASK_RUNNING,
                          mesos::TASK_FINISHED));
  EXPECT_EQ(last.message(), "exited with status 0");
  EXPECT_EQ(ReadFileOrEmpty(TaskFile("ok", "stdout")), "hello\n");
  EXPECT_EQ(executor.active_tasks(), 0);
}

TEST_F(CommandExecutorTest, NonZeroExitIsFailedWithTheStatus) {
  CommandExecutor executor(Options());
  executor.SetUpdateSender(sender_.sender());
  executor.Launch(nullptr, ShellTask("bad", "exit 42"));
  mesos::TaskStatus last = sender_.AwaitTerminal("bad");
  EXPECT_THAT(sender_.States("bad"),
              ElementsAre(mesos::TASK_STARTING, mesos::TASK_RUNNING,
                          mesos::TASK_FAILED));
  EXPECT_EQ(last.message(), "exited with status 42");
  EXPECT_FALSE(last.has_reason());
}

TEST_F(CommandExecutorTest, DeathBySignalIsFailedNamingTheSignal) {
  CommandExecutor executor(Options());
  executor.SetUpdateSender(sender_.sender());
  executor.Launch(nullptr, ShellTask("sig", "kill -KILL $$"));
  mesos::TaskStatus last = sender_.AwaitTerminal("sig");
  EXPECT_EQ(last.state(), mesos::TASK_FAILED);
  EXPECT_EQ(last.message(), "terminated by signal SIGKILL");
}

TEST_F(CommandExecutorTest, ExecFailureIsFailedWithErrnoAndNoRunning) {
  CommandExecutor executor(Options());
  executor.SetUpdateSender(sender_.sender());
  mesos::TaskInfo task = ShellTask("noexec", "");
  task.mutable_command()->set_shell(false);
  task.mutable_command()->set_value("/nonexistent/bin");
  executor.Launch(nullptr, task);
  mesos::TaskStatus last = sender_.AwaitTerminal("noexec");
  EXPECT_THAT(sender_.States("noexec"),
              ElementsAre(mesos::TASK_STARTING, mesos::TASK_FAILED));
  EXPECT_EQ(last.message(),
            "cannot execute '/nonexistent/bin': No such file or directory");
  EXPECT_EQ(last.reason(), mesos::TaskStatus::REASON_CONTAINER_LAUNCH_FAILED);
}

TEST_F(CommandExecutorTest, TaskWithoutCommandIsError) {
  CommandExecutor executor(Options());
  executor.SetUpdateSender(sender_.sender());
  mesos::TaskInfo task = ShellTask("nocmd", "");
  task.clear_command();
  executor.Launch(nullptr, task);
  std::vector<mesos::TaskStatus> updates = sender_.Updates("nocmd");
  ASSERT_EQ(updates.size(), 1);
  EXPECT_EQ(updates[0].state(), mesos::TASK_ERROR);
  EXPECT_EQ(updates[0].reason(), mesos::TaskStatus::REASON_TASK_INVALID);
  EXPECT_THAT(updates[0].message(), HasSubstr("no CommandInfo"));
}

TEST_F(CommandExecutorTest, InvalidCommandsAndTaskIdsAreErrors) {
  CommandExecutor executor(Options());
  executor.SetUpdateSender(sender_.sender());
  executor.Launch(nullptr, ShellTask("empty", ""));
  executor.Launch(nullptr, ShellTask("../escape", "true"));
  ASSERT_THAT(sender_.States("empty"), ElementsAre(mesos::TASK_ERROR));
  EXPECT_THAT(sender_.Updates("empty")[0].message(),
              HasSubstr("CommandInfo.value is empty"));
  ASSERT_THAT(sender_.States("../escape"), ElementsAre(mesos::TASK_ERROR));
  EXPECT_THAT(sender_.Updates("../escape")[0].message(),
              HasSubstr("cannot name a sandbox directory"));
}

TEST_F(CommandExecutorTest, EnvironmentVariablesReachTheTask) {
  CommandExecutor executor(Options());
  executor.SetUpdateSender(sender_.sender());
  mesos::TaskInfo task = ShellTask("env", "printf '%s' \"$GREETING\"");
  auto* variable =
      task.mutable_command()->mutable_environment()->add_variables();
  variable->set_name("GREETING");
  variable->set_value("hi there");
  executor.Launch(nullptr, task);
  EXPECT_EQ(sender_.AwaitTerminal("env").state(), mesos::TASK_FINISHED);
  EXPECT_EQ(ReadFileOrEmpty(TaskFile("env", "stdout")), "hi there");
}

TEST_F(CommandExecutorTest, UserIsIgnoredWithAWarningWhenNotHonoured) {
  CommandExecutorOptions options = Options();
  options.honor_user = false;
  CommandExecutor executor(options);
  executor.SetUpdateSender(sender_.sender());
  mesos::TaskInfo task = ShellTask("u", "id -u");
  task.mutable_command()->set_user("no-such-user-xyz");
  executor.Launch(nullptr, task);
  EXPECT_EQ(sender_.AwaitTerminal("u").state(), mesos::TASK_FINISHED);
  std::vector<mesos::TaskStatus> updates = sender_.Updates("u");
  ASSERT_EQ(updates.size(), 3);
  EXPECT_EQ(updates[1].state(), mesos::TASK_RUNNING);
  EXPECT_THAT(updates[1].message(),
              HasSubstr("CommandInfo.user 'no-such-user-xyz' ignored"));
  EXPECT_EQ(ReadFileOrEmpty(TaskFile("u", "stdout")),
            absl::StrCat(geteuid(), "\n"));
}

TEST_F(CommandExecutorTest, UnknownUserFailsTheTaskWhenHonoured) {
  CommandExecutorOptions options = Options();
  options.honor_user = true;  // the lookup happens before anything needs root
  CommandExecutor executor(options);
  executor.SetUpdateSender(sender_.sender());
  mesos::TaskInfo task = ShellTask("nouser", "true");
  task.mutable_command()->set_user("no-such-user-xyz");
  executor.Launch(nullptr, task);
  mesos::TaskStatus last = sender_.AwaitTerminal("nouser");
  EXPECT_THAT(sender_.States("nouser"),
              ElementsAre(mesos::TASK_STARTING, mesos::TASK_FAILED));
  EXPECT_EQ(last.message(),
            "CommandInfo.user 'no-such-user-xyz' does not exist");
  EXPECT_EQ(last.reason(), mesos::TaskStatus::REASON_CONTAINER_LAUNCH_FAILED);
}

TEST_F(CommandExecutorTest, KillEndsATaskWithSigtermAndReportsKilled) {
  CommandExecutor executor(Options());
  executor.SetUpdateSender(sender_.sender());
  executor.Launch(nullptr, ShellTask("k", "sleep 30"));
  ASSERT_TRUE(sender_.AwaitState("k", mesos::TASK_RUNNING));
  executor.Kill(nullptr, Id("k"), mesos::KillPolicy());
  mesos::TaskStatus last = sender_.AwaitTerminal("k");
  EXPECT_THAT(sender_.States("k"),
              ElementsAre(mesos::TASK_STARTING, mesos::TASK_RUNNING,
                          mesos::TASK_KILLED));
  EXPECT_EQ(last.message(), "killed: terminated by signal SIGTERM");
}

TEST_F(CommandExecutorTest, KillEscalatesWithTheEventsGracePeriod) {
  CommandExecutor executor(Options());
  executor.SetUpdateSender(sender_.sender());
  LaunchStubborn(executor, "stubborn", absl::Seconds(60));
  absl::Time start = absl::Now();
  executor.Kill(nullptr, Id("stubborn"), Grace(absl::Milliseconds(200)));
  mesos::TaskStatus last = sender_.AwaitTerminal("stubborn");
  absl::Duration took = absl::Now() - start;
  EXPECT_EQ(last.state(), mesos::TASK_KILLED);
  EXPECT_THAT(last.message(), HasSubstr("terminated by signal SIGKILL"));
  EXPECT_THAT(last.message(), HasSubstr("grace period"));
  EXPECT_GE(took, absl::Milliseconds(200));
  EXPECT_LT(took, absl::Seconds(5));
}

TEST_F(CommandExecutorTest, KillFallsBackToTheTasksKillPolicy) {
  CommandExecutor executor(Options());  // default grace: 3s
  executor.SetUpdateSender(sender_.sender());
  LaunchStubborn(executor, "policy", absl::Milliseconds(100));
  absl::Time start = absl::Now();
  executor.Kill(nullptr, Id("policy"), mesos::KillPolicy());
  EXPECT_EQ(sender_.AwaitTerminal("policy").state(), mesos::TASK_KILLED);
  absl::Duration took = absl::Now() - start;
  EXPECT_GE(took, absl::Milliseconds(100));
  EXPECT_LT(took, absl::Seconds(2));
}

TEST_F(CommandExecutorTest, KillDuringLaunchIsKilledDuringLaunch) {
  // The child blocks opening its stdout (a FIFO nobody reads) before exec,
  // so the KILL arrives while the task is still being launched.
  ASSERT_EQ(mkdir(absl::StrCat(root_, "/tasks").c_str(), 0755), 0);
  ASSERT_EQ(mkdir(absl::StrCat(root_, "/tasks/early").c_str(), 0755), 0);
  ASSERT_EQ(mkfifo(TaskFile("early", "stdout").c_str(), 0644), 0);
  CommandExecutor executor(Options());
  executor.SetUpdateSender(sender_.sender());
  executor.Launch(nullptr, ShellTask("early", "true"));
  executor.Kill(nullptr, Id("early"), mesos::KillPolicy());
  mesos::TaskStatus last = sender_.AwaitTerminal("early");
  EXPECT_THAT(sender_.States("early"),
              ElementsAre(mesos::TASK_STARTING, mesos::TASK_KILLED));
  EXPECT_EQ(last.reason(), mesos::TaskStatus::REASON_TASK_KILLED_DURING_LAUNCH);
}

TEST_F(CommandExecutorTest, TaskKillingIsSentWhenTheFrameworkSupportsIt) {
  CommandExecutor executor(Options());
  executor.SetUpdateSender(sender_.sender());
  mesos::executor::Event::Subscribed subscribed;
  subscribed.mutable_framework_info()->add_capabilities()->set_type(
      mesos::FrameworkInfo::Capability::TASK_KILLING_STATE);
  executor.Subscribed(nullptr, subscribed, false);
  executor.Launch(nullptr, ShellTask("k2", "sleep 30"));
  ASSERT_TRUE(sender_.AwaitState("k2", mesos::TASK_RUNNING));
  executor.Kill(nullptr, Id("k2"), mesos::KillPolicy());
  sender_.AwaitTerminal("k2");
  EXPECT_THAT(sender_.States("k2"),
              ElementsAre(mesos::TASK_STARTING, mesos::TASK_RUNNING,
                          mesos::TASK_KILLING, mesos::TASK_KILLED));
}

TEST_F(CommandExecutorTest, KillOfUnknownOrEndedTaskSendsNothing) {
  CommandExecutor executor(Options());
  executor.SetUpdateSender(sender_.sender());
  executor.Kill(nullptr, Id("ghost"), mesos::KillPolicy());
  executor.Launch(nullptr, ShellTask("done", "true"));
  sender_.AwaitTerminal("done");
  executor.Kill(nullptr, Id("done"), mesos::KillPolicy());
  EXPECT_EQ(sender_.size(), 3);
}

TEST_F(CommandExecutorTest, DuplicateLaunchIsIgnored) {
  CommandExecutor executor(Options());
  executor.SetUpdateSender(sender_.sender());
  executor.Launch(nullptr, ShellTask("twice", "true"));
  sender_.AwaitTerminal("twice");
  executor.Launch(nullptr, ShellTask("twice", "exit 1"));
  EXPECT_THAT(sender_.States("twice"),
              ElementsAre(mesos::TASK_STARTING, mesos::TASK_RUNNING,
                          mesos::TASK_FINISHED));
}

TEST_F(CommandExecutorTest, ShutdownKillsEveryTaskWithinTheGracePeriod) {
  CommandExecutorOptions options = Options();
  options.shutdown_grace_period = absl::Milliseconds(400);
  CommandExecutor executor(options);
  executor.SetUpdateSender(sender_.sender());
  LaunchStubborn(executor, "s1");  // would wait 3s for SIGKILL by default
  executor.Launch(nullptr, ShellTask("s2", "sleep 30"));
  executor.Launch(nullptr, ShellTask("s3", "sleep 30"));
  ASSERT_TRUE(sender_.AwaitState("s2", mesos::TASK_RUNNING));
  ASSERT_TRUE(sender_.AwaitState("s3", mesos::TASK_RUNNING));
  EXPECT_FALSE(executor.AwaitFinished(absl::ZeroDuration()).has_value());

  absl::Time start = absl::Now();
  executor.Shutdown(nullptr);
  EXPECT_EQ(executor.AwaitFinished(absl::Seconds(10)),
            FinishReason::kShutdownComplete);
  absl::Duration took = absl::Now() - start;
  EXPECT_GE(took, absl::Milliseconds(200));  // s1 got half the grace period
  EXPECT_LT(took, absl::Seconds(2));
  for (const char* id : {"s1", "s2", "s3"}) {
    std::vector<mesos::TaskStatus> updates = sender_.Updates(id);
    ASSERT_EQ(updates.size(), 3) << id;
    EXPECT_EQ(updates[2].state(), mesos::TASK_KILLED) << id;
    EXPECT_THAT(updates[2].message(), HasSubstr("executor shutdown")) << id;
  }
  EXPECT_EQ(executor.active_tasks(), 0);

  executor.Launch(nullptr, ShellTask("late", "true"));
  ASSERT_THAT(sender_.States("late"), ElementsAre(mesos::TASK_KILLED));
  EXPECT_EQ(sender_.Updates("late")[0].reason(),
            mesos::TaskStatus::REASON_TASK_KILLED_DURING_LAUNCH);
}

TEST_F(CommandExecutorTest, ShutdownWithoutTasksFinishesAtOnce) {
  CommandExecutor executor(Options());
  executor.SetUpdateSender(sender_.sender());
  executor.Shutdown(nullptr);
  EXPECT_EQ(executor.AwaitFinished(absl::ZeroDuration()),
            FinishReason::kShutdownComplete);
  EXPECT_EQ(sender_.size(), 0);
}

TEST_F(CommandExecutorTest, ErrorFinishesWithTheMessage) {
  CommandExecutor executor(Options());
  executor.SetUpdateSender(sender_.sender());
  executor.Error(nullptr, "agent refused us");
  EXPECT_EQ(executor.AwaitFinished(absl::ZeroDuration()),
            FinishReason::kDriverError);
  EXPECT_EQ(executor.error(), "agent refused us");
}

TEST_F(CommandExecutorTest, CloseKillsRemainingTasksWithoutSending) {
  {
    CommandExecutor executor(Options());
    executor.SetUpdateSender(sender_.sender());
    executor.Launch(nullptr, ShellTask("orphan", "trap '' TERM; sleep 30"));
    ASSERT_TRUE(sender_.AwaitState("orphan", mesos::TASK_RUNNING));
    executor.Close();
    EXPECT_EQ(executor.active_tasks(), 0);
  }
  EXPECT_THAT(sender_.States("orphan"),
              ElementsAre(mesos::TASK_STARTING, mesos::TASK_RUNNING));
  EXPECT_FALSE(HasAnyChild());
}

TEST_F(CommandExecutorTest, LaunchGroupRunsEveryTask) {
  CommandExecutor executor(Options());
  executor.SetUpdateSender(sender_.sender());
  mesos::TaskGroupInfo group;
  *group.add_tasks() = ShellTask("g1", "true");
  *group.add_tasks() = ShellTask("g2", "exit 1");
  executor.LaunchGroup(nullptr, group);
  EXPECT_EQ(sender_.AwaitTerminal("g1").state(), mesos::TASK_FINISHED);
  EXPECT_EQ(sender_.AwaitTerminal("g2").state(), mesos::TASK_FAILED);
}

TEST_F(CommandExecutorTest, ManyShortTasksInARow) {
  CommandExecutor executor(Options());
  executor.SetUpdateSender(sender_.sender());
  for (int i = 0; i < 200; ++i) {
    std::string id = absl::StrCat("t", i);
    executor.Launch(nullptr, ShellTask(id, "true"));
    ASSERT_EQ(sender_.AwaitTerminal(id).state(), mesos::TASK_FINISHED) << id;
  }
  EXPECT_EQ(sender_.size(), 600);
  EXPECT_FALSE(HasAnyChild());
}

}  // namespace
}  // namespace command_executor
}  // namespace executor_runtime
