// //bench:status_updates: acknowledged status updates per second and their
// latency, the runtime against a plain-gRPC baseline. bench/run.sh runs it
// and writes docs/BENCHMARKS.md.
//
//   bazel run -c opt //bench:status_updates -- --benchmark_format=json
#include "bench/benchmarks.h"
#include "benchmark/benchmark.h"

int main(int argc, char** argv) {
  executor_runtime::bench::RegisterAllBenchmarks();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
