// AgentCore: the agent side of the executor stream, as a library.
//
// It implements the Agent gRPC service (Connect): validates every call,
// runs a status update manager (per-task order, duplicates by UUID,
// acknowledgement only after the update is recorded), sends HEARTBEAT
// events, and lets its owner drive executors through a C++ control API
// (launch, kill, message, shutdown) and inject faults. The agent simulator
// binary, the integration tests and the benchmarks all build on it.
//
//   AgentOptions options;
//   options.agent_info.set_hostname("localhost");
//   options.agent_info.mutable_id()->set_value("agent-1");
//   AgentCore agent(options);
//   grpc::ServerBuilder builder;
//   int port = 0;
//   builder.AddListeningPort("127.0.0.1:0",
//                            grpc::InsecureServerCredentials(), &port);
//   builder.RegisterService(agent.service());
//   ... agent.AddExecutor(spec); agent.Launch(ref, task); ...
//
// Thread-safety: every method is thread-safe. Update listeners run on gRPC
// threads with no AgentCore lock held, and must not block for long.
// The gRPC server must be shut down before the AgentCore is destroyed.
#ifndef SIMULATOR_AGENT_CORE_H_
#define SIMULATOR_AGENT_CORE_H_

#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "api/executor/executor.pb.h"
#include "api/mesos/mesos.pb.h"

namespace grpc {
class Service;
}  // namespace grpc

namespace executor_runtime {

class UpdateJournal;  // simulator/update_journal.h

// Names one executor: its framework ID and executor ID values.
struct ExecutorRef {
  std::string framework_id;
  std::string executor_id;

  bool operator==(const ExecutorRef& other) const {
    return framework_id == other.framework_id &&
           executor_id == other.executor_id;
  }
};

struct AgentOptions {
  // Sent in SUBSCRIBED; `id` must be set.
  mesos::SlaveInfo agent_info;
  // HEARTBEAT events are sent this often on every subscribed stream and the
  // interval is advertised in SUBSCRIBED. Zero disables heartbeats.
  absl::Duration heartbeat_interval = absl::Seconds(5);
  // Enable batched updates/acknowledgements with drivers that offer them.
  bool allow_batching = true;
  // Let drivers that offer it report the acknowledgements they received
  // (Capabilities.acknowledgement_receipts), so that the UUIDs remembered
  // for each executor stay about one window of updates in flight, however
  // long its stream lives (docs/PROTOCOL.md).
  bool allow_acknowledgement_receipts = true;
  // Limit against hostile or broken executors (RESOURCE_EXHAUSTED): the most
  // updates one call may carry (UPDATE with its batched_updates, or the
  // unacknowledged updates of a SUBSCRIBE), and the most acknowledgements
  // that may wait unsent on one stream (an executor that sends updates but
  // never reads its events). See docs/PROTOCOL.md.
  size_t max_pending_updates_per_stream = 1 << 16;
  // The largest call the agent takes, whatever receive limit the gRPC
  // server has: a larger one ends its stream with RESOURCE_EXHAUSTED.
  size_t max_call_bytes = 4 << 20;
  // A TCP connection whose calls were refused this many times within
  // refusal_window (bad tokens, foreign IDs, invalid calls, ...) has every
  // new stream refused (RESOURCE_EXHAUSTED) for refusal_cooldown. Zero
  // turns this off.
  int max_refused_calls_per_connection = 5;
  absl::Duration refusal_window = absl::Minutes(1);
  absl::Duration refusal_cooldown = absl::Seconds(30);
  // Keep at most this many recorded updates in memory for Updates() (the
  // oldest are dropped first); UpdateCount() still counts every update.
  // Long benchmarks lower it to bound memory.
  size_t update_history_limit = std::numeric_limits<size_t>::max();
  // Keep at most this many framework messages (MESSAGE calls) for
  // Messages(), the oldest dropped first; sequence numbers keep counting.
  // A bound: an executor may send a message of up to max_call_bytes in
  // every call.
  size_t message_history_limit = 4096;
  // Optional persistence hook (simulator/update_journal.h): when set, every
  // newly recorded update is appended to it, and acknowledged only after
  // Append returned OK. Shared so that the owner can read it back.
  std::shared_ptr<UpdateJournal> journal;
};

// What the agent knows about an executor before it subscribes.
struct ExecutorSpec {
  mesos::FrameworkInfo framework_info;  // id must be set
  mesos::ExecutorInfo executor_info;    // executor_id must be set
  // When non-empty, every Connect stream for this executor must carry
  // "authorization: Bearer <auth_token>"; otherwise UNAUTHENTICATED.
  std::string auth_token;
};

// One status update as recorded for the framework, each UUID once.
struct RecordedUpdate {
  uint64_t sequence = 0;  // 1, 2, 3, ... in record order, agent-wide
  ExecutorRef executor;
  mesos::TaskStatus status;  // as the executor sent it
  absl::Time recorded_at;
};

// One MESSAGE call (executor -> framework), in receive order.
struct RecordedMessage {
  uint64_t sequence = 0;  // 1, 2, 3, ... agent-wide
  ExecutorRef executor;
  std::string data;
  absl::Time received_at;
};

// A task as the agent sees it.
struct TaskView {
  ExecutorRef executor;
  mesos::TaskInfo task;
  std::optional<mesos::TaskState> latest_state;  // none before any update
};

// An executor as the agent sees it.
struct ExecutorView {
  ExecutorRef executor;
  bool subscribed = false;       // has a live, subscribed stream
  int subscriptions = 0;         // successful SUBSCRIBEs so far
  uint64_t heartbeat_calls = 0;  // HEARTBEAT calls received, all streams
  // Status update UUIDs the agent still remembers to recognize a
  // retransmission (kept over the last two subscriptions; see the
  // resubscription rule in simulator/README.md).
  size_t remembered_update_uuids = 0;
  std::vector<TaskView> tasks;
};

// How the agent treats acknowledgements (fault injection).
enum class AckMode {
  kNormal,  // acknowledge each update once recorded
  kDrop,    // record, but never acknowledge (the driver must retry)
  kDelay,   // acknowledge after AgentCore::SetAckMode's delay
};

class AgentCore {
 public:
  explicit AgentCore(AgentOptions options);
  ~AgentCore();
  AgentCore(const AgentCore&) = delete;
  AgentCore& operator=(const AgentCore&) = delete;

  // The Agent service, to register with a grpc::ServerBuilder. Owned by
  // this AgentCore.
  grpc::Service* service();

  // ---- Executors ---------------------------------------------------------

  // Declares an executor that may subscribe. Subscriptions from undeclared
  // executors are refused (NOT_FOUND). ALREADY_EXISTS if declared twice.
  absl::Status AddExecutor(const ExecutorSpec& spec);
  // Forgets an executor: its stream (if any) is closed.
  absl::Status RemoveExecutor(const ExecutorRef& executor);

  // ---- Control: events to an executor ------------------------------------

  // Each fails with NOT_FOUND for an unknown executor, FAILED_PRECONDITION
  // if it has no subscribed stream, and (Launch*) ALREADY_EXISTS for a task
  // ID the agent already knows (agent-wide) or INVALID_ARGUMENT for a task
  // missing required fields (a missing slave_id is filled in with the
  // agent's). A KILL for a task the agent does not know is sent anyway.
  absl::Status Launch(const ExecutorRef& executor, const mesos::TaskInfo& task);
  absl::Status LaunchGroup(const ExecutorRef& executor,
                           const mesos::TaskGroupInfo& group);
  absl::Status Kill(const ExecutorRef& executor, const mesos::TaskID& task_id,
                    const std::optional<mesos::KillPolicy>& kill_policy = {});
  absl::Status SendMessage(const ExecutorRef& executor,
                           const std::string& data);
  absl::Status Shutdown(const ExecutorRef& executor);

  // ---- Recovery: an agent restarted from its checkpoint ------------------

  // Makes `task` known to `executor` without sending LAUNCH (it was launched
  // before the restart), so that its updates are accepted. NOT_FOUND for an
  // undeclared executor, ALREADY_EXISTS for a known task ID.
  absl::Status RestoreTask(const ExecutorRef& executor,
                           const mesos::TaskInfo& task,
                           std::optional<mesos::TaskState> latest_state = {});
  // Re-enters updates recorded before the restart, in order: each UUID
  // counts as seen (a retransmission is acknowledged, not recorded again),
  // task latest states follow, tasks not known yet are learned, and sequence
  // numbers continue after the highest restored one (a restored update with
  // sequence 0 gets the next). Not journaled, not acknowledged, no listener
  // calls. NOT_FOUND for an undeclared executor, INVALID_ARGUMENT for a bad
  // UUID or task ID; nothing is restored then.
  absl::Status RestoreUpdates(const std::vector<RecordedUpdate>& updates);

  // ---- The framework side: recorded updates ------------------------------

  // The recorded updates still kept (see AgentOptions::update_history_limit),
  // in record order, and how many were recorded in all.
  std::vector<RecordedUpdate> Updates() const;
  size_t UpdateCount() const;
  // The MESSAGE calls received (framework messages) still kept (see
  // AgentOptions::message_history_limit), in receive order.
  std::vector<RecordedMessage> Messages() const;
  // Calls `listener` for every update recorded from now on, in record order,
  // one call at a time. Returns an ID for RemoveUpdateListener, after which
  // the listener is called at most for a delivery already under way.
  int AddUpdateListener(std::function<void(const RecordedUpdate&)> listener);
  void RemoveUpdateListener(int id);

  std::vector<ExecutorView> Executors() const;
  std::optional<ExecutorView> Executor(const ExecutorRef& executor) const;

  // Blocks until `condition` holds (re-evaluated whenever agent state
  // changes) or `timeout` passes; returns whether it held.
  bool WaitUntil(const std::function<bool(const AgentCore&)>& condition,
                 absl::Duration timeout) const;

  // ---- Fault injection ---------------------------------------------------

  // Ends the executor's stream (UNAVAILABLE), or every stream if nullopt.
  void BreakStreams(const std::optional<ExecutorRef>& executor = {});
  // Stops or resumes HEARTBEAT events on all streams.
  void SetHeartbeatsEnabled(bool enabled);
  void SetAckMode(AckMode mode, absl::Duration delay = absl::ZeroDuration());
  // Refuses SUBSCRIBE (UNAVAILABLE) until `duration` from now.
  void RefuseSubscriptionsFor(absl::Duration duration);

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace executor_runtime

#endif  // SIMULATOR_AGENT_CORE_H_
