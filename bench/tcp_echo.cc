#include "bench/tcp_echo.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <thread>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "bench/ack_counter.h"

namespace executor_runtime {
namespace bench {
namespace {

// One record: 16 bytes, so that the test is of wake-ups, not of copying.
struct Record {
  int64_t sent_nanos;
  uint64_t sequence;
};

absl::Status Errno(const char* what) {
  return absl::UnavailableError(
      absl::StrCat("tcp echo: ", what, ": ", std::strerror(errno)));
}

// Reads exactly `size` bytes; false at EOF or on an error.
bool ReadFully(int fd, void* buffer, size_t size) {
  char* at = static_cast<char*>(buffer);
  while (size > 0) {
    const ssize_t n = read(fd, at, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    at += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

bool WriteFully(int fd, const void* buffer, size_t size) {
  const char* at = static_cast<const char*>(buffer);
  while (size > 0) {
    const ssize_t n = write(fd, at, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    at += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

void SetNoDelay(int fd) {
  const int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

}  // namespace

class TcpEchoClient::Impl {
 public:
  ~Impl() {
    if (client_fd_ >= 0) shutdown(client_fd_, SHUT_RDWR);
    if (echo_.joinable()) echo_.join();
    if (reader_.joinable()) reader_.join();
    for (int fd : {client_fd_, server_fd_, listen_fd_}) {
      if (fd >= 0) close(fd);
    }
  }

  absl::Status Start() {
    listen_fd_ = socket(AF_INET, SOCK_STREAM, 0);
    if (listen_fd_ < 0) return Errno("socket");
    sockaddr_in address = {};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof(address);
    if (bind(listen_fd_, reinterpret_cast<sockaddr*>(&address), length) != 0 ||
        listen(listen_fd_, 1) != 0 ||
        getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&address),
                    &length) != 0) {
      return Errno("listen on 127.0.0.1:0");
    }
    client_fd_ = socket(AF_INET, SOCK_STREAM, 0);
    if (client_fd_ < 0) return Errno("socket");
    if (connect(client_fd_, reinterpret_cast<sockaddr*>(&address), length) !=
        0) {
      return Errno("connect");
    }
    server_fd_ = accept(listen_fd_, nullptr, nullptr);
    if (server_fd_ < 0) return Errno("accept");
    SetNoDelay(client_fd_);
    SetNoDelay(server_fd_);
    echo_ = std::thread([this] { EchoLoop(); });
    reader_ = std::thread([this] { ReadLoop(); });
    return absl::OkStatus();
  }

  absl::Status Send(int count) {
    for (int i = 0; i < count; ++i) {
      const Record record{NowNanos(), sent_};
      if (!WriteFully(client_fd_, &record, sizeof(record))) {
        return Errno("write");
      }
      ++sent_;
    }
    return absl::OkStatus();
  }

  bool WaitAcked(uint64_t total) {
    return acked_.WaitFor(total, absl::Seconds(60));
  }
  uint64_t sent() const { return sent_; }

  LatencySamples TakeLatencies() {
    absl::MutexLock lock(&mu_);
    LatencySamples out;
    std::swap(out, latencies_);
    return out;
  }

 private:
  void EchoLoop() {
    Record record;
    while (ReadFully(server_fd_, &record, sizeof(record)) &&
           WriteFully(server_fd_, &record, sizeof(record))) {
    }
    shutdown(server_fd_, SHUT_RDWR);
  }

  void ReadLoop() {
    Record record;
    while (ReadFully(client_fd_, &record, sizeof(record))) {
      const int64_t now = NowNanos();
      {
        absl::MutexLock lock(&mu_);
        latencies_.Add(now - record.sent_nanos);
      }
      acked_.Increment();
    }
    acked_.Close();
  }

  int listen_fd_ = -1;
  int client_fd_ = -1;
  int server_fd_ = -1;
  std::thread echo_;
  std::thread reader_;
  uint64_t sent_ = 0;  // The sending thread's.
  AckCounter acked_;
  absl::Mutex mu_;
  LatencySamples latencies_ ABSL_GUARDED_BY(mu_);
};

absl::StatusOr<std::unique_ptr<TcpEchoClient>> TcpEchoClient::Start() {
  auto impl = std::make_unique<Impl>();
  absl::Status started = impl->Start();
  if (!started.ok()) return started;
  return std::unique_ptr<TcpEchoClient>(new TcpEchoClient(std::move(impl)));
}

TcpEchoClient::TcpEchoClient(std::unique_ptr<Impl> impl)
    : impl_(std::move(impl)) {}
TcpEchoClient::~TcpEchoClient() = default;

absl::Status TcpEchoClient::Send(int count) { return impl_->Send(count); }
bool TcpEchoClient::WaitAcked(uint64_t total) {
  return impl_->WaitAcked(total);
}
uint64_t TcpEchoClient::sent() const { return impl_->sent(); }
LatencySamples TcpEchoClient::TakeLatencies() {
  return impl_->TakeLatencies();
}

}  // namespace bench
}  // namespace executor_runtime
