// The machine's floor for the latency benchmarks: a plain TCP echo over
// loopback, no gRPC, no protobuf. One thread writes 16-byte records, an
// echo thread blocked in read() sends each one back, and a reader thread
// blocked in read() takes the round trip: two thread wake-ups per record,
// against the three or more of any gRPC stream (gRPC's pollers, the
// driver's callback thread). Whatever latency this shows at a given
// offered load, no gRPC runtime on the same machine can beat.
//
//   auto client = TcpEchoClient::Start();
//   client->Send(1); client->WaitAcked(1); client->TakeLatencies();
//
// It has the shape of bench_loops.h's clients (Send, WaitAcked, sent,
// TakeLatencies), so RunOfferedLoad drives it like the others.
//
// Thread-safety: Send and sent from one thread; WaitAcked and
// TakeLatencies from that thread too; the echo and reader threads are
// internal.
#ifndef BENCH_TCP_ECHO_H_
#define BENCH_TCP_ECHO_H_

#include <cstdint>
#include <memory>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "bench/latency.h"

namespace executor_runtime {
namespace bench {

class TcpEchoClient {
 public:
  // Listens on 127.0.0.1:0, connects (TCP_NODELAY both ends), starts the
  // echo and reader threads.
  static absl::StatusOr<std::unique_ptr<TcpEchoClient>> Start();
  // Closes the connection and joins the threads.
  ~TcpEchoClient();
  TcpEchoClient(const TcpEchoClient&) = delete;
  TcpEchoClient& operator=(const TcpEchoClient&) = delete;

  // Writes `count` records. UNAVAILABLE if the connection broke.
  absl::Status Send(int count);
  // Blocks until `total` records came back; false if the connection ended
  // first or 60 s passed.
  bool WaitAcked(uint64_t total);
  uint64_t sent() const;
  // Round trips of every record back so far, and forgets them.
  LatencySamples TakeLatencies();

 private:
  class Impl;
  explicit TcpEchoClient(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace bench
}  // namespace executor_runtime

#endif  // BENCH_TCP_ECHO_H_
