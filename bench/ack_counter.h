// AckCounter: acknowledgements counted by the benchmark clients' reader
// threads and awaited by the benchmark thread. Counting is one atomic add;
// the mutex is taken only to wake a waiter whose target was reached, so the
// harness weighs as little as possible on the throughput it measures.
//
// Thread-safety: all methods are thread-safe; one thread waits at a time.
#ifndef BENCH_ACK_COUNTER_H_
#define BENCH_ACK_COUNTER_H_

#include <atomic>
#include <cstdint>

#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace executor_runtime {
namespace bench {

class AckCounter {
 public:
  void Increment() {
    const uint64_t acked = acked_.fetch_add(1) + 1;
    if (acked >= target_.load()) Wake();
  }
  // No more acknowledgements will come (the stream ended): wakes a waiter.
  void Close() {
    closed_.store(true);
    Wake();
  }
  // Blocks until `total` acknowledgements were counted; false if the
  // counter was closed or `timeout` passed first.
  bool WaitFor(uint64_t total, absl::Duration timeout) {
    absl::MutexLock lock(&mu_);
    // Sequentially consistent: either Increment sees this target, or this
    // thread sees its count below.
    target_.store(total);
    const absl::Time deadline = absl::Now() + timeout;
    while (acked_.load() < total && !closed_.load()) {
      if (wake_.WaitWithDeadline(&mu_, deadline)) break;
    }
    return acked_.load() >= total;
  }

 private:
  void Wake() {
    absl::MutexLock lock(&mu_);
    wake_.SignalAll();
  }

  std::atomic<uint64_t> acked_{0};
  std::atomic<uint64_t> target_{UINT64_MAX};
  std::atomic<bool> closed_{false};
  absl::Mutex mu_;
  absl::CondVar wake_;
};

}  // namespace bench
}  // namespace executor_runtime

#endif  // BENCH_ACK_COUNTER_H_
