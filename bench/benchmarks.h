// Registration of the status-update benchmarks, shared by the
// //bench:status_updates binary and its smoke test.
//
// Thread-safety: call each function once, from main, before
// benchmark::RunSpecifiedBenchmarks().
#ifndef BENCH_BENCHMARKS_H_
#define BENCH_BENCHMARKS_H_

namespace executor_runtime {
namespace bench {

// BM_RawGrpcNaive/..., BM_RawGrpcCorked/...: the plain-gRPC baseline, and
// BM_TcpEcho/...: the machine's latency floor (plain TCP).
void RegisterRawGrpcBenchmarks();

// BM_Driver...: ExecutorDriver -> AgentCore -> acknowledgement.
void RegisterDriverBenchmarks();

// BM_ShimTranslate/...: the agent shim's translation cost per message.
void RegisterShimBenchmarks();

// Everything above (and what later issues add).
inline void RegisterAllBenchmarks() {
  RegisterRawGrpcBenchmarks();
  RegisterDriverBenchmarks();
  RegisterShimBenchmarks();
}

}  // namespace bench
}  // namespace executor_runtime

#endif  // BENCH_BENCHMARKS_H_
