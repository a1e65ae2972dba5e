// mesos::MesosExecutorDriver on executor_runtime::ExecutorDriver.
//
// The legacy status (mesos::Status) lives here, guarded by mu_; the
// runtime driver (driver_) does the real work. EventHandler callbacks
// arrive one at a time on the runtime driver's callback thread and are
// forwarded to the mesos::Executor with mu_ released, so the executor may
// call back into this driver from inside them.
//
// join() waits for `finished_`, which becomes true when the legacy status
// leaves DRIVER_RUNNING and no stop() is still draining: after stop(),
// abort(), an Error from the runtime driver, or the runtime driver ending
// by itself (watched by watcher_, which blocks in ExecutorDriver::Join()).
#include <map>
#include <memory>
#include <mesos/executor.hpp>
#include <optional>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "agent_shim/internal/legacy_options.h"
#include "driver/event_handler.h"
#include "driver/executor_driver.h"
#include "util/logging.h"

namespace mesos {
namespace {

// How long stop() waits for outstanding updates to be acknowledged.
constexpr absl::Duration kStopDrainTimeout = absl::Seconds(5);

Status LegacyStatus(executor_runtime::DriverState state) {
  switch (state) {
    case executor_runtime::DriverState::kNotStarted:
      return DRIVER_NOT_STARTED;
    case executor_runtime::DriverState::kRunning:
      return DRIVER_RUNNING;
    case executor_runtime::DriverState::kAborted:
      return DRIVER_ABORTED;
    case executor_runtime::DriverState::kStopped:
      return DRIVER_STOPPED;
  }
  return DRIVER_ABORTED;
}

}  // namespace

class MesosExecutorDriver::Impl : public executor_runtime::EventHandler {
 public:
  Impl(MesosExecutorDriver* self, Executor* executor,
       std::optional<std::map<std::string, std::string>> environment)
      : self_(self),
        executor_(executor),
        environment_(std::move(environment)) {}

  ~Impl() override {
    // Never blocks on the agent: a running driver is aborted, not drained.
    if (driver_ != nullptr) driver_->Abort();
    if (watcher_.joinable()) watcher_.join();
    driver_.reset();
  }

  Status Start() {
    // Held until the runtime driver started (released before error()), so
    // that a concurrent stop() or abort() acts on a started driver.
    absl::ReleasableMutexLock starting(&start_mu_);
    absl::StatusOr<executor_runtime::DriverOptions> options;
    {
      absl::MutexLock lock(&mu_);
      if (status_ != DRIVER_NOT_STARTED) return status_;
      options =
          environment_.has_value()
              ? executor_runtime::agent_shim::LegacyDriverOptions(*environment_)
              : executor_runtime::agent_shim::LegacyDriverOptionsFromProcess();
      if (!options.ok()) {
        status_ = DRIVER_ABORTED;
        finished_ = true;
      } else {
        // RUNNING before the runtime driver starts, so that a LAUNCH right
        // after SUBSCRIBED finds the driver running when launchTask() sends
        // its first update.
        status_ = DRIVER_RUNNING;
        driver_ = std::make_unique<executor_runtime::ExecutorDriver>(
            this, *std::move(options));
      }
    }
    if (!options.ok()) {
      const std::string message = absl::StrCat("invalid executor environment: ",
                                               options.status().message());
      XRT_LOG(ERROR) << message;
      starting.Release();
      // No runtime driver exists, so no callback can run concurrently.
      executor_->error(self_, message);
      return DRIVER_ABORTED;
    }
    absl::Status started = driver_->Start();
    if (!started.ok()) {
      // The runtime driver reports the reason through Error() (below).
      absl::MutexLock lock(&mu_);
      if (status_ == DRIVER_RUNNING) status_ = DRIVER_ABORTED;
      start_failed_ = true;
      UpdateFinishedLocked();
      return DRIVER_ABORTED;
    }
    watcher_ = std::thread([this] { Watch(); });
    return DRIVER_RUNNING;
  }

  Status Stop() {
    WaitForStart();
    bool was_aborted = false;
    {
      absl::MutexLock lock(&mu_);
      if (status_ != DRIVER_RUNNING && status_ != DRIVER_ABORTED) {
        return status_;
      }
      was_aborted = status_ == DRIVER_ABORTED;
      status_ = DRIVER_STOPPED;
      ++draining_;
    }
    if (driver_ != nullptr) {
      absl::Status drained = driver_->Stop(kStopDrainTimeout);
      if (!drained.ok() && !was_aborted) {
        XRT_LOG(WARNING) << "stop(): " << drained;
      }
    }
    absl::MutexLock lock(&mu_);
    --draining_;
    UpdateFinishedLocked();
    return was_aborted ? DRIVER_ABORTED : DRIVER_STOPPED;
  }

  Status Abort() {
    WaitForStart();
    {
      absl::MutexLock lock(&mu_);
      if (status_ != DRIVER_RUNNING) return status_;
      status_ = DRIVER_ABORTED;
      UpdateFinishedLocked();
    }
    driver_->Abort();
    return DRIVER_ABORTED;
  }

  Status Join() {
    absl::MutexLock lock(&mu_);
    if (status_ == DRIVER_NOT_STARTED) return status_;
    mu_.Await(absl::Condition(&finished_));
    return status_;
  }

  Status SendStatusUpdate(const TaskStatus& status) {
    {
      absl::MutexLock lock(&mu_);
      if (status_ != DRIVER_RUNNING) return status_;
    }
    return AfterSend(driver_->SendStatusUpdate(status), "sendStatusUpdate");
  }

  Status SendFrameworkMessage(const std::string& data) {
    {
      absl::MutexLock lock(&mu_);
      if (status_ != DRIVER_RUNNING) return status_;
    }
    return AfterSend(driver_->SendMessage(data), "sendFrameworkMessage");
  }

  // ---- EventHandler: runtime events -> legacy callbacks -----------------

  void Subscribed(executor_runtime::ExecutorDriver*,
                  const executor::Event::Subscribed& subscribed,
                  bool resubscribed) override {
    if (!Running()) return;
    if (resubscribed) {
      executor_->reregistered(self_, subscribed.agent_info());
    } else {
      executor_->registered(self_, subscribed.executor_info(),
                            subscribed.framework_info(),
                            subscribed.agent_info());
    }
  }

  void Disconnected(executor_runtime::ExecutorDriver*) override {
    if (Running()) executor_->disconnected(self_);
  }

  void Launch(executor_runtime::ExecutorDriver*,
              const TaskInfo& task) override {
    if (Running()) executor_->launchTask(self_, task);
  }

  void LaunchGroup(executor_runtime::ExecutorDriver*,
                   const TaskGroupInfo& group) override {
    // Legacy executors know no groups: each task is a launchTask().
    for (const TaskInfo& task : group.tasks()) {
      if (!Running()) return;
      executor_->launchTask(self_, task);
    }
  }

  void Kill(executor_runtime::ExecutorDriver*, const TaskID& task_id,
            const KillPolicy&) override {
    // The legacy callback has no kill policy parameter.
    if (Running()) executor_->killTask(self_, task_id);
  }

  void Message(executor_runtime::ExecutorDriver*,
               const std::string& data) override {
    if (Running()) executor_->frameworkMessage(self_, data);
  }

  void Shutdown(executor_runtime::ExecutorDriver*) override {
    if (Running()) executor_->shutdown(self_);
  }

  void Error(executor_runtime::ExecutorDriver*,
             const std::string& message) override {
    bool report = false;
    {
      absl::MutexLock lock(&mu_);
      // Reported unless the executor itself stopped or aborted us.
      report = status_ == DRIVER_RUNNING || start_failed_;
      start_failed_ = false;
      if (status_ == DRIVER_RUNNING) status_ = DRIVER_ABORTED;
      UpdateFinishedLocked();
    }
    if (report) executor_->error(self_, message);
  }

 private:
  // Returns once no start() is half-way.
  void WaitForStart() { absl::MutexLock wait(&start_mu_); }

  bool Running() {
    absl::MutexLock lock(&mu_);
    return status_ == DRIVER_RUNNING;
  }

  void UpdateFinishedLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    finished_ = status_ != DRIVER_RUNNING && draining_ == 0;
  }

  // Maps a runtime send result to the legacy status. Failures are logged:
  // the legacy API can only return a Status.
  Status AfterSend(const absl::Status& sent, const char* what) {
    if (sent.ok()) return DRIVER_RUNNING;
    if (absl::IsFailedPrecondition(sent)) {
      absl::MutexLock lock(&mu_);
      if (status_ != DRIVER_RUNNING) return status_;
      return LegacyStatus(driver_->state());
    }
    if (absl::IsUnavailable(sent)) {
      XRT_LOG(WARNING) << what << "(): " << sent;
    } else {
      XRT_LOG(ERROR) << what << "(): " << sent;
    }
    absl::MutexLock lock(&mu_);
    return status_;
  }

  // Notices the runtime driver ending by itself (e.g. the shutdown grace
  // period expired in in-process mode) so that join() returns.
  void Watch() {
    executor_runtime::DriverState state = driver_->Join();
    absl::MutexLock lock(&mu_);
    if (status_ == DRIVER_RUNNING) status_ = LegacyStatus(state);
    if (status_ == DRIVER_RUNNING) status_ = DRIVER_ABORTED;
    UpdateFinishedLocked();
  }

  // ---- Constant after construction --------------------------------------
  MesosExecutorDriver* const self_;
  Executor* const executor_;
  const std::optional<std::map<std::string, std::string>> environment_;

  // ---- Set once by Start() (under mu_), then only read ------------------
  std::unique_ptr<executor_runtime::ExecutorDriver> driver_;
  std::thread watcher_;

  // Held by start() (see there).
  absl::Mutex start_mu_ ABSL_ACQUIRED_BEFORE(mu_);

  // ---- Guarded by mu_ -----------------------------------------------------
  absl::Mutex mu_;
  Status status_ ABSL_GUARDED_BY(mu_) = DRIVER_NOT_STARTED;
  int draining_ ABSL_GUARDED_BY(mu_) = 0;  // stop() calls still draining
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  bool start_failed_ ABSL_GUARDED_BY(mu_) = false;
};

MesosExecutorDriver::MesosExecutorDriver(Executor* executor)
    : impl_(std::make_unique<Impl>(this, executor, std::nullopt)) {}

MesosExecutorDriver::MesosExecutorDriver(
    Executor* executor, const std::map<std::string, std::string>& environment)
    : impl_(std::make_unique<Impl>(this, executor, environment)) {}

MesosExecutorDriver::~MesosExecutorDriver() = default;

Status MesosExecutorDriver::start() { return impl_->Start(); }
Status MesosExecutorDriver::stop() { return impl_->Stop(); }
Status MesosExecutorDriver::abort() { return impl_->Abort(); }
Status MesosExecutorDriver::join() { return impl_->Join(); }

Status MesosExecutorDriver::run() {
  Status status = start();
  return status == DRIVER_RUNNING ? join() : status;
}

Status MesosExecutorDriver::sendStatusUpdate(const TaskStatus& status) {
  return impl_->SendStatusUpdate(status);
}

Status MesosExecutorDriver::sendFrameworkMessage(const std::string& data) {
  return impl_->SendFrameworkMessage(data);
}

}  // namespace mesos
