#include "driver/internal/agent_stream.h"

#include <grpcpp/impl/codegen/proto_utils.h>

namespace executor_runtime {
namespace driver_internal {
namespace {

// The full name of the Agent.Connect method (api/executor/agent.proto); it
// must outlive every call.
constexpr char kConnectMethod[] = "/mesos.executor.Agent/Connect";

}  // namespace

void BytesToByteBuffer(absl::string_view bytes, grpc::ByteBuffer* out) {
  grpc::Slice slice(bytes.data(), bytes.size());  // copies
  grpc::ByteBuffer buffer(&slice, 1);
  out->Swap(&buffer);
}

void CallToByteBuffer(const mesos::executor::Call& call, std::string* scratch,
                      grpc::ByteBuffer* out) {
  scratch->clear();
  call.AppendPartialToString(scratch);
  BytesToByteBuffer(*scratch, out);
}

AgentStream::AgentStream(RawAgentStub* stub, Listener* listener,
                         const std::string& auth_token)
    : listener_(listener) {
  if (!auth_token.empty()) {
    context_.AddMetadata("authorization", "Bearer " + auth_token);
  }
  stub->PrepareBidiStreamingCall(&context_, kConnectMethod, grpc::StubOptions(),
                                 this);
}

void AgentStream::Start(const grpc::ByteBuffer* first) {
  AddHold();
  StartRead(&read_buf_);
  StartWrite(first);
  StartCall();
}

void AgentStream::OnReadDone(bool ok) {
  if (!ok) {
    listener_->OnReadFailed(this);
    return;
  }
  if (!DeliverEvent()) {
    listener_->OnReadFailed(this);
    return;
  }
  StartRead(&read_buf_);
}

bool AgentStream::DeliverEvent() {
  absl::string_view bytes;
  if (flattener_.Flatten(read_buf_, &bytes) &&
      ParseAcknowledgedEvent(bytes, &acks_)) {
    read_buf_.Clear();
    listener_->OnAcknowledged(this, acks_);
    return true;
  }
  // What gRPC does for a protobuf-typed read (it also clears read_buf_).
  if (!grpc::SerializationTraits<mesos::executor::Event>::Deserialize(
           &read_buf_, &event_)
           .ok()) {
    return false;
  }
  listener_->OnEvent(this, &event_);
  return true;
}

void AgentStream::OnWriteDone(bool ok) { listener_->OnWriteDone(this, ok); }

void AgentStream::OnWritesDoneDone(bool ok) {
  listener_->OnWriteDone(this, ok);
}

void AgentStream::OnDone(const grpc::Status& status) {
  listener_->OnDone(this, status);
}

}  // namespace driver_internal
}  // namespace executor_runtime
