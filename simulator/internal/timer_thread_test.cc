#include "simulator/internal/timer_thread.h"

#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"

namespace executor_runtime {
namespace simulator_internal {
namespace {

TEST(TimerThreadTest, RunsInTimeOrderNotScheduleOrder) {
  TimerThread timer;
  absl::Mutex mu;
  std::vector<int> order;
  absl::Notification done;
  const absl::Time now = absl::Now();
  timer.Schedule(now + absl::Milliseconds(60), [&] {
    absl::MutexLock lock(&mu);
    order.push_back(3);
    done.Notify();
  });
  timer.Schedule(now + absl::Milliseconds(20), [&] {
    absl::MutexLock lock(&mu);
    order.push_back(2);
  });
  timer.Schedule(now - absl::Seconds(1), [&] {  // Already due.
    absl::MutexLock lock(&mu);
    order.push_back(1);
  });
  ASSERT_TRUE(done.WaitForNotificationWithTimeout(absl::Seconds(10)));
  EXPECT_GE(absl::Now() - now, absl::Milliseconds(60));
  absl::MutexLock lock(&mu);
  EXPECT_EQ(order, (std::vector<int>{1, 2, 3}));
}

TEST(TimerThreadTest, FunctionsMayScheduleMore) {
  TimerThread timer;
  absl::Notification done;
  int ticks = 0;  // Only touched on the timer thread until done.
  std::function<void()> tick = [&] {
    if (++ticks == 5) {
      done.Notify();
      return;
    }
    timer.Schedule(absl::Now() + absl::Milliseconds(1), tick);
  };
  timer.Schedule(absl::Now(), tick);
  ASSERT_TRUE(done.WaitForNotificationWithTimeout(absl::Seconds(10)));
  EXPECT_EQ(ticks, 5);
}

TEST(TimerThreadTest, DestructorDropsWhatIsNotDue) {
  bool ran = false;
  {
    TimerThread timer;
    timer.Schedule(absl::Now() + absl::Hours(1), [&] { ran = true; });
  }
  EXPECT_FALSE(ran);
}

}  // namespace
}  // namespace simulator_internal
}  // namespace executor_runtime
