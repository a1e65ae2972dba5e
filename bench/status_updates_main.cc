// //bench:status_updates: acknowledged status updates per second and their
// latency, the runtime against a plain-gRPC baseline. bench/run.sh runs it
// and writes docs/BENCHMARKS.md.
//
//   bazel run -c opt //bench:status_updates -- --benchmark_format=json
#include "absl/synchronization/mutex.h"
#include "bench/benchmarks.h"
#include "benchmark/benchmark.h"

int main(int argc, char** argv) {
  // Debian's Abseil is built with mutex deadlock detection on, a graph
  // update per lock that a production binary turns off (the simulator
  // does too). It applies to the whole process: baseline and runtime alike.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  executor_runtime::bench::RegisterAllBenchmarks();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
