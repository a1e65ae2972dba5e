#include "simulator/launcher/process_monitor.h"

#include <signal.h>
#include <unistd.h>

#include <cstdlib>

#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"
#include "simulator/launcher/process_launcher.h"

namespace executor_runtime {
namespace {

std::string TempDir() {
  const char* dir = std::getenv("TEST_TMPDIR");
  return dir != nullptr ? dir : "/tmp";
}

TEST(ProcessMonitorTest, ReapsChildAndReportsExitStatus) {
  ProcessMonitor monitor(absl::Milliseconds(5));
  LaunchRequest request;
  request.path = "/bin/sh";
  request.args = {"-c", "exit 3"};
  request.sandbox_directory = TempDir() + "/monitor/exit3";
  absl::StatusOr<LaunchedProcess> process = LaunchProcess(request);
  ASSERT_TRUE(process.ok()) << process.status();
  absl::Notification done;
  ProcessExit seen;
  monitor.Watch(process->pid, process->start_time, true,
                [&](const ProcessExit& exit) {
                  seen = exit;
                  done.Notify();
                });
  ASSERT_TRUE(done.WaitForNotificationWithTimeout(absl::Seconds(10)));
  EXPECT_EQ(seen.pid, process->pid);
  EXPECT_TRUE(seen.status_known);
  EXPECT_EQ(seen.description, "exited with status 3");
  EXPECT_EQ(monitor.size(), 0u);
  // Reaped: the pid is no longer our child.
  EXPECT_EQ(ProbeProcess(process->pid, process->start_time),
            ProcessLiveness::kGone);
}

TEST(ProcessMonitorTest, NoticesTheEndOfAProcessThatIsNotOurChild) {
  // A grandchild: our child forks it, reports its pid and exits, so the
  // grandchild is reparented away from us (as executors are after the
  // simulator restarts).
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  pid_t child = fork();
  if (child == 0) {
    pid_t grandchild = fork();
    if (grandchild == 0) {
      setpgid(0, 0);
      execl("/bin/sleep", "sleep", "30", nullptr);
      _exit(127);
    }
    ssize_t ignored = write(fds[1], &grandchild, sizeof(grandchild));
    (void)ignored;
    _exit(0);
  }
  close(fds[1]);
  pid_t grandchild = 0;
  ASSERT_EQ(read(fds[0], &grandchild, sizeof(grandchild)),
            static_cast<ssize_t>(sizeof(grandchild)));
  close(fds[0]);
  int status;
  waitpid(child, &status, 0);

  ProcessMonitor monitor(absl::Milliseconds(5));
  absl::Notification done;
  ProcessExit seen;
  monitor.Watch(grandchild, ProcessStartTime(grandchild), /*is_child=*/false,
                [&](const ProcessExit& exit) {
                  seen = exit;
                  done.Notify();
                });
  EXPECT_FALSE(done.WaitForNotificationWithTimeout(absl::Milliseconds(100)));
  kill(grandchild, SIGKILL);
  ASSERT_TRUE(done.WaitForNotificationWithTimeout(absl::Seconds(10)));
  EXPECT_FALSE(seen.status_known);
  EXPECT_EQ(seen.pid, grandchild);
}

TEST(ProcessMonitorTest, UnwatchedProcessGetsNoCallback) {
  ProcessMonitor monitor(absl::Milliseconds(5));
  LaunchRequest request;
  request.path = "/bin/sleep";
  request.args = {"30"};
  request.sandbox_directory = TempDir() + "/monitor/unwatch";
  absl::StatusOr<LaunchedProcess> process = LaunchProcess(request);
  ASSERT_TRUE(process.ok()) << process.status();
  bool called = false;
  monitor.Watch(process->pid, process->start_time, true,
                [&](const ProcessExit&) { called = true; });
  EXPECT_EQ(monitor.size(), 1u);
  monitor.Unwatch(process->pid);
  EXPECT_EQ(monitor.size(), 0u);
  kill(process->pid, SIGKILL);
  int status;
  waitpid(process->pid, &status, 0);
  absl::SleepFor(absl::Milliseconds(30));  // a few poll rounds: none may call
  EXPECT_FALSE(called);
}

}  // namespace
}  // namespace executor_runtime
