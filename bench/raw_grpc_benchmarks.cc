// BM_RawGrpcNaive / BM_RawGrpcCorked: the baseline, see raw_grpc.h; and
// BM_TcpEcho: the latency floor of the machine, see tcp_echo.h.
#include <memory>
#include <string>

#include "bench/bench_loops.h"
#include "bench/benchmarks.h"
#include "bench/raw_grpc.h"
#include "bench/tcp_echo.h"
#include "benchmark/benchmark.h"

namespace executor_runtime {
namespace bench {
namespace {

void BM_RawWindowed(benchmark::State& state, RawMode mode, int window) {
  RawAckServer server(mode);
  auto client = RawClient::Connect(
      server.target(), mode, window == 1 ? 1 : kThroughputLatencySampleEvery);
  if (!client.ok()) {
    state.SkipWithError(std::string(client.status().message()).c_str());
    return;
  }
  RunWindowed(state, **client, window,
              window == 1 ? kRoundTripBatch : kThroughputBatch);
}

void BM_RawLoad(benchmark::State& state, RawMode mode, double rate) {
  RawAckServer server(mode);
  auto client = RawClient::Connect(server.target(), mode);
  if (!client.ok()) {
    state.SkipWithError(std::string(client.status().message()).c_str());
    return;
  }
  RunOfferedLoad(state, **client, rate);
}

// The machine's floor: the same paced load over a plain TCP echo.
void BM_TcpEchoLoad(benchmark::State& state, double rate) {
  auto client = TcpEchoClient::Start();
  if (!client.ok()) {
    state.SkipWithError(std::string(client.status().message()).c_str());
    return;
  }
  RunOfferedLoad(state, **client, rate);
}

}  // namespace

void RegisterRawGrpcBenchmarks() {
  benchmark::RegisterBenchmark("BM_RawGrpcNaive/window:1", BM_RawWindowed,
                               RawMode::kNaive, 1)
      ->UseManualTime()
      ->Unit(benchmark::kMicrosecond);
  benchmark::RegisterBenchmark("BM_RawGrpcNaive/window:unbounded",
                               BM_RawWindowed, RawMode::kNaive, 0)
      ->UseManualTime()
      ->Unit(benchmark::kMicrosecond);
  benchmark::RegisterBenchmark("BM_RawGrpcCorked/window:unbounded",
                               BM_RawWindowed, RawMode::kCorked, 0)
      ->UseManualTime()
      ->Unit(benchmark::kMicrosecond);
  benchmark::RegisterBenchmark("BM_RawGrpcNaive/offered:1k", BM_RawLoad,
                               RawMode::kNaive, 1000.0)
      ->UseManualTime()
      ->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("BM_RawGrpcNaive/offered:10k", BM_RawLoad,
                               RawMode::kNaive, 10000.0)
      ->UseManualTime()
      ->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("BM_TcpEcho/offered:1k", BM_TcpEchoLoad,
                               1000.0)
      ->UseManualTime()
      ->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("BM_TcpEcho/offered:10k", BM_TcpEchoLoad,
                               10000.0)
      ->UseManualTime()
      ->Unit(benchmark::kMillisecond);
}

}  // namespace bench
}  // namespace executor_runtime
