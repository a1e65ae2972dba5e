#include "driver/internal/agent_stream.h"

namespace executor_runtime {
namespace driver_internal {

AgentStream::AgentStream(mesos::executor::Agent::Stub* stub, Listener* listener,
                         const std::string& auth_token)
    : listener_(listener) {
  if (!auth_token.empty()) {
    context_.AddMetadata("authorization", "Bearer " + auth_token);
  }
  stub->async()->Connect(&context_, this);
}

void AgentStream::Start(const mesos::executor::Call* first) {
  AddHold();
  StartRead(&event_);
  StartWrite(first);
  StartCall();
}

void AgentStream::OnReadDone(bool ok) {
  if (!ok) {
    listener_->OnReadFailed(this);
    return;
  }
  listener_->OnEvent(this, &event_);
  StartRead(&event_);
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
