// AgentStream: one Agent.Connect call (a bidirectional stream of Calls up
// and Events down) on gRPC's callback API, forwarding every reaction to a
// Listener (the driver), which owns all the state.
//
// Calls go up as already serialized bytes (a grpc::ByteBuffer, through
// gRPC's generic stub for the same method): the driver assembles batched
// UPDATE calls from pre-serialized updates (update_call.h). Events come
// down as bytes too: ACKNOWLEDGED events in the plain shape are read
// straight from them (ack_wire_parser.h, OnAcknowledged); every other event
// is parsed by protobuf (OnEvent), exactly as gRPC would have parsed it.
//
// Concurrency contract (gRPC's, restated):
// - Reactions (Listener methods) run on gRPC threads and must not block.
//   A read and a write may complete concurrently.
// - At most one write (Write or CloseWrites) may be outstanding; the
//   listener starts the next one from OnWriteDone. The Call passed to
//   Write() must stay untouched until OnWriteDone.
// - A read is always outstanding until the stream ends: the Event passed to
//   OnEvent may be swapped out by the listener; the next read reuses it.
//   The views passed to OnAcknowledged are valid during the call only.
//   An event protobuf cannot parse ends the reads (OnReadFailed), as a
//   failed deserialization does in gRPC.
// - Start() takes a hold on the call so that Write() may be called from any
//   thread; the listener calls ReleaseHold() exactly once, after the stream
//   ended (OnReadFailed) and no write is outstanding. Only then can OnDone
//   come.
// - OnDone is the last reaction. The owner may delete the AgentStream once
//   OnDone has returned control (the listener's OnDone must not touch the
//   stream after signalling).
// Write, CloseWrites, Cancel and ReleaseHold must not be called with a lock
// held that reactions take: gRPC may run reactions inline.
#ifndef DRIVER_INTERNAL_AGENT_STREAM_H_
#define DRIVER_INTERNAL_AGENT_STREAM_H_

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/support/byte_buffer.h>
#include <grpcpp/support/client_callback.h>

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "api/executor/agent.grpc.pb.h"
#include "api/executor/executor.pb.h"
#include "driver/internal/ack_wire_parser.h"
#include "util/byte_buffer_flattener.h"

namespace executor_runtime {
namespace driver_internal {

// The stub AgentStreams are made from: Agent.Connect with raw Call bytes
// up and raw Event bytes down.
using RawAgentStub =
    grpc::TemplatedGenericStub<grpc::ByteBuffer, grpc::ByteBuffer>;

// Copies serialized bytes into `*out` (replacing what it held).
void BytesToByteBuffer(absl::string_view bytes, grpc::ByteBuffer* out);
// Serializes `call` into `*out`, using `*scratch` as the staging buffer.
void CallToByteBuffer(const mesos::executor::Call& call, std::string* scratch,
                      grpc::ByteBuffer* out);

class AgentStream
    : public grpc::ClientBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer> {
 public:
  class Listener {
   public:
    virtual ~Listener() = default;
    // An event arrived; `event` may be swapped out (it is reused).
    virtual void OnEvent(AgentStream* stream,
                         mesos::executor::Event* event) = 0;
    // An ACKNOWLEDGED event arrived, read without protobuf: its
    // acknowledgements in order (views valid during the call only).
    virtual void OnAcknowledged(AgentStream* stream,
                                absl::Span<const AckView> acks) = 0;
    // No more events: the stream ended or broke.
    virtual void OnReadFailed(AgentStream* stream) = 0;
    // The outstanding Write or CloseWrites finished (ok=false: broken).
    virtual void OnWriteDone(AgentStream* stream, bool ok) = 0;
    // The call is over; the last reaction.
    virtual void OnDone(AgentStream* stream, const grpc::Status& status) = 0;
  };

  // Prepares the call; nothing goes on the wire before Start().
  // `auth_token` (if not empty) is sent as "authorization: Bearer <token>".
  AgentStream(RawAgentStub* stub, Listener* listener,
              const std::string& auth_token);

  // Starts the call with `first` (the serialized SUBSCRIBE) as its first
  // write.
  void Start(const grpc::ByteBuffer* first);
  // Writes one serialized Call.
  void Write(const grpc::ByteBuffer* call) { StartWrite(call); }
  // Half-closes: tells the agent no more calls follow.
  void CloseWrites() { StartWritesDone(); }
  // Ends the call at once (thread-safe, idempotent).
  void Cancel() { context_.TryCancel(); }
  void ReleaseHold() { RemoveHold(); }

  void OnReadDone(bool ok) override;
  void OnWriteDone(bool ok) override;
  void OnWritesDoneDone(bool ok) override;
  void OnDone(const grpc::Status& status) override;

 private:
  // Hands one received event to the listener; false if protobuf could not
  // parse it.
  bool DeliverEvent();

  grpc::ClientContext context_;
  Listener* const listener_;
  // Reading state: touched only by the read reaction (one at a time).
  grpc::ByteBuffer read_buf_;      // the event as received
  ByteBufferFlattener flattener_;  // its bytes, contiguous
  std::vector<AckView> acks_;      // a plain ACKNOWLEDGED event's acks
  mesos::executor::Event event_;   // any other event, parsed
};

}  // namespace driver_internal
}  // namespace executor_runtime

#endif  // DRIVER_INTERNAL_AGENT_STREAM_H_
