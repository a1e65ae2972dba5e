// The Python example executor (examples/python/executor.py, Debian's
// python3-grpcio) against the agent core over a Unix socket: the wire
// contract is language-neutral. Runs the executor as a real process.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "simulator/agent_core.h"

namespace executor_runtime {
namespace {

constexpr char kFramework[] = "python-framework";
constexpr char kExecutor[] = "python-executor";
constexpr char kToken[] = "python-test-token";

std::string Runfile(const std::string& path) {
  return absl::StrCat(std::getenv("TEST_SRCDIR"), "/executor_runtime/", path);
}

class PythonExecutorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    AgentOptions options;
    options.agent_info.set_hostname("localhost");
    options.agent_info.mutable_id()->set_value("python-agent");
    options.heartbeat_interval = absl::Milliseconds(200);
    agent_ = std::make_unique<AgentCore>(options);
    // TEST_TMPDIR can exceed the 107 bytes a socket path may have.
    char dir[] = "/tmp/xrt-python-XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    socket_dir_ = dir;
    socket_ = socket_dir_ + "/agent.sock";
    grpc::ServerBuilder builder;
    builder.AddListeningPort("unix:" + socket_,
                             grpc::InsecureServerCredentials());
    builder.RegisterService(agent_->service());
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);

    ExecutorSpec spec;
    spec.framework_info.set_user("root");
    spec.framework_info.set_name("python");
    spec.framework_info.mutable_id()->set_value(kFramework);
    spec.executor_info.mutable_executor_id()->set_value(kExecutor);
    spec.executor_info.mutable_framework_id()->set_value(kFramework);
    spec.auth_token = kToken;
    ASSERT_TRUE(agent_->AddExecutor(spec).ok());
  }

  void TearDown() override {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    if (server_) {
      server_->Shutdown(absl::ToChronoTime(absl::Now() + absl::Seconds(1)));
    }
    unlink(socket_.c_str());
    rmdir(socket_dir_.c_str());
  }

  void StartExecutor() {
    std::map<std::string, std::string> env = {
        {"MESOS_FRAMEWORK_ID", kFramework},
        {"MESOS_EXECUTOR_ID", kExecutor},
        {"MESOS_SLAVE_ID", "python-agent"},
        {"MESOS_AGENT_ENDPOINT", "unix:" + socket_},
        {"MESOS_EXECUTOR_AUTHENTICATION_TOKEN", kToken},
        {"PYTHONPATH", Runfile("examples/python")},
        {"PATH", "/usr/bin:/bin"},
    };
    std::vector<std::string> strings;
    for (const auto& [name, value] : env) strings.push_back(name + "=" + value);
    std::vector<char*> envp;
    for (std::string& s : strings) envp.push_back(s.data());
    envp.push_back(nullptr);
    std::string script = Runfile("examples/python/executor.py");
    pid_ = fork();
    ASSERT_GE(pid_, 0);
    if (pid_ == 0) {
      char* argv[] = {const_cast<char*>("/usr/bin/python3"), script.data(),
                      nullptr};
      execve(argv[0], argv, envp.data());
      _exit(127);
    }
  }

  // Waits up to `timeout` for the executor to exit; returns its exit code
  // or -1.
  int WaitForExit(absl::Duration timeout) {
    const absl::Time deadline = absl::Now() + timeout;
    while (absl::Now() < deadline) {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      }
      absl::SleepFor(absl::Milliseconds(20));  // polling a child's exit
    }
    return -1;
  }

  const ExecutorRef ref_{kFramework, kExecutor};
  std::unique_ptr<AgentCore> agent_;
  std::unique_ptr<grpc::Server> server_;
  std::string socket_dir_;
  std::string socket_;
  pid_t pid_ = -1;
};

mesos::TaskInfo Task(const std::string& id) {
  mesos::TaskInfo task;
  task.set_name(id);
  task.mutable_task_id()->set_value(id);
  task.mutable_slave_id()->set_value("python-agent");
  task.set_data("payload-" + id);
  return task;
}

TEST_F(PythonExecutorTest, RunsTasksAndShutsDownCleanly) {
  StartExecutor();
  ASSERT_TRUE(agent_->WaitUntil(
      [&](const AgentCore& agent) {
        auto view = agent.Executor(ref_);
        return view && view->subscribed;
      },
      absl::Seconds(20)))
      << "the Python executor did not subscribe";

  constexpr int kTasks = 5;
  for (int i = 0; i < kTasks; ++i) {
    ASSERT_TRUE(agent_->Launch(ref_, Task(absl::StrCat("task-", i))).ok());
  }
  ASSERT_TRUE(agent_->WaitUntil(
      [&](const AgentCore& agent) { return agent.UpdateCount() >= 2 * kTasks; },
      absl::Seconds(20)));

  // Each task: RUNNING then FINISHED, with valid stamps.
  std::map<std::string, std::vector<mesos::TaskState>> states;
  for (const RecordedUpdate& update : agent_->Updates()) {
    EXPECT_EQ(update.status.uuid().size(), 16u);
    EXPECT_EQ(update.status.source(), mesos::TaskStatus::SOURCE_EXECUTOR);
    states[update.status.task_id().value()].push_back(update.status.state());
    if (update.status.state() == mesos::TASK_FINISHED) {
      EXPECT_EQ(update.status.message(),
                "python executor ran: payload-" + update.status.task_id().value());
    }
  }
  ASSERT_EQ(states.size(), static_cast<size_t>(kTasks));
  for (const auto& [task, sequence] : states) {
    EXPECT_EQ(sequence, (std::vector<mesos::TaskState>{mesos::TASK_RUNNING,
                                                       mesos::TASK_FINISHED}))
        << task;
  }

  ASSERT_TRUE(agent_->Shutdown(ref_).ok());
  EXPECT_EQ(WaitForExit(absl::Seconds(20)), 0);
  EXPECT_EQ(agent_->UpdateCount(), 2u * kTasks);  // nothing recorded twice
}

TEST_F(PythonExecutorTest, MissingEnvironmentIsAClearError) {
  int pipe_fds[2];
  ASSERT_EQ(pipe(pipe_fds), 0);
  std::string script = Runfile("examples/python/executor.py");
  pid_ = fork();
  ASSERT_GE(pid_, 0);
  if (pid_ == 0) {
    dup2(pipe_fds[1], STDERR_FILENO);
    char* argv[] = {const_cast<char*>("/usr/bin/python3"), script.data(),
                    nullptr};
    char* envp[] = {nullptr};
    execve(argv[0], argv, envp);
    _exit(127);
  }
  close(pipe_fds[1]);
  std::string output;
  char buffer[256];
  ssize_t n;
  while ((n = read(pipe_fds[0], buffer, sizeof(buffer))) > 0) {
    output.append(buffer, n);
  }
  close(pipe_fds[0]);
  EXPECT_EQ(WaitForExit(absl::Seconds(20)), 2);
  EXPECT_NE(output.find("missing environment variable(s): MESOS_FRAMEWORK_ID"),
            std::string::npos)
      << output;
}

}  // namespace
}  // namespace executor_runtime
