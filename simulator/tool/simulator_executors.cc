// Simulator::Impl: executor processes - starting them, watching them
// (registration and shutdown deadlines), and what their end means for
// their tasks.
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <optional>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "simulator/launcher/executor_environment.h"
#include "simulator/launcher/process_launcher.h"
#include "simulator/tool/simulator_impl.h"
#include "util/logging.h"
#include "util/uuid.h"

namespace executor_runtime {

absl::StatusOr<Simulator::Impl::ExecutorRecord*> Simulator::Impl::FindLocked(
    const std::string& executor_id) {
  if (executor_id.empty()) {
    ExecutorRecord* only = nullptr;
    int live = 0;
    for (auto& [id, record] : executors_) {
      if (record.phase == Phase::kExited) continue;
      ++live;
      only = &record;
    }
    if (live == 1) return only;
    return absl::InvalidArgumentError(absl::StrCat(
        "name the executor (there are ", live, " running executors)"));
  }
  auto it = executors_.find(executor_id);
  if (it == executors_.end()) {
    return absl::NotFoundError(
        absl::StrCat("no executor with ID '", executor_id, "'"));
  }
  return &it->second;
}

void Simulator::Impl::FailOpenTasks(const std::string& executor_id,
                                    const std::vector<std::string>& task_ids,
                                    mesos::TaskState state,
                                    mesos::TaskStatus::Reason reason,
                                    const std::string& message) {
  std::vector<UpdateBook::Entry> entries;
  for (const std::string& task_id : task_ids) {
    std::optional<mesos::TaskState> latest = book_->LatestState(task_id);
    if (latest.has_value() && IsTerminalState(*latest)) continue;
    mesos::TaskStatus status;
    status.mutable_task_id()->set_value(task_id);
    status.set_state(state);
    status.set_source(mesos::TaskStatus::SOURCE_SLAVE);
    status.set_reason(reason);
    status.set_message(message);
    status.set_uuid(NewUuidBytes());
    status.set_timestamp(NowSeconds());
    status.mutable_executor_id()->set_value(executor_id);
    status.mutable_slave_id()->set_value(agent_id_);
    entries.push_back(UpdateBook::Entry{options_.framework_id, executor_id,
                                        status, absl::Now()});
  }
  if (entries.empty()) return;
  absl::Status recorded = book_->Record(entries);
  if (!recorded.ok()) {
    XRT_LOG(ERROR) << "cannot record agent updates for executor " << executor_id
                   << ": " << recorded;
  }
}

void Simulator::Impl::OnExit(const std::string& executor_id,
                             const ProcessExit& exit) {
  ExecutorRef ref;
  {
    absl::MutexLock lock(&mu_);
    auto it = executors_.find(executor_id);
    if (it == executors_.end()) return;
    ref = it->second.ref;
  }
  // Let the executor's stream end first, so that updates it sent before it
  // exited are recorded before we judge its tasks.
  const absl::Time deadline = absl::Now() + absl::Seconds(2);
  while (absl::Now() < deadline) {
    std::optional<ExecutorView> view = core_->Executor(ref);
    if (!view.has_value() || !view->subscribed) break;
    absl::SleepFor(absl::Milliseconds(10));
  }
  std::vector<std::string> task_ids;
  bool killed = false;
  {
    absl::MutexLock lock(&mu_);
    const ExecutorRecord& record = executors_[executor_id];
    task_ids = record.task_ids;
    killed = record.killed;
  }
  const std::string description =
      killed ? exit.description + " (killed by the agent)" : exit.description;
  XRT_LOG(INFO) << "executor " << executor_id << " " << description;
  // Its open tasks fail first, so that anyone who sees the executor exited
  // also sees their terminal updates.
  FailOpenTasks(executor_id, task_ids, mesos::TASK_FAILED,
                mesos::TaskStatus::REASON_EXECUTOR_TERMINATED,
                "Executor terminated: " + description);
  checkpoint::CheckpointRecord record;
  record.mutable_executor_exited()->set_framework_id(ref.framework_id);
  record.mutable_executor_exited()->set_executor_id(executor_id);
  record.mutable_executor_exited()->set_description(description);
  absl::Status appended = Checkpoint(record);
  if (!appended.ok()) XRT_LOG(ERROR) << appended;
  core_->RemoveExecutor(ref).IgnoreError();
  absl::MutexLock lock(&mu_);
  ExecutorRecord& executor = executors_[executor_id];
  executor.phase = Phase::kExited;
  executor.exit_description = description;
  executor.awaiting_resubscription = false;
}

void Simulator::Impl::Housekeep() {
  while (true) {
    struct Action {
      std::string executor_id;
      ExecutorRef ref;
      pid_t group;
      std::vector<std::string> lost_tasks;  // reregistration timed out
      std::string why;
    };
    std::vector<Action> actions;
    std::vector<std::pair<std::string, ExecutorRef>> pending;
    std::vector<std::pair<std::string, ExecutorRef>> pending_shutdowns;
    {
      absl::MutexLock lock(&mu_);
      auto stop = [this]()
                      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stopping_; };
      mu_.AwaitWithTimeout(absl::Condition(&stop), absl::Milliseconds(50));
      if (stopping_) return;
      for (auto& [id, record] : executors_) {
        if (record.phase == Phase::kLaunched &&
            record.registration_deadline != absl::InfiniteFuture()) {
          pending.emplace_back(id, record.ref);
        }
        if (record.phase == Phase::kShuttingDown && record.shutdown_pending) {
          pending_shutdowns.emplace_back(id, record.ref);
        }
      }
    }
    for (const auto& [id, ref] : pending_shutdowns) {
      if (!core_->Shutdown(ref).ok()) continue;  // not back yet
      absl::MutexLock lock(&mu_);
      auto it = executors_.find(id);
      if (it == executors_.end()) continue;
      it->second.shutdown_pending = false;
      it->second.kill_deadline = absl::Now() + options_.shutdown_grace_period +
                                 options_.shutdown_kill_margin;
    }
    // Who subscribed meanwhile (AgentCore calls outside our lock).
    std::map<std::string, bool> subscribed;
    for (const auto& [id, ref] : pending) {
      std::optional<ExecutorView> view = core_->Executor(ref);
      subscribed[id] = view.has_value() && view->subscriptions > 0;
    }
    const absl::Time now = absl::Now();
    {
      absl::MutexLock lock(&mu_);
      for (auto& [id, record] : executors_) {
        if (record.phase == Phase::kExited || record.killed) continue;
        auto it = subscribed.find(id);
        if (record.phase == Phase::kLaunched && it != subscribed.end()) {
          if (it->second) {
            record.registration_deadline = absl::InfiniteFuture();
            record.awaiting_resubscription = false;
          } else if (now > record.registration_deadline) {
            Action action{id, record.ref, record.pid, {}, ""};
            if (record.awaiting_resubscription) {
              action.lost_tasks = record.task_ids;
              action.why =
                  "did not resubscribe within the reregistration timeout";
            } else {
              action.why = "did not subscribe within the registration timeout";
            }
            record.killed = true;
            actions.push_back(std::move(action));
          }
        }
        if (record.phase == Phase::kShuttingDown &&
            now > record.kill_deadline) {
          record.killed = true;
          actions.push_back(Action{id,
                                   record.ref,
                                   record.pid,
                                   {},
                                   "outlived its shutdown grace period"});
        }
      }
    }
    for (const Action& action : actions) {
      XRT_LOG(WARNING) << "executor " << action.executor_id << " " << action.why
                       << ": killing its process group";
      if (!action.lost_tasks.empty()) {
        FailOpenTasks(action.executor_id, action.lost_tasks, mesos::TASK_LOST,
                      mesos::TaskStatus::REASON_SLAVE_RESTARTED,
                      "The executor did not reregister after the agent "
                      "restarted");
      }
      SignalProcessGroup(action.group, SIGKILL).IgnoreError();
    }
  }
}

absl::StatusOr<control::ExecutorState> Simulator::Impl::StartExecutor(
    const control::StartExecutorRequest& request) {
  std::string path =
      request.has_path() ? request.path() : options_.executor_path;
  if (!path.empty() && path[0] != '/') {
    // The child starts in its sandbox: resolve against our directory.
    char* resolved = realpath(path.c_str(), nullptr);
    if (resolved != nullptr) {
      path = resolved;
      free(resolved);
    }
  }
  std::vector<std::string> args(request.args().begin(), request.args().end());
  if (!request.has_path() && args.empty()) args = options_.executor_args;
  if (path.empty()) {
    return absl::InvalidArgumentError(
        "no executor path: give one, or start the simulator with --executor");
  }
  std::string executor_id = request.executor_id();
  std::string sandbox;
  {
    absl::MutexLock lock(&mu_);
    if (stopping_) return absl::UnavailableError("the simulator is stopping");
    if (executor_id.empty()) {
      do {
        executor_id = absl::StrCat("executor-", next_executor_number_++);
      } while (executors_.count(executor_id) > 0);
    }
    if (!IsSafePathComponent(executor_id)) {
      return absl::InvalidArgumentError(
          absl::StrCat("executor ID '", executor_id,
                       "' must be 1-200 characters of [A-Za-z0-9._-]"));
    }
    auto it = executors_.find(executor_id);
    if (it != executors_.end() && it->second.phase != Phase::kExited) {
      return absl::AlreadyExistsError(
          absl::StrCat("executor '", executor_id, "' is already running"));
    }
    for (int run = 1;; ++run) {
      sandbox = absl::StrCat(sandbox_root_, "/", executor_id, "/runs/", run);
      struct stat st;
      if (stat(sandbox.c_str(), &st) != 0) break;
    }
    // Reserve the ID while we launch.
    ExecutorRecord& record = executors_[executor_id];
    if (std::find(executor_order_.begin(), executor_order_.end(),
                  executor_id) == executor_order_.end()) {
      executor_order_.push_back(executor_id);
    }
    record = ExecutorRecord();
    record.ref = ExecutorRef{options_.framework_id, executor_id};
    record.phase = Phase::kExited;  // until launched
    record.exit_description = "starting";
  }
  auto unreserve = [&](absl::Status status) {
    absl::MutexLock lock(&mu_);
    executors_[executor_id].exit_description =
        absl::StrCat("failed to start: ", status.message());
    return status;
  };

  ExecutorRef ref{options_.framework_id, executor_id};
  mesos::ExecutorInfo info;
  info.mutable_executor_id()->set_value(executor_id);
  info.mutable_framework_id()->set_value(options_.framework_id);
  info.set_name(executor_id);
  info.set_type(mesos::ExecutorInfo::CUSTOM);
  info.mutable_command()->set_value(path);
  info.mutable_command()->set_shell(false);
  for (const std::string& arg : args)
    info.mutable_command()->add_arguments(arg);
  info.mutable_shutdown_grace_period()->set_nanoseconds(
      absl::ToInt64Nanoseconds(options_.shutdown_grace_period));
  ExecutorSpec spec;
  spec.framework_info = FrameworkInfo();
  spec.executor_info = info;
  if (options_.authenticate) spec.auth_token = GenerateAuthToken();
  core_->RemoveExecutor(ref).IgnoreError();  // a previous run of this ID
  absl::Status added = core_->AddExecutor(spec);
  if (!added.ok()) return unreserve(added);

  ExecutorEnvironment env;
  env.framework_id = options_.framework_id;
  env.executor_id = executor_id;
  env.agent_id = agent_id_;
  env.agent_endpoint = agent_endpoint_;
  env.sandbox_directory = sandbox;
  env.checkpoint = options_.executor_checkpoint;
  env.recovery_timeout = options_.recovery_timeout;
  env.subscription_backoff_max = options_.subscription_backoff_max;
  env.shutdown_grace_period = options_.shutdown_grace_period;
  env.auth_token = spec.auth_token;
  if (!options_.tls_cert.empty()) {
    env.tls_ca_file =
        options_.tls_ca.empty() ? options_.tls_cert : options_.tls_ca;
  }
  LaunchRequest launch;
  launch.path = path;
  launch.args = args;
  launch.environment = BuildExecutorEnvironment(env, CurrentEnvironment());
  launch.sandbox_directory = sandbox;
  absl::StatusOr<LaunchedProcess> process = LaunchProcess(launch);
  if (!process.ok()) {
    core_->RemoveExecutor(ref).IgnoreError();
    return unreserve(process.status());
  }
  checkpoint::CheckpointRecord checkpointed;
  auto* launched = checkpointed.mutable_executor_launched();
  *launched->mutable_framework_info() = spec.framework_info;
  *launched->mutable_executor_info() = info;
  launched->set_pid(process->pid);
  launched->set_start_time(process->start_time);
  launched->set_sandbox_directory(sandbox);
  launched->set_auth_token(spec.auth_token);
  launched->set_path(path);
  for (const std::string& arg : args) launched->add_args(arg);
  absl::Status appended = Checkpoint(checkpointed);
  if (!appended.ok()) {
    SignalProcessGroup(process->process_group, SIGKILL).IgnoreError();
    core_->RemoveExecutor(ref).IgnoreError();
    return unreserve(appended);
  }
  control::ExecutorState state;
  {
    absl::MutexLock lock(&mu_);
    ExecutorRecord& record = executors_[executor_id];
    record.info = info;
    record.path = path;
    record.args = args;
    record.pid = process->pid;
    record.start_time = process->start_time;
    record.sandbox = sandbox;
    record.phase = Phase::kLaunched;
    record.exit_description.clear();
    record.registration_deadline = absl::Now() + options_.registration_timeout;
    state = Describe(record);
  }
  monitor_->Watch(process->pid, process->start_time, /*is_child=*/true,
                  [this, executor_id](const ProcessExit& exit) {
                    OnExit(executor_id, exit);
                  });
  XRT_LOG(INFO) << "started executor " << executor_id << " (pid "
                << process->pid << ") in " << sandbox;
  return state;
}

absl::Status Simulator::Impl::ShutdownExecutor(
    const control::ShutdownExecutorRequest& request) {
  ExecutorRef ref;
  pid_t group;
  {
    absl::MutexLock lock(&mu_);
    absl::StatusOr<ExecutorRecord*> record = FindLocked(request.executor_id());
    if (!record.ok()) return record.status();
    if ((*record)->phase == Phase::kExited) {
      return absl::FailedPreconditionError(absl::StrCat(
          "executor '", (*record)->ref.executor_id, "' has exited"));
    }
    if ((*record)->phase == Phase::kShuttingDown) return absl::OkStatus();
    (*record)->phase = Phase::kShuttingDown;
    (*record)->kill_deadline = absl::Now() + options_.shutdown_grace_period +
                               options_.shutdown_kill_margin;
    ref = (*record)->ref;
    group = (*record)->pid;
  }
  absl::Status sent = core_->Shutdown(ref);
  if (sent.ok()) return absl::OkStatus();
  // Not subscribed right now. One that is reconnecting (adopted after a
  // restart, or subscribed here before) gets SHUTDOWN when it is back, so
  // that it can still drain its updates; one that never subscribed cannot
  // hear SHUTDOWN at all: ask its process group.
  std::optional<ExecutorView> view = core_->Executor(ref);
  absl::MutexLock lock(&mu_);
  absl::StatusOr<ExecutorRecord*> record = FindLocked(request.executor_id());
  if (!record.ok()) return absl::OkStatus();  // exited meanwhile
  if ((*record)->awaiting_resubscription ||
      (view.has_value() && view->subscriptions > 0)) {
    XRT_LOG(INFO) << "executor " << ref.executor_id
                  << " is reconnecting: SHUTDOWN waits for it";
    (*record)->shutdown_pending = true;
    (*record)->kill_deadline = absl::Now() + options_.reregistration_timeout +
                               options_.shutdown_grace_period +
                               options_.shutdown_kill_margin;
    return absl::OkStatus();
  }
  XRT_LOG(INFO) << "executor " << ref.executor_id
                << " cannot receive SHUTDOWN (" << sent
                << "): sending SIGTERM";
  SignalProcessGroup(group, SIGTERM).IgnoreError();
  return absl::OkStatus();
}

}  // namespace executor_runtime
