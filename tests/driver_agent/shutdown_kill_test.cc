// SHUTDOWN in a real executor process: after the grace period the driver
// kills its process group. The executor runs as a child process in a
// process group of its own (so the kill cannot reach the test runner), set
// up from a Mesos-style environment.
#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"
#include "tests/driver_agent/fixture.h"

namespace executor_runtime {
namespace driver_agent_test {
namespace {

std::string ChildPath() {
  return absl::StrCat(std::getenv("TEST_SRCDIR"), "/",
                      std::getenv("TEST_WORKSPACE"),
                      "/tests/driver_agent/shutdown_child");
}

// Runs shutdown_child in its own process group.
pid_t Spawn(const std::string& mode, const std::vector<std::string>& env) {
  const std::string path = ChildPath();
  std::vector<char*> argv = {const_cast<char*>(path.c_str()),
                             const_cast<char*>(mode.c_str()), nullptr};
  std::vector<char*> envp;
  for (const std::string& entry : env)
    envp.push_back(const_cast<char*>(entry.c_str()));
  envp.push_back(nullptr);
  const pid_t pid = fork();
  if (pid == 0) {
    setpgid(0, 0);
    execve(path.c_str(), argv.data(), envp.data());
    _exit(127);
  }
  if (pid > 0) setpgid(pid, pid);  // also from the parent: no race
  return pid;
}

// Waits for `pid` up to `timeout`; kills its group if it is still running.
bool WaitFor(pid_t pid, absl::Duration timeout, int* status) {
  absl::Notification exited;
  std::thread waiter([&] {
    waitpid(pid, status, 0);
    exited.Notify();
  });
  const bool in_time = exited.WaitForNotificationWithTimeout(timeout);
  if (!in_time) killpg(pid, SIGKILL);
  waiter.join();
  return in_time;
}

class ShutdownKillTest : public ::testing::Test {
 protected:
  std::vector<std::string> ChildEnvironment(const ExecutorRef& ref) {
    return {
        absl::StrCat("MESOS_FRAMEWORK_ID=", ref.framework_id),
        absl::StrCat("MESOS_EXECUTOR_ID=", ref.executor_id),
        "MESOS_SLAVE_ID=agent-1",
        absl::StrCat("MESOS_AGENT_ENDPOINT=", server_.endpoint()),
        "MESOS_CHECKPOINT=1",
        "MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD=300ms",
        "MESOS_SUBSCRIPTION_BACKOFF_MAX=100ms",
        "MESOS_EXECUTOR_AUTHENTICATION_TOKEN=child-token",
    };
  }

  bool ChildSubscribed(const ExecutorRef& ref) {
    return server_.core().WaitUntil(
        [&](const AgentCore& core) {
          std::optional<ExecutorView> view = core.Executor(ref);
          return view.has_value() && view->subscribed;
        },
        absl::Seconds(10));
  }

  AgentServer server_;
};

TEST_F(ShutdownKillTest, ExecutorIgnoringShutdownIsKilledAfterTheGracePeriod) {
  const ExecutorRef ref = server_.AddExecutor("fw", "child", "child-token");
  const pid_t pid = Spawn("ignore", ChildEnvironment(ref));
  ASSERT_GT(pid, 0);
  ASSERT_TRUE(ChildSubscribed(ref));
  const absl::Time sent = absl::Now();
  ASSERT_TRUE(server_.core().Shutdown(ref).ok());
  int status = 0;
  ASSERT_TRUE(WaitFor(pid, absl::Seconds(10), &status));
  EXPECT_GE(absl::Now() - sent, absl::Milliseconds(300));
  ASSERT_TRUE(WIFSIGNALED(status)) << "exit status " << WEXITSTATUS(status);
  EXPECT_EQ(WTERMSIG(status), SIGKILL);
}

TEST_F(ShutdownKillTest, ExecutorStoppingOnShutdownExitsCleanly) {
  const ExecutorRef ref = server_.AddExecutor("fw", "child", "child-token");
  const pid_t pid = Spawn("stop", ChildEnvironment(ref));
  ASSERT_GT(pid, 0);
  ASSERT_TRUE(ChildSubscribed(ref));
  ASSERT_TRUE(server_.core().Shutdown(ref).ok());
  int status = 0;
  ASSERT_TRUE(WaitFor(pid, absl::Seconds(10), &status));
  ASSERT_TRUE(WIFEXITED(status)) << "signal " << WTERMSIG(status);
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

}  // namespace
}  // namespace driver_agent_test
}  // namespace executor_runtime
