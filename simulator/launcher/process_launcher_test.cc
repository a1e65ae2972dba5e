#include "simulator/launcher/process_launcher.h"

#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"

namespace executor_runtime {
namespace {

std::string TempDir() {
  const char* dir = std::getenv("TEST_TMPDIR");
  return dir != nullptr ? dir : "/tmp";
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

int WaitForExit(pid_t pid) {
  int status = 0;
  EXPECT_EQ(waitpid(pid, &status, 0), pid);
  return status;
}

TEST(ProcessLauncherTest, RunsInSandboxWithEnvironmentAndOutputFiles) {
  LaunchRequest request;
  request.path = "/bin/sh";
  request.args = {"-c", "echo id=$MESOS_EXECUTOR_ID; pwd; echo oops >&2"};
  request.environment = {{"MESOS_EXECUTOR_ID", "e1"}, {"PATH", "/bin"}};
  request.sandbox_directory = TempDir() + "/launcher/a/b/sandbox";
  absl::StatusOr<LaunchedProcess> process = LaunchProcess(request);
  ASSERT_TRUE(process.ok()) << process.status();
  int status = WaitForExit(process->pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_EQ(ReadFile(request.sandbox_directory + "/stdout"),
            absl::StrCat("id=e1\n", request.sandbox_directory, "\n"));
  EXPECT_EQ(ReadFile(request.sandbox_directory + "/stderr"), "oops\n");
}

TEST(ProcessLauncherTest, ChildLeadsItsOwnProcessGroup) {
  LaunchRequest request;
  request.path = "/bin/sleep";
  request.args = {"30"};
  request.sandbox_directory = TempDir() + "/launcher/pgroup";
  absl::StatusOr<LaunchedProcess> process = LaunchProcess(request);
  ASSERT_TRUE(process.ok()) << process.status();
  EXPECT_EQ(process->process_group, process->pid);
  EXPECT_EQ(getpgid(process->pid), process->pid);
  EXPECT_NE(getpgid(process->pid), getpgrp());
  EXPECT_NE(process->start_time, 0u);
  EXPECT_EQ(ProcessStartTime(process->pid), process->start_time);
  ASSERT_TRUE(SignalProcessGroup(process->process_group, SIGKILL).ok());
  int status = WaitForExit(process->pid);
  ASSERT_TRUE(WIFSIGNALED(status));
  EXPECT_EQ(WTERMSIG(status), SIGKILL);
  EXPECT_EQ(DescribeWaitStatus(status), "killed by signal 9 (Killed)");
}

TEST(ProcessLauncherTest, SignalingTheGroupReachesGrandchildren) {
  const std::string sandbox = TempDir() + "/launcher/grandchild";
  LaunchRequest request;
  request.path = "/bin/sh";
  // The shell starts a background sleep and records its pid, then waits.
  request.args = {"-c", "sleep 30 & echo $! > child.pid; wait"};
  request.sandbox_directory = sandbox;
  absl::StatusOr<LaunchedProcess> process = LaunchProcess(request);
  ASSERT_TRUE(process.ok()) << process.status();
  pid_t grandchild = 0;
  for (int i = 0; i < 500 && grandchild == 0; ++i) {
    std::string text = ReadFile(sandbox + "/child.pid");
    if (!text.empty() && text.back() == '\n')
      grandchild = std::atoi(text.c_str());
    if (grandchild == 0) absl::SleepFor(absl::Milliseconds(10));
  }
  ASSERT_GT(grandchild, 0);
  EXPECT_EQ(getpgid(grandchild), process->pid);
  ASSERT_TRUE(SignalProcessGroup(process->process_group, SIGKILL).ok());
  WaitForExit(process->pid);
  // The grandchild got the signal too (it is reparented and reaped, or a
  // zombie, but no longer running).
  ProcessLiveness liveness = ProcessLiveness::kRunning;
  for (int i = 0; i < 500 && liveness == ProcessLiveness::kRunning; ++i) {
    liveness = ProbeProcess(grandchild, 0);
    if (liveness == ProcessLiveness::kRunning)
      absl::SleepFor(absl::Milliseconds(10));
  }
  EXPECT_NE(liveness, ProcessLiveness::kRunning);
}

TEST(ProcessLauncherTest, MissingExecutableIsNotFound) {
  LaunchRequest request;
  request.path = TempDir() + "/no/such/executor";
  request.sandbox_directory = TempDir() + "/launcher/missing";
  absl::StatusOr<LaunchedProcess> process = LaunchProcess(request);
  ASSERT_FALSE(process.ok());
  EXPECT_EQ(process.status().code(), absl::StatusCode::kNotFound);
  EXPECT_NE(process.status().message().find("does not exist"),
            std::string::npos);
}

TEST(ProcessLauncherTest, NonExecutableIsRefused) {
  const std::string path = TempDir() + "/launcher-not-executable";
  std::ofstream(path) << "#!/bin/sh\n";
  chmod(path.c_str(), 0644);
  LaunchRequest request;
  request.path = path;
  request.sandbox_directory = TempDir() + "/launcher/noexec";
  absl::StatusOr<LaunchedProcess> process = LaunchProcess(request);
  ASSERT_FALSE(process.ok());
  EXPECT_EQ(process.status().code(), absl::StatusCode::kPermissionDenied);

  request.path = TempDir();  // a directory
  process = LaunchProcess(request);
  ASSERT_FALSE(process.ok());
  EXPECT_EQ(process.status().code(), absl::StatusCode::kPermissionDenied);
}

TEST(ProcessLauncherTest, ExecFailureIsReported) {
  // Executable bit set, but not a valid program: execve fails (ENOEXEC).
  const std::string path = TempDir() + "/launcher-garbage";
  std::ofstream(path) << "\x7f"
                         "ELFgarbage";
  chmod(path.c_str(), 0755);
  LaunchRequest request;
  request.path = path;
  request.sandbox_directory = TempDir() + "/launcher/garbage";
  absl::StatusOr<LaunchedProcess> process = LaunchProcess(request);
  ASSERT_FALSE(process.ok());
  EXPECT_NE(process.status().message().find("cannot exec"), std::string::npos)
      << process.status();
}

TEST(ProcessLauncherTest, SafePathComponents) {
  EXPECT_TRUE(IsSafePathComponent("exec-1.a_b"));
  EXPECT_FALSE(IsSafePathComponent(""));
  EXPECT_FALSE(IsSafePathComponent(".."));
  EXPECT_FALSE(IsSafePathComponent("a/b"));
  EXPECT_FALSE(IsSafePathComponent("a b"));
  EXPECT_FALSE(IsSafePathComponent(std::string(201, 'a')));
}

TEST(ProcessLauncherTest, ProbeSeesRunningAndGoneAndReusedPids) {
  EXPECT_EQ(ProbeProcess(getpid(), ProcessStartTime(getpid())),
            ProcessLiveness::kRunning);
  // A different start time means another process now has the pid.
  EXPECT_EQ(ProbeProcess(getpid(), ProcessStartTime(getpid()) + 1),
            ProcessLiveness::kGone);
  pid_t child = fork();
  if (child == 0) _exit(0);
  // Not reaped yet: a zombie.
  ProcessLiveness liveness = ProcessLiveness::kRunning;
  for (int i = 0; i < 500 && liveness == ProcessLiveness::kRunning; ++i) {
    liveness = ProbeProcess(child, 0);
    if (liveness == ProcessLiveness::kRunning)
      absl::SleepFor(absl::Milliseconds(10));
  }
  EXPECT_EQ(liveness, ProcessLiveness::kZombie);
  WaitForExit(child);
  EXPECT_EQ(ProbeProcess(child, 0), ProcessLiveness::kGone);
}

TEST(ProcessLauncherTest, RefusesToSignalInitOrOurselvesByAccident) {
  EXPECT_FALSE(SignalProcessGroup(0, SIGTERM).ok());
  EXPECT_FALSE(SignalProcessGroup(1, SIGTERM).ok());
}

}  // namespace
}  // namespace executor_runtime
