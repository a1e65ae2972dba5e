// Runs every status-update benchmark briefly (--benchmark_min_time=0.01, one
// short iteration each) so that they cannot rot: each must run without
// error and report items_per_second > 0 and the p50_us/p99_us counters, and
// each benchmark family must be registered. The 1,000-executor case is left
// to bench/run.sh (1,000 drivers in one process take minutes under ASan on
// 2 cores); tests/load covers 1,000 connections for correctness.
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "bench/benchmarks.h"
#include "benchmark/benchmark.h"

namespace {

class CheckingReporter : public benchmark::BenchmarkReporter {
 public:
  bool ReportContext(const Context&) override { return true; }

  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& run : runs) {
      const std::string name = run.benchmark_name();
      ++seen_;
      names_.push_back(name);
      if (run.error_occurred) {
        Fail(name, "error: " + run.error_message);
        continue;
      }
      auto items = run.counters.find("items_per_second");
      if (items == run.counters.end() || !(items->second.value > 0)) {
        Fail(name, "items_per_second missing or not > 0");
      }
      for (const char* counter : {"p50_us", "p99_us"}) {
        if (run.counters.find(counter) == run.counters.end()) {
          Fail(name, std::string("counter missing: ") + counter);
        }
      }
      std::printf("ran %s: items_per_second=%.0f\n", name.c_str(),
                  items == run.counters.end() ? 0.0 : items->second.value);
    }
  }

  int seen() const { return seen_; }
  int failures() const { return failures_; }
  const std::vector<std::string>& names() const { return names_; }

 private:
  void Fail(const std::string& name, const std::string& what) {
    ++failures_;
    std::fprintf(stderr, "FAIL %s: %s\n", name.c_str(), what.c_str());
  }

  int seen_ = 0;
  int failures_ = 0;
  std::vector<std::string> names_;
};

}  // namespace

int main(int argc, char** argv) {
  executor_runtime::bench::RegisterAllBenchmarks();
  std::vector<char*> args = {argv[0]};
  std::string min_time = "--benchmark_min_time=0.01";
  args.push_back(min_time.data());
  std::string filter = "--benchmark_filter=-executors:1000";
  args.push_back(filter.data());
  for (int i = 1; i < argc; ++i) args.push_back(argv[i]);
  int args_count = static_cast<int>(args.size());
  benchmark::Initialize(&args_count, args.data());

  CheckingReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();

  int failures = reporter.failures();
  // Every family must have run: a lost registration is a failure too.
  for (const char* prefix :
       {"BM_RawGrpcNaive/window:1", "BM_RawGrpcNaive/window:unbounded",
        "BM_RawGrpcCorked/", "BM_RawGrpcNaive/offered:", "BM_Driver",
        "BM_ShimTranslate/"}) {
    bool found = false;
    for (const std::string& name : reporter.names()) {
      if (name.rfind(prefix, 0) == 0) found = true;
    }
    if (!found) {
      ++failures;
      std::fprintf(stderr, "FAIL: no benchmark named %s... ran\n", prefix);
    }
  }
  std::printf("%d benchmarks ran, %d failures\n", reporter.seen(), failures);
  return failures == 0 ? 0 : 1;
}
