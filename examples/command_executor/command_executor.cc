#include "examples/command_executor/command_executor.h"

#include <sys/wait.h>

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "examples/command_executor/exit_description.h"
#include "examples/command_executor/launch_plan.h"
#include "util/logging.h"
#include "util/mesos_duration.h"

namespace executor_runtime {
namespace command_executor {
namespace {

std::optional<absl::Duration> GracePeriodOf(const mesos::KillPolicy& policy) {
  if (!policy.has_grace_period()) return std::nullopt;
  return std::max(absl::ZeroDuration(),
                  absl::Nanoseconds(policy.grace_period().nanoseconds()));
}

}  // namespace

CommandExecutor::CommandExecutor(CommandExecutorOptions options)
    : options_(std::move(options)) {
  auto runner = std::make_unique<TaskRunner>(TaskRunner::Callbacks{
      [this](const std::string& task_id, pid_t) { OnStarted(task_id); },
      [this](const TaskExit& exit) { OnExited(exit); }});
  absl::MutexLock lock(&mu_);
  runner_ = std::move(runner);
}

CommandExecutor::~CommandExecutor() { Close(); }

void CommandExecutor::SetUpdateSender(UpdateSender sender) {
  absl::MutexLock lock(&mu_);
  sender_ = std::move(sender);
}

void CommandExecutor::Close() {
  std::unique_ptr<TaskRunner> runner;
  {
    absl::MutexLock lock(&mu_);
    closed_ = true;
    runner = std::move(runner_);
  }
  runner.reset();  // kills and reaps what is left; OnExited() logs it
}

std::string CommandExecutor::TaskDirectory(const std::string& task_id) const {
  return absl::StrCat(options_.sandbox_root, "/tasks/", task_id);
}

void CommandExecutor::SendLocked(
    const std::string& task_id, mesos::TaskState state,
    const std::string& message,
    std::optional<mesos::TaskStatus::Reason> reason) {
  mesos::TaskStatus status;
  status.mutable_task_id()->set_value(task_id);
  status.set_state(state);
  if (!message.empty()) status.set_message(message);
  if (reason.has_value()) status.set_reason(*reason);
  std::string what =
      absl::StrCat(mesos::TaskState_Name(state), " for task ", task_id,
                   message.empty() ? "" : ": ", message);
  if (closed_ || !sender_) {
    XRT_LOG(WARNING) << "status update not sent ("
                     << (closed_ ? "executor closed" : "no sender")
                     << "): " << what;
    return;
  }
  XRT_LOG(INFO) << "sending " << what;
  absl::Status sent = sender_(status);
  if (!sent.ok()) {
    XRT_LOG(ERROR) << "status update " << what
                   << " could not be sent: " << sent;
  }
}

void CommandExecutor::FinishLocked(FinishReason reason) {
  if (!finished_.has_value()) finished_ = reason;
}

void CommandExecutor::Subscribed(
    ExecutorDriver*, const mesos::executor::Event::Subscribed& subscribed,
    bool resubscribed) {
  absl::MutexLock lock(&mu_);
  task_killing_capable_ = false;
  for (const auto& capability : subscribed.framework_info().capabilities()) {
    if (capability.type() ==
        mesos::FrameworkInfo::Capability::TASK_KILLING_STATE) {
      task_killing_capable_ = true;
    }
  }
  XRT_LOG(INFO) << (resubscribed ? "resubscribed" : "subscribed")
                << " to agent " << subscribed.agent_info().id().value();
}

void CommandExecutor::Disconnected(ExecutorDriver*) {
  XRT_LOG(WARNING) << "disconnected from the agent; tasks keep running";
}

void CommandExecutor::Launch(ExecutorDriver*, const mesos::TaskInfo& task) {
  const std::string& id = task.task_id().value();
  absl::MutexLock lock(&mu_);
  if (tasks_.count(id) > 0 || ended_tasks_.count(id) > 0) {
    XRT_LOG(ERROR) << "LAUNCH of task " << id
                   << " ignored: this executor already ran a task with that "
                      "ID";
    return;
  }
  if (shutting_down_ || runner_ == nullptr) {
    ended_tasks_.insert(id);
    SendLocked(id, mesos::TASK_KILLED,
               "launched while the executor was shutting down",
               mesos::TaskStatus::REASON_TASK_KILLED_DURING_LAUNCH);
    return;
  }

  auto invalid = [&](const std::string& message)
                     ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
                       ended_tasks_.insert(id);
                       SendLocked(id, mesos::TASK_ERROR, message,
                                  mesos::TaskStatus::REASON_TASK_INVALID);
                     };
  if (!task.has_command()) {
    invalid(
        "the task has no CommandInfo (TaskInfo.command): the command "
        "executor only runs commands");
    return;
  }
  if (absl::Status valid = ValidateTaskIdForPath(id); !valid.ok()) {
    invalid(std::string(valid.message()));
    return;
  }

  PlanOptions plan_options;
  plan_options.task_id = id;
  plan_options.directory = TaskDirectory(id);
  plan_options.base_environment = options_.base_environment.has_value()
                                      ? *options_.base_environment
                                      : CurrentEnvironment();
  plan_options.honor_user = options_.honor_user;
  absl::StatusOr<LaunchPlan> plan = PlanLaunch(task.command(), plan_options);
  if (!plan.ok() && absl::IsInvalidArgument(plan.status())) {
    invalid(std::string(plan.status().message()));
    return;
  }

  SendLocked(id, mesos::TASK_STARTING, "");
  auto failed =
      [&](const absl::Status& status) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        ended_tasks_.insert(id);
        SendLocked(id, mesos::TASK_FAILED, std::string(status.message()),
                   mesos::TaskStatus::REASON_CONTAINER_LAUNCH_FAILED);
      };
  if (!plan.ok()) {
    failed(plan.status());
    return;
  }

  Task record;
  if (task.has_kill_policy()) {
    record.kill_grace_period = GracePeriodOf(task.kill_policy());
  }
  record.warnings = plan->warnings;
  for (const std::string& warning : record.warnings) {
    XRT_LOG(WARNING) << "task " << id << ": " << warning;
  }
  tasks_.emplace(id, std::move(record));
  // The runner's callbacks wait for mu_, so they see the record.
  if (absl::Status started = runner_->Start(*plan); !started.ok()) {
    tasks_.erase(id);
    failed(started);
  }
}

void CommandExecutor::OnStarted(const std::string& task_id) {
  absl::MutexLock lock(&mu_);
  auto it = tasks_.find(task_id);
  if (it == tasks_.end() || it->second.running) return;
  it->second.running = true;
  SendLocked(task_id, mesos::TASK_RUNNING,
             absl::StrJoin(it->second.warnings, "; "));
}

void CommandExecutor::OnExited(const TaskExit& exit) {
  absl::MutexLock lock(&mu_);
  auto it = tasks_.find(exit.task_id);
  if (it == tasks_.end()) {
    XRT_LOG(ERROR) << "unknown task " << exit.task_id << " ended";
    return;
  }
  const Task task = std::move(it->second);
  tasks_.erase(it);
  ended_tasks_.insert(exit.task_id);

  const std::string how = DescribeWaitStatus(exit.wait_status);
  if (exit.killed_before_start) {
    SendLocked(exit.task_id, mesos::TASK_KILLED,
               task.shutdown_kill
                   ? "killed at executor shutdown before the command started"
                   : "killed before the command started",
               mesos::TaskStatus::REASON_TASK_KILLED_DURING_LAUNCH);
  } else if (!exit.launch_error.empty()) {
    SendLocked(exit.task_id, mesos::TASK_FAILED, exit.launch_error,
               mesos::TaskStatus::REASON_CONTAINER_LAUNCH_FAILED);
  } else if (exit.kill_requested) {
    SendLocked(
        exit.task_id, mesos::TASK_KILLED,
        absl::StrCat(
            task.shutdown_kill ? "killed at executor shutdown" : "killed", ": ",
            how,
            exit.sigkill_sent ? " (SIGTERM was not enough: SIGKILL after "
                                "the grace period)"
                              : ""));
  } else if (WIFEXITED(exit.wait_status) &&
             WEXITSTATUS(exit.wait_status) == 0) {
    SendLocked(exit.task_id, mesos::TASK_FINISHED, how);
  } else {
    SendLocked(exit.task_id, mesos::TASK_FAILED, how);
  }

  if (shutting_down_ && tasks_.empty()) {
    FinishLocked(FinishReason::kShutdownComplete);
  }
}

void CommandExecutor::Kill(ExecutorDriver*, const mesos::TaskID& task_id,
                           const mesos::KillPolicy& kill_policy) {
  const std::string& id = task_id.value();
  absl::MutexLock lock(&mu_);
  auto it = tasks_.find(id);
  if (it == tasks_.end()) {
    if (ended_tasks_.count(id) > 0) {
      XRT_LOG(INFO) << "KILL of task " << id << " ignored: it already ended";
    } else {
      XRT_LOG(WARNING) << "KILL of unknown task " << id << " ignored";
    }
    return;
  }
  Task& task = it->second;
  absl::Duration grace = options_.default_kill_grace_period;
  if (std::optional<absl::Duration> from_event = GracePeriodOf(kill_policy)) {
    grace = *from_event;
  } else if (task.kill_grace_period.has_value()) {
    grace = *task.kill_grace_period;
  }
  if (task_killing_capable_ && task.running && !task.killing_sent) {
    task.killing_sent = true;
    SendLocked(id, mesos::TASK_KILLING,
               absl::StrCat("grace period ", FormatMesosDuration(grace)));
  }
  if (runner_ != nullptr) runner_->Kill(id, grace);
}

void CommandExecutor::Message(ExecutorDriver*, const std::string& data) {
  XRT_LOG(INFO) << "framework message of " << data.size() << " bytes ignored";
}

void CommandExecutor::Shutdown(ExecutorDriver*) {
  absl::MutexLock lock(&mu_);
  if (shutting_down_) return;
  shutting_down_ = true;
  const absl::Duration cap = options_.shutdown_grace_period / 2;
  XRT_LOG(INFO) << "shutting down: killing " << tasks_.size() << " task(s)";
  for (auto& [id, task] : tasks_) {
    task.shutdown_kill = true;
    absl::Duration grace =
        task.kill_grace_period.value_or(options_.default_kill_grace_period);
    if (runner_ != nullptr) runner_->Kill(id, std::min(grace, cap));
  }
  if (tasks_.empty()) FinishLocked(FinishReason::kShutdownComplete);
}

void CommandExecutor::Error(ExecutorDriver*, const std::string& message) {
  XRT_LOG(ERROR) << "driver error: " << message;
  absl::MutexLock lock(&mu_);
  error_ = message;
  FinishLocked(FinishReason::kDriverError);
}

FinishReason CommandExecutor::AwaitFinished() {
  absl::MutexLock lock(&mu_);
  mu_.Await(absl::Condition(
      +[](std::optional<FinishReason>* finished) {
        return finished->has_value();
      },
      &finished_));
  return *finished_;
}

std::optional<FinishReason> CommandExecutor::AwaitFinished(
    absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  mu_.AwaitWithTimeout(absl::Condition(
                           +[](std::optional<FinishReason>* finished) {
                             return finished->has_value();
                           },
                           &finished_),
                       timeout);
  return finished_;
}

void CommandExecutor::NotifyDriverEnded() {
  absl::MutexLock lock(&mu_);
  FinishLocked(FinishReason::kDriverEnded);
}

std::string CommandExecutor::error() const {
  absl::MutexLock lock(&mu_);
  return error_;
}

size_t CommandExecutor::active_tasks() const {
  absl::MutexLock lock(&mu_);
  return tasks_.size();
}

}  // namespace command_executor
}  // namespace executor_runtime
