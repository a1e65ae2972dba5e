// The agent simulator's implementation object, shared by simulator.cc
// (start, recovery, shutdown), simulator_executors.cc (executor processes)
// and simulator_control.cc (the control operations). Not for users: see
// simulator.h.
//
// Thread-safety: as Simulator. Lock order: mu_, then AgentCore's lock, then
// the UpdateBook's; AgentCore calls back only into the book (journal).
#ifndef SIMULATOR_TOOL_SIMULATOR_IMPL_H_
#define SIMULATOR_TOOL_SIMULATOR_IMPL_H_

#include <sys/types.h>

#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "grpcpp/grpcpp.h"
#include "simulator/agent_core.h"
#include "simulator/checkpoint/checkpoint_store.h"
#include "simulator/control/control_service.h"
#include "simulator/launcher/process_monitor.h"
#include "simulator/tool/simulator.h"
#include "simulator/tool/update_book.h"

namespace executor_runtime {

// Seconds since the epoch (TaskStatus.timestamp, checkpoint times).
inline double NowSeconds() {
  return absl::ToDoubleSeconds(absl::Now() - absl::UnixEpoch());
}

class Simulator::Impl : public ControlBackend {
 public:
  enum class Phase { kLaunched, kShuttingDown, kExited };

  struct ExecutorRecord {
    ExecutorRef ref;
    mesos::ExecutorInfo info;
    std::string path;
    std::vector<std::string> args;
    pid_t pid = -1;
    uint64_t start_time = 0;
    std::string sandbox;
    Phase phase = Phase::kLaunched;
    absl::Time registration_deadline = absl::InfiniteFuture();
    absl::Time kill_deadline = absl::InfiniteFuture();
    bool killed = false;  // process group SIGKILLed by us
    bool recovered = false;
    bool awaiting_resubscription = false;
    // SHUTDOWN asked while the executor was reconnecting: sent once it
    // subscribes again (the housekeeper retries), killed at kill_deadline.
    bool shutdown_pending = false;
    std::string exit_description;
    std::vector<std::string> task_ids;
  };

  explicit Impl(SimulatorOptions options)
      : options_(Absolute(std::move(options))) {}

  // File paths handed to executors must not depend on the working
  // directory (executors run in their sandboxes).
  static SimulatorOptions Absolute(SimulatorOptions options) {
    for (std::string* path : {&options.tls_cert, &options.tls_key,
                              &options.tls_ca, &options.executor_path}) {
      if (path->empty() || (*path)[0] == '/') continue;
      char* resolved = realpath(path->c_str(), nullptr);
      if (resolved != nullptr) {
        *path = resolved;
        free(resolved);
      }
    }
    return options;
  }

  absl::Status Init();
  void Shutdown(bool stop_executors);

  // ControlBackend.
  absl::StatusOr<control::ExecutorState> StartExecutor(
      const control::StartExecutorRequest& request) override;
  absl::StatusOr<control::LaunchTasksResponse> LaunchTasks(
      const control::LaunchTasksRequest& request) override;
  absl::Status KillTask(const control::KillTaskRequest& request) override;
  absl::Status SendMessage(const control::SendMessageRequest& request) override;
  absl::Status ShutdownExecutor(
      const control::ShutdownExecutorRequest& request) override;
  control::ListResponse List() override;
  absl::Status WatchUpdates(
      const control::WatchUpdatesRequest& request,
      const std::function<bool(const control::UpdateRecord&)>& emit,
      const std::function<bool()>& cancelled) override;
  absl::Status InjectFault(const control::FaultRequest& request) override;
  Simulator::Progress GetProgress();

  absl::Status Stop(const control::StopRequest& request) override {
    PostRequest(request.leave_executors() ? Request::kStopLeaveExecutors
                                          : Request::kStop);
    return absl::OkStatus();
  }

  void PostRequest(Request request) {
    absl::MutexLock lock(&mu_);
    if (request_ == Request::kNone) request_ = request;
  }
  Request WaitForRequest(absl::Duration timeout) {
    absl::MutexLock lock(&mu_);
    auto posted = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return request_ != Request::kNone;
    };
    mu_.AwaitWithTimeout(absl::Condition(&posted), timeout);
    return request_;
  }

  const SimulatorOptions options_;
  std::string agent_id_;
  std::string private_dir_;  // mkdtemp'd, removed at shutdown
  std::string sandbox_root_;
  std::string agent_endpoint_;
  std::string control_endpoint_;
  std::string agent_tcp_;
  std::string control_tcp_;
  std::vector<std::string> socket_files_;
  bool recovered_ = false;

  std::unique_ptr<CheckpointStore> store_;
  std::unique_ptr<UpdateBook> book_;
  std::unique_ptr<AgentCore> core_;
  std::unique_ptr<ProcessMonitor> monitor_;
  std::unique_ptr<ControlService> control_service_;
  std::unique_ptr<grpc::Server> agent_server_;
  std::unique_ptr<grpc::Server> control_server_;
  std::thread housekeeper_;

 private:
  absl::Status Recover(const RecoveredState& state);
  absl::Status Checkpoint(const checkpoint::CheckpointRecord& record) {
    return store_ == nullptr ? absl::OkStatus() : store_->Append(record);
  }
  // Resolves an executor ID ("" = the only one). Requires mu_.
  absl::StatusOr<ExecutorRecord*> FindLocked(const std::string& executor_id)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Records agent-generated terminal updates for the tasks of `executor_id`
  // that have no terminal state yet.
  void FailOpenTasks(const std::string& executor_id,
                     const std::vector<std::string>& task_ids,
                     mesos::TaskState state, mesos::TaskStatus::Reason reason,
                     const std::string& message);
  void OnExit(const std::string& executor_id, const ProcessExit& exit);
  void Housekeep();
  control::ExecutorState Describe(const ExecutorRecord& record)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  mesos::FrameworkInfo FrameworkInfo() const;

  absl::Mutex mu_;
  std::map<std::string, ExecutorRecord> executors_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> executor_order_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, std::string> task_owner_ ABSL_GUARDED_BY(mu_);
  int next_executor_number_ ABSL_GUARDED_BY(mu_) = 1;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  bool shut_down_ ABSL_GUARDED_BY(mu_) = false;
  Request request_ ABSL_GUARDED_BY(mu_) = Request::kNone;
};

}  // namespace executor_runtime

#endif  // SIMULATOR_TOOL_SIMULATOR_IMPL_H_
