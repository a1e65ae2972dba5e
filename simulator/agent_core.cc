#include "simulator/agent_core.h"

#include <utility>

#include "absl/time/clock.h"
#include "simulator/internal/agent_state.h"
#include "simulator/internal/connect_stream.h"

namespace executor_runtime {

class AgentCore::Impl {
 public:
  explicit Impl(AgentOptions options)
      : state(std::move(options)), service(&state) {}

  simulator_internal::AgentState state;
  simulator_internal::AgentService service;
};

AgentCore::AgentCore(AgentOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {}

AgentCore::~AgentCore() = default;

grpc::Service* AgentCore::service() { return &impl_->service; }

absl::Status AgentCore::AddExecutor(const ExecutorSpec& spec) {
  return impl_->state.AddExecutor(spec);
}

absl::Status AgentCore::RemoveExecutor(const ExecutorRef& executor) {
  return impl_->state.RemoveExecutor(executor);
}

absl::Status AgentCore::Launch(const ExecutorRef& executor,
                               const mesos::TaskInfo& task) {
  return impl_->state.Launch(executor, task);
}

absl::Status AgentCore::LaunchGroup(const ExecutorRef& executor,
                                    const mesos::TaskGroupInfo& group) {
  return impl_->state.LaunchGroup(executor, group);
}

absl::Status AgentCore::Kill(
    const ExecutorRef& executor, const mesos::TaskID& task_id,
    const std::optional<mesos::KillPolicy>& kill_policy) {
  return impl_->state.Kill(executor, task_id, kill_policy);
}

absl::Status AgentCore::SendMessage(const ExecutorRef& executor,
                                    const std::string& data) {
  return impl_->state.SendMessage(executor, data);
}

absl::Status AgentCore::Shutdown(const ExecutorRef& executor) {
  return impl_->state.Shutdown(executor);
}

absl::Status AgentCore::RestoreTask(
    const ExecutorRef& executor, const mesos::TaskInfo& task,
    std::optional<mesos::TaskState> latest_state) {
  return impl_->state.RestoreTask(executor, task, latest_state);
}

absl::Status AgentCore::RestoreUpdates(
    const std::vector<RecordedUpdate>& updates) {
  return impl_->state.RestoreUpdates(updates);
}

std::vector<RecordedUpdate> AgentCore::Updates() const {
  return impl_->state.Updates();
}

size_t AgentCore::UpdateCount() const { return impl_->state.UpdateCount(); }

std::vector<RecordedMessage> AgentCore::Messages() const {
  return impl_->state.Messages();
}

int AgentCore::AddUpdateListener(
    std::function<void(const RecordedUpdate&)> listener) {
  return impl_->state.AddUpdateListener(std::move(listener));
}

void AgentCore::RemoveUpdateListener(int id) {
  impl_->state.RemoveUpdateListener(id);
}

std::vector<ExecutorView> AgentCore::Executors() const {
  return impl_->state.Executors();
}

std::optional<ExecutorView> AgentCore::Executor(
    const ExecutorRef& executor) const {
  return impl_->state.Executor(executor);
}

bool AgentCore::WaitUntil(
    const std::function<bool(const AgentCore&)>& condition,
    absl::Duration timeout) const {
  const absl::Time deadline = absl::Now() + timeout;
  while (true) {
    // Read the version first: a change while `condition` runs then makes
    // AwaitChange return at once instead of being missed.
    const uint64_t version = impl_->state.Version();
    if (condition(*this)) return true;
    if (!impl_->state.AwaitChange(version, deadline)) return condition(*this);
  }
}

void AgentCore::BreakStreams(const std::optional<ExecutorRef>& executor) {
  impl_->state.BreakStreams(executor);
}

void AgentCore::SetHeartbeatsEnabled(bool enabled) {
  impl_->state.SetHeartbeatsEnabled(enabled);
}

void AgentCore::SetAckMode(AckMode mode, absl::Duration delay) {
  impl_->state.SetAckMode(mode, delay);
}

void AgentCore::RefuseSubscriptionsFor(absl::Duration duration) {
  impl_->state.RefuseSubscriptionsFor(duration);
}

}  // namespace executor_runtime
