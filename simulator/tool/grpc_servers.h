// gRPC server plumbing for the agent simulator: listening on TCP and/or a
// Unix socket (owner-only, refusing a socket another server still uses),
// TLS credentials from PEM files, and the endpoints executors dial.
//
// Thread-safety: functions are safe to call from any thread, but
// BuildServer changes the process umask briefly: call it before other
// threads create files.
#ifndef SIMULATOR_TOOL_GRPC_SERVERS_H_
#define SIMULATOR_TOOL_GRPC_SERVERS_H_

#include <sys/un.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "grpcpp/grpcpp.h"

namespace executor_runtime {

// The longest Unix socket path (sun_path less its terminating NUL).
inline constexpr size_t kMaxUnixPath = sizeof(sockaddr_un{}.sun_path) - 1;

// The contents of a file; INVALID_ARGUMENT naming `what` and the path if it
// cannot be read.
absl::StatusOr<std::string> ReadWholeFile(const std::string& path,
                                          absl::string_view what);

// Makes `path` ready for a listening Unix socket: short enough, and no live
// server on it (a stale socket file from a crashed run is removed).
// INVALID_ARGUMENT or UNAVAILABLE naming the problem.
absl::Status PrepareUnixSocketPath(const std::string& path);

struct ServerSpec {
  std::string tcp;     // "" or "host:port" (port 0: any)
  std::string socket;  // "" or a Unix socket path
};

struct BuiltServer {
  std::unique_ptr<grpc::Server> server;
  int tcp_port = 0;  // the bound port, if `tcp` was given
};

// Starts a server for `services` on `spec`; the socket file is mode 0600.
// UNAVAILABLE naming the address if it cannot listen (e.g. in use).
absl::StatusOr<BuiltServer> BuildServer(
    absl::string_view name, const ServerSpec& spec,
    const std::vector<grpc::Service*>& services,
    std::shared_ptr<grpc::ServerCredentials> credentials);

// What a client dials for a TCP listen address and its bound port:
// "0.0.0.0:0" -> "127.0.0.1:<port>", "host:0" -> "host:<port>".
std::string TcpEndpoint(const std::string& listen, int port);

}  // namespace executor_runtime

#endif  // SIMULATOR_TOOL_GRPC_SERVERS_H_
