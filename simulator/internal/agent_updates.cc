// AgentState: the handling of executor calls, and the status update manager
// (record each UUID once, journal before acknowledging, listeners, acks).
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "simulator/internal/agent_state.h"
#include "simulator/internal/bearer_token.h"
#include "simulator/internal/call_validation.h"
#include "simulator/internal/connect_stream.h"
#include "simulator/update_journal.h"

namespace executor_runtime {
namespace simulator_internal {

using mesos::executor::Call;
using mesos::executor::Event;

namespace {

std::string Describe(const ExecutorRef& ref) {
  return absl::StrCat("executor ", Quote(ref.executor_id), " of framework ",
                      Quote(ref.framework_id));
}

}  // namespace

absl::Status AgentState::HandleCall(ConnectStream* stream, Call* call) {
  absl::Status shape = ValidateCallShape(*call);
  if (!shape.ok()) return shape;
  switch (call->type()) {
    case Call::SUBSCRIBE:
      return HandleSubscribe(stream, call);
    case Call::UPDATE:
      return HandleUpdates(stream, call);
    default:
      return HandleOther(stream, *call);
  }
}

absl::Status AgentState::CheckOwnerLocked(const ExecutorState* executor,
                                          absl::string_view task_id,
                                          absl::string_view what) const {
  auto owner = task_owner_.find(task_id);
  if (owner != task_owner_.end() && owner->second != executor) {
    return absl::PermissionDeniedError(
        absl::StrCat(what, " for task ", Quote(task_id),
                     ": the task belongs to ", Describe(owner->second->ref)));
  }
  return absl::OkStatus();
}

absl::StatusOr<ExecutorState*> AgentState::BoundExecutorLocked(
    ConnectStream* stream, Call::Type call_type, absl::string_view executor_id,
    absl::string_view framework_id) {
  const StreamBinding& binding = BindingOf(stream);
  auto type = [call_type] { return CallTypeName(call_type); };
  if (!binding.subscribed) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the first call on a stream must be SUBSCRIBE, got ", type()));
  }
  ExecutorState* executor = binding.executor;
  if (executor == nullptr) {
    return absl::FailedPreconditionError(absl::StrCat(
        type(),
        " on a stream that is no longer subscribed (replaced by a newer "
        "subscription, broken, or its executor was removed)"));
  }
  if (executor_id != executor->ref.executor_id ||
      framework_id != executor->ref.framework_id) {
    return absl::PermissionDeniedError(absl::StrCat(
        type(), " names executor ", Quote(executor_id), " of framework ",
        Quote(framework_id), ", but this stream is subscribed as ",
        Describe(executor->ref)));
  }
  if (call_type == Call::SUBSCRIBE) {
    return absl::FailedPreconditionError(
        "SUBSCRIBE on a stream that is already subscribed");
  }
  return executor;
}

absl::Status AgentState::HandleSubscribe(ConnectStream* stream, Call* call) {
  const ExecutorRef ref{call->framework_id().value(),
                        call->executor_id().value()};
  Call::Subscribe* subscribe = call->mutable_subscribe();
  AckList acks;
  AckPlan plan;
  bool deliver = false;
  {
    absl::MutexLock lock(&mu_);
    if (BindingOf(stream).subscribed) {
      return BoundExecutorLocked(stream, call->type(),
                                 call->executor_id().value(),
                                 call->framework_id().value())
          .status();
    }
    const absl::Time now = absl::Now();
    if (now < refuse_subscriptions_until_) {
      return absl::UnavailableError(
          absl::StrCat("the agent refuses subscriptions for another ",
                       absl::FormatDuration(refuse_subscriptions_until_ - now),
                       " (fault injection)"));
    }
    absl::StatusOr<ExecutorState*> found = FindLocked(ref);
    if (!found.ok()) return found.status();
    ExecutorState* executor = *found;
    if (!executor->spec.auth_token.empty()) {
      absl::Status auth = CheckBearerToken(
          stream->Authorization(), executor->spec.auth_token, Describe(ref));
      if (!auth.ok()) return auth;
    }

    // Tasks named by the resubscription must not belong to someone else.
    for (const mesos::TaskInfo& task : subscribe->unacknowledged_tasks()) {
      absl::Status status = CheckOwnerLocked(executor, task.task_id().value(),
                                             "SUBSCRIBE: unacknowledged task");
      if (!status.ok()) return status;
    }
    for (const Call::Update& update : subscribe->unacknowledged_updates()) {
      absl::Status status =
          CheckOwnerLocked(executor, update.status().task_id().value(),
                           "SUBSCRIBE: unacknowledged update");
      if (!status.ok()) return status;
    }

    // Learn what the executor knows and the agent does not (an agent that
    // lost its state); tasks known only from an update get an empty name.
    for (const mesos::TaskInfo& task : subscribe->unacknowledged_tasks()) {
      if (executor->tasks.count(task.task_id().value()) == 0) {
        AddTaskLocked(executor, task);
      }
    }
    for (const Call::Update& update : subscribe->unacknowledged_updates()) {
      const mesos::TaskID& id = update.status().task_id();
      if (executor->tasks.count(id.value()) == 0) {
        AddTaskLocked(executor, TaskFromId(id));
      }
    }

    const int count = subscribe->unacknowledged_updates_size();
    if (static_cast<size_t>(count) > options_.max_pending_updates_per_stream) {
      return absl::ResourceExhaustedError(absl::StrCat(
          "SUBSCRIBE carries ", count,
          " unacknowledged updates; this agent "
          "takes at most ",
          options_.max_pending_updates_per_stream, " per stream at a time"));
    }
    std::vector<std::string> serialized(count);
    std::vector<UpdateView> updates;
    updates.reserve(count);
    for (int i = 0; i < count; ++i) {
      updates.push_back(ViewOfParsedUpdate(
          subscribe->unacknowledged_updates(i).status(), &serialized[i]));
    }
    acks.Reserve(count);
    // Listed updates belong to the subscription this SUBSCRIBE starts.
    absl::Status recorded =
        RecordUpdatesLocked(executor, updates.data(), updates.size(),
                            executor->subscriptions + 1, &acks);
    if (!recorded.ok()) return recorded;

    // Accepted: this stream replaces any older one of the executor.
    if (ConnectStream* old = executor->stream;
        old != nullptr && old != stream) {
      DetachLocked(old);
      old->End(
          grpc::Status(grpc::StatusCode::ABORTED,
                       "replaced by a newer SUBSCRIBE of " + Describe(ref)));
    }
    const mesos::executor::Capabilities& offered = subscribe->capabilities();
    StreamBinding& binding = BindingOf(stream);
    binding.subscribed = true;
    binding.executor = executor;
    binding.batched_updates =
        options_.allow_batching && offered.batched_updates();
    binding.batched_acks =
        options_.allow_batching && offered.batched_acknowledgements();
    binding.ack_receipts = options_.allow_acknowledgement_receipts &&
                           offered.acknowledgement_receipts();
    executor->stream = stream;
    ++executor->subscriptions;
    // The resubscription rule (seen_uuids.h): what was neither recorded
    // nor listed since the previous SUBSCRIBE cannot be retransmitted.
    executor->seen_uuids.ForgetBefore(executor->subscriptions - 1);

    Event event;
    event.set_type(Event::SUBSCRIBED);
    Event::Subscribed* subscribed = event.mutable_subscribed();
    *subscribed->mutable_executor_info() = executor->spec.executor_info;
    *subscribed->mutable_framework_info() = executor->spec.framework_info;
    *subscribed->mutable_agent_info() = options_.agent_info;
    if (options_.heartbeat_interval > absl::ZeroDuration()) {
      subscribed->set_heartbeat_interval_seconds(
          absl::ToDoubleSeconds(options_.heartbeat_interval));
    }
    subscribed->mutable_capabilities()->set_batched_updates(
        binding.batched_updates);
    subscribed->mutable_capabilities()->set_batched_acknowledgements(
        binding.batched_acks);
    subscribed->mutable_capabilities()->set_acknowledgement_receipts(
        binding.ack_receipts);
    stream->Send(std::move(event));

    plan = PlanAcksLocked(stream);
    deliver = ClaimDeliveryLocked();
    ChangedLocked();
  }
  if (deliver) DeliverPending();
  DispatchAcks(stream, plan, std::move(acks));
  return absl::OkStatus();
}

absl::Status AgentState::HandleUpdates(ConnectStream* stream, Call* call) {
  // The slow path (update_call_view.h): the call was parsed and validated
  // whole; its updates get the fast path's views.
  const int count = 1 + call->batched_updates_size();
  std::vector<std::string> serialized(count);
  UpdateCallView view;
  view.executor_id = call->executor_id().value();
  view.framework_id = call->framework_id().value();
  view.has_acknowledgements_received = call->has_acknowledgements_received();
  view.acknowledgements_received = call->acknowledgements_received();
  view.updates.reserve(count);
  view.updates.push_back(
      ViewOfParsedUpdate(call->update().status(), &serialized[0]));
  for (int i = 1; i < count; ++i) {
    view.updates.push_back(ViewOfParsedUpdate(
        call->batched_updates(i - 1).status(), &serialized[i]));
  }
  return HandleUpdateCall(stream, view);
}

absl::Status AgentState::HandleUpdateCall(ConnectStream* stream,
                                          const UpdateCallView& call) {
  const std::vector<UpdateView>& updates = call.updates;
  const size_t count = updates.size();
  AckList acks;
  acks.Reserve(count);
  AckPlan plan;
  bool deliver = false;
  {
    absl::MutexLock lock(&mu_);
    absl::StatusOr<ExecutorState*> bound = BoundExecutorLocked(
        stream, Call::UPDATE, call.executor_id, call.framework_id);
    if (!bound.ok()) return bound.status();
    ExecutorState* executor = *bound;
    const StreamBinding& binding = BindingOf(stream);
    if (count > 1 && !binding.batched_updates) {
      return absl::InvalidArgumentError(
          "UPDATE carries batched_updates, but batched updates were not "
          "negotiated on this stream");
    }
    if (call.has_acknowledgements_received) {
      absl::Status receipt = TakeReceiptLocked(stream, executor,
                                               call.acknowledgements_received);
      if (!receipt.ok()) return receipt;
    }
    const size_t limit = options_.max_pending_updates_per_stream;
    if (count > limit) {
      return absl::ResourceExhaustedError(absl::StrCat(
          "UPDATE carries ", count, " updates; this agent takes at most ",
          limit, " per stream at a time"));
    }
    const size_t queued = stream->QueuedAcks();
    if (queued + count > limit) {
      return absl::ResourceExhaustedError(absl::StrCat(
          queued, " acknowledgements already wait unsent on this stream and ",
          "this UPDATE adds ", count, " (limit ", limit,
          "): the executor is not reading its events"));
    }

    // Every update must be for a task this executor owns.
    absl::string_view known_task_id;  // Checked just before.
    for (const UpdateView& update : updates) {
      const absl::string_view task_id = update.task_id;
      if (!known_task_id.empty() && known_task_id == task_id) continue;
      if (executor->tasks.contains(task_id)) {
        known_task_id = task_id;
        continue;
      }
      absl::Status owned = CheckOwnerLocked(executor, task_id, "UPDATE");
      if (!owned.ok()) return owned;
      return absl::NotFoundError(absl::StrCat(
          "UPDATE for task ", Quote(task_id), ": the task is not known to ",
          Describe(executor->ref), " (never launched on it)"));
    }

    absl::Status recorded = RecordUpdatesLocked(
        executor, updates.data(), count, executor->subscriptions, &acks);
    if (!recorded.ok()) return recorded;
    plan = PlanAcksLocked(stream);
    deliver = ClaimDeliveryLocked();
    ChangedLocked();
  }
  if (deliver) DeliverPending();
  DispatchAcks(stream, plan, std::move(acks));
  return absl::OkStatus();
}

absl::Status AgentState::HandleOther(ConnectStream* stream, const Call& call) {
  absl::MutexLock lock(&mu_);
  absl::StatusOr<ExecutorState*> bound =
      BoundExecutorLocked(stream, call.type(), call.executor_id().value(),
                          call.framework_id().value());
  if (!bound.ok()) return bound.status();
  ExecutorState* executor = *bound;
  if (call.has_acknowledgements_received()) {
    absl::Status receipt =
        TakeReceiptLocked(stream, executor, call.acknowledgements_received());
    if (!receipt.ok()) return receipt;
  }
  switch (call.type()) {
    case Call::MESSAGE: {
      ++message_count_;
      if (options_.message_history_limit == 0) break;
      if (messages_.size() >= options_.message_history_limit) {
        messages_.pop_front();
      }
      RecordedMessage& message = messages_.emplace_back();
      message.sequence = message_count_;
      message.executor = executor->ref;
      message.data = call.message().data();
      message.received_at = absl::Now();
      break;
    }
    case Call::HEARTBEAT:
      ++executor->heartbeat_calls;
      break;
    default:
      return absl::InvalidArgumentError(absl::StrCat(
          CallTypeName(call.type()), " is not a call this agent handles"));
  }
  ChangedLocked();
  return absl::OkStatus();
}

absl::Status AgentState::RecordUpdatesLocked(ExecutorState* executor,
                                             const UpdateView* updates,
                                             size_t count, uint32_t generation,
                                             AckList* acks) {
  if (count == 0) return absl::OkStatus();
  // Acknowledge every update; a UUID seen before (or earlier in this call)
  // is a retransmission: acknowledged again, recorded once.
  new_indexes_.clear();
  new_uuids_.clear();
  // The UUID set is large and its probes are cache misses: room first (no
  // rehash under the prefetches), then prefetch a few updates ahead so that
  // the misses overlap.
  SeenUuids& seen = executor->seen_uuids;
  seen.Reserve(count);
  constexpr size_t kPrefetchDistance = 8;
  for (size_t i = 0; i < count && i < kPrefetchDistance; ++i) {
    seen.Prefetch(UuidKey::Of(updates[i].uuid));
  }
  for (size_t i = 0; i < count; ++i) {
    if (i + kPrefetchDistance < count) {
      seen.Prefetch(UuidKey::Of(updates[i + kPrefetchDistance].uuid));
    }
    const UpdateView& update = updates[i];
    acks->Add(update.task_id, update.uuid);
    const UuidKey key = UuidKey::Of(update.uuid);
    if (!seen.Insert(key, generation)) continue;
    new_indexes_.push_back(i);
    new_uuids_.push_back(key);
  }
  const size_t fresh = new_indexes_.size();
  if (fresh == 0) return absl::OkStatus();

  // With a journal or listeners, every new update becomes a RecordedUpdate
  // (a parsed TaskStatus) first: the journal must accept them before
  // anything else happens.
  const bool keep_all = options_.journal != nullptr || !listeners_.empty();
  const absl::Time now = absl::Now();
  new_records_.clear();
  if (keep_all) {
    for (size_t j = 0; j < fresh; ++j) {
      RecordedUpdate& record = new_records_.emplace_back();
      record.sequence = update_count_ + j + 1;
      record.executor = executor->ref;
      const absl::string_view bytes = updates[new_indexes_[j]].status_bytes;
      // Validated bytes (update_call_view.h) or a serialized valid status.
      record.status.ParsePartialFromArray(bytes.data(),
                                         static_cast<int>(bytes.size()));
      record.recorded_at = now;
    }
  }
  if (options_.journal != nullptr) {
    absl::Status journaled = options_.journal->Append(new_records_);
    if (!journaled.ok()) {
      for (const UuidKey& key : new_uuids_) seen.Erase(key);
      acks->Clear();
      new_records_.clear();
      return absl::UnavailableError(
          absl::StrCat("the agent could not persist ", fresh,
                       " status update(s): ", journaled.message()));
    }
  }

  // Latest task states. A terminal state is final: a later update is
  // recorded but does not bring the task back.
  absl::string_view last_task_id;
  TaskEntry* task = nullptr;
  for (size_t j = 0; j < fresh; ++j) {
    const UpdateView& update = updates[new_indexes_[j]];
    if (task == nullptr || last_task_id != update.task_id) {
      last_task_id = update.task_id;
      auto it = executor->tasks.find(last_task_id);
      task = it != executor->tasks.end()
                 ? &it->second
                 : &executor->tasks[std::string(last_task_id)];
    }
    if (!task->latest_state.has_value() || !IsTerminalState(*task->latest_state)) {
      task->latest_state = update.state;
    }
  }

  if (keep_all && !listeners_.empty()) {
    for (RecordedUpdate& record : new_records_) {
      pending_deliveries_.push_back(std::move(record));
    }
  }
  new_records_.clear();
  // Only the newest `limit` of this call can stay in the history.
  const size_t limit = options_.update_history_limit;
  const size_t first_kept = fresh <= limit ? 0 : fresh - limit;
  for (size_t j = first_kept; j < fresh; ++j) {
    StoredUpdate* slot = history_.Next();
    if (slot == nullptr) break;
    slot->sequence = update_count_ + j + 1;
    if (!(slot->executor == executor->ref)) slot->executor = executor->ref;
    const absl::string_view bytes = updates[new_indexes_[j]].status_bytes;
    slot->status_bytes.assign(bytes.data(), bytes.size());
    slot->recorded_at = now;
  }
  update_count_ += fresh;
  return absl::OkStatus();
}

absl::Status AgentState::TakeReceiptLocked(ConnectStream* stream,
                                           ExecutorState* executor,
                                           uint64_t received) {
  if (!BindingOf(stream).ack_receipts) {
    return absl::InvalidArgumentError(
        "call carries acknowledgements_received, but acknowledgement "
        "receipts were not negotiated on this stream");
  }
  receipted_uuids_.clear();
  absl::Status taken = stream->TakeReceivedUuids(received, &receipted_uuids_);
  if (!taken.ok()) return taken;
  // The driver saw these acknowledged: it never sends them again.
  for (const UuidKey& uuid : receipted_uuids_) {
    executor->seen_uuids.Erase(uuid);
  }
  return absl::OkStatus();
}

AgentState::AckPlan AgentState::PlanAcksLocked(ConnectStream* stream) const {
  AckPlan plan;
  plan.batched = BindingOf(stream).batched_acks;
  plan.receipts = BindingOf(stream).ack_receipts;
  switch (ack_mode_) {
    case AckMode::kNormal:
      plan.send_now = true;
      break;
    case AckMode::kDrop:
      plan.drop = true;
      break;
    case AckMode::kDelay:
      plan.delay = ack_delay_;
      break;
  }
  return plan;
}

void AgentState::DispatchAcks(ConnectStream* stream, const AckPlan& plan,
                              AckList acks) {
  if (acks.empty() || plan.drop) return;
  if (plan.send_now) {
    // `stream` is the caller's own reactor, alive until its OnDone.
    stream->SendAcks(acks, plan.batched, plan.receipts);
    return;
  }
  const uint64_t id = stream->id();
  auto shared = std::make_shared<AckList>(std::move(acks));
  timer_.Schedule(absl::Now() + plan.delay, [this, id, shared, plan] {
    absl::MutexLock lock(&mu_);
    auto it = streams_.find(id);
    if (it == streams_.end()) return;  // Gone: the driver will resend.
    it->second->SendAcks(*shared, plan.batched, plan.receipts);
  });
}

bool AgentState::ClaimDeliveryLocked() {
  if (delivering_ || pending_deliveries_.empty()) return false;
  delivering_ = true;
  return true;
}

void AgentState::DeliverPending() {
  std::deque<RecordedUpdate> batch;
  std::vector<std::shared_ptr<Listener>> listeners;
  while (true) {
    {
      absl::MutexLock lock(&mu_);
      if (pending_deliveries_.empty()) {
        delivering_ = false;
        return;
      }
      batch.clear();
      batch.swap(pending_deliveries_);
      listeners.clear();
      for (const auto& [id, listener] : listeners_)
        listeners.push_back(listener);
    }
    for (const RecordedUpdate& update : batch) {
      for (const auto& listener : listeners) (*listener)(update);
    }
  }
}

}  // namespace simulator_internal
}  // namespace executor_runtime
