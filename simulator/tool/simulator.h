// Simulator: the agent simulator as an object. It owns an AgentCore (the
// Agent gRPC service), the gRPC servers (agent and control, TCP and/or Unix
// socket, optional TLS), the executor processes it starts (launcher), the
// update book and the checkpoint in its work directory, and implements the
// control service (ControlBackend). agent_simulator_main.cc runs it in
// one-shot or serve mode.
//
//   SimulatorOptions options;
//   options.work_dir = "/var/tmp/sim";
//   absl::StatusOr<std::unique_ptr<Simulator>> sim = Simulator::Start(options);
//   (*sim)->StartExecutor(request);
//   ...
//   (*sim)->Shutdown(/*stop_executors=*/true);
//
// Thread-safety: every method is thread-safe. Shutdown() must be called
// before destruction (the destructor calls it if not).
#ifndef SIMULATOR_TOOL_SIMULATOR_H_
#define SIMULATOR_TOOL_SIMULATOR_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "api/mesos/mesos.pb.h"
#include "simulator/control/control_backend.h"

namespace executor_runtime {

struct SimulatorOptions {
  // ---- Where to serve ----------------------------------------------------
  // Agent service: TCP "host:port" (port 0: any) and/or a Unix socket path.
  // With neither, a Unix socket in the work dir (or a private temp dir).
  std::string agent_listen;
  std::string agent_socket;
  // Control service: the same; with neither, a Unix socket beside the
  // agent's default one ("control.sock").
  std::string control_listen;
  std::string control_socket;
  // TLS for both services (PEM files); `tls_ca` is handed to executors
  // (MESOS_EXECUTOR_TLS_CA_FILE), default the certificate itself.
  std::string tls_cert;
  std::string tls_key;
  std::string tls_ca;

  // ---- State ---------------------------------------------------------------
  // Checkpoint and sandboxes live here; empty: no checkpoint, sandboxes in
  // a private temp dir.
  std::string work_dir;
  bool sync_checkpoint = false;
  std::string agent_id;  // default: from the checkpoint, else generated
  std::string framework_id = "simulated-framework";

  // ---- Executors
  // -------------------------------------------------------------
  std::string executor_path;               // default for StartExecutor
  std::vector<std::string> executor_args;  // default for StartExecutor
  bool authenticate = true;                // per-executor bearer tokens
  bool executor_checkpoint = true;         // MESOS_CHECKPOINT
  absl::Duration recovery_timeout = absl::Minutes(15);
  absl::Duration subscription_backoff_max = absl::Seconds(2);
  absl::Duration shutdown_grace_period = absl::Seconds(5);
  // Kill the process group this long after the grace period.
  absl::Duration shutdown_kill_margin = absl::Seconds(1);
  absl::Duration registration_timeout = absl::Seconds(10);
  absl::Duration reregistration_timeout = absl::Seconds(5);
  absl::Duration heartbeat_interval = absl::Seconds(5);
  // Whether the RESTART fault is allowed (the owner re-executes itself).
  bool allow_restart = false;
};

class Simulator : public ControlBackend {
 public:
  // Starts the servers and recovers from the work dir's checkpoint (if
  // any). Errors name what was wrong: a corrupt checkpoint (DATA_LOSS), an
  // address in use (UNAVAILABLE), unreadable TLS files, bad options
  // (INVALID_ARGUMENT).
  static absl::StatusOr<std::unique_ptr<Simulator>> Start(
      const SimulatorOptions& options);
  ~Simulator() override;

  // Endpoints as gRPC targets ("unix:/path" or "127.0.0.1:port").
  std::string agent_endpoint() const;
  std::string control_endpoint() const;
  // The bound TCP addresses ("" if none), for a restart that must reuse
  // them.
  std::string agent_tcp_address() const;
  std::string control_tcp_address() const;
  // True if state was recovered from a checkpoint.
  bool recovered() const;

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
  absl::Status Stop(const control::StopRequest& request) override;

  // What the owner should do next (Stop() and restart faults ask for it).
  enum class Request { kNone, kStop, kStopLeaveExecutors, kRestart };
  // Asks the owner to stop (e.g. from a signal handler thread).
  void RequestStop();
  // Waits up to `timeout` for a request; kNone if none came.
  Request WaitForRequest(absl::Duration timeout);

  // Stops serving. With `stop_executors`, running executors are shut down
  // first (and killed after the grace period); otherwise they are left
  // running (a restart adopts them). Idempotent.
  void Shutdown(bool stop_executors);

  // The number of recorded updates (each UUID once).
  uint64_t UpdateCount() const;

  // A cheap summary for progress lines (List() builds every task).
  struct Progress {
    int executors_live = 0;        // not exited
    int executors_subscribed = 0;  // live and subscribed at least once
    int executors_exited = 0;
    std::string first_exit;  // "<executor ID> <exit description>"
    int tasks = 0;           // launched
    std::map<mesos::TaskState, int> states;  // tasks by latest state
    int terminal = 0;                        // tasks in a terminal state
    uint64_t updates = 0;
  };
  Progress GetProgress() const;

  class Impl;

 private:
  explicit Simulator(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// The Mesos task state name ("TASK_FINISHED").
std::string TaskStateName(mesos::TaskState state);

}  // namespace executor_runtime

#endif  // SIMULATOR_TOOL_SIMULATOR_H_
