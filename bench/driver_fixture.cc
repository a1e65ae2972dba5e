#include "bench/driver_fixture.h"

#include <sys/resource.h>

#include <cstdint>
#include <deque>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "bench/ack_counter.h"
#include "driver/executor_driver.h"
#include "grpcpp/grpcpp.h"
#include "simulator/agent_core.h"

namespace executor_runtime {
namespace bench {
namespace {

constexpr absl::Duration kSetupTimeout = absl::Seconds(30);
constexpr absl::Duration kAckTimeout = absl::Seconds(60);
constexpr char kFrameworkId[] = "bench-framework";
constexpr char kAgentId[] = "bench-agent";
constexpr size_t kUpdateHistoryLimit = 1 << 16;

// One executor: remembers when sampled updates of each task were sent and
// turns their acknowledgements (which arrive in order per task) into
// latencies. Update k of a task (counting from 0) is sampled when k is a
// multiple of the fixture's latency_sample_every; the others cost no clock
// read and no lock.
class BenchExecutor final : public EventHandler {
 public:
  BenchExecutor(int tasks, int sample_every, AckCounter* counter)
      : counter_(counter),
        sample_every_(sample_every),
        sent_(tasks, 0),
        acked_(tasks, 0),
        send_times_(tasks) {}

  // Task IDs are agent-wide: "executor-<E>-task-<T>".
  static std::string TaskName(int executor, int task) {
    return absl::StrCat("executor-", executor, "-task-", task);
  }

  // Before SendStatusUpdate(), so the acknowledgement always finds it.
  // Called from the benchmark thread only.
  void Sending(int task) {
    if (sent_[task]++ % sample_every_ != 0) return;
    const int64_t now = NowNanos();
    absl::MutexLock lock(&mu_);
    send_times_[task].push_back(now);
  }
  // SendStatusUpdate() refused the update.
  void NotSent(int task) {
    if (--sent_[task] % sample_every_ != 0) return;
    absl::MutexLock lock(&mu_);
    send_times_[task].pop_back();
  }

  bool WaitReady(int tasks) {
    absl::MutexLock lock(&mu_);
    auto ready = [this, tasks]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return subscribed_ && launched_ >= tasks;
    };
    return mu_.AwaitWithTimeout(absl::Condition(&ready), kSetupTimeout);
  }
  bool WaitSubscribed() {
    absl::MutexLock lock(&mu_);
    return mu_.AwaitWithTimeout(absl::Condition(&subscribed_), kSetupTimeout);
  }

  LatencySamples TakeLatencies() {
    absl::MutexLock lock(&mu_);
    LatencySamples out;
    std::swap(out, latencies_);
    return out;
  }
  std::string error() {
    absl::MutexLock lock(&mu_);
    return error_;
  }

  void Subscribed(ExecutorDriver*, const mesos::executor::Event::Subscribed&,
                  bool) override {
    absl::MutexLock lock(&mu_);
    subscribed_ = true;
  }
  void Launch(ExecutorDriver*, const mesos::TaskInfo&) override {
    absl::MutexLock lock(&mu_);
    ++launched_;
  }
  void Kill(ExecutorDriver*, const mesos::TaskID&,
            const mesos::KillPolicy&) override {}
  void Shutdown(ExecutorDriver*) override {}
  void Error(ExecutorDriver*, const std::string& message) override {
    absl::MutexLock lock(&mu_);
    error_ = message;
  }
  // On the driver's callback thread (one at a time).
  void Acknowledged(ExecutorDriver*, const mesos::TaskID& task_id,
                    const std::string&) override {
    // The number after the last '-' (see TaskName).
    int task = 0;
    const std::string& name = task_id.value();
    for (size_t i = name.rfind('-') + 1; i < name.size(); ++i) {
      task = task * 10 + (name[i] - '0');
    }
    if (task >= 0 && task < static_cast<int>(acked_.size()) &&
        acked_[task]++ % sample_every_ == 0) {
      const int64_t now = NowNanos();
      absl::MutexLock lock(&mu_);
      if (!send_times_[task].empty()) {
        latencies_.Add(now - send_times_[task].front());
        send_times_[task].pop_front();
      }
    }
    counter_->Increment();
  }

 private:
  AckCounter* const counter_;
  const int sample_every_;
  std::vector<uint64_t> sent_;   // Per task; the benchmark thread's.
  std::vector<uint64_t> acked_;  // Per task; the callback thread's.
  absl::Mutex mu_;
  bool subscribed_ ABSL_GUARDED_BY(mu_) = false;
  int launched_ ABSL_GUARDED_BY(mu_) = 0;
  std::string error_ ABSL_GUARDED_BY(mu_);
  std::vector<std::deque<int64_t>> send_times_ ABSL_GUARDED_BY(mu_);
  LatencySamples latencies_ ABSL_GUARDED_BY(mu_);
};

// Two descriptors per executor (driver and agent ends) add up quickly.
void RaiseFileLimit() {
  struct rlimit limit;
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 &&
      limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
}

}  // namespace

class DriverFixture::Impl {
 public:
  explicit Impl(const DriverFixtureOptions& options) : options_(options) {
    AgentOptions agent_options;
    agent_options.agent_info.set_hostname("localhost");
    agent_options.agent_info.mutable_id()->set_value(kAgentId);
    // Bounded memory however long a benchmark runs (it never reads them).
    agent_options.update_history_limit = kUpdateHistoryLimit;
    agent_ = std::make_unique<AgentCore>(agent_options);
  }

  ~Impl() {
    for (auto& driver : drivers_) driver->Stop(absl::Seconds(5)).IgnoreError();
    for (auto& driver : drivers_) driver->Join();
    drivers_.clear();
    if (server_ != nullptr) {
      server_->Shutdown(std::chrono::system_clock::now() +
                        std::chrono::seconds(1));
    }
  }

  absl::Status Start() {
    int port = 0;
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(),
                             &port);
    builder.RegisterService(agent_->service());
    server_ = builder.BuildAndStart();
    if (server_ == nullptr || port == 0) {
      return absl::InternalError("could not start the agent's gRPC server");
    }
    const std::string endpoint = absl::StrCat("127.0.0.1:", port);

    for (int i = 0; i < options_.executors; ++i) {
      const std::string executor_id = absl::StrCat("executor-", i);
      ExecutorSpec spec;
      spec.framework_info.set_user("bench");
      spec.framework_info.set_name("bench");
      spec.framework_info.mutable_id()->set_value(kFrameworkId);
      spec.executor_info.mutable_executor_id()->set_value(executor_id);
      spec.executor_info.mutable_framework_id()->set_value(kFrameworkId);
      absl::Status added = agent_->AddExecutor(spec);
      if (!added.ok()) return added;

      DriverOptions driver_options;
      driver_options.framework_id.set_value(kFrameworkId);
      driver_options.executor_id.set_value(executor_id);
      driver_options.agent_id.set_value(kAgentId);
      driver_options.agent_endpoint = endpoint;
      driver_options.kill_process_group_on_shutdown = false;
      driver_options.max_in_flight_updates = options_.max_in_flight_updates;
      executors_.push_back(std::make_unique<BenchExecutor>(
          options_.tasks_per_executor, options_.latency_sample_every,
          &counter_));
      drivers_.push_back(std::make_unique<ExecutorDriver>(
          executors_.back().get(), driver_options));
      absl::Status started = drivers_.back()->Start();
      if (!started.ok()) return started;
    }
    for (int i = 0; i < options_.executors; ++i) {
      if (!executors_[i]->WaitSubscribed()) {
        return absl::DeadlineExceededError(absl::StrCat(
            "executor-", i, " did not subscribe: ", executors_[i]->error()));
      }
      for (int t = 0; t < options_.tasks_per_executor; ++t) {
        mesos::TaskInfo task;
        task.set_name("bench");
        task.mutable_task_id()->set_value(BenchExecutor::TaskName(i, t));
        task.mutable_slave_id()->set_value(kAgentId);
        absl::Status launched = agent_->Launch(
            ExecutorRef{kFrameworkId, absl::StrCat("executor-", i)}, task);
        if (!launched.ok()) return launched;
      }
    }
    for (int i = 0; i < options_.executors; ++i) {
      if (!executors_[i]->WaitReady(options_.tasks_per_executor)) {
        return absl::DeadlineExceededError(
            absl::StrCat("executor-", i, " did not get its tasks"));
      }
    }
    statuses_.resize(options_.executors);
    sent_by_executor_.assign(options_.executors, 0);
    for (int i = 0; i < options_.executors; ++i) {
      for (int t = 0; t < options_.tasks_per_executor; ++t) {
        mesos::TaskStatus status;
        status.mutable_task_id()->set_value(BenchExecutor::TaskName(i, t));
        status.set_state(mesos::TASK_RUNNING);
        statuses_[i].push_back(std::move(status));
      }
    }
    return absl::OkStatus();
  }

  // Each driver gets its share of the `count` updates in one run, as an
  // executor emits a burst of its own; the drivers take turns, starting one
  // further on each call.
  absl::Status Send(int count) {
    const int executors = options_.executors;
    const int start = static_cast<int>(calls_ % executors);
    ++calls_;
    for (int k = 0; k < executors && k < count; ++k) {
      const int executor = (start + k) % executors;
      const int share = count / executors + (k < count % executors ? 1 : 0);
      for (int i = 0; i < share; ++i) {
        absl::Status status = SendOne(executor);
        if (!status.ok()) return status;
      }
    }
    return absl::OkStatus();
  }

  absl::Status SendOne(int executor) {
    const int task = static_cast<int>(sent_by_executor_[executor] %
                                      options_.tasks_per_executor);
    executors_[executor]->Sending(task);
    absl::Status status =
        drivers_[executor]->SendStatusUpdate(statuses_[executor][task]);
    if (!status.ok()) {
      executors_[executor]->NotSent(task);
      return status;
    }
    ++sent_by_executor_[executor];
    ++sent_;
    return absl::OkStatus();
  }

  bool WaitAcked(uint64_t total) {
    return counter_.WaitFor(total, kAckTimeout);
  }
  uint64_t sent() const { return sent_; }

  LatencySamples TakeLatencies() {
    LatencySamples all;
    for (auto& executor : executors_) all.Append(executor->TakeLatencies());
    return all;
  }

 private:
  const DriverFixtureOptions options_;
  AckCounter counter_;
  // Outlives server_ (declared before it).
  std::unique_ptr<AgentCore> agent_;
  std::unique_ptr<grpc::Server> server_;
  std::vector<std::unique_ptr<BenchExecutor>> executors_;
  std::vector<std::unique_ptr<ExecutorDriver>> drivers_;
  // Update templates by executor and task.
  std::vector<std::vector<mesos::TaskStatus>> statuses_;
  uint64_t sent_ = 0;
  std::vector<uint64_t> sent_by_executor_;
  uint64_t calls_ = 0;  // Send() calls so far.
};

absl::StatusOr<std::unique_ptr<DriverFixture>> DriverFixture::Start(
    const DriverFixtureOptions& options) {
  RaiseFileLimit();
  if (options.executors < 1 || options.tasks_per_executor < 1 ||
      options.latency_sample_every < 1) {
    return absl::InvalidArgumentError(
        "DriverFixtureOptions: executors, tasks_per_executor and "
        "latency_sample_every must be >= 1");
  }
  auto impl = std::make_unique<Impl>(options);
  absl::Status status = impl->Start();
  if (!status.ok()) return status;
  return std::unique_ptr<DriverFixture>(new DriverFixture(std::move(impl)));
}

DriverFixture::DriverFixture(std::unique_ptr<Impl> impl)
    : impl_(std::move(impl)) {}
DriverFixture::~DriverFixture() = default;

absl::Status DriverFixture::Send(int count) { return impl_->Send(count); }
bool DriverFixture::WaitAcked(uint64_t total) {
  return impl_->WaitAcked(total);
}
uint64_t DriverFixture::sent() const { return impl_->sent(); }
LatencySamples DriverFixture::TakeLatencies() { return impl_->TakeLatencies(); }

}  // namespace bench
}  // namespace executor_runtime
