// TimerThread: one thread that runs scheduled functions at their time.
// AgentCore uses it for HEARTBEAT events (one periodic tick for every
// stream) and for delayed acknowledgements (fault injection).
//
//   TimerThread timer;
//   timer.Schedule(absl::Now() + absl::Milliseconds(10), [] { ... });
//
// Thread-safety: Schedule may be called from any thread, including from a
// scheduled function. Functions run one at a time on the timer thread with
// no TimerThread lock held, in time order (ties in schedule order). The
// destructor stops the thread; functions not yet due are dropped and none
// runs after the destructor returned.
#ifndef SIMULATOR_INTERNAL_TIMER_THREAD_H_
#define SIMULATOR_INTERNAL_TIMER_THREAD_H_

#include <cstdint>
#include <functional>
#include <map>
#include <thread>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace executor_runtime {
namespace simulator_internal {

class TimerThread {
 public:
  TimerThread();
  ~TimerThread();
  TimerThread(const TimerThread&) = delete;
  TimerThread& operator=(const TimerThread&) = delete;

  // Runs `fn` at `when` (or at once if `when` has passed).
  void Schedule(absl::Time when, std::function<void()> fn);

 private:
  void Run();

  absl::Mutex mu_;
  // Keyed by (time, schedule order).
  std::map<std::pair<absl::Time, uint64_t>, std::function<void()>> due_
      ABSL_GUARDED_BY(mu_);
  uint64_t next_order_ ABSL_GUARDED_BY(mu_) = 0;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  absl::CondVar changed_;
  std::thread thread_;  // Last: starts after the members above exist.
};

}  // namespace simulator_internal
}  // namespace executor_runtime

#endif  // SIMULATOR_INTERNAL_TIMER_THREAD_H_
