#include "simulator/tool/simulator.h"

#include <errno.h>
#include <ftw.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <thread>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/types/span.h"
#include "grpcpp/grpcpp.h"
#include "simulator/agent_core.h"
#include "simulator/checkpoint/checkpoint_store.h"
#include "simulator/control/control_service.h"
#include "simulator/launcher/executor_environment.h"
#include "simulator/launcher/process_launcher.h"
#include "simulator/launcher/process_monitor.h"
#include "simulator/tool/grpc_servers.h"
#include "simulator/tool/simulator_impl.h"
#include "simulator/tool/update_book.h"
#include "simulator/update_journal.h"
#include "util/logging.h"
#include "util/uuid.h"

namespace executor_runtime {

std::string TaskStateName(mesos::TaskState state) {
  return mesos::TaskState_Name(state);
}

namespace {

int RemoveEntry(const char* path, const struct stat*, int, struct FTW*) {
  remove(path);
  return 0;
}

// rm -rf `path` (depth first, not following symlinks).
void RemoveTree(const std::string& path) {
  nftw(path.c_str(), RemoveEntry, 16, FTW_DEPTH | FTW_PHYS);
}

// AgentCore's journal hook, writing through the book (and so the
// checkpoint) before acknowledgements go out.
class JournalAdapter : public UpdateJournal {
 public:
  explicit JournalAdapter(UpdateBook* book) : book_(book) {}
  absl::Status Append(absl::Span<const RecordedUpdate> updates) override {
    std::vector<UpdateBook::Entry> entries;
    entries.reserve(updates.size());
    for (const RecordedUpdate& update : updates) {
      entries.push_back(UpdateBook::Entry{update.executor.framework_id,
                                          update.executor.executor_id,
                                          update.status, update.recorded_at});
    }
    return book_->Record(entries);
  }

 private:
  UpdateBook* const book_;
};

}  // namespace

mesos::FrameworkInfo Simulator::Impl::FrameworkInfo() const {
  mesos::FrameworkInfo info;
  const char* user = getenv("USER");
  info.set_user(user != nullptr ? user : "root");
  info.set_name("agent_simulator");
  info.mutable_id()->set_value(options_.framework_id);
  info.set_checkpoint(options_.executor_checkpoint);
  return info;
}

absl::Status Simulator::Impl::Init() {
  if (!IsSafePathComponent(options_.framework_id)) {
    return absl::InvalidArgumentError(
        absl::StrCat("framework ID '", options_.framework_id,
                     "' must be 1-200 characters of [A-Za-z0-9._-]"));
  }
  if (options_.tls_cert.empty() != options_.tls_key.empty()) {
    return absl::InvalidArgumentError(
        "TLS needs both --tls_cert and --tls_key");
  }
  std::shared_ptr<grpc::ServerCredentials> credentials =
      grpc::InsecureServerCredentials();
  if (!options_.tls_cert.empty()) {
    absl::StatusOr<std::string> cert =
        ReadWholeFile(options_.tls_cert, "TLS certificate");
    if (!cert.ok()) return cert.status();
    absl::StatusOr<std::string> key =
        ReadWholeFile(options_.tls_key, "TLS key");
    if (!key.ok()) return key.status();
    grpc::SslServerCredentialsOptions ssl;
    ssl.pem_key_cert_pairs.push_back({*key, *cert});
    credentials = grpc::SslServerCredentials(ssl);
  }

  // State: checkpoint (and its lock) first, so that a second simulator on
  // the same work dir stops before touching anything.
  RecoveredState empty_state;
  const RecoveredState* state = &empty_state;
  std::string state_dir;
  if (!options_.work_dir.empty()) {
    absl::StatusOr<std::unique_ptr<CheckpointStore>> store =
        CheckpointStore::Open(options_.work_dir, options_.sync_checkpoint);
    if (!store.ok()) return store.status();
    store_ = *std::move(store);
    state = &store_->recovered();
    state_dir = options_.work_dir;
    if (state->dropped_tail_bytes > 0) {
      XRT_LOG(WARNING) << "checkpoint: dropped a torn final record ("
                       << state->dropped_tail_bytes << " bytes)";
    }
  }
  recovered_ = state->records > 0;
  const bool need_private_dir =
      state_dir.empty() ||
      (options_.agent_listen.empty() && options_.agent_socket.empty() &&
       state_dir.size() + 12 > kMaxUnixPath);
  if (need_private_dir) {
    const char* tmp = getenv("TMPDIR");
    std::string base =
        (tmp != nullptr && *tmp != '\0' && strlen(tmp) < 60) ? tmp : "/tmp";
    std::string templ = base + "/agent_simulator.XXXXXX";
    if (mkdtemp(templ.data()) == nullptr) {
      return absl::InternalError(absl::StrCat(
          "cannot create a temp directory in ", base, ": ", strerror(errno)));
    }
    private_dir_ = templ;
  }
  if (!state_dir.empty() && options_.agent_socket.empty() &&
      options_.agent_listen.empty() && state_dir.size() + 12 > kMaxUnixPath) {
    XRT_LOG(WARNING) << "--work_dir " << state_dir
                     << " is too long for a Unix socket path: serving in "
                     << private_dir_ << " instead, which a restart will not "
                     << "keep (give --agent_socket or --listen)";
  }
  const std::string socket_dir =
      (!state_dir.empty() && state_dir.size() + 12 <= kMaxUnixPath)
          ? state_dir
          : private_dir_;
  sandbox_root_ = (state_dir.empty() ? private_dir_ : state_dir) + "/sandboxes";

  agent_id_ =
      !state->agent_id.empty() ? state->agent_id
      : !options_.agent_id.empty()
          ? options_.agent_id
          : "simulated-agent-" + UuidToString(NewUuidBytes()).substr(0, 8);
  if (!options_.agent_id.empty() && !state->agent_id.empty() &&
      options_.agent_id != state->agent_id) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--agent_id=", options_.agent_id, " differs from the agent ID ",
        state->agent_id, " in the checkpoint of ", options_.work_dir));
  }
  if (store_ != nullptr && state->agent_id.empty()) {
    checkpoint::CheckpointRecord record;
    record.mutable_agent_started()->set_agent_id(agent_id_);
    record.mutable_agent_started()->set_started_at(NowSeconds());
    absl::Status appended = store_->Append(record);
    if (!appended.ok()) return appended;
  }

  book_ = std::make_unique<UpdateBook>(store_.get(), state->updates);
  AgentOptions agent_options;
  agent_options.agent_info.set_hostname("localhost");
  agent_options.agent_info.mutable_id()->set_value(agent_id_);
  agent_options.agent_info.set_checkpoint(store_ != nullptr);
  agent_options.heartbeat_interval = options_.heartbeat_interval;
  agent_options.journal = std::make_shared<JournalAdapter>(book_.get());
  // The book is the record (and the control service reads it): a second
  // copy of every update in AgentCore's history would only grow memory.
  agent_options.update_history_limit = 0;
  core_ = std::make_unique<AgentCore>(agent_options);
  monitor_ = std::make_unique<ProcessMonitor>();

  ServerSpec agent_spec{options_.agent_listen, options_.agent_socket};
  if (agent_spec.tcp.empty() && agent_spec.socket.empty()) {
    agent_spec.socket = socket_dir + "/agent.sock";
  }
  ServerSpec control_spec{options_.control_listen, options_.control_socket};
  if (control_spec.tcp.empty() && control_spec.socket.empty()) {
    control_spec.socket = socket_dir + "/control.sock";
  }
  if (!agent_spec.socket.empty() && agent_spec.socket == control_spec.socket) {
    return absl::InvalidArgumentError(
        "the agent and control services need different socket paths");
  }
  absl::StatusOr<BuiltServer> agent =
      BuildServer("agent", agent_spec, {core_->service()}, credentials);
  if (!agent.ok()) return agent.status();
  agent_server_ = std::move(agent->server);
  if (!agent_spec.socket.empty()) socket_files_.push_back(agent_spec.socket);
  if (!agent_spec.tcp.empty()) {
    agent_tcp_ = TcpEndpoint(agent_spec.tcp, agent->tcp_port);
  }
  agent_endpoint_ =
      !agent_spec.socket.empty() ? "unix:" + agent_spec.socket : agent_tcp_;

  absl::Status recovered = Recover(*state);
  if (!recovered.ok()) return recovered;

  control_service_ = std::make_unique<ControlService>(this);
  absl::StatusOr<BuiltServer> control = BuildServer(
      "control", control_spec, {control_service_.get()}, credentials);
  if (!control.ok()) return control.status();
  control_server_ = std::move(control->server);
  if (!control_spec.socket.empty()) {
    socket_files_.push_back(control_spec.socket);
  }
  if (!control_spec.tcp.empty()) {
    control_tcp_ = TcpEndpoint(control_spec.tcp, control->tcp_port);
  }
  control_endpoint_ = !control_spec.socket.empty()
                          ? "unix:" + control_spec.socket
                          : control_tcp_;

  housekeeper_ = std::thread([this] { Housekeep(); });
  return absl::OkStatus();
}

absl::Status Simulator::Impl::Recover(const RecoveredState& state) {
  const absl::Time now = absl::Now();
  std::vector<std::pair<std::string, std::vector<std::string>>> lost;
  std::set<std::string> adopted;  // executor IDs declared to AgentCore
  // Adopted processes are watched only once AgentCore knows their updates:
  // an executor may resubscribe, finish and exit while recovery runs, and
  // its exit removes it from AgentCore.
  struct Adoption {
    std::string id;
    pid_t pid;
    uint64_t start_time;
  };
  std::vector<Adoption> to_watch;
  {
    absl::MutexLock lock(&mu_);
    for (const RecoveredExecutor& recovered : state.executors) {
      ExecutorRecord record;
      const auto& launched = recovered.launched;
      record.ref = ExecutorRef{launched.framework_info().id().value(),
                               launched.executor_info().executor_id().value()};
      record.info = launched.executor_info();
      record.path = launched.path();
      record.args.assign(launched.args().begin(), launched.args().end());
      record.pid = static_cast<pid_t>(launched.pid());
      record.start_time = launched.start_time();
      record.sandbox = launched.sandbox_directory();
      record.recovered = true;
      for (const mesos::TaskInfo& task : recovered.tasks) {
        record.task_ids.push_back(task.task_id().value());
        task_owner_[task.task_id().value()] = record.ref.executor_id;
      }
      const std::string id = record.ref.executor_id;
      if (recovered.exited) {
        record.phase = Phase::kExited;
        record.exit_description = recovered.exit_description;
      } else if (ProbeProcess(record.pid, record.start_time) !=
                 ProcessLiveness::kRunning) {
        record.phase = Phase::kExited;
        record.exit_description = "exited while the agent was down";
        lost.emplace_back(id, record.task_ids);
      } else {
        ExecutorSpec spec;
        spec.framework_info = FrameworkInfo();
        spec.executor_info = record.info;
        spec.auth_token = launched.auth_token();
        absl::Status added = core_->AddExecutor(spec);
        if (!added.ok()) return added;
        // AgentCore must know the tasks launched before the restart, or it
        // would refuse their updates.
        for (const mesos::TaskInfo& task : recovered.tasks) {
          absl::Status restored = core_->RestoreTask(
              record.ref, task, book_->LatestState(task.task_id().value()));
          if (!restored.ok()) return restored;
        }
        adopted.insert(id);
        record.awaiting_resubscription = true;
        record.registration_deadline = now + options_.reregistration_timeout;
        to_watch.push_back({id, record.pid, record.start_time});
      }
      if (executors_.count(id) == 0) executor_order_.push_back(id);
      executors_[id] = std::move(record);
      ++next_executor_number_;
    }
  }
  // Their recorded updates too, so that AgentCore acknowledges a
  // retransmission without recording it again (the book would drop it
  // anyway) and knows each task's latest state.
  std::vector<RecordedUpdate> restore;
  for (const checkpoint::UpdateRecorded& update : state.updates) {
    if (adopted.count(update.executor_id()) == 0) continue;
    RecordedUpdate recorded;
    recorded.executor =
        ExecutorRef{update.framework_id(), update.executor_id()};
    recorded.status = update.status();
    recorded.recorded_at =
        absl::UnixEpoch() + absl::Seconds(update.recorded_at());
    restore.push_back(std::move(recorded));
  }
  if (!restore.empty()) {
    absl::Status restored = core_->RestoreUpdates(restore);
    if (!restored.ok()) return restored;
  }
  for (const Adoption& adoption : to_watch) {
    const std::string id = adoption.id;
    monitor_->Watch(adoption.pid, adoption.start_time, /*is_child=*/true,
                    [this, id](const ProcessExit& exit) { OnExit(id, exit); });
  }
  for (const auto& [executor_id, task_ids] : lost) {
    checkpoint::CheckpointRecord record;
    record.mutable_executor_exited()->set_framework_id(options_.framework_id);
    record.mutable_executor_exited()->set_executor_id(executor_id);
    record.mutable_executor_exited()->set_description(
        "exited while the agent was down");
    absl::Status appended = Checkpoint(record);
    if (!appended.ok()) return appended;
    FailOpenTasks(executor_id, task_ids, mesos::TASK_LOST,
                  mesos::TaskStatus::REASON_SLAVE_RESTARTED,
                  "The executor was gone when the agent restarted");
  }
  return absl::OkStatus();
}

void Simulator::Impl::Shutdown(bool stop_executors) {
  {
    absl::MutexLock lock(&mu_);
    if (shut_down_) return;
    shut_down_ = true;
  }
  if (stop_executors && core_ != nullptr) {
    std::vector<std::string> live;
    {
      absl::MutexLock lock(&mu_);
      for (const auto& [id, record] : executors_) {
        if (record.phase != Phase::kExited) live.push_back(id);
      }
    }
    for (const std::string& id : live) {
      control::ShutdownExecutorRequest request;
      request.set_executor_id(id);
      ShutdownExecutor(request).IgnoreError();
    }
    absl::MutexLock lock(&mu_);
    // The housekeeper kills what outlives its kill deadline (later for an
    // executor still reconnecting); wait a little past the last one.
    absl::Time deadline = absl::Now() + options_.shutdown_grace_period +
                          options_.shutdown_kill_margin + absl::Seconds(3);
    for (const auto& [id, record] : executors_) {
      if (record.phase == Phase::kShuttingDown &&
          record.kill_deadline != absl::InfiniteFuture()) {
        deadline = std::max(deadline, record.kill_deadline + absl::Seconds(1));
      }
    }
    auto all_exited = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      for (const auto& [id, record] : executors_) {
        if (record.phase != Phase::kExited) return false;
      }
      return true;
    };
    mu_.AwaitWithDeadline(absl::Condition(&all_exited), deadline);
  }
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (housekeeper_.joinable()) housekeeper_.join();
  monitor_.reset();  // no more exit callbacks
  // End executor streams now: they would hold the server's Shutdown until
  // its deadline. (Executors left running resubscribe to our successor.)
  if (core_ != nullptr) core_->BreakStreams();
  const auto deadline = absl::ToChronoTime(absl::Now() + absl::Seconds(1));
  if (control_server_ != nullptr) control_server_->Shutdown(deadline);
  if (agent_server_ != nullptr) agent_server_->Shutdown(deadline);
  for (const std::string& path : socket_files_) unlink(path.c_str());
  if (!private_dir_.empty()) {
    // Without --work_dir nothing outlives the run: remove the private
    // directory with its sandboxes.
    RemoveTree(private_dir_);
  }
}

// ---- Simulator ----------------------------------------------------------

absl::StatusOr<std::unique_ptr<Simulator>> Simulator::Start(
    const SimulatorOptions& options) {
  auto impl = std::make_unique<Impl>(options);
  absl::Status status = impl->Init();
  if (!status.ok()) {
    // Leave the executors alone, as a crash would: they may have been
    // adopted from the checkpoint, and the next start can adopt them again.
    impl->Shutdown(/*stop_executors=*/false);
    return status;
  }
  return std::unique_ptr<Simulator>(new Simulator(std::move(impl)));
}

Simulator::Simulator(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Simulator::~Simulator() { impl_->Shutdown(/*stop_executors=*/true); }

std::string Simulator::agent_endpoint() const { return impl_->agent_endpoint_; }
std::string Simulator::control_endpoint() const {
  return impl_->control_endpoint_;
}
std::string Simulator::agent_tcp_address() const { return impl_->agent_tcp_; }
std::string Simulator::control_tcp_address() const {
  return impl_->control_tcp_;
}
bool Simulator::recovered() const { return impl_->recovered_; }

absl::StatusOr<control::ExecutorState> Simulator::StartExecutor(
    const control::StartExecutorRequest& request) {
  return impl_->StartExecutor(request);
}
absl::StatusOr<control::LaunchTasksResponse> Simulator::LaunchTasks(
    const control::LaunchTasksRequest& request) {
  return impl_->LaunchTasks(request);
}
absl::Status Simulator::KillTask(const control::KillTaskRequest& request) {
  return impl_->KillTask(request);
}
absl::Status Simulator::SendMessage(
    const control::SendMessageRequest& request) {
  return impl_->SendMessage(request);
}
absl::Status Simulator::ShutdownExecutor(
    const control::ShutdownExecutorRequest& request) {
  return impl_->ShutdownExecutor(request);
}
control::ListResponse Simulator::List() { return impl_->List(); }
absl::Status Simulator::WatchUpdates(
    const control::WatchUpdatesRequest& request,
    const std::function<bool(const control::UpdateRecord&)>& emit,
    const std::function<bool()>& cancelled) {
  return impl_->WatchUpdates(request, emit, cancelled);
}
absl::Status Simulator::InjectFault(const control::FaultRequest& request) {
  return impl_->InjectFault(request);
}
absl::Status Simulator::Stop(const control::StopRequest& request) {
  return impl_->Stop(request);
}
void Simulator::RequestStop() { impl_->PostRequest(Request::kStop); }
Simulator::Request Simulator::WaitForRequest(absl::Duration timeout) {
  return impl_->WaitForRequest(timeout);
}
void Simulator::Shutdown(bool stop_executors) {
  impl_->Shutdown(stop_executors);
}
uint64_t Simulator::UpdateCount() const { return impl_->book_->count(); }
Simulator::Progress Simulator::GetProgress() const {
  return impl_->GetProgress();
}

}  // namespace executor_runtime
