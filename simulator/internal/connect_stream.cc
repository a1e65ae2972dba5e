#include "simulator/internal/connect_stream.h"

#include <grpcpp/impl/codegen/proto_utils.h>
#include <grpcpp/support/proto_buffer_reader.h>

#include <algorithm>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"

namespace executor_runtime {
namespace simulator_internal {

using mesos::executor::Call;
using mesos::executor::Event;

namespace {

// Most acknowledgements merged into one ACKNOWLEDGED event (about 40 bytes
// each on the wire, so an event stays well under gRPC's message limit).
constexpr size_t kMaxAcksPerEvent = 8192;

// call_ is reused from one read to the next (parsing into cleared messages
// allocates nothing); after a burst of big batches it is dropped, so that an
// idle stream does not keep a big message around.
constexpr int kMaxKeptBatch = 8;

// Refusals that only a broken or hostile executor earns. UNAVAILABLE
// (subscriptions refused for a while) and NOT_FOUND (an executor not
// declared yet, e.g. while a restarted agent recovers) happen to honest
// executors that retry, and must not get their connection turned away.
bool CountsAsAbuse(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kPermissionDenied:
    case absl::StatusCode::kUnauthenticated:
    case absl::StatusCode::kResourceExhausted:
    case absl::StatusCode::kFailedPrecondition:
      return true;
    default:
      return false;
  }
}

}  // namespace

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()),
                      std::string(status.message()));
}

ConnectStream::ConnectStream(AgentState* agent,
                             grpc::CallbackServerContext* context)
    : agent_(agent), context_(context) {
  // Last of the set-up, see id_.
  id_ = agent_->Register(this);
  if (std::optional<absl::Duration> blocked =
          agent_->abuse_guard().Blocked(context_->peer())) {
    End(grpc::Status(
        grpc::StatusCode::RESOURCE_EXHAUSTED,
        absl::StrCat("too many refused calls from this connection; new "
                     "streams are refused for another ",
                     absl::FormatDuration(absl::Ceil(*blocked, absl::Seconds(1))))));
    return;
  }
  StartRead(&read_buffer_);
}

std::optional<absl::string_view> ConnectStream::Authorization() const {
  const auto& metadata = context_->client_metadata();
  auto it = metadata.find("authorization");
  if (it == metadata.end()) return std::nullopt;
  return absl::string_view(it->second.data(), it->second.size());
}

void ConnectStream::Send(Event event) {
  absl::MutexLock lock(&write_mu_);
  Outgoing outgoing;
  outgoing.event = std::move(event);
  EnqueueLocked(std::move(outgoing));
}

void ConnectStream::SendAcks(const AckList& acks, bool batched,
                             bool receipts) {
  if (acks.empty()) return;
  absl::MutexLock lock(&write_mu_);
  if (finished_) return;
  acks_queued_total_ += acks.size();
  size_t at = 0;
  absl::string_view task_id, uuid;
  while (acks.Next(&at, &task_id, &uuid)) {
    if (receipts) unreceived_uuids_.push_back(UuidKey::Of(uuid));
    // Merge into an ACKNOWLEDGED event still waiting in the queue when
    // batching, else start a new event.
    if (!batched || queue_.empty() || queue_.back().ack_count == 0 ||
        queue_.back().ack_count >= kMaxAcksPerEvent) {
      queue_.emplace_back();
    }
    Outgoing& target = queue_.back();
    AppendEncodedAck(task_id, uuid, &target.acks);
    ++target.ack_count;
  }
  queued_acks_.fetch_add(acks.size(), std::memory_order_relaxed);
  MaybeStartWriteLocked();
}

absl::Status ConnectStream::TakeReceivedUuids(uint64_t received,
                                              std::vector<UuidKey>* uuids) {
  absl::MutexLock lock(&write_mu_);
  if (received < acks_received_) {
    return absl::InvalidArgumentError(
        absl::StrCat("acknowledgements_received went down from ",
                     acks_received_, " to ", received));
  }
  if (received > acks_queued_total_) {
    return absl::InvalidArgumentError(absl::StrCat(
        "acknowledgements_received is ", received, ", but this stream sent ",
        acks_queued_total_, " acknowledgements"));
  }
  for (uint64_t i = acks_received_;
       i < received && !unreceived_uuids_.empty(); ++i) {
    uuids->push_back(unreceived_uuids_.front());
    unreceived_uuids_.pop_front();
  }
  acks_received_ = received;
  return absl::OkStatus();
}

void ConnectStream::SendHeartbeat() {
  absl::MutexLock lock(&write_mu_);
  if (heartbeat_queued_ || finished_) return;
  Outgoing outgoing;
  outgoing.event.set_type(Event::HEARTBEAT);
  heartbeat_queued_ = true;
  EnqueueLocked(std::move(outgoing));
}

void ConnectStream::End(const grpc::Status& status) {
  absl::MutexLock lock(&write_mu_);
  FinishLocked(status);
}

void ConnectStream::EndAfterDrain(const grpc::Status& status) {
  absl::MutexLock lock(&write_mu_);
  if (finished_) return;
  if (!write_in_flight_ && queue_.empty()) {
    FinishLocked(status);
  } else if (!finish_after_drain_.has_value()) {
    finish_after_drain_ = status;
  }
}

void ConnectStream::EnqueueLocked(Outgoing outgoing) {
  if (finished_) return;
  queue_.push_back(std::move(outgoing));
  MaybeStartWriteLocked();
}

void ConnectStream::MaybeStartWriteLocked() {
  if (write_in_flight_ || finished_ || queue_.empty()) return;
  Outgoing& next = queue_.front();
  write_buffer_.Clear();
  if (next.ack_count > 0) {
    queued_acks_.fetch_sub(next.ack_count, std::memory_order_relaxed);
    // Hand the encoded bytes to gRPC without a copy.
    auto* bytes = new std::string(std::move(next.acks));
    grpc::Slice slice(
        bytes->data(), bytes->size(),
        [](void* owned) { delete static_cast<std::string*>(owned); }, bytes);
    write_buffer_ = grpc::ByteBuffer(&slice, 1);
  } else {
    if (next.event.type() == Event::HEARTBEAT) heartbeat_queued_ = false;
    bool own_buffer = false;
    grpc::Status serialized = grpc::SerializationTraits<Event>::Serialize(
        next.event, &write_buffer_, &own_buffer);
    if (!serialized.ok()) {
      // Only a message over 2 GiB could fail; never expected.
      queue_.pop_front();
      FinishLocked(grpc::Status(
          grpc::StatusCode::INTERNAL,
          "could not serialize an event: " + serialized.error_message()));
      return;
    }
  }
  queue_.pop_front();
  write_in_flight_ = true;
  // Reactions never run inline (gRPC dispatches them), so starting the write
  // with the lock held cannot deadlock, and it cannot race with Finish.
  StartWrite(&write_buffer_);
}

void ConnectStream::FinishLocked(const grpc::Status& status) {
  if (finished_) return;
  finished_ = true;
  queue_.clear();
  queued_acks_.store(0, std::memory_order_relaxed);
  heartbeat_queued_ = false;
  Finish(status);
}

void ConnectStream::OnReadDone(bool ok) {
  if (!ok) {
    // The executor closed its side (or the stream broke): no more calls, but
    // let the events already queued (acknowledgements) go out first.
    agent_->Detach(this);
    EndAfterDrain(grpc::Status::OK);
    return;
  }
  absl::Status status;
  const size_t size = read_buffer_.Length();
  if (size > agent_->options().max_call_bytes) {
    status = absl::ResourceExhaustedError(
        absl::StrCat("a call of ", size, " bytes is over this agent's limit of ",
                     agent_->options().max_call_bytes, " bytes"));
  } else {
    status = HandleCallBytes();
  }
  read_buffer_.Clear();
  if (!status.ok()) {
    if (CountsAsAbuse(status)) {
      agent_->abuse_guard().RecordRefusal(context_->peer());
    }
    agent_->Detach(this);
    End(ToGrpcStatus(status));
    return;
  }
  StartRead(&read_buffer_);
}

absl::Status ConnectStream::HandleCallBytes() {
  // The fast path reads UPDATE calls in place, from one contiguous piece.
  absl::string_view bytes;
  if (flattener_.Flatten(read_buffer_, &bytes) &&
      ReadUpdateCall(bytes, &update_view_)) {
    return agent_->HandleUpdateCall(this, update_view_);
  }
  return ParseAndHandleCall();
}

absl::Status ConnectStream::ParseAndHandleCall() {
  call_.Clear();
  grpc::ProtoBufferReader reader(&read_buffer_);
  if (!reader.status().ok() || !call_.ParsePartialFromZeroCopyStream(&reader)) {
    return absl::InvalidArgumentError(
        absl::StrCat("could not parse a mesos.executor.Call from ",
                     read_buffer_.Length(), " bytes"));
  }
  absl::Status status = agent_->HandleCall(this, &call_);
  const int batch = call_.batched_updates_size();
  if (batch <= kMaxKeptBatch && largest_batch_ > kMaxKeptBatch) {
    mesos::executor::Call().Swap(&call_);  // The burst is over: free it.
    largest_batch_ = 0;
  } else {
    largest_batch_ = std::max(largest_batch_, batch);
  }
  return status;
}

void ConnectStream::OnWriteDone(bool ok) {
  {
    absl::MutexLock lock(&write_mu_);
    write_in_flight_ = false;
    if (ok) {
      MaybeStartWriteLocked();
      if (!write_in_flight_ && queue_.empty() &&
          finish_after_drain_.has_value()) {
        FinishLocked(*finish_after_drain_);
      }
      return;
    }
  }
  // The stream is broken (cancelled or the connection died).
  agent_->Detach(this);
  End(grpc::Status(grpc::StatusCode::UNAVAILABLE, "writing an event failed"));
}

void ConnectStream::OnCancel() {
  agent_->Detach(this);
  End(grpc::Status::CANCELLED);
}

void ConnectStream::OnDone() {
  agent_->Unregister(this);
  delete this;
}

grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer>*
AgentService::Connect(grpc::CallbackServerContext* context) {
  return new ConnectStream(agent_, context);
}

}  // namespace simulator_internal
}  // namespace executor_runtime
