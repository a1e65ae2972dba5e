// AgentState: everything AgentCore knows and does, behind one mutex.
//
// It holds the declared executors, their tasks and subscribed streams, the
// record of status updates and framework messages, and the fault injection
// settings. ConnectStream (one per Connect RPC) hands it every call it reads;
// AgentCore forwards its public methods to it. agent_state.cc has the
// executors, control API, faults and views; agent_updates.cc has the call
// handling and the status update manager.
//
// Thread-safety: every public method is thread-safe. Lock order: mu_, then
// a ConnectStream's write lock; nothing here is called with a stream's write
// lock held, and gRPC reactions never run inline in the thread that starts
// an operation, so sending events with mu_ held is safe. Update listeners and
// the UpdateJournal are the only outside code run; listeners run with no
// lock held, the journal under mu_.
#ifndef SIMULATOR_INTERNAL_AGENT_STATE_H_
#define SIMULATOR_INTERNAL_AGENT_STATE_H_

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "api/executor/executor.pb.h"
#include "simulator/agent_core.h"
#include "simulator/internal/abuse_guard.h"
#include "simulator/internal/ack_encoding.h"
#include "simulator/internal/seen_uuids.h"
#include "simulator/internal/timer_thread.h"
#include "simulator/internal/update_call_view.h"
#include "simulator/internal/update_history.h"
#include "util/task_state.h"

namespace executor_runtime {
namespace simulator_internal {

class ConnectStream;
struct ExecutorState;

// What the agent knows about one stream.
struct StreamBinding {
  bool subscribed = false;            // A SUBSCRIBE was accepted on it.
  ExecutorState* executor = nullptr;  // While it is the executor's stream.
  bool batched_updates = false;       // Negotiated capabilities.
  bool batched_acks = false;
  bool ack_receipts = false;
};

struct TaskEntry {
  mesos::TaskInfo info;
  std::optional<mesos::TaskState> latest_state;
};

struct ExecutorState {
  ExecutorSpec spec;
  ExecutorRef ref;
  ConnectStream* stream = nullptr;  // The live subscribed stream, if any.
  int subscriptions = 0;
  uint64_t heartbeat_calls = 0;
  absl::flat_hash_map<std::string, TaskEntry> tasks;  // By task ID.
  // The status update UUIDs recorded for this executor that it may still
  // retransmit (duplicate check; bounded by the resubscription rule of
  // seen_uuids.h).
  SeenUuids seen_uuids;
};

class AgentState {
 public:
  explicit AgentState(AgentOptions options);
  ~AgentState();
  AgentState(const AgentState&) = delete;
  AgentState& operator=(const AgentState&) = delete;

  // ---- For ConnectStream --------------------------------------------------

  const AgentOptions& options() const { return options_; }
  AbuseGuard& abuse_guard() { return abuse_guard_; }

  // A new stream: returns its ID. Unregister (from OnDone) forgets it.
  uint64_t Register(ConnectStream* stream);
  void Unregister(ConnectStream* stream);
  // The stream stops being its executor's subscribed stream (it ended, or
  // its reading side closed). Idempotent.
  void Detach(ConnectStream* stream);
  // Handles one call read from `stream` and parsed whole (the slow path);
  // `call` may be modified. An error ends the stream with that status.
  absl::Status HandleCall(ConnectStream* stream, mesos::executor::Call* call);
  // Handles an UPDATE call read by the fast path (update_call_view.h), so
  // already known to pass ValidateCallShape. As HandleCall otherwise.
  absl::Status HandleUpdateCall(ConnectStream* stream,
                                const UpdateCallView& call);

  // ---- For AgentCore ------------------------------------------------------

  absl::Status AddExecutor(const ExecutorSpec& spec);
  absl::Status RemoveExecutor(const ExecutorRef& executor);

  absl::Status Launch(const ExecutorRef& executor, const mesos::TaskInfo& task);
  absl::Status LaunchGroup(const ExecutorRef& executor,
                           const mesos::TaskGroupInfo& group);
  absl::Status Kill(const ExecutorRef& executor, const mesos::TaskID& task_id,
                    const std::optional<mesos::KillPolicy>& kill_policy);
  absl::Status SendMessage(const ExecutorRef& executor,
                           const std::string& data);
  absl::Status Shutdown(const ExecutorRef& executor);

  absl::Status RestoreTask(const ExecutorRef& executor,
                           const mesos::TaskInfo& task,
                           std::optional<mesos::TaskState> latest_state);
  absl::Status RestoreUpdates(const std::vector<RecordedUpdate>& updates);

  std::vector<RecordedUpdate> Updates() const;
  size_t UpdateCount() const;
  std::vector<RecordedMessage> Messages() const;
  int AddUpdateListener(std::function<void(const RecordedUpdate&)> listener);
  void RemoveUpdateListener(int id);

  std::vector<ExecutorView> Executors() const;
  std::optional<ExecutorView> Executor(const ExecutorRef& executor) const;

  // A counter bumped on every state change, and a wait for it to move past
  // `version`; false if `deadline` passed first.
  uint64_t Version() const;
  bool AwaitChange(uint64_t version, absl::Time deadline) const;

  void BreakStreams(const std::optional<ExecutorRef>& executor);
  void SetHeartbeatsEnabled(bool enabled);
  void SetAckMode(AckMode mode, absl::Duration delay);
  void RefuseSubscriptionsFor(absl::Duration duration);

 private:
  friend class ConnectStream;  // Its binding is guarded by mu_.

  using ExecutorKey = std::pair<std::string, std::string>;
  using Listener = std::function<void(const RecordedUpdate&)>;

  static ExecutorKey KeyOf(const ExecutorRef& ref) {
    return {ref.framework_id, ref.executor_id};
  }

  // The agent-side state of `stream`, which is one of ours: its binding is
  // guarded by our mu_ (the analysis cannot see that stream->agent_ is this).
  StreamBinding& BindingOf(ConnectStream* stream)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  const StreamBinding& BindingOf(const ConnectStream* stream) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // OK, or PERMISSION_DENIED if `task_id` belongs to another executor.
  absl::Status CheckOwnerLocked(const ExecutorState* executor,
                                absl::string_view task_id,
                                absl::string_view what) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // The declared executor, or NOT_FOUND naming it.
  absl::StatusOr<ExecutorState*> FindLocked(const ExecutorRef& ref) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The executor's subscribed stream, or NOT_FOUND / FAILED_PRECONDITION.
  absl::StatusOr<ConnectStream*> SubscribedStreamLocked(const ExecutorRef& ref)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Checks `tasks` can be launched on `executor` (IDs new and distinct,
  // required fields present) and fills in a missing slave_id.
  absl::Status PrepareLaunchLocked(const ExecutorState& executor,
                                   std::vector<mesos::TaskInfo>* tasks) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void AddTaskLocked(ExecutorState* executor, const mesos::TaskInfo& task)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // A task known only by its ID (from an update): empty name, this agent.
  mesos::TaskInfo TaskFromId(const mesos::TaskID& id) const;
  void DetachLocked(ConnectStream* stream) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void ChangedLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  ExecutorView ViewLocked(const ExecutorState& executor) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void HeartbeatTick(absl::Time scheduled);

  // agent_updates.cc: calls and the status update manager.
  absl::Status HandleSubscribe(ConnectStream* stream,
                               mesos::executor::Call* call);
  absl::Status HandleUpdates(ConnectStream* stream,
                             mesos::executor::Call* call);
  absl::Status HandleOther(ConnectStream* stream,
                           const mesos::executor::Call& call);
  // The executor `stream` is subscribed as, if a call of `type` from
  // the executor it names may use it.
  absl::StatusOr<ExecutorState*> BoundExecutorLocked(
      ConnectStream* stream, mesos::executor::Call::Type type,
      absl::string_view executor_id, absl::string_view framework_id)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Records the updates (new UUIDs once, under seen-UUID `generation`,
  // journal first) and appends an acknowledgement for each, duplicates
  // included, to `acks`. Every task they name is known to `executor`.
  absl::Status RecordUpdatesLocked(ExecutorState* executor,
                                   const UpdateView* updates, size_t count,
                                   uint32_t generation, AckList* acks)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // What to do with `acks` once mu_ is released, per the ack mode.
  struct AckPlan {
    bool send_now = false;
    bool batched = false;
    bool receipts = false;  // Remember their UUIDs until receipted.
    absl::Duration delay;  // When not sent now and not dropped.
    bool drop = false;
  };
  AckPlan PlanAcksLocked(ConnectStream* stream) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Call.acknowledgements_received = `received` on `stream`: forgets the
  // UUIDs of the acknowledgements it covers. INVALID_ARGUMENT if receipts
  // were not negotiated or the count is impossible.
  absl::Status TakeReceiptLocked(ConnectStream* stream,
                                 ExecutorState* executor, uint64_t received)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Sends (or schedules, or drops) `acks`; call with no lock held.
  void DispatchAcks(ConnectStream* stream, const AckPlan& plan, AckList acks);
  // Claims the delivery of pending listener calls; true if the caller must
  // run DeliverPending once mu_ is released.
  bool ClaimDeliveryLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void DeliverPending() ABSL_LOCKS_EXCLUDED(mu_);

  // ---- Constant after construction ----
  const AgentOptions options_;

  AbuseGuard abuse_guard_;

  mutable absl::Mutex mu_;
  mutable absl::CondVar changed_;
  uint64_t version_ ABSL_GUARDED_BY(mu_) = 0;

  std::map<ExecutorKey, std::unique_ptr<ExecutorState>> executors_
      ABSL_GUARDED_BY(mu_);
  // Agent-wide task IDs and who owns them.
  absl::flat_hash_map<std::string, ExecutorState*> task_owner_
      ABSL_GUARDED_BY(mu_);
  // Every live stream (registered, not yet done), by ID.
  absl::flat_hash_map<uint64_t, ConnectStream*> streams_ ABSL_GUARDED_BY(mu_);
  uint64_t next_stream_id_ ABSL_GUARDED_BY(mu_) = 1;

  UpdateHistory history_ ABSL_GUARDED_BY(mu_);
  uint64_t update_count_ ABSL_GUARDED_BY(mu_) = 0;
  // Scratch space of RecordUpdatesLocked.
  std::vector<RecordedUpdate> new_records_ ABSL_GUARDED_BY(mu_);
  std::vector<size_t> new_indexes_ ABSL_GUARDED_BY(mu_);
  std::vector<UuidKey> new_uuids_ ABSL_GUARDED_BY(mu_);
  std::vector<UuidKey> receipted_uuids_ ABSL_GUARDED_BY(mu_);
  // The newest options_.message_history_limit messages, and how many in all.
  std::deque<RecordedMessage> messages_ ABSL_GUARDED_BY(mu_);
  uint64_t message_count_ ABSL_GUARDED_BY(mu_) = 0;

  std::map<int, std::shared_ptr<Listener>> listeners_ ABSL_GUARDED_BY(mu_);
  int next_listener_id_ ABSL_GUARDED_BY(mu_) = 1;
  std::deque<RecordedUpdate> pending_deliveries_ ABSL_GUARDED_BY(mu_);
  bool delivering_ ABSL_GUARDED_BY(mu_) = false;

  // Fault injection.
  bool heartbeats_enabled_ ABSL_GUARDED_BY(mu_) = true;
  AckMode ack_mode_ ABSL_GUARDED_BY(mu_) = AckMode::kNormal;
  absl::Duration ack_delay_ ABSL_GUARDED_BY(mu_);
  absl::Time refuse_subscriptions_until_ ABSL_GUARDED_BY(mu_) =
      absl::InfinitePast();

  // Last: destroyed first, so no timer function outlives the state above.
  TimerThread timer_;
};

}  // namespace simulator_internal
}  // namespace executor_runtime

#endif  // SIMULATOR_INTERNAL_AGENT_STATE_H_
