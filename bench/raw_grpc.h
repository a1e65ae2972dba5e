// The baseline the runtime is measured against: status updates over a plain
// gRPC bidirectional stream (Agent.Connect with our Call/Event messages), as
// a careful user would write it without the runtime. The client writes one
// UPDATE per Write() from the sending thread and reads acknowledgements on a
// reader thread; the server answers each UPDATE with one ACKNOWLEDGED.
//
//   RawAckServer server(RawMode::kNaive);
//   auto client = RawClient::Connect(server.target(), RawMode::kNaive);
//   (*client)->Send(1000);
//   (*client)->WaitAcked(1000);
//
// kCorked is the same protocol with WriteOptions::set_buffer_hint() on every
// write but the last one queued (client: of each Send() batch; server: of
// the acknowledgements its writer thread found queued).
//
// Thread-safety: RawAckServer is safe to use from any thread. A RawClient is
// driven by one sending thread; WaitAcked() and TakeLatencies() may be
// called from it too.
#ifndef BENCH_RAW_GRPC_H_
#define BENCH_RAW_GRPC_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "bench/latency.h"

namespace grpc {
class Server;
}  // namespace grpc

namespace executor_runtime {
namespace bench {

enum class RawMode { kNaive, kCorked };

// An Agent service that acknowledges every UPDATE and nothing else, on
// 127.0.0.1 with a kernel-chosen port.
class RawAckServer {
 public:
  explicit RawAckServer(RawMode mode);
  ~RawAckServer();
  RawAckServer(const RawAckServer&) = delete;
  RawAckServer& operator=(const RawAckServer&) = delete;

  // "127.0.0.1:<port>".
  const std::string& target() const { return target_; }

 private:
  class Service;
  std::unique_ptr<Service> service_;
  std::unique_ptr<grpc::Server> server_;
  std::string target_;
};

class RawClient {
 public:
  // Opens a stream, sends SUBSCRIBE and waits for SUBSCRIBED. Latency is
  // measured on every `latency_sample_every`-th update (1: all).
  static absl::StatusOr<std::unique_ptr<RawClient>> Connect(
      const std::string& target, RawMode mode, int latency_sample_every = 1);
  // Half-closes the stream and waits for the server to end it.
  ~RawClient();
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  // Writes `count` UPDATE calls back to back. UNAVAILABLE if the stream
  // broke.
  absl::Status Send(int count);
  // Blocks until `total` acknowledgements arrived since Connect(); false if
  // the stream ended first or 60 s passed.
  bool WaitAcked(uint64_t total);
  uint64_t sent() const { return sent_; }
  // Latency of the sampled acknowledged updates so far (send ->
  // acknowledgement read), and forgets them.
  LatencySamples TakeLatencies();

 private:
  class Impl;
  explicit RawClient(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
  uint64_t sent_ = 0;
};

}  // namespace bench
}  // namespace executor_runtime

#endif  // BENCH_RAW_GRPC_H_
