// Hostile executors (issue 7, part 4): the agent simulator's Unix sockets
// are owner-only, so that another local user cannot connect as an executor
// (or drive the control service). Checked on the real binary, started with
// a permissive umask (000) so that only the tool's own care makes them so.
#include <sys/stat.h>
#include <unistd.h>

#include <string>

#include "absl/strings/match.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/hostile/sim_process.h"

namespace executor_runtime {
namespace hostile_test {
namespace {

// Mode bits (permissions only) of `path`, or -1 if it does not exist.
int ModeOf(const std::string& path, bool* is_socket = nullptr) {
  struct stat st;
  if (lstat(path.c_str(), &st) != 0) return -1;
  if (is_socket != nullptr) *is_socket = S_ISSOCK(st.st_mode);
  EXPECT_EQ(st.st_uid, getuid()) << path;
  return static_cast<int>(st.st_mode & 07777);
}

std::string SocketPath(const std::string& endpoint) {
  EXPECT_TRUE(absl::StartsWith(endpoint, "unix:")) << endpoint;
  return endpoint.substr(5);
}

TEST(SocketPermissionsTest, ExplicitSocketsAreOwnerOnlyInAnOpenDirectory) {
  TempDir dir;
  ASSERT_EQ(chmod(dir.path().c_str(), 0777), 0);  // Anyone may enter.
  SimulatorProcess sim;
  std::string error;
  ASSERT_TRUE(sim.Start(dir.path(),
                        {"--agent_socket=" + (dir / "agent.sock"),
                         "--control_socket=" + (dir / "control.sock")},
                        {}, /*umask_value=*/0, &error))
      << error;
  for (const std::string name : {"agent.sock", "control.sock"}) {
    SCOPED_TRACE(name);
    bool is_socket = false;
    EXPECT_EQ(ModeOf(dir / name, &is_socket), 0600);
    EXPECT_TRUE(is_socket);
  }
  EXPECT_EQ(sim.Stop(), 0) << sim.Stderr();
}

TEST(SocketPermissionsTest, DefaultSocketsLiveInAPrivateDirectory) {
  TempDir dir;
  SimulatorProcess sim;
  std::string error;
  ASSERT_TRUE(sim.Start(dir.path(), {}, {{"TMPDIR", dir.path()}},
                        /*umask_value=*/0, &error))
      << error;
  const std::string agent = SocketPath(sim.ready().at("agent_endpoint"));
  const std::string control = SocketPath(sim.ready().at("control_endpoint"));
  const std::string private_dir = agent.substr(0, agent.rfind('/'));
  EXPECT_TRUE(absl::StartsWith(private_dir, dir.path() + "/")) << private_dir;
  EXPECT_EQ(ModeOf(private_dir), 0700) << private_dir;
  EXPECT_EQ(ModeOf(agent), 0600);
  EXPECT_EQ(ModeOf(control), 0600);
  EXPECT_EQ(sim.Stop(), 0) << sim.Stderr();
}

TEST(SocketPermissionsTest, WorkDirIsCreatedOwnerOnlyWithTheSocketsInside) {
  TempDir dir;
  const std::string work = dir / "work";
  SimulatorProcess sim;
  std::string error;
  ASSERT_TRUE(sim.Start(dir.path(), {"--work_dir=" + work}, {},
                        /*umask_value=*/0, &error))
      << error;
  EXPECT_EQ(sim.ready().at("agent_endpoint"), "unix:" + work + "/agent.sock");
  EXPECT_EQ(ModeOf(work), 0700);
  EXPECT_EQ(ModeOf(work + "/agent.sock"), 0600);
  EXPECT_EQ(ModeOf(work + "/control.sock"), 0600);
  EXPECT_EQ(sim.Stop(), 0) << sim.Stderr();
}

}  // namespace
}  // namespace hostile_test
}  // namespace executor_runtime
