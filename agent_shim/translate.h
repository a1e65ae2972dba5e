// Translation between the executor runtime's Call/Event (mesos.executor,
// wire-compatible with the Mesos v1 executor API) and the legacy Mesos
// executor messages (mesos.internal.*, as libmesos and a Mesos agent
// exchange them).
//
// Four directions, all pure functions returning absl::StatusOr:
//
//   executor -> agent   CallToLegacy     Call  -> legacy message(s)
//                       CallFromLegacy   legacy message -> Call
//   agent -> executor   EventToLegacy    Event -> legacy message(s)
//                       EventFromLegacy  legacy message -> Event
//
// Legacy messages are named by their full protobuf type name
// ("mesos.internal.RunTaskMessage"), as on the legacy wire. The
// string-based entry points parse `bytes` as that type; typed overloads
// take the parsed message. Values a legacy message needs but a Call/Event
// does not carry (the agent ID, the FrameworkInfo of a RunTaskMessage, ...)
// come from a LegacyContext.
//
//   LegacyContext context = ...;
//   absl::StatusOr<Event> event = EventFromLegacy(
//       "mesos.internal.RunTaskMessage", bytes, context);
//   if (!event.ok()) { /* message says what was wrong */ }
//
// Mapping (see reference/mesos-executor-facts.md):
//   SUBSCRIBE     <-> RegisterExecutorMessage, or ReregisterExecutorMessage
//                     when it carries unacknowledged tasks/updates (or the
//                     context says we are reregistering)
//   UPDATE        <-> StatusUpdateMessage (one per update when batched)
//   MESSAGE call  <-> ExecutorToFrameworkMessage
//   SUBSCRIBED    <-> ExecutorRegisteredMessage / ExecutorReregisteredMessage
//   LAUNCH        <-> RunTaskMessage
//   KILL          <-> KillTaskMessage (with its kill policy)
//   ACKNOWLEDGED  <-> StatusUpdateAcknowledgementMessage (one per ack)
//   MESSAGE event <-> FrameworkToExecutorMessage
//   SHUTDOWN      <-> ShutdownExecutorMessage
// Unmappable input gets an error, never a crash: HEARTBEAT calls/events,
// LAUNCH_GROUP and ERROR events (UNIMPLEMENTED: no legacy counterpart),
// ReconnectExecutorMessage (UNIMPLEMENTED: a v1 executor resubscribes
// instead), unknown type names, unparsable bytes and missing required
// fields, invalid UUIDs, and IDs that contradict the LegacyContext (a
// message for another framework or executor) (INVALID_ARGUMENT, naming
// what was wrong).
//
// Protocol extensions Mesos lacks (capabilities, heartbeat interval) are
// not sent to a legacy peer: a legacy peer never advertises them, so they
// are not in effect on that connection.
//
// Thread-safety: pure functions over their arguments; safe to call
// concurrently.
#ifndef AGENT_SHIM_TRANSLATE_H_
#define AGENT_SHIM_TRANSLATE_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "api/executor/executor.pb.h"
#include "api/mesos/internal/messages.pb.h"
#include "api/mesos/mesos.pb.h"
#include "google/protobuf/message.h"

namespace executor_runtime {
namespace agent_shim {

using mesos::executor::Call;
using mesos::executor::Event;

// What a translation needs to know about the connection that the message
// itself may not carry. Fields left empty are only an error when a
// translation needs them (the error names the field).
struct LegacyContext {
  mesos::FrameworkID framework_id;
  mesos::ExecutorID executor_id;
  mesos::SlaveID slave_id;
  // Needed for LAUNCH -> RunTaskMessage (its `framework`) and for
  // ExecutorReregisteredMessage -> SUBSCRIBED (which carries neither).
  mesos::FrameworkInfo framework_info;
  mesos::ExecutorInfo executor_info;
  // True once the executor registered before (after a reconnect):
  // SUBSCRIBE becomes ReregisterExecutorMessage and SUBSCRIBED becomes
  // ExecutorReregisteredMessage.
  bool reregistering = false;
  // StatusUpdate.timestamp for a status that carries none (seconds since
  // the epoch). Pure functions read no clock; callers pass "now".
  double now_seconds = 0;
  // StatusUpdateMessage.pid of the executor (legacy wire only; optional).
  std::string pid;
};

// One legacy message: its full type name and the message itself.
struct LegacyMessage {
  std::string type_name;
  std::unique_ptr<google::protobuf::Message> message;

  // The wire bytes.
  std::string Serialize() const;
  // The message as T, or nullptr if it is another type.
  template <typename T>
  const T* As() const {
    return type_name == T::descriptor()->full_name()
               ? static_cast<const T*>(message.get())
               : nullptr;
  }
};

// ---- executor -> agent ------------------------------------------------------

// A Call as legacy messages: one, except for an UPDATE carrying batched
// updates (one StatusUpdateMessage each, in order).
absl::StatusOr<std::vector<LegacyMessage>> CallToLegacy(
    const Call& call, const LegacyContext& context);
// A legacy executor -> agent message as a Call. Accepts
// RegisterExecutorMessage, ReregisterExecutorMessage, StatusUpdateMessage
// and ExecutorToFrameworkMessage.
absl::StatusOr<Call> CallFromLegacy(absl::string_view type_name,
                                    absl::string_view bytes,
                                    const LegacyContext& context);

// Typed pieces of the above.
absl::StatusOr<mesos::internal::StatusUpdate> WrapStatusUpdate(
    const Call::Update& update, const mesos::FrameworkID& framework_id,
    const mesos::ExecutorID& executor_id, const LegacyContext& context);
absl::StatusOr<Call::Update> UnwrapStatusUpdate(
    const mesos::internal::StatusUpdate& update);
absl::StatusOr<Call> CallFromLegacy(
    const mesos::internal::RegisterExecutorMessage& message,
    const LegacyContext& context);
absl::StatusOr<Call> CallFromLegacy(
    const mesos::internal::ReregisterExecutorMessage& message,
    const LegacyContext& context);
absl::StatusOr<Call> CallFromLegacy(
    const mesos::internal::StatusUpdateMessage& message,
    const LegacyContext& context);
absl::StatusOr<Call> CallFromLegacy(
    const mesos::internal::ExecutorToFrameworkMessage& message,
    const LegacyContext& context);

// ---- agent -> executor ------------------------------------------------------

// An Event as legacy messages: one, except for an ACKNOWLEDGED carrying
// batched acknowledgements (one message each, in order).
absl::StatusOr<std::vector<LegacyMessage>> EventToLegacy(
    const Event& event, const LegacyContext& context);
// A legacy agent -> executor message as an Event. Accepts
// ExecutorRegisteredMessage, ExecutorReregisteredMessage, RunTaskMessage,
// KillTaskMessage, StatusUpdateAcknowledgementMessage,
// FrameworkToExecutorMessage and ShutdownExecutorMessage.
absl::StatusOr<Event> EventFromLegacy(absl::string_view type_name,
                                      absl::string_view bytes,
                                      const LegacyContext& context);

// Typed pieces of the above.
absl::StatusOr<Event> EventFromLegacy(
    const mesos::internal::ExecutorRegisteredMessage& message,
    const LegacyContext& context);
absl::StatusOr<Event> EventFromLegacy(
    const mesos::internal::ExecutorReregisteredMessage& message,
    const LegacyContext& context);
absl::StatusOr<Event> EventFromLegacy(
    const mesos::internal::RunTaskMessage& message,
    const LegacyContext& context);
absl::StatusOr<Event> EventFromLegacy(
    const mesos::internal::KillTaskMessage& message,
    const LegacyContext& context);
absl::StatusOr<Event> EventFromLegacy(
    const mesos::internal::StatusUpdateAcknowledgementMessage& message,
    const LegacyContext& context);
absl::StatusOr<Event> EventFromLegacy(
    const mesos::internal::FrameworkToExecutorMessage& message,
    const LegacyContext& context);
absl::StatusOr<Event> EventFromLegacy(
    const mesos::internal::ShutdownExecutorMessage& message,
    const LegacyContext& context);

// ---- parsing ----------------------------------------------------------------

// Parses a legacy message of the named type. INVALID_ARGUMENT for an
// unknown type name, unparsable bytes or missing required fields.
absl::StatusOr<LegacyMessage> ParseLegacy(absl::string_view type_name,
                                          absl::string_view bytes);

}  // namespace agent_shim
}  // namespace executor_runtime

#endif  // AGENT_SHIM_TRANSLATE_H_
