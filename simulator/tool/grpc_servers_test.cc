#include "simulator/tool/grpc_servers.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "simulator/control/control.grpc.pb.h"

namespace executor_runtime {
namespace {

// A short directory for sockets (TEST_TMPDIR paths can exceed sun_path).
class SocketDir {
 public:
  SocketDir() {
    std::string templ = "/tmp/grpcsrv.XXXXXX";
    path_ = mkdtemp(templ.data()) != nullptr ? templ : "/tmp";
  }
  ~SocketDir() {
    for (const char* name : {"/s.sock", "/file", "/stale.sock"}) {
      unlink((path_ + name).c_str());
    }
    rmdir(path_.c_str());
  }
  std::string path_;
};

// Binds (and, if `listen_too`, listens on) a Unix socket at `path`.
int BindUnix(const std::string& path, bool listen_too) {
  int fd = socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.data(), path.size());
  EXPECT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  if (listen_too) EXPECT_EQ(listen(fd, 1), 0);
  return fd;
}

TEST(GrpcServersTest, SocketPathChecks) {
  SocketDir dir;
  EXPECT_TRUE(PrepareUnixSocketPath(dir.path_ + "/s.sock").ok());
  absl::Status too_long =
      PrepareUnixSocketPath("/tmp/" + std::string(200, 'x'));
  EXPECT_EQ(too_long.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(too_long.message().find("the limit is 107"), std::string::npos);

  std::ofstream(dir.path_ + "/file") << "x";
  absl::Status file = PrepareUnixSocketPath(dir.path_ + "/file");
  EXPECT_NE(file.message().find("is not a socket"), std::string::npos);

  // A socket nobody listens on (a crashed run) is removed.
  int stale = BindUnix(dir.path_ + "/stale.sock", false);
  close(stale);
  EXPECT_TRUE(PrepareUnixSocketPath(dir.path_ + "/stale.sock").ok());
  EXPECT_NE(access((dir.path_ + "/stale.sock").c_str(), F_OK), 0);

  // A live one is refused.
  int live = BindUnix(dir.path_ + "/s.sock", true);
  absl::Status in_use = PrepareUnixSocketPath(dir.path_ + "/s.sock");
  EXPECT_EQ(in_use.code(), absl::StatusCode::kUnavailable);
  EXPECT_NE(in_use.message().find("another server is using it"),
            std::string::npos);
  close(live);
}

TEST(GrpcServersTest, ServesOnBothWithOwnerOnlySocket) {
  SocketDir dir;
  ServerSpec spec{"127.0.0.1:0", dir.path_ + "/s.sock"};
  control::SimulatorControl::Service service;  // any service will do
  absl::StatusOr<BuiltServer> built =
      BuildServer("test", spec, {&service}, grpc::InsecureServerCredentials());
  ASSERT_TRUE(built.ok()) << built.status();
  EXPECT_GT(built->tcp_port, 0);
  struct stat st;
  ASSERT_EQ(stat(spec.socket.c_str(), &st), 0);
  EXPECT_TRUE(S_ISSOCK(st.st_mode));
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  // The same TCP port again is refused with the address in the message.
  ServerSpec again{absl::StrCat("127.0.0.1:", built->tcp_port), ""};
  control::SimulatorControl::Service other_service;
  absl::StatusOr<BuiltServer> second = BuildServer(
      "other", again, {&other_service}, grpc::InsecureServerCredentials());
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_NE(second.status().message().find(
                "cannot serve the other service on " + again.tcp),
            std::string::npos)
      << second.status();
  built->server->Shutdown();
}

TEST(GrpcServersTest, TcpEndpoints) {
  EXPECT_EQ(TcpEndpoint("0.0.0.0:0", 123), "127.0.0.1:123");
  EXPECT_EQ(TcpEndpoint("[::]:0", 5), "127.0.0.1:5");
  EXPECT_EQ(TcpEndpoint("localhost:0", 7), "localhost:7");
}

TEST(GrpcServersTest, ReadWholeFileNamesWhatItCouldNotRead) {
  absl::StatusOr<std::string> missing =
      ReadWholeFile("/no/such/file.pem", "TLS key");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("cannot read TLS key file "
                                            "/no/such/file.pem"),
            std::string::npos);
}

}  // namespace
}  // namespace executor_runtime
