// ExecutorDriver: the executor side of the runtime. It keeps one
// bidirectional gRPC stream (Agent.Connect) to the agent, subscribes (and
// resubscribes after a broken stream), delivers events to an EventHandler,
// and makes status updates reliable: each is stamped with a fresh UUID, kept
// until the agent acknowledges it, and resent after a reconnect.
//
//   class MyExecutor : public EventHandler { ... };
//   MyExecutor executor;
//   absl::StatusOr<DriverOptions> options = DriverOptions::FromEnvironment();
//   ExecutorDriver driver(&executor, *options);
//   driver.Start();
//   return driver.Join() == DriverState::kStopped ? 0 : 1;
//
// Thread-safety: every method is thread-safe and may be called from inside
// an EventHandler callback. The handler must outlive the driver. The
// destructor aborts a running driver and joins its threads; it never waits
// for the agent (only for a callback that is running to return), and must
// not be called from inside a callback.
//
// Lifecycle: kNotStarted --Start()--> kRunning --Stop()--> kStopped;
// kRunning --Abort() or a fatal error--> kAborted.
// Fatal errors: bad options (at Start), the agent refusing us
// (UNAUTHENTICATED, PERMISSION_DENIED, INVALID_ARGUMENT, NOT_FOUND,
// UNIMPLEMENTED), an ERROR event, no subscription within
// options.recovery_timeout; each calls Error() once.
#ifndef DRIVER_EXECUTOR_DRIVER_H_
#define DRIVER_EXECUTOR_DRIVER_H_

#include <cstddef>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "api/mesos/mesos.pb.h"
#include "driver/driver_options.h"
#include "driver/event_handler.h"

namespace executor_runtime {

// Lifecycle of a driver; the same states as the legacy mesos::Status.
enum class DriverState { kNotStarted, kRunning, kAborted, kStopped };

const char* DriverStateName(DriverState state);

// Counters for tools and tests. A snapshot; values only grow except the
// gauges (unacknowledged, in_flight).
struct DriverStats {
  size_t updates_sent = 0;          // accepted by SendStatusUpdate()
  size_t updates_acknowledged = 0;  // acknowledged by the agent
  size_t unacknowledged = 0;        // gauge: accepted, not yet acknowledged
  size_t subscriptions = 0;         // successful SUBSCRIBEs
  size_t disconnections = 0;        // broken or silent streams
};

class ExecutorDriver {
 public:
  // `handler` is not owned and must outlive the driver.
  ExecutorDriver(EventHandler* handler, DriverOptions options);
  ~ExecutorDriver();
  ExecutorDriver(const ExecutorDriver&) = delete;
  ExecutorDriver& operator=(const ExecutorDriver&) = delete;

  // Connects and subscribes in the background (retrying with jittered
  // backoff, for at most options.recovery_timeout). Fails with
  // FAILED_PRECONDITION unless the driver is kNotStarted, or
  // INVALID_ARGUMENT for options that cannot work (e.g. an empty endpoint);
  // in that case the driver is kAborted and the handler's Error() is called
  // too (on the callback thread, before Join() returns).
  absl::Status Start();

  // Sends a status update. The driver fills in the UUID (fresh), timestamp,
  // executor and agent IDs and source SOURCE_EXECUTOR; the caller sets
  // task_id and state (and optionally message, data, reason, ...).
  // Errors: INVALID_ARGUMENT for an invalid update (no task ID, TASK_STAGING,
  // ...), FAILED_PRECONDITION if the driver is not running,
  // RESOURCE_EXHAUSTED if max_unacknowledged_updates stayed reached for
  // send_timeout. On OK the update is kept until acknowledged, across
  // reconnects.
  absl::Status SendStatusUpdate(const mesos::TaskStatus& status);

  // Sends a framework message (best effort: dropped while disconnected,
  // which the returned status says: UNAVAILABLE; RESOURCE_EXHAUSTED when
  // 1024 messages already wait for a busy stream).
  absl::Status SendMessage(const std::string& data);

  // Stops the driver after draining: waits until every accepted update was
  // acknowledged or `drain_timeout` passed, then closes the stream
  // (half-close, then cancel) and stops the callback thread; callbacks still
  // queued are dropped. Returns OK, or DEADLINE_EXCEEDED naming how many
  // updates stayed unacknowledged, or UNAVAILABLE at once if they cannot be
  // delivered any more (disconnected without checkpointing). ABORTED if the
  // driver was (or got) aborted, FAILED_PRECONDITION if never started;
  // OK again once stopped. Callable from a callback (then it does not wait
  // for the callback thread itself, which stops after that callback).
  // Note: after a SHUTDOWN with kill_process_group_on_shutdown, the process
  // group is still killed at the end of the grace period if the process has
  // not exited by then (the legacy contract).
  absl::Status Stop(absl::Duration drain_timeout = absl::Seconds(5));

  // Aborts at once: no further callbacks (except Error() already queued),
  // no draining. Join() returns kAborted.
  void Abort();

  // Blocks until the driver is stopped or aborted and (unless called from a
  // callback) the callback thread has finished: no callback runs after
  // Join() returned. Returns the final state; at once if never started.
  DriverState Join();

  DriverState state() const;
  DriverStats stats() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace executor_runtime

#endif  // DRIVER_EXECUTOR_DRIVER_H_
