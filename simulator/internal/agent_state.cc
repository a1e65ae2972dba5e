// AgentState: executors, the control API, fault injection and views. The
// handling of calls and status updates is in agent_updates.cc.
#include "simulator/internal/agent_state.h"

#include <algorithm>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "simulator/internal/call_validation.h"
#include "simulator/internal/connect_stream.h"
#include "util/logging.h"
#include "util/uuid.h"

namespace executor_runtime {
namespace simulator_internal {

using mesos::executor::Event;

namespace {

std::string Describe(const ExecutorRef& ref) {
  return absl::StrCat("executor ", Quote(ref.executor_id), " of framework ",
                      Quote(ref.framework_id));
}

AgentOptions WithDefaults(AgentOptions options) {
  if (!options.agent_info.has_hostname()) {
    options.agent_info.set_hostname("localhost");
  }
  if (!options.agent_info.has_id() || options.agent_info.id().value().empty()) {
    XRT_LOG(WARNING) << "AgentOptions.agent_info.id is not set; using "
                        "'simulated-agent'";
    options.agent_info.mutable_id()->set_value("simulated-agent");
  }
  if (options.max_pending_updates_per_stream == 0) {
    options.max_pending_updates_per_stream = 1;
  }
  return options;
}

}  // namespace

AgentState::AgentState(AgentOptions options)
    : options_(WithDefaults(std::move(options))),
      abuse_guard_(options_.max_refused_calls_per_connection,
                   options_.refusal_window, options_.refusal_cooldown),
      history_(options_.update_history_limit) {
  if (options_.heartbeat_interval > absl::ZeroDuration()) {
    const absl::Time first = absl::Now() + options_.heartbeat_interval;
    timer_.Schedule(first, [this, first] { HeartbeatTick(first); });
  }
}

AgentState::~AgentState() = default;

// ---- Streams --------------------------------------------------------------

uint64_t AgentState::Register(ConnectStream* stream) {
  absl::MutexLock lock(&mu_);
  const uint64_t id = next_stream_id_++;
  streams_.emplace(id, stream);
  return id;
}

void AgentState::Unregister(ConnectStream* stream) {
  absl::MutexLock lock(&mu_);
  DetachLocked(stream);
  streams_.erase(stream->id());
}

StreamBinding& AgentState::BindingOf(ConnectStream* stream)
    ABSL_NO_THREAD_SAFETY_ANALYSIS {
  return stream->binding;
}

const StreamBinding& AgentState::BindingOf(const ConnectStream* stream) const
    ABSL_NO_THREAD_SAFETY_ANALYSIS {
  return stream->binding;
}

void AgentState::Detach(ConnectStream* stream) {
  absl::MutexLock lock(&mu_);
  DetachLocked(stream);
}

void AgentState::DetachLocked(ConnectStream* stream) {
  StreamBinding& binding = BindingOf(stream);
  ExecutorState* executor = binding.executor;
  if (executor == nullptr) return;
  binding.executor = nullptr;
  if (executor->stream == stream) executor->stream = nullptr;
  ChangedLocked();
}

void AgentState::ChangedLocked() {
  ++version_;
  changed_.SignalAll();
}

// ---- Executors ------------------------------------------------------------

absl::Status AgentState::AddExecutor(const ExecutorSpec& spec) {
  if (!spec.framework_info.has_id() ||
      spec.framework_info.id().value().empty()) {
    return absl::InvalidArgumentError(
        "ExecutorSpec.framework_info.id is not set");
  }
  if (!spec.executor_info.has_executor_id() ||
      spec.executor_info.executor_id().value().empty()) {
    return absl::InvalidArgumentError(
        "ExecutorSpec.executor_info.executor_id is not set");
  }
  auto state = std::make_unique<ExecutorState>();
  state->spec = spec;
  state->ref = {spec.framework_info.id().value(),
                spec.executor_info.executor_id().value()};
  // SUBSCRIBED carries both; make them complete (proto2 required fields)
  // so that the executor's side can parse them.
  mesos::ExecutorInfo& info = state->spec.executor_info;
  if (!info.has_framework_id()) {
    *info.mutable_framework_id() = spec.framework_info.id();
  } else if (info.framework_id().value() != state->ref.framework_id) {
    return absl::InvalidArgumentError(absl::StrCat(
        "ExecutorSpec.executor_info.framework_id ",
        Quote(info.framework_id().value()), " is not framework_info.id ",
        Quote(state->ref.framework_id)));
  }
  if (!state->spec.framework_info.IsInitialized()) {
    return absl::InvalidArgumentError(
        absl::StrCat("ExecutorSpec.framework_info is missing required fields: ",
                     state->spec.framework_info.InitializationErrorString()));
  }
  if (!info.IsInitialized()) {
    return absl::InvalidArgumentError(
        absl::StrCat("ExecutorSpec.executor_info is missing required fields: ",
                     info.InitializationErrorString()));
  }
  absl::MutexLock lock(&mu_);
  const ExecutorKey key = KeyOf(state->ref);
  if (executors_.count(key) > 0) {
    return absl::AlreadyExistsError(
        absl::StrCat(Describe(state->ref), " is already declared"));
  }
  executors_.emplace(key, std::move(state));
  ChangedLocked();
  return absl::OkStatus();
}

absl::Status AgentState::RemoveExecutor(const ExecutorRef& ref) {
  absl::MutexLock lock(&mu_);
  auto it = executors_.find(KeyOf(ref));
  if (it == executors_.end()) {
    return absl::NotFoundError(
        absl::StrCat(Describe(ref), " is not known to this agent"));
  }
  ExecutorState* executor = it->second.get();
  if (ConnectStream* stream = executor->stream) {
    DetachLocked(stream);
    stream->End(grpc::Status(grpc::StatusCode::ABORTED,
                             Describe(ref) + " was removed from this agent"));
  }
  for (const auto& [task_id, task] : executor->tasks)
    task_owner_.erase(task_id);
  executors_.erase(it);
  ChangedLocked();
  return absl::OkStatus();
}

absl::StatusOr<ExecutorState*> AgentState::FindLocked(
    const ExecutorRef& ref) const {
  auto it = executors_.find(KeyOf(ref));
  if (it == executors_.end()) {
    return absl::NotFoundError(
        absl::StrCat(Describe(ref), " is not known to this agent"));
  }
  return it->second.get();
}

absl::StatusOr<ConnectStream*> AgentState::SubscribedStreamLocked(
    const ExecutorRef& ref) {
  absl::StatusOr<ExecutorState*> executor = FindLocked(ref);
  if (!executor.ok()) return executor.status();
  if ((*executor)->stream == nullptr) {
    return absl::FailedPreconditionError(
        absl::StrCat(Describe(ref), " has no subscribed stream"));
  }
  return (*executor)->stream;
}

// ---- Control --------------------------------------------------------------

absl::Status AgentState::PrepareLaunchLocked(
    const ExecutorState& executor, std::vector<mesos::TaskInfo>* tasks) const {
  if (tasks->empty()) {
    return absl::InvalidArgumentError("the task group has no tasks");
  }
  absl::flat_hash_set<std::string> ids;
  for (mesos::TaskInfo& task : *tasks) {
    if (!task.has_task_id() || task.task_id().value().empty()) {
      return absl::InvalidArgumentError("a task to launch has no task_id");
    }
    const std::string& id = task.task_id().value();
    if (!task.has_slave_id())
      *task.mutable_slave_id() = options_.agent_info.id();
    if (!task.IsInitialized()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "task ", Quote(id),
          " is missing required fields: ", task.InitializationErrorString()));
    }
    auto owner = task_owner_.find(id);
    if (owner != task_owner_.end()) {
      return absl::AlreadyExistsError(absl::StrCat(
          "task ", Quote(id), " is already known to this agent (",
          Describe(owner->second->ref), "); task IDs must be unique"));
    }
    if (!ids.insert(id).second) {
      return absl::AlreadyExistsError(
          absl::StrCat("the task group lists task ", Quote(id), " twice"));
    }
  }
  (void)executor;
  return absl::OkStatus();
}

void AgentState::AddTaskLocked(ExecutorState* executor,
                               const mesos::TaskInfo& task) {
  const std::string& id = task.task_id().value();
  executor->tasks[id].info = task;
  task_owner_[id] = executor;
}

absl::Status AgentState::Launch(const ExecutorRef& ref,
                                const mesos::TaskInfo& task) {
  absl::MutexLock lock(&mu_);
  absl::StatusOr<ConnectStream*> stream = SubscribedStreamLocked(ref);
  if (!stream.ok()) return stream.status();
  ExecutorState* executor = BindingOf(*stream).executor;
  std::vector<mesos::TaskInfo> tasks = {task};
  absl::Status status = PrepareLaunchLocked(*executor, &tasks);
  if (!status.ok()) return status;
  AddTaskLocked(executor, tasks[0]);
  Event event;
  event.set_type(Event::LAUNCH);
  *event.mutable_launch()->mutable_task() = std::move(tasks[0]);
  (*stream)->Send(std::move(event));
  ChangedLocked();
  return absl::OkStatus();
}

absl::Status AgentState::LaunchGroup(const ExecutorRef& ref,
                                     const mesos::TaskGroupInfo& group) {
  absl::MutexLock lock(&mu_);
  absl::StatusOr<ConnectStream*> stream = SubscribedStreamLocked(ref);
  if (!stream.ok()) return stream.status();
  ExecutorState* executor = BindingOf(*stream).executor;
  std::vector<mesos::TaskInfo> tasks(group.tasks().begin(),
                                     group.tasks().end());
  absl::Status status = PrepareLaunchLocked(*executor, &tasks);
  if (!status.ok()) return status;
  Event event;
  event.set_type(Event::LAUNCH_GROUP);
  auto* out = event.mutable_launch_group()->mutable_task_group();
  for (mesos::TaskInfo& task : tasks) {
    AddTaskLocked(executor, task);
    *out->add_tasks() = std::move(task);
  }
  (*stream)->Send(std::move(event));
  ChangedLocked();
  return absl::OkStatus();
}

absl::Status AgentState::Kill(const ExecutorRef& ref,
                              const mesos::TaskID& task_id,
                              const std::optional<mesos::KillPolicy>& policy) {
  if (task_id.value().empty()) {
    return absl::InvalidArgumentError("Kill: the task ID is empty");
  }
  absl::MutexLock lock(&mu_);
  absl::StatusOr<ConnectStream*> stream = SubscribedStreamLocked(ref);
  if (!stream.ok()) return stream.status();
  // A KILL for a task the agent does not know is sent anyway: a Mesos agent
  // can race a kill with a launch, and executors must cope.
  Event event;
  event.set_type(Event::KILL);
  *event.mutable_kill()->mutable_task_id() = task_id;
  if (policy.has_value())
    *event.mutable_kill()->mutable_kill_policy() = *policy;
  (*stream)->Send(std::move(event));
  return absl::OkStatus();
}

absl::Status AgentState::SendMessage(const ExecutorRef& ref,
                                     const std::string& data) {
  absl::MutexLock lock(&mu_);
  absl::StatusOr<ConnectStream*> stream = SubscribedStreamLocked(ref);
  if (!stream.ok()) return stream.status();
  Event event;
  event.set_type(Event::MESSAGE);
  event.mutable_message()->set_data(data);
  (*stream)->Send(std::move(event));
  return absl::OkStatus();
}

absl::Status AgentState::Shutdown(const ExecutorRef& ref) {
  absl::MutexLock lock(&mu_);
  absl::StatusOr<ConnectStream*> stream = SubscribedStreamLocked(ref);
  if (!stream.ok()) return stream.status();
  Event event;
  event.set_type(Event::SHUTDOWN);
  (*stream)->Send(std::move(event));
  return absl::OkStatus();
}

mesos::TaskInfo AgentState::TaskFromId(const mesos::TaskID& id) const {
  mesos::TaskInfo task;
  task.set_name("");
  *task.mutable_task_id() = id;
  *task.mutable_slave_id() = options_.agent_info.id();
  return task;
}

// ---- Recovery -------------------------------------------------------------

absl::Status AgentState::RestoreTask(
    const ExecutorRef& ref, const mesos::TaskInfo& task,
    std::optional<mesos::TaskState> latest_state) {
  absl::MutexLock lock(&mu_);
  absl::StatusOr<ExecutorState*> executor = FindLocked(ref);
  if (!executor.ok()) return executor.status();
  std::vector<mesos::TaskInfo> tasks = {task};
  absl::Status status = PrepareLaunchLocked(**executor, &tasks);
  if (!status.ok()) return status;
  AddTaskLocked(*executor, tasks[0]);
  (*executor)->tasks[tasks[0].task_id().value()].latest_state = latest_state;
  ChangedLocked();
  return absl::OkStatus();
}

absl::Status AgentState::RestoreUpdates(
    const std::vector<RecordedUpdate>& updates) {
  absl::MutexLock lock(&mu_);
  // Check everything first: all or nothing.
  std::vector<ExecutorState*> owners;
  owners.reserve(updates.size());
  for (const RecordedUpdate& update : updates) {
    absl::StatusOr<ExecutorState*> executor = FindLocked(update.executor);
    if (!executor.ok()) return executor.status();
    const std::string& task_id = update.status.task_id().value();
    if (task_id.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("restored update ", update.sequence, " has no task ID"));
    }
    if (!IsValidUuidBytes(update.status.uuid())) {
      return absl::InvalidArgumentError(
          absl::StrCat("restored update ", update.sequence, " for task ",
                       Quote(task_id), ": status.uuid is ",
                       update.status.uuid().size(), " bytes, expected 16"));
    }
    auto owner = task_owner_.find(task_id);
    if (owner != task_owner_.end() && owner->second != *executor) {
      return absl::PermissionDeniedError(
          absl::StrCat("restored update for task ", Quote(task_id), " of ",
                       Describe(update.executor), ": the task belongs to ",
                       Describe(owner->second->ref)));
    }
    owners.push_back(*executor);
  }
  for (size_t i = 0; i < updates.size(); ++i) {
    ExecutorState* executor = owners[i];
    const RecordedUpdate& update = updates[i];
    // Generation: as if recorded on the executor's current subscription.
    if (!executor->seen_uuids.Insert(UuidKey::Of(update.status.uuid()),
                                     executor->subscriptions)) {
      continue;  // Restored twice: once is enough.
    }
    const std::string& task_id = update.status.task_id().value();
    if (executor->tasks.count(task_id) == 0) {
      AddTaskLocked(executor, TaskFromId(update.status.task_id()));
    }
    TaskEntry& task = executor->tasks[task_id];
    if (!task.latest_state.has_value() || !IsTerminalState(*task.latest_state)) {
      task.latest_state = update.status.state();
    }
    const uint64_t sequence =
        update.sequence == 0 ? update_count_ + 1 : update.sequence;
    if (StoredUpdate* kept = history_.Next()) {
      kept->sequence = sequence;
      kept->executor = update.executor;
      update.status.SerializePartialToString(&kept->status_bytes);
      kept->recorded_at = update.recorded_at;
    }
    update_count_ = std::max<uint64_t>(update_count_, sequence);
  }
  ChangedLocked();
  return absl::OkStatus();
}

// ---- Record and views -----------------------------------------------------

std::vector<RecordedUpdate> AgentState::Updates() const {
  absl::MutexLock lock(&mu_);
  return history_.Snapshot();
}

size_t AgentState::UpdateCount() const {
  absl::MutexLock lock(&mu_);
  return update_count_;
}

std::vector<RecordedMessage> AgentState::Messages() const {
  absl::MutexLock lock(&mu_);
  return std::vector<RecordedMessage>(messages_.begin(), messages_.end());
}

int AgentState::AddUpdateListener(
    std::function<void(const RecordedUpdate&)> listener) {
  absl::MutexLock lock(&mu_);
  const int id = next_listener_id_++;
  listeners_.emplace(id, std::make_shared<Listener>(std::move(listener)));
  return id;
}

void AgentState::RemoveUpdateListener(int id) {
  absl::MutexLock lock(&mu_);
  listeners_.erase(id);
}

ExecutorView AgentState::ViewLocked(const ExecutorState& executor) const {
  ExecutorView view;
  view.executor = executor.ref;
  view.subscribed = executor.stream != nullptr;
  view.subscriptions = executor.subscriptions;
  view.heartbeat_calls = executor.heartbeat_calls;
  view.remembered_update_uuids = executor.seen_uuids.size();
  view.tasks.reserve(executor.tasks.size());
  for (const auto& [id, task] : executor.tasks) {
    view.tasks.push_back(TaskView{executor.ref, task.info, task.latest_state});
  }
  std::sort(view.tasks.begin(), view.tasks.end(),
            [](const TaskView& a, const TaskView& b) {
              return a.task.task_id().value() < b.task.task_id().value();
            });
  return view;
}

std::vector<ExecutorView> AgentState::Executors() const {
  absl::MutexLock lock(&mu_);
  std::vector<ExecutorView> views;
  views.reserve(executors_.size());
  for (const auto& [key, executor] : executors_) {
    views.push_back(ViewLocked(*executor));
  }
  return views;
}

std::optional<ExecutorView> AgentState::Executor(const ExecutorRef& ref) const {
  absl::MutexLock lock(&mu_);
  auto it = executors_.find(KeyOf(ref));
  if (it == executors_.end()) return std::nullopt;
  return ViewLocked(*it->second);
}

uint64_t AgentState::Version() const {
  absl::MutexLock lock(&mu_);
  return version_;
}

bool AgentState::AwaitChange(uint64_t version, absl::Time deadline) const {
  absl::MutexLock lock(&mu_);
  while (version_ == version) {
    if (changed_.WaitWithDeadline(&mu_, deadline)) return version_ != version;
  }
  return true;
}

// ---- Faults and heartbeats ------------------------------------------------

void AgentState::BreakStreams(const std::optional<ExecutorRef>& ref) {
  const grpc::Status broken(grpc::StatusCode::UNAVAILABLE,
                            "stream broken by the agent (fault injection)");
  absl::MutexLock lock(&mu_);
  if (ref.has_value()) {
    auto it = executors_.find(KeyOf(*ref));
    if (it == executors_.end() || it->second->stream == nullptr) return;
    ConnectStream* stream = it->second->stream;
    DetachLocked(stream);
    stream->End(broken);
    return;
  }
  for (const auto& [id, stream] : streams_) {
    DetachLocked(stream);
    stream->End(broken);
  }
}

void AgentState::SetHeartbeatsEnabled(bool enabled) {
  absl::MutexLock lock(&mu_);
  heartbeats_enabled_ = enabled;
}

void AgentState::SetAckMode(AckMode mode, absl::Duration delay) {
  absl::MutexLock lock(&mu_);
  ack_mode_ = mode;
  ack_delay_ = std::max(delay, absl::ZeroDuration());
}

void AgentState::RefuseSubscriptionsFor(absl::Duration duration) {
  absl::MutexLock lock(&mu_);
  refuse_subscriptions_until_ = absl::Now() + duration;
}

void AgentState::HeartbeatTick(absl::Time scheduled) {
  {
    absl::MutexLock lock(&mu_);
    if (heartbeats_enabled_) {
      for (const auto& [id, stream] : streams_) {
        if (BindingOf(stream).executor != nullptr) stream->SendHeartbeat();
      }
    }
  }
  // Keep to the schedule, but never fall behind by more than one tick.
  absl::Time next = scheduled + options_.heartbeat_interval;
  const absl::Time now = absl::Now();
  if (next < now) next = now + options_.heartbeat_interval;
  timer_.Schedule(next, [this, next] { HeartbeatTick(next); });
}

}  // namespace simulator_internal
}  // namespace executor_runtime
