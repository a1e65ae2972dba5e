// ConnectStream: the server side of one Agent.Connect stream (a gRPC
// callback reactor), and AgentService, the service that creates them.
//
// The stream reads calls one at a time and hands each to AgentState, which
// validates and handles it; a call it refuses ends the stream with that
// status. Events (SUBSCRIBED, ACKNOWLEDGED, LAUNCH, HEARTBEAT, ...) are
// queued by Send* from any thread and written one at a time: the next write
// starts from OnWriteDone. Acknowledgements queued behind an unfinished write
// are merged into one ACKNOWLEDGED event when the stream negotiated batched
// acknowledgements.
//
// The service uses the raw (ByteBuffer) form of the callback method and
// parses calls itself, partially: `Call` has proto2 required fields, and a
// call missing one would otherwise fail inside gRPC's deserializer with no
// way to tell the executor which field it forgot.
//
// Thread-safety and lifetime: reactions never block (they take AgentState's
// mutex and the write lock, both held briefly) and may run concurrently with
// each other and with Send*/End from other threads. The object deletes
// itself in OnDone, after unregistering from AgentState; AgentState only
// touches a stream under its mutex while the stream is registered, so no
// one uses it after OnDone.
#ifndef SIMULATOR_INTERNAL_CONNECT_STREAM_H_
#define SIMULATOR_INTERNAL_CONNECT_STREAM_H_

#include <grpcpp/grpcpp.h>
#include <grpcpp/support/server_callback.h>

#include <atomic>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "api/executor/agent.grpc.pb.h"
#include "api/executor/executor.pb.h"
#include "simulator/internal/agent_state.h"
#include "simulator/internal/update_call_view.h"
#include "util/byte_buffer_flattener.h"

namespace executor_runtime {
namespace simulator_internal {

// An absl::Status as a grpc::Status (the codes are the same numbers).
grpc::Status ToGrpcStatus(const absl::Status& status);

class ConnectStream
    : public grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer> {
 public:
  // Registers with `agent` and starts reading.
  ConnectStream(AgentState* agent, grpc::CallbackServerContext* context);

  // Constant after construction.
  uint64_t id() const { return id_; }

  // The "authorization" metadata the client sent, if any.
  std::optional<absl::string_view> Authorization() const;

  // Queues `event` (dropped once the stream ended).
  void Send(mesos::executor::Event event);
  // Queues one ACKNOWLEDGED event per ack, or, with `batched`, as few events
  // as possible (merging into one still waiting in the queue). With
  // `receipts`, their UUIDs are kept for TakeReceivedUuids.
  void SendAcks(const AckList& acks, bool batched, bool receipts);
  // The executor says it received the first `received` acknowledgements
  // queued on this stream: appends the UUIDs kept for those not reported
  // before to `uuids`. INVALID_ARGUMENT if `received` went down or exceeds
  // what was queued.
  absl::Status TakeReceivedUuids(uint64_t received,
                                 std::vector<UuidKey>* uuids);
  // Queues a HEARTBEAT unless one is already waiting.
  void SendHeartbeat();
  // Acknowledgements queued and not yet written (a snapshot; lock-free).
  size_t QueuedAcks() const {
    return queued_acks_.load(std::memory_order_relaxed);
  }

  // Ends the stream with `status` now; unsent events are dropped. Only the
  // first End (or drain-finish) counts.
  void End(const grpc::Status& status);

  // Agent-side state of this stream, read and written by AgentState only
  // (through AgentState::BindingOf).
  StreamBinding binding ABSL_GUARDED_BY(agent_->mu_);

 private:
  // An event waiting to be written: an Event, or acknowledgements already
  // in wire form (ack_encoding.h).
  struct Outgoing {
    mesos::executor::Event event;
    std::string acks;  // An encoded ACKNOWLEDGED event, when ack_count > 0.
    size_t ack_count = 0;
  };

  void OnReadDone(bool ok) override;
  // Handles the call in read_buffer_: the fast path for UPDATE calls, else
  // ParseAndHandleCall.
  absl::Status HandleCallBytes();
  absl::Status ParseAndHandleCall();
  void OnWriteDone(bool ok) override;
  void OnCancel() override;
  void OnDone() override;

  // Ends the stream once every queued event is written.
  void EndAfterDrain(const grpc::Status& status);
  // Queues `event`; starts a write if none is in flight.
  void EnqueueLocked(Outgoing outgoing)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(write_mu_);
  // Starts writing the first queued event if no write is in flight.
  void MaybeStartWriteLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(write_mu_);
  void FinishLocked(const grpc::Status& status)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(write_mu_);

  AgentState* const agent_;
  grpc::CallbackServerContext* const context_;
  // From AgentState::Register, which the constructor calls last: once
  // registered, other threads (BreakStreams, delayed acknowledgements) may
  // call into the stream, so every member must exist by then. Not changed
  // after.
  uint64_t id_ = 0;

  // Used only by the reading side (one read at a time).
  grpc::ByteBuffer read_buffer_;
  // The fast path for UPDATE calls (update_call_view.h): the call's bytes
  // in one piece (copied only when gRPC delivered several slices), read in
  // place.
  ByteBufferFlattener flattener_;
  UpdateCallView update_view_;
  // The slow path: every other call, parsed whole.
  mesos::executor::Call call_;
  int largest_batch_ = 0;  // Most batched updates call_ held since reset.

  absl::Mutex write_mu_;
  std::deque<Outgoing> queue_ ABSL_GUARDED_BY(write_mu_);
  grpc::ByteBuffer write_buffer_ ABSL_GUARDED_BY(write_mu_);
  bool write_in_flight_ ABSL_GUARDED_BY(write_mu_) = false;
  bool finished_ ABSL_GUARDED_BY(write_mu_) = false;
  bool heartbeat_queued_ ABSL_GUARDED_BY(write_mu_) = false;
  // Written under write_mu_, read without it (QueuedAcks is called with
  // AgentState's mutex held on every UPDATE: no nested lock for it).
  std::atomic<size_t> queued_acks_{0};
  std::optional<grpc::Status> finish_after_drain_ ABSL_GUARDED_BY(write_mu_);
  // Acknowledgement receipts: acknowledgements queued since the stream
  // began, how many of them the executor said it received, and the UUIDs
  // of the rest (when kept), oldest first.
  uint64_t acks_queued_total_ ABSL_GUARDED_BY(write_mu_) = 0;
  uint64_t acks_received_ ABSL_GUARDED_BY(write_mu_) = 0;
  std::deque<UuidKey> unreceived_uuids_ ABSL_GUARDED_BY(write_mu_);
};

// The Agent service: each Connect RPC gets a ConnectStream.
class AgentService
    : public mesos::executor::Agent::WithRawCallbackMethod_Connect<
          mesos::executor::Agent::Service> {
 public:
  explicit AgentService(AgentState* agent) : agent_(agent) {}

  grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer>* Connect(
      grpc::CallbackServerContext* context) override;

 private:
  AgentState* const agent_;
};

}  // namespace simulator_internal
}  // namespace executor_runtime

#endif  // SIMULATOR_INTERNAL_CONNECT_STREAM_H_
