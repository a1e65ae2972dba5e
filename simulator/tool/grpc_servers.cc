#include "simulator/tool/grpc_servers.h"

#include <errno.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace executor_runtime {

absl::StatusOr<std::string> ReadWholeFile(const std::string& path,
                                          absl::string_view what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::InvalidArgumentError(absl::StrCat(
        "cannot read ", what, " file ", path, ": ", std::strerror(errno)));
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

absl::Status PrepareUnixSocketPath(const std::string& path) {
  if (path.size() > kMaxUnixPath) {
    return absl::InvalidArgumentError(
        absl::StrCat("unix socket path ", path, " is ", path.size(),
                     " bytes long; the limit is ", kMaxUnixPath,
                     " (choose a shorter path)"));
  }
  struct stat st;
  if (lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return absl::OkStatus();
    return absl::InvalidArgumentError(
        absl::StrCat("cannot use ", path, ": ", std::strerror(errno)));
  }
  if (!S_ISSOCK(st.st_mode)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "cannot listen on ", path, ": it exists and is not a socket"));
  }
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd >= 0) {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::memcpy(addr.sun_path, path.data(), path.size());
    bool live =
        connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
    close(fd);
    if (live) {
      return absl::UnavailableError(absl::StrCat(
          "cannot listen on ", path, ": another server is using it"));
    }
  }
  unlink(path.c_str());  // stale
  return absl::OkStatus();
}

absl::StatusOr<BuiltServer> BuildServer(
    absl::string_view name, const ServerSpec& spec,
    const std::vector<grpc::Service*>& services,
    std::shared_ptr<grpc::ServerCredentials> credentials) {
  grpc::ServerBuilder builder;
  // gRPC sets SO_REUSEPORT by default: a second server on a port in use
  // would then share it silently instead of failing.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  BuiltServer built;
  if (!spec.tcp.empty()) {
    builder.AddListeningPort(spec.tcp, credentials, &built.tcp_port);
  }
  if (!spec.socket.empty()) {
    absl::Status prepared = PrepareUnixSocketPath(spec.socket);
    if (!prepared.ok()) return prepared;
    builder.AddListeningPort("unix:" + spec.socket, credentials);
  }
  for (grpc::Service* service : services) builder.RegisterService(service);
  // The socket file is created owner-only (and chmod'ed again below).
  mode_t old_mask = umask(0077);
  built.server = builder.BuildAndStart();
  umask(old_mask);
  std::string where = absl::StrJoin(
      std::vector<std::string>{
          spec.tcp, spec.socket.empty() ? "" : "unix:" + spec.socket},
      " and ");
  if (built.server == nullptr || (!spec.tcp.empty() && built.tcp_port == 0)) {
    if (built.server != nullptr) built.server->Shutdown();
    return absl::UnavailableError(
        absl::StrCat("cannot serve the ", name, " service on ", where,
                     " (address in use, or not a valid address?)"));
  }
  if (!spec.socket.empty()) chmod(spec.socket.c_str(), 0600);
  return built;
}

std::string TcpEndpoint(const std::string& listen, int port) {
  // "0.0.0.0:0" -> "127.0.0.1:<port>"; "host:0" -> "host:<port>".
  std::string host = listen.substr(0, listen.rfind(':'));
  if (host.empty() || host == "0.0.0.0" || host == "[::]" || host == "::") {
    host = "127.0.0.1";
  }
  return absl::StrCat(host, ":", port);
}

}  // namespace executor_runtime
