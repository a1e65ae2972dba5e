// Simulator::Impl: the control operations (tasks, messages, listings,
// update streams, faults) on top of AgentCore and the update book.
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

control::ExecutorState Simulator::Impl::Describe(const ExecutorRecord& record) {
  control::ExecutorState state;
  state.set_framework_id(record.ref.framework_id);
  state.set_executor_id(record.ref.executor_id);
  state.set_pid(record.pid);
  state.set_sandbox_directory(record.sandbox);
  state.set_recovered(record.recovered);
  for (const std::string& task_id : record.task_ids) {
    control::TaskState* task = state.add_tasks();
    task->set_task_id(task_id);
    task->set_executor_id(record.ref.executor_id);
    std::optional<mesos::TaskState> latest = book_->LatestState(task_id);
    if (latest.has_value()) {
      task->set_state(*latest);
      task->set_terminal(IsTerminalState(*latest));
    }
  }
  switch (record.phase) {
    case Phase::kExited:
      state.set_phase("exited");
      state.set_exit_description(record.exit_description);
      break;
    case Phase::kShuttingDown:
      state.set_phase("shutting_down");
      break;
    case Phase::kLaunched:
      state.set_phase("launched");  // refined from AgentCore by the caller
      break;
  }
  return state;
}

absl::StatusOr<control::LaunchTasksResponse> Simulator::Impl::LaunchTasks(
    const control::LaunchTasksRequest& request) {
  if (request.tasks_size() == 0) {
    return absl::InvalidArgumentError("no tasks to launch");
  }
  ExecutorRef ref;
  mesos::ExecutorInfo info;
  std::vector<mesos::TaskInfo> tasks;
  {
    absl::MutexLock lock(&mu_);
    absl::StatusOr<ExecutorRecord*> record = FindLocked(request.executor_id());
    if (!record.ok()) return record.status();
    if ((*record)->phase != Phase::kLaunched) {
      return absl::FailedPreconditionError(absl::StrCat(
          "executor '", (*record)->ref.executor_id, "' is not running"));
    }
    ref = (*record)->ref;
    info = (*record)->info;
    std::set<std::string> seen;
    for (mesos::TaskInfo task : request.tasks()) {
      const std::string& id = task.task_id().value();
      if (id.empty()) return absl::InvalidArgumentError("a task has no ID");
      if (task_owner_.count(id) > 0 || !seen.insert(id).second) {
        return absl::AlreadyExistsError(
            absl::StrCat("task '", id, "' was launched before"));
      }
      if (task.name().empty()) task.set_name(id);
      task.mutable_slave_id()->set_value(agent_id_);
      if (!task.has_executor() && !task.has_command()) {
        *task.mutable_executor() = info;
      }
      tasks.push_back(std::move(task));
    }
    // Reserve the IDs (an executor that dies from here on fails them).
    for (const mesos::TaskInfo& task : tasks) {
      task_owner_[task.task_id().value()] = ref.executor_id;
      (*record)->task_ids.push_back(task.task_id().value());
    }
  }
  absl::Status sent;
  size_t sent_count = 0;
  if (request.as_group()) {
    mesos::TaskGroupInfo group;
    for (const mesos::TaskInfo& task : tasks) *group.add_tasks() = task;
    sent = core_->LaunchGroup(ref, group);
    if (sent.ok()) sent_count = tasks.size();
  } else {
    for (const mesos::TaskInfo& task : tasks) {
      sent = core_->Launch(ref, task);
      if (!sent.ok()) break;
      ++sent_count;
    }
  }
  if (sent_count < tasks.size()) {
    // The tasks that did not reach the executor were never launched: give
    // their IDs back, and say so.
    absl::MutexLock lock(&mu_);
    ExecutorRecord& record = executors_[ref.executor_id];
    for (size_t i = sent_count; i < tasks.size(); ++i) {
      const std::string& id = tasks[i].task_id().value();
      task_owner_.erase(id);
      record.task_ids.erase(
          std::remove(record.task_ids.begin(), record.task_ids.end(), id),
          record.task_ids.end());
    }
  }
  control::LaunchTasksResponse response;
  for (size_t i = 0; i < sent_count; ++i) {
    const mesos::TaskInfo& task = tasks[i];
    response.add_task_ids(task.task_id().value());
    checkpoint::CheckpointRecord record;
    record.mutable_task_launched()->set_framework_id(ref.framework_id);
    record.mutable_task_launched()->set_executor_id(ref.executor_id);
    *record.mutable_task_launched()->mutable_task() = task;
    absl::Status appended = Checkpoint(record);
    if (!appended.ok()) return appended;
  }
  if (!sent.ok()) {
    return absl::Status(
        sent.code(),
        absl::StrCat("launched ", sent_count, " of ", tasks.size(),
                     " tasks; the rest were not sent: ", sent.message()));
  }
  return response;
}

absl::Status Simulator::Impl::KillTask(
    const control::KillTaskRequest& request) {
  ExecutorRef ref;
  {
    absl::MutexLock lock(&mu_);
    std::string executor_id = request.executor_id();
    if (executor_id.empty()) {
      auto it = task_owner_.find(request.task_id());
      if (it == task_owner_.end()) {
        return absl::NotFoundError(
            absl::StrCat("no task with ID '", request.task_id(), "'"));
      }
      executor_id = it->second;
    }
    absl::StatusOr<ExecutorRecord*> record = FindLocked(executor_id);
    if (!record.ok()) return record.status();
    ref = (*record)->ref;
  }
  mesos::TaskID task_id;
  task_id.set_value(request.task_id());
  std::optional<mesos::KillPolicy> policy;
  if (request.has_grace_period_seconds()) {
    policy.emplace();
    policy->mutable_grace_period()->set_nanoseconds(
        static_cast<int64_t>(request.grace_period_seconds() * 1e9));
  }
  return core_->Kill(ref, task_id, policy);
}

absl::Status Simulator::Impl::SendMessage(
    const control::SendMessageRequest& request) {
  ExecutorRef ref;
  {
    absl::MutexLock lock(&mu_);
    absl::StatusOr<ExecutorRecord*> record = FindLocked(request.executor_id());
    if (!record.ok()) return record.status();
    ref = (*record)->ref;
  }
  return core_->SendMessage(ref, request.data());
}

control::ListResponse Simulator::Impl::List() {
  std::vector<control::ExecutorState> states;
  std::vector<ExecutorRef> refs;
  {
    absl::MutexLock lock(&mu_);
    for (const std::string& id : executor_order_) {
      const ExecutorRecord& record = executors_[id];
      states.push_back(Describe(record));
      refs.push_back(record.ref);
    }
  }
  control::ListResponse response;
  response.set_agent_id(agent_id_);
  response.set_agent_endpoint(agent_endpoint_);
  for (size_t i = 0; i < states.size(); ++i) {
    std::optional<ExecutorView> view = core_->Executor(refs[i]);
    if (view.has_value()) {
      states[i].set_subscriptions(view->subscriptions);
      if (states[i].phase() == "launched") {
        if (view->subscribed) {
          states[i].set_phase("subscribed");
        } else if (view->subscriptions > 0) {
          states[i].set_phase("disconnected");
        }
      }
    }
    *response.add_executors() = states[i];
  }
  response.set_updates_recorded(book_->count());
  return response;
}

absl::Status Simulator::Impl::WatchUpdates(
    const control::WatchUpdatesRequest& request,
    const std::function<bool(const control::UpdateRecord&)>& emit,
    const std::function<bool()>& cancelled) {
  uint64_t after = request.after_sequence();
  while (true) {
    std::vector<control::UpdateRecord> batch = book_->After(after, 256);
    for (const control::UpdateRecord& record : batch) {
      if (!emit(record)) return absl::OkStatus();
      after = record.sequence();
    }
    if (!batch.empty()) continue;
    if (!request.follow()) return absl::OkStatus();
    book_->WaitForAfter(after, absl::Milliseconds(100));
    if (cancelled()) return absl::OkStatus();
    absl::MutexLock lock(&mu_);
    if (stopping_) return absl::UnavailableError("the simulator is stopping");
  }
}

absl::Status Simulator::Impl::InjectFault(
    const control::FaultRequest& request) {
  const absl::Duration duration = absl::Seconds(request.duration_seconds());
  switch (request.kind()) {
    case control::FaultRequest::BREAK_STREAMS: {
      if (request.executor_id().empty()) {
        core_->BreakStreams();
        return absl::OkStatus();
      }
      ExecutorRef ref;
      {
        absl::MutexLock lock(&mu_);
        absl::StatusOr<ExecutorRecord*> record =
            FindLocked(request.executor_id());
        if (!record.ok()) return record.status();
        ref = (*record)->ref;
      }
      core_->BreakStreams(ref);
      return absl::OkStatus();
    }
    case control::FaultRequest::STOP_HEARTBEATS:
      core_->SetHeartbeatsEnabled(false);
      return absl::OkStatus();
    case control::FaultRequest::RESUME_HEARTBEATS:
      core_->SetHeartbeatsEnabled(true);
      return absl::OkStatus();
    case control::FaultRequest::DROP_ACKS:
      core_->SetAckMode(AckMode::kDrop);
      return absl::OkStatus();
    case control::FaultRequest::DELAY_ACKS:
      if (duration <= absl::ZeroDuration()) {
        return absl::InvalidArgumentError(
            "delaying acknowledgements needs a "
            "positive duration");
      }
      core_->SetAckMode(AckMode::kDelay, duration);
      return absl::OkStatus();
    case control::FaultRequest::NORMAL_ACKS:
      core_->SetAckMode(AckMode::kNormal);
      return absl::OkStatus();
    case control::FaultRequest::REFUSE_SUBSCRIPTIONS:
      if (duration <= absl::ZeroDuration()) {
        return absl::InvalidArgumentError(
            "refusing subscriptions needs a "
            "positive duration");
      }
      core_->RefuseSubscriptionsFor(duration);
      return absl::OkStatus();
    case control::FaultRequest::RESTART:
      if (!options_.allow_restart) {
        return absl::FailedPreconditionError(
            "a restart needs serve mode (agent_simulator --serve)");
      }
      if (store_ == nullptr) {
        return absl::FailedPreconditionError(
            "a restart needs a checkpoint: start the simulator with "
            "--work_dir");
      }
      PostRequest(Request::kRestart);
      return absl::OkStatus();
    default:
      return absl::InvalidArgumentError(
          absl::StrCat("unknown fault kind ", request.kind()));
  }
}

Simulator::Progress Simulator::Impl::GetProgress() {
  Simulator::Progress progress;
  {
    absl::MutexLock lock(&mu_);
    for (const std::string& id : executor_order_) {
      const ExecutorRecord& record = executors_[id];
      if (record.phase == Phase::kExited) {
        ++progress.executors_exited;
        if (progress.first_exit.empty()) {
          progress.first_exit = id + " " + record.exit_description;
        }
        continue;
      }
      ++progress.executors_live;
      // The housekeeper clears the deadline once the executor subscribed
      // (it asks AgentCore every 50ms; AgentCore's views copy every task).
      if (record.registration_deadline == absl::InfiniteFuture()) {
        ++progress.executors_subscribed;
      }
    }
    progress.tasks = static_cast<int>(task_owner_.size());
  }
  progress.states = book_->StateCounts();
  for (const auto& [state, count] : progress.states) {
    if (IsTerminalState(state)) progress.terminal += count;
  }
  progress.updates = book_->count();
  return progress;
}

}  // namespace executor_runtime
