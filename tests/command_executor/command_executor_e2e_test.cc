// End-to-end: starts the command_executor binary as a real process (in its
// own process group) with the Mesos environment pointing at an in-process
// AgentCore on 127.0.0.1, drives it through the agent's control API and
// checks the status updates the agent recorded.
#include <fcntl.h>
#include <grpcpp/grpcpp.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "api/mesos/mesos.pb.h"
#include "examples/command_executor/test_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "simulator/agent_core.h"
#include "util/task_state.h"

namespace executor_runtime {
namespace {

using ::executor_runtime::command_executor::testing::ChildrenOf;
using ::executor_runtime::command_executor::testing::Eventually;
using ::executor_runtime::command_executor::testing::MakeTempDir;
using ::executor_runtime::command_executor::testing::ReadFileOrEmpty;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kFramework[] = "framework-1";
constexpr char kExecutor[] = "command-executor-1";
constexpr char kAgent[] = "agent-1";

std::string ExecutorBinary() {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  const char* workspace = std::getenv("TEST_WORKSPACE");
  return absl::StrCat(srcdir ? srcdir : ".", "/",
                      workspace ? workspace : "executor_runtime",
                      "/examples/command_executor/command_executor");
}

// The executor process: started with fork/exec in its own process group,
// waited for through a pidfd so that waits have a deadline.
class ExecutorProcess {
 public:
  // `env` is the whole environment; stdout and stderr go to `log_path`.
  ExecutorProcess(const std::map<std::string, std::string>& env,
                  const std::string& log_path) {
    std::vector<std::string> env_strings;
    for (const auto& [name, value] : env) {
      env_strings.push_back(absl::StrCat(name, "=", value));
    }
    std::vector<char*> envp;
    for (std::string& s : env_strings) envp.push_back(s.data());
    envp.push_back(nullptr);
    std::string binary = ExecutorBinary();
    char* argv[] = {binary.data(), nullptr};
    pid_ = fork();
    if (pid_ == 0) {
      setpgid(0, 0);  // the driver may kill its own process group
      int log = open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (log >= 0) {
        dup2(log, STDOUT_FILENO);
        dup2(log, STDERR_FILENO);
      }
      execve(binary.c_str(), argv, envp.data());
      _exit(126);
    }
    if (pid_ > 0) setpgid(pid_, pid_);
    pidfd_ = static_cast<int>(syscall(SYS_pidfd_open, pid_, 0));
  }

  ~ExecutorProcess() {
    if (!status_.has_value() && pid_ > 0) {
      killpg(pid_, SIGKILL);
      int status;
      waitpid(pid_, &status, 0);
    }
    if (pidfd_ >= 0) close(pidfd_);
  }

  bool started() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }

  // Signals the executor process alone (not its group).
  void Signal(int signal) { kill(pid_, signal); }

  // The wait status once the process ended, or nullopt after `timeout`.
  std::optional<int> AwaitExit(absl::Duration timeout) {
    if (status_.has_value()) return status_;
    pollfd fd = {pidfd_, POLLIN, 0};
    if (pidfd_ >= 0 &&
        poll(&fd, 1, static_cast<int>(absl::ToInt64Milliseconds(timeout))) <=
            0) {
      return std::nullopt;
    }
    int status;
    if (waitpid(pid_, &status, pidfd_ >= 0 ? 0 : WNOHANG) != pid_) {
      return std::nullopt;
    }
    status_ = status;
    return status_;
  }

 private:
  pid_t pid_ = -1;
  int pidfd_ = -1;
  std::optional<int> status_;
};

class CommandExecutorE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    AgentOptions options;
    options.agent_info.set_hostname("localhost");
    options.agent_info.mutable_id()->set_value(kAgent);
    options.heartbeat_interval = absl::Seconds(1);
    agent_ = std::make_unique<AgentCore>(options);
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(),
                             &port_);
    builder.RegisterService(agent_->service());
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    ASSERT_GT(port_, 0);

    ExecutorSpec spec;
    spec.framework_info.set_user("root");
    spec.framework_info.set_name("e2e");
    spec.framework_info.mutable_id()->set_value(kFramework);
    spec.executor_info.mutable_executor_id()->set_value(kExecutor);
    spec.executor_info.mutable_framework_id()->set_value(kFramework);
    spec.executor_info.set_name("command executor");
    ASSERT_TRUE(agent_->AddExecutor(spec).ok());

    sandbox_ = absl::StrCat(dir_, "/sandbox");
    ASSERT_EQ(mkdir(sandbox_.c_str(), 0755), 0);
  }

  void TearDown() override {
    if (HasFailure()) {
      std::cerr << "executor log:\n"
                << ReadFileOrEmpty(absl::StrCat(dir_, "/executor.log"));
    }
    executor_.reset();
    if (server_) server_->Shutdown();
    agent_.reset();
  }

  std::map<std::string, std::string> Environment() {
    std::map<std::string, std::string> env = {
        {"PATH", "/usr/local/bin:/usr/bin:/bin"},
        {"MESOS_FRAMEWORK_ID", kFramework},
        {"MESOS_EXECUTOR_ID", kExecutor},
        {"MESOS_SLAVE_ID", kAgent},
        {"MESOS_AGENT_ENDPOINT", absl::StrCat("127.0.0.1:", port_)},
        {"MESOS_SANDBOX", sandbox_},
        {"MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD", "2secs"},
    };
    if (const char* verbose = std::getenv("EXEC_RT_VERBOSE")) {
      env["EXEC_RT_VERBOSE"] = verbose;
    }
    return env;
  }

  // Starts the executor and waits until it subscribed.
  void StartExecutor() {
    executor_ = std::make_unique<ExecutorProcess>(
        Environment(), absl::StrCat(dir_, "/executor.log"));
    ASSERT_TRUE(executor_->started());
    ASSERT_TRUE(agent_->WaitUntil(
        [](const AgentCore& agent) {
          std::optional<ExecutorView> view = agent.Executor(Ref());
          return view.has_value() && view->subscribed;
        },
        absl::Seconds(10)))
        << "the executor did not subscribe";
  }

  static ExecutorRef Ref() { return ExecutorRef{kFramework, kExecutor}; }

  static mesos::TaskInfo ShellTask(const std::string& id,
                                   const std::string& script) {
    mesos::TaskInfo task;
    task.set_name(id);
    task.mutable_task_id()->set_value(id);
    task.mutable_slave_id()->set_value(kAgent);
    task.mutable_command()->set_value(script);
    return task;
  }

  static mesos::TaskID Id(const std::string& id) {
    mesos::TaskID task_id;
    task_id.set_value(id);
    return task_id;
  }

  std::vector<mesos::TaskStatus> Updates(const std::string& task_id) {
    std::vector<mesos::TaskStatus> result;
    for (const RecordedUpdate& update : agent_->Updates()) {
      if (update.status.task_id().value() == task_id) {
        result.push_back(update.status);
      }
    }
    return result;
  }

  std::vector<mesos::TaskState> States(const std::string& task_id) {
    std::vector<mesos::TaskState> states;
    for (const mesos::TaskStatus& status : Updates(task_id)) {
      states.push_back(status.state());
    }
    return states;
  }

  bool AwaitState(const std::string& task_id, mesos::TaskState state,
                  absl::Duration timeout = absl::Seconds(10)) {
    return agent_->WaitUntil(
        [&](const AgentCore& agent) {
          for (const RecordedUpdate& update : agent.Updates()) {
            if (update.status.task_id().value() == task_id &&
                update.status.state() == state) {
              return true;
            }
          }
          return false;
        },
        timeout);
  }

  // The task's terminal update; fails the test if none comes in 10s.
  mesos::TaskStatus AwaitTerminal(const std::string& task_id) {
    std::optional<mesos::TaskStatus> terminal;
    agent_->WaitUntil(
        [&](const AgentCore& agent) {
          for (const RecordedUpdate& update : agent.Updates()) {
            if (update.status.task_id().value() == task_id &&
                IsTerminalState(update.status.state())) {
              terminal = update.status;
              return true;
            }
          }
          return false;
        },
        absl::Seconds(10));
    if (!terminal.has_value()) {
      ADD_FAILURE() << "no terminal update for task " << task_id;
      return mesos::TaskStatus();
    }
    return *terminal;
  }

  std::string TaskFile(const std::string& id, const std::string& name) {
    return absl::StrCat(sandbox_, "/tasks/", id, "/", name);
  }

  // Shuts the executor down and expects it to exit 0.
  void ShutdownAndExpectCleanExit() {
    ASSERT_TRUE(agent_->Shutdown(Ref()).ok());
    std::optional<int> status = executor_->AwaitExit(absl::Seconds(10));
    ASSERT_TRUE(status.has_value()) << "the executor did not exit";
    EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0)
        << "wait status " << *status;
  }

  const std::string dir_ = MakeTempDir();
  std::string sandbox_;
  std::unique_ptr<AgentCore> agent_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
  std::unique_ptr<ExecutorProcess> executor_;
};

TEST_F(CommandExecutorE2eTest, LaunchRunsTheCommandToFinished) {
  StartExecutor();
  ASSERT_TRUE(agent_->Launch(Ref(), ShellTask("hello", "echo hello")).ok());
  mesos::TaskStatus last = AwaitTerminal("hello");
  EXPECT_THAT(States("hello"),
              ElementsAre(mesos::TASK_STARTING, mesos::TASK_RUNNING,
                          mesos::TASK_FINISHED));
  EXPECT_EQ(last.message(), "exited with status 0");
  EXPECT_EQ(last.source(), mesos::TaskStatus::SOURCE_EXECUTOR);
  EXPECT_EQ(ReadFileOrEmpty(TaskFile("hello", "stdout")), "hello\n");
  ShutdownAndExpectCleanExit();
}

TEST_F(CommandExecutorE2eTest, FailingCommandIsFailedWithItsExitStatus) {
  StartExecutor();
  ASSERT_TRUE(
      agent_->Launch(Ref(), ShellTask("fails", "echo oops >&2; exit 3")).ok());
  mesos::TaskStatus last = AwaitTerminal("fails");
  EXPECT_THAT(States("fails"),
              ElementsAre(mesos::TASK_STARTING, mesos::TASK_RUNNING,
                          mesos::TASK_FAILED));
  EXPECT_EQ(last.message(), "exited with status 3");
  EXPECT_EQ(ReadFileOrEmpty(TaskFile("fails", "stderr")), "oops\n");
  ShutdownAndExpectCleanExit();
}

TEST_F(CommandExecutorE2eTest, TaskWithoutCommandIsError) {
  StartExecutor();
  mesos::TaskInfo task = ShellTask("nocmd", "");
  task.clear_command();
  ASSERT_TRUE(agent_->Launch(Ref(), task).ok());
  mesos::TaskStatus last = AwaitTerminal("nocmd");
  EXPECT_THAT(States("nocmd"), ElementsAre(mesos::TASK_ERROR));
  EXPECT_THAT(last.message(), HasSubstr("no CommandInfo"));
  ShutdownAndExpectCleanExit();
}

TEST_F(CommandExecutorE2eTest, KillDuringLaunchIsKilledDuringLaunch) {
  // The task's stdout is a FIFO nobody reads: its child blocks opening it,
  // before exec, so the KILL finds the task still launching.
  ASSERT_EQ(mkdir(absl::StrCat(sandbox_, "/tasks").c_str(), 0755), 0);
  ASSERT_EQ(mkdir(absl::StrCat(sandbox_, "/tasks/early").c_str(), 0755), 0);
  ASSERT_EQ(mkfifo(TaskFile("early", "stdout").c_str(), 0644), 0);
  StartExecutor();
  ASSERT_TRUE(agent_->Launch(Ref(), ShellTask("early", "echo never")).ok());
  ASSERT_TRUE(AwaitState("early", mesos::TASK_STARTING));
  ASSERT_TRUE(agent_->Kill(Ref(), Id("early")).ok());
  mesos::TaskStatus last = AwaitTerminal("early");
  EXPECT_THAT(States("early"),
              ElementsAre(mesos::TASK_STARTING, mesos::TASK_KILLED));
  EXPECT_EQ(last.reason(), mesos::TaskStatus::REASON_TASK_KILLED_DURING_LAUNCH);
  ShutdownAndExpectCleanExit();
}

TEST_F(CommandExecutorE2eTest, KillOfATaskIgnoringSigtermEscalates) {
  StartExecutor();
  ASSERT_TRUE(agent_
                  ->Launch(Ref(), ShellTask("stubborn",
                                            "trap '' TERM; echo ready; "
                                            "sleep 30"))
                  .ok());
  ASSERT_TRUE(AwaitState("stubborn", mesos::TASK_RUNNING));
  ASSERT_TRUE(Eventually([&] {
    return ReadFileOrEmpty(TaskFile("stubborn", "stdout")) == "ready\n";
  }));
  mesos::KillPolicy policy;
  policy.mutable_grace_period()->set_nanoseconds(
      absl::ToInt64Nanoseconds(absl::Milliseconds(300)));
  absl::Time start = absl::Now();
  ASSERT_TRUE(agent_->Kill(Ref(), Id("stubborn"), policy).ok());
  mesos::TaskStatus last = AwaitTerminal("stubborn");
  absl::Duration took = absl::Now() - start;
  EXPECT_EQ(last.state(), mesos::TASK_KILLED);
  EXPECT_THAT(last.message(), HasSubstr("terminated by signal SIGKILL"));
  EXPECT_GE(took, absl::Milliseconds(300));
  EXPECT_LT(took, absl::Seconds(5));
  ShutdownAndExpectCleanExit();
}

TEST_F(CommandExecutorE2eTest, ShutdownKillsRunningTasksAndExitsZero) {
  StartExecutor();
  ASSERT_TRUE(agent_->Launch(Ref(), ShellTask("a", "sleep 30")).ok());
  ASSERT_TRUE(agent_->Launch(Ref(), ShellTask("b", "sleep 30")).ok());
  ASSERT_TRUE(agent_
                  ->Launch(Ref(), ShellTask("c",
                                            "trap '' TERM; echo ready; "
                                            "sleep 30"))
                  .ok());
  for (const char* id : {"a", "b", "c"}) {
    ASSERT_TRUE(AwaitState(id, mesos::TASK_RUNNING)) << id;
  }
  ASSERT_TRUE(Eventually(
      [&] { return ReadFileOrEmpty(TaskFile("c", "stdout")) == "ready\n"; }));
  absl::Time start = absl::Now();
  ShutdownAndExpectCleanExit();
  // Grace periods are capped at half the 2s shutdown grace period.
  EXPECT_LT(absl::Now() - start, absl::Seconds(2));
  for (const char* id : {"a", "b", "c"}) {
    EXPECT_THAT(States(id),
                ElementsAre(mesos::TASK_STARTING, mesos::TASK_RUNNING,
                            mesos::TASK_KILLED))
        << id;
  }
}

TEST_F(CommandExecutorE2eTest, SigtermToTheExecutorActsLikeShutdown) {
  StartExecutor();
  ASSERT_TRUE(agent_->Launch(Ref(), ShellTask("long", "sleep 30")).ok());
  ASSERT_TRUE(AwaitState("long", mesos::TASK_RUNNING));
  executor_->Signal(SIGTERM);
  std::optional<int> status = executor_->AwaitExit(absl::Seconds(10));
  ASSERT_TRUE(status.has_value()) << "the executor did not exit";
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0)
      << "wait status " << *status;
  EXPECT_THAT(States("long"),
              ElementsAre(mesos::TASK_STARTING, mesos::TASK_RUNNING,
                          mesos::TASK_KILLED));
}

TEST_F(CommandExecutorE2eTest, HundredShortTasksInARow) {
  StartExecutor();
  for (int i = 0; i < 100; ++i) {
    std::string id = absl::StrCat("short-", i);
    ASSERT_TRUE(agent_->Launch(Ref(), ShellTask(id, "true")).ok()) << id;
    ASSERT_EQ(AwaitTerminal(id).state(), mesos::TASK_FINISHED) << id;
  }
  EXPECT_EQ(agent_->UpdateCount(), 300);
  // Every task was reaped: the executor has no child left, not even a
  // zombie.
  EXPECT_THAT(ChildrenOf(executor_->pid()), ::testing::IsEmpty());
  ShutdownAndExpectCleanExit();
}

TEST_F(CommandExecutorE2eTest, BadEnvironmentExitsNonZeroWithAMessage) {
  std::map<std::string, std::string> env = Environment();
  env.erase("MESOS_FRAMEWORK_ID");
  std::string log = absl::StrCat(dir_, "/bad-env.log");
  ExecutorProcess process(env, log);
  ASSERT_TRUE(process.started());
  std::optional<int> status = process.AwaitExit(absl::Seconds(10));
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) != 0);
  EXPECT_THAT(ReadFileOrEmpty(log),
              HasSubstr("command_executor: bad environment"));
  EXPECT_THAT(ReadFileOrEmpty(log), HasSubstr("MESOS_FRAMEWORK_ID"));
}

TEST_F(CommandExecutorE2eTest, MissingSandboxExitsNonZeroWithAMessage) {
  std::map<std::string, std::string> env = Environment();
  env["MESOS_SANDBOX"] = absl::StrCat(dir_, "/does-not-exist");
  std::string log = absl::StrCat(dir_, "/bad-sandbox.log");
  ExecutorProcess process(env, log);
  std::optional<int> status = process.AwaitExit(absl::Seconds(10));
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) != 0);
  EXPECT_THAT(ReadFileOrEmpty(log), HasSubstr("does-not-exist"));
}

}  // namespace
}  // namespace executor_runtime
