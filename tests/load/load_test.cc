// Load (issue 7, part 5): 1,000 executor connections against one AgentCore
// in this process. Most are raw Connect streams (gRPC callback reactors,
// each on its own channel, so its own TCP connection); some are real
// ExecutorDrivers. Every executor authenticates, subscribes, gets a task
// launched and sends kUpdatesPerExecutor updates. Checked: no update lost
// or duplicated (each recorded exactly once, each acknowledged to its
// sender); memory (VmRSS) and file descriptors grow by a bounded amount per
// connection; at the end every stream closes cleanly, the descriptors
// return to the baseline and the agent has no subscribed executor.
// The figures are printed (see tests/hostile/RELIABILITY-part.md).
#include <grpcpp/grpcpp.h>
#include <grpcpp/support/client_callback.h>

#include <atomic>
#include <cstdio>
#include <deque>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "driver/executor_driver.h"
#include "gtest/gtest.h"
#include "tests/hostile/hostile_util.h"
#include "util/uuid.h"

namespace executor_runtime {
namespace hostile_test {
namespace {

using mesos::executor::Call;
using mesos::executor::Event;

constexpr int kRawExecutors = 980;
constexpr int kDrivers = 20;
constexpr int kConnections = kRawExecutors + kDrivers;
constexpr int kUpdatesPerExecutor = 5;
// Bounds per connection (client and server side both live in this process,
// so these are upper bounds of the agent's own cost). AddressSanitizer's
// redzones and quarantine about quadruple the memory (measured 512 KiB).
#if defined(__SANITIZE_ADDRESS__)
constexpr double kMaxRssKibPerConnection = 4 * 256;
#else
constexpr double kMaxRssKibPerConnection = 256;
#endif
constexpr double kMaxFdsPerConnection = 2.2;  // A socket at each end.
constexpr size_t kFdSlack = 32;               // gRPC's own, timers, logs.

std::string TokenOf(const std::string& executor_id) {
  return "token-" + executor_id + "-5e1f0a";
}

std::string TaskOf(const std::string& executor_id) {
  return "task-" + executor_id;
}

// A count that the test waits for.
class Counter {
 public:
  void Add() {
    absl::MutexLock lock(&mu_);
    ++count_;
    changed_.SignalAll();
  }
  int value() const {
    absl::MutexLock lock(&mu_);
    return count_;
  }
  // Whether the count reached `target` within `timeout`.
  bool WaitFor(int target, absl::Duration timeout) const {
    const absl::Time deadline = absl::Now() + timeout;
    absl::MutexLock lock(&mu_);
    while (count_ < target) {
      if (changed_.WaitWithDeadline(&mu_, deadline)) return count_ >= target;
    }
    return true;
  }

 private:
  mutable absl::Mutex mu_;
  mutable absl::CondVar changed_;
  int count_ ABSL_GUARDED_BY(mu_) = 0;
};

struct Progress {
  Counter subscribed;  // Executors subscribed (once each).
  Counter all_acked;   // Executors whose every update was acknowledged.
  Counter done;        // Raw streams finished (OnDone).
};

// One executor on a raw stream. Reactions never block; one write in flight,
// the rest queued; deleted by the test after OnDone.
class RawExecutor : public grpc::ClientBidiReactor<Call, Event> {
 public:
  RawExecutor(mesos::executor::Agent::Stub* stub, ExecutorRef ref,
              Progress* progress)
      : ref_(std::move(ref)), progress_(progress) {
    context_.AddMetadata("authorization",
                         "Bearer " + TokenOf(ref_.executor_id));
    context_.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(90)));
    stub->async()->Connect(&context_, this);
    StartRead(&event_);
    Enqueue(SubscribeCall(ref_, /*batched=*/true));
    StartCall();
  }

  // Half-closes once every queued call is written.
  void Close() {
    absl::MutexLock lock(&mu_);
    close_requested_ = true;
    MaybeWriteLocked();
  }

  const ExecutorRef& ref() const { return ref_; }
  std::vector<std::string> sent() const {
    absl::MutexLock lock(&mu_);
    return sent_uuids_;
  }
  std::multiset<std::string> acked() const {
    absl::MutexLock lock(&mu_);
    return acked_uuids_;
  }
  grpc::Status status() const {
    absl::MutexLock lock(&mu_);
    return status_;
  }

  void OnReadDone(bool ok) override {
    if (!ok) return;  // OnDone follows.
    bool subscribed = false;
    bool all_acked = false;
    {
      absl::MutexLock lock(&mu_);
      switch (event_.type()) {
        case Event::SUBSCRIBED:
          subscribed = true;
          break;
        case Event::LAUNCH:
          for (int i = 0; i < kUpdatesPerExecutor; ++i) {
            const std::string uuid = NewUuidBytes();
            sent_uuids_.push_back(uuid);
            EnqueueLocked(
                UpdateCall(ref_, event_.launch().task().task_id().value(),
                           i + 1 < kUpdatesPerExecutor ? mesos::TASK_RUNNING
                                                       : mesos::TASK_FINISHED,
                           uuid));
          }
          break;
        case Event::ACKNOWLEDGED:
          for (const auto& [task, uuid] : AcksOf(event_)) {
            acked_uuids_.insert(uuid);
          }
          all_acked =
              !counted_acked_ && acked_uuids_.size() >= kUpdatesPerExecutor;
          if (all_acked) counted_acked_ = true;
          break;
        default:
          break;
      }
    }
    if (subscribed) progress_->subscribed.Add();
    if (all_acked) progress_->all_acked.Add();
    StartRead(&event_);
  }

  void OnWriteDone(bool ok) override {
    absl::MutexLock lock(&mu_);
    write_in_flight_ = false;
    if (!ok) return;  // The stream is over; OnDone tells why.
    MaybeWriteLocked();
  }

  void OnDone(const grpc::Status& status) override {
    {
      absl::MutexLock lock(&mu_);
      status_ = status;
    }
    progress_->done.Add();
  }

 private:
  void Enqueue(Call call) {
    absl::MutexLock lock(&mu_);
    EnqueueLocked(std::move(call));
  }
  void EnqueueLocked(Call call) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    queue_.push_back(std::move(call));
    MaybeWriteLocked();
  }
  void MaybeWriteLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (write_in_flight_ || writes_done_) return;
    if (!queue_.empty()) {
      writing_ = std::move(queue_.front());
      queue_.pop_front();
      write_in_flight_ = true;
      StartWrite(&writing_);
    } else if (close_requested_) {
      writes_done_ = true;
      StartWritesDone();
    }
  }

  const ExecutorRef ref_;
  Progress* const progress_;
  grpc::ClientContext context_;
  Event event_;  // Used by the reading side only.

  mutable absl::Mutex mu_;
  std::deque<Call> queue_ ABSL_GUARDED_BY(mu_);
  Call writing_ ABSL_GUARDED_BY(mu_);
  bool write_in_flight_ ABSL_GUARDED_BY(mu_) = false;
  bool close_requested_ ABSL_GUARDED_BY(mu_) = false;
  bool writes_done_ ABSL_GUARDED_BY(mu_) = false;
  bool counted_acked_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::string> sent_uuids_ ABSL_GUARDED_BY(mu_);
  std::multiset<std::string> acked_uuids_ ABSL_GUARDED_BY(mu_);
  grpc::Status status_ ABSL_GUARDED_BY(mu_);
};

// A real driver's executor: sends its updates when its task arrives.
class DriverExecutor : public EventHandler {
 public:
  explicit DriverExecutor(Progress* progress) : progress_(progress) {}
  void Subscribed(ExecutorDriver*, const Event::Subscribed&,
                  bool resubscribed) override {
    if (!resubscribed) progress_->subscribed.Add();
  }
  void Launch(ExecutorDriver* driver, const mesos::TaskInfo& task) override {
    for (int i = 0; i < kUpdatesPerExecutor; ++i) {
      mesos::TaskStatus status;
      *status.mutable_task_id() = task.task_id();
      status.set_state(i + 1 < kUpdatesPerExecutor ? mesos::TASK_RUNNING
                                                   : mesos::TASK_FINISHED);
      if (!driver->SendStatusUpdate(status).ok()) ++send_failures;
    }
  }
  void Acknowledged(ExecutorDriver*, const mesos::TaskID&,
                    const std::string&) override {
    if (++acks == kUpdatesPerExecutor) progress_->all_acked.Add();
  }
  void Kill(ExecutorDriver*, const mesos::TaskID&,
            const mesos::KillPolicy&) override {}
  void Shutdown(ExecutorDriver*) override {}
  void Error(ExecutorDriver*, const std::string& message) override {
    absl::MutexLock lock(&mu);
    errors.push_back(message);
  }

  std::atomic<int> acks{0};
  std::atomic<int> send_failures{0};
  absl::Mutex mu;
  std::vector<std::string> errors ABSL_GUARDED_BY(mu);

 private:
  Progress* const progress_;
};

TEST(LoadTest, ThousandExecutorConnectionsAgainstOneAgent) {
  const size_t fd_limit = RaiseFdLimit();
  ASSERT_GE(fd_limit, static_cast<size_t>(3 * kConnections + 256))
      << "RLIMIT_NOFILE's hard limit is too low for this test";
  const absl::Time start = absl::Now();

  AgentOptions options = QuietAgentOptions();
  options.heartbeat_interval = absl::Seconds(5);  // As in production.
  AgentHarness agent(options);
  std::vector<ExecutorRef> raw_refs, driver_refs;
  for (int i = 0; i < kConnections; ++i) {
    const std::string id = absl::StrCat("exec-", i);
    const ExecutorRef ref = agent.Add("fw-load", id, TokenOf(id));
    (i < kRawExecutors ? raw_refs : driver_refs).push_back(ref);
  }
  // Warm up gRPC (its threads and pollers) with one connection, so that
  // the baseline holds what does not grow with connections.
  {
    RawStream warm(agent.NewChannel(-1));
    warm.Write(SubscribeCall({"fw-load", "none"}));
    warm.Finish();
  }
  const size_t fds_baseline = OpenFdCount();
  const size_t rss_baseline = VmRssKib();

  Progress progress;
  // Raw executors: a channel (connection) each.
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  std::vector<std::unique_ptr<mesos::executor::Agent::Stub>> stubs;
  std::vector<std::unique_ptr<RawExecutor>> raw;
  for (int i = 0; i < kRawExecutors; ++i) {
    channels.push_back(agent.NewChannel(i));
    stubs.push_back(mesos::executor::Agent::NewStub(channels.back()));
    raw.push_back(std::make_unique<RawExecutor>(stubs.back().get(), raw_refs[i],
                                                &progress));
  }
  // Drivers.
  std::vector<std::unique_ptr<DriverExecutor>> handlers;
  std::vector<std::unique_ptr<ExecutorDriver>> drivers;
  for (const ExecutorRef& ref : driver_refs) {
    DriverOptions driver_options;
    driver_options.framework_id.set_value(ref.framework_id);
    driver_options.executor_id.set_value(ref.executor_id);
    driver_options.agent_id.set_value("agent-1");
    driver_options.agent_endpoint = agent.endpoint();
    driver_options.auth_token = TokenOf(ref.executor_id);
    driver_options.checkpoint = true;
    driver_options.recovery_timeout = absl::Seconds(60);
    driver_options.kill_process_group_on_shutdown = false;
    handlers.push_back(std::make_unique<DriverExecutor>(&progress));
    drivers.push_back(std::make_unique<ExecutorDriver>(handlers.back().get(),
                                                       driver_options));
    ASSERT_TRUE(drivers.back()->Start().ok());
  }

  ASSERT_TRUE(progress.subscribed.WaitFor(kConnections, absl::Seconds(30)))
      << progress.subscribed.value() << " of " << kConnections << " subscribed";
  const absl::Duration subscribe_time = absl::Now() - start;
  const size_t fds_connected = OpenFdCount();
  const std::vector<ExecutorView> views = agent.core().Executors();
  int subscribed_views = 0;
  for (const ExecutorView& view : views) subscribed_views += view.subscribed;
  EXPECT_EQ(subscribed_views, kConnections);

  for (const ExecutorRef& ref : raw_refs) {
    ASSERT_TRUE(agent.core().Launch(ref, Task(TaskOf(ref.executor_id))).ok());
  }
  for (const ExecutorRef& ref : driver_refs) {
    ASSERT_TRUE(agent.core().Launch(ref, Task(TaskOf(ref.executor_id))).ok());
  }
  ASSERT_TRUE(progress.all_acked.WaitFor(kConnections, absl::Seconds(30)))
      << progress.all_acked.value() << " of " << kConnections
      << " executors had all their updates acknowledged";
  const size_t rss_loaded = VmRssKib();
  const size_t fds_loaded = OpenFdCount();

  // ---- No update lost, none recorded twice. ----
  constexpr size_t kTotal =
      static_cast<size_t>(kConnections) * kUpdatesPerExecutor;
  EXPECT_EQ(agent.core().UpdateCount(), kTotal);
  std::map<std::string, std::multiset<std::string>> recorded;  // By executor.
  for (const RecordedUpdate& update : agent.core().Updates()) {
    recorded[update.executor.executor_id].insert(update.status.uuid());
    EXPECT_EQ(update.status.task_id().value(),
              TaskOf(update.executor.executor_id));
  }
  EXPECT_EQ(recorded.size(), static_cast<size_t>(kConnections));
  for (const auto& executor : raw) {
    const std::multiset<std::string>& mine =
        recorded[executor->ref().executor_id];
    const std::vector<std::string> sent = executor->sent();
    ASSERT_EQ(sent.size(), static_cast<size_t>(kUpdatesPerExecutor));
    EXPECT_EQ(mine.size(), sent.size()) << executor->ref().executor_id;
    const std::multiset<std::string> acked = executor->acked();
    for (const std::string& uuid : sent) {
      EXPECT_EQ(mine.count(uuid), 1u) << executor->ref().executor_id;
      EXPECT_EQ(acked.count(uuid), 1u) << executor->ref().executor_id;
    }
  }
  for (size_t i = 0; i < drivers.size(); ++i) {
    const std::string& id = driver_refs[i].executor_id;
    EXPECT_EQ(recorded[id].size(), static_cast<size_t>(kUpdatesPerExecutor))
        << id;
    EXPECT_EQ(
        std::set<std::string>(recorded[id].begin(), recorded[id].end()).size(),
        recorded[id].size())
        << id;
    EXPECT_EQ(handlers[i]->acks.load(), kUpdatesPerExecutor) << id;
    EXPECT_EQ(handlers[i]->send_failures.load(), 0) << id;
    EXPECT_EQ(drivers[i]->stats().unacknowledged, 0u) << id;
  }
  for (const ExecutorView& view : agent.core().Executors()) {
    ASSERT_EQ(view.tasks.size(), 1u);
    EXPECT_EQ(view.tasks[0].latest_state, mesos::TASK_FINISHED)
        << view.executor.executor_id;
  }

  // ---- Clean close. ----
  for (auto& executor : raw) executor->Close();
  for (auto& driver : drivers) EXPECT_TRUE(driver->Stop().ok());
  for (auto& driver : drivers) EXPECT_EQ(driver->Join(), DriverState::kStopped);
  ASSERT_TRUE(progress.done.WaitFor(kRawExecutors, absl::Seconds(30)));
  int clean = 0;
  for (const auto& executor : raw) clean += executor->status().ok();
  EXPECT_EQ(clean, kRawExecutors);
  EXPECT_TRUE(agent.core().WaitUntil(
      [](const AgentCore& core) {
        for (const ExecutorView& view : core.Executors()) {
          if (view.subscribed) return false;
        }
        return true;
      },
      absl::Seconds(10)))
      << "the agent still shows subscribed executors after every stream closed";
  for (const ExecutorView& view : agent.core().Executors()) {
    EXPECT_EQ(view.subscriptions, 1) << view.executor.executor_id;
  }
  drivers.clear();
  handlers.clear();
  raw.clear();
  stubs.clear();
  channels.clear();
  // Sockets close asynchronously (both ends are in this process): poll.
  const absl::Time fd_deadline = absl::Now() + absl::Seconds(15);
  size_t fds_end = OpenFdCount();
  while (fds_end > fds_baseline + kFdSlack && absl::Now() < fd_deadline) {
    absl::SleepFor(absl::Milliseconds(50));
    fds_end = OpenFdCount();
  }
  const size_t rss_end = VmRssKib();
  const absl::Duration total_time = absl::Now() - start;

  const double rss_per_connection =
      static_cast<double>(rss_loaded - std::min(rss_loaded, rss_baseline)) /
      kConnections;
  const double fds_per_connection =
      static_cast<double>(fds_connected -
                          std::min(fds_connected, fds_baseline)) /
      kConnections;
  std::printf(
      "load: %d connections (%d raw streams, %d drivers), %zu updates, "
      "subscribed in %s, total %s\n"
      "load: VmRSS baseline %zu KiB, loaded %zu KiB (+%.1f KiB per "
      "connection), after close %zu KiB\n"
      "load: fds baseline %zu, connected %zu (+%.2f per connection), loaded "
      "%zu, after close %zu (limit %zu)\n",
      kConnections, kRawExecutors, kDrivers, kTotal,
      absl::FormatDuration(subscribe_time).c_str(),
      absl::FormatDuration(total_time).c_str(), rss_baseline, rss_loaded,
      rss_per_connection, rss_end, fds_baseline, fds_connected,
      fds_per_connection, fds_loaded, fds_end, fd_limit);

  EXPECT_LE(rss_per_connection, kMaxRssKibPerConnection);
  // Each connection really is one (a socket at each end in this process).
  EXPECT_GE(fds_per_connection, 1.0);
  EXPECT_LE(fds_per_connection, kMaxFdsPerConnection);
  EXPECT_LE(fds_loaded, fds_connected + kFdSlack);  // Updates open nothing.
  EXPECT_LE(fds_end, fds_baseline + kFdSlack) << "descriptors leaked";
}

}  // namespace
}  // namespace hostile_test
}  // namespace executor_runtime
