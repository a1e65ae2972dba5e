// Runs each legacy example executor as its own process (in its own process
// group) against an in-process AgentCore on 127.0.0.1:0, configured only
// through the Mesos environment, as an agent would start it.
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "simulator/agent_core.h"
#include "simulator/testing/agent_waits.h"
#include "simulator/testing/test_agent.h"

namespace executor_runtime {
namespace {

using ::testing::ElementsAre;

constexpr absl::Duration kTimeout = absl::Seconds(10);
const ExecutorRef kExecutor{"fw-1", "ex-1"};

mesos::TaskInfo Task(const std::string& id, const std::string& data = "") {
  mesos::TaskInfo task;
  task.set_name("task " + id);
  task.mutable_task_id()->set_value(id);
  task.mutable_slave_id()->set_value("agent-1");
  if (!data.empty()) task.set_data(data);
  return task;
}

// One executor process; the destructor kills its process group if it is
// still running.
class ExecutorProcess {
 public:
  ExecutorProcess(const std::string& binary,
                  const std::map<std::string, std::string>& environment) {
    std::vector<std::string> env_strings;
    for (const auto& [name, value] : environment) {
      env_strings.push_back(name + "=" + value);
    }
    if (const char* verbose = std::getenv("EXEC_RT_VERBOSE")) {
      env_strings.push_back(std::string("EXEC_RT_VERBOSE=") + verbose);
    }
    std::vector<char*> envp;
    for (std::string& s : env_strings) envp.push_back(s.data());
    envp.push_back(nullptr);
    std::string program = binary;
    char* argv[] = {program.data(), nullptr};
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    // Its own process group: the driver's grace-period kill (killpg) must
    // not reach the test.
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
    posix_spawnattr_setpgroup(&attr, 0);
    spawned_ = posix_spawn(&pid_, binary.c_str(), nullptr, &attr, argv,
                           envp.data()) == 0;
    posix_spawnattr_destroy(&attr);
    if (spawned_) {
      waiter_ = std::thread([this] {
        int status = 0;
        while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
        }
        status_ = status;
        exited_.Notify();
      });
    }
  }

  ~ExecutorProcess() {
    if (!spawned_) return;
    if (!exited_.HasBeenNotified()) kill(-pid_, SIGKILL);
    waiter_.join();
  }

  bool spawned() const { return spawned_; }

  // Waits for the process to end; false after `timeout`.
  bool Wait(absl::Duration timeout) {
    return exited_.WaitForNotificationWithTimeout(timeout);
  }
  // The waitpid status; only after Wait() returned true.
  int status() const { return status_; }

 private:
  bool spawned_ = false;
  pid_t pid_ = -1;
  int status_ = 0;
  absl::Notification exited_;
  std::thread waiter_;
};

class LegacyExamplesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    AgentOptions options = testing_support::TestOptions();
    options.heartbeat_interval = absl::Milliseconds(500);
    test_agent_ = std::make_unique<testing_support::TestAgent>(options);
    agent_ = &test_agent_->core();
    port_ = test_agent_->port();
    ASSERT_NE(port_, 0);
    ExecutorSpec spec;
    spec.framework_info.set_user("tester");
    spec.framework_info.set_name("legacy examples");
    spec.framework_info.mutable_id()->set_value("fw-1");
    spec.executor_info.mutable_executor_id()->set_value("ex-1");
    spec.executor_info.mutable_framework_id()->set_value("fw-1");
    ASSERT_TRUE(agent_->AddExecutor(spec).ok());
  }

  void TearDown() override {
    agent_ = nullptr;
    test_agent_.reset();  // The server, then the agent.
  }

  std::unique_ptr<ExecutorProcess> Start(const std::string& name) {
    const char* srcdir = std::getenv("TEST_SRCDIR");
    const char* workspace = std::getenv("TEST_WORKSPACE");
    std::string binary =
        absl::StrCat(srcdir ? srcdir : ".", "/", workspace ? workspace : "",
                     "/examples/legacy/", name);
    std::map<std::string, std::string> environment = {
        {"MESOS_FRAMEWORK_ID", "fw-1"},
        {"MESOS_EXECUTOR_ID", "ex-1"},
        {"MESOS_SLAVE_ID", "agent-1"},
        {"MESOS_AGENT_ENDPOINT", absl::StrCat("127.0.0.1:", port_)},
        {"MESOS_SUBSCRIPTION_BACKOFF_MAX", "50ms"},
        {"MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD", "300ms"},
    };
    auto process = std::make_unique<ExecutorProcess>(binary, environment);
    EXPECT_TRUE(process->spawned()) << binary;
    return process;
  }

  bool WaitSubscribed() {
    return testing_support::WaitSubscribed(*agent_, kExecutor, 1, kTimeout);
  }
  bool WaitUpdates(size_t n) {
    return testing_support::WaitUpdateCount(*agent_, n, kTimeout);
  }
  std::vector<mesos::TaskState> StatesOf(const std::string& task_id) const {
    return testing_support::RecordedStates(*agent_, task_id);
  }

  std::unique_ptr<testing_support::TestAgent> test_agent_;
  AgentCore* agent_ = nullptr;  // test_agent_'s
  int port_ = 0;
};

TEST_F(LegacyExamplesTest, FinishingExecutorIsKilledAfterGracePeriod) {
  std::unique_ptr<ExecutorProcess> process = Start("finishing_executor");
  ASSERT_TRUE(WaitSubscribed());
  ASSERT_TRUE(agent_->Launch(kExecutor, Task("t1", "one")).ok());
  ASSERT_TRUE(agent_->Launch(kExecutor, Task("t2", "two")).ok());
  ASSERT_TRUE(WaitUpdates(4));
  EXPECT_THAT(StatesOf("t1"),
              ElementsAre(mesos::TASK_RUNNING, mesos::TASK_FINISHED));
  EXPECT_THAT(StatesOf("t2"),
              ElementsAre(mesos::TASK_RUNNING, mesos::TASK_FINISHED));
  // It never calls stop(): after SHUTDOWN the driver kills its process
  // group once the grace period (300ms) passed.
  const absl::Time shutdown_at = absl::Now();
  ASSERT_TRUE(agent_->Shutdown(kExecutor).ok());
  ASSERT_TRUE(process->Wait(kTimeout));
  EXPECT_GE(absl::Now() - shutdown_at, absl::Milliseconds(250));
  ASSERT_TRUE(WIFSIGNALED(process->status()));
  EXPECT_EQ(WTERMSIG(process->status()), SIGKILL);
}

TEST_F(LegacyExamplesTest, SleepingExecutorFinishesTasksAndStopsOnShutdown) {
  std::unique_ptr<ExecutorProcess> process = Start("sleeping_executor");
  ASSERT_TRUE(WaitSubscribed());
  for (const char* id : {"s1", "s2", "s3"}) {
    ASSERT_TRUE(agent_->Launch(kExecutor, Task(id, "20")).ok());
  }
  ASSERT_TRUE(agent_->Launch(kExecutor, Task("default")).ok());
  ASSERT_TRUE(agent_->Launch(kExecutor, Task("long", "60000")).ok());
  ASSERT_TRUE(WaitUpdates(5 + 4));  // five RUNNING, four FINISHED
  for (const char* id : {"s1", "s2", "s3", "default"}) {
    EXPECT_THAT(StatesOf(id),
                ElementsAre(mesos::TASK_RUNNING, mesos::TASK_FINISHED))
        << id;
  }
  ASSERT_TRUE(agent_->Shutdown(kExecutor).ok());
  ASSERT_TRUE(process->Wait(kTimeout));
  ASSERT_TRUE(WIFEXITED(process->status())) << process->status();
  EXPECT_EQ(WEXITSTATUS(process->status()), 0);
  // stop() drained: the TASK_KILLED sent in shutdown() was recorded before
  // the process exited.
  EXPECT_THAT(StatesOf("long"),
              ElementsAre(mesos::TASK_RUNNING, mesos::TASK_KILLED));
}

TEST_F(LegacyExamplesTest, EchoExecutorEchoesAndHandlesKill) {
  std::unique_ptr<ExecutorProcess> process = Start("echo_executor");
  ASSERT_TRUE(WaitSubscribed());
  ASSERT_TRUE(agent_->Launch(kExecutor, Task("e1")).ok());
  ASSERT_TRUE(agent_->Launch(kExecutor, Task("e2")).ok());
  ASSERT_TRUE(WaitUpdates(2));
  ASSERT_TRUE(agent_->SendMessage(kExecutor, "hello").ok());
  ASSERT_TRUE(agent_->WaitUntil(
      [](const AgentCore& agent) { return !agent.Messages().empty(); },
      kTimeout));
  EXPECT_EQ(agent_->Messages()[0].data, "hello");
  ASSERT_TRUE(agent_->Kill(kExecutor, Task("e1").task_id()).ok());
  ASSERT_TRUE(WaitUpdates(3));
  EXPECT_THAT(StatesOf("e1"),
              ElementsAre(mesos::TASK_RUNNING, mesos::TASK_KILLED));
  ASSERT_TRUE(agent_->Shutdown(kExecutor).ok());
  ASSERT_TRUE(process->Wait(kTimeout));
  ASSERT_TRUE(WIFEXITED(process->status())) << process->status();
  EXPECT_EQ(WEXITSTATUS(process->status()), 0);
  EXPECT_THAT(StatesOf("e2"),
              ElementsAre(mesos::TASK_RUNNING, mesos::TASK_KILLED));
}

}  // namespace
}  // namespace executor_runtime
