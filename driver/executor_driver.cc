// ExecutorDriver: three kinds of threads share one mutex (mu_).
//
// - gRPC threads run the stream's reactions (OnEvent, OnWriteDone, ...):
//   they book acknowledgements, start the next write and queue callbacks.
//   They never block and never call the handler.
// - The callback thread runs EventHandler methods one at a time, without
//   mu_ held, from the callback queue.
// - The control thread owns the stream's lifecycle: it opens a stream and
//   subscribes, retries with backoff, watches heartbeats, applies the
//   recovery timeout and the shutdown grace period, and closes the stream
//   when the driver stops. It never calls the handler either.
//
// Caller threads (SendStatusUpdate, ...) take mu_ briefly and may start a
// write. Every gRPC operation (StartWrite, TryCancel, RemoveHold, StartCall)
// is issued with mu_ released, because gRPC may run a reaction inline.
// docs/ARCHITECTURE.md (driver section) has the diagram.
#include "driver/executor_driver.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/types/span.h"
#include "api/executor/agent.grpc.pb.h"
#include "driver/internal/ack_batch.h"
#include "driver/internal/ack_wire_parser.h"
#include "driver/internal/agent_channel.h"
#include "driver/internal/agent_stream.h"
#include "driver/internal/backoff.h"
#include "driver/internal/options_check.h"
#include "driver/internal/status_update.h"
#include "driver/internal/update_call.h"
#include "driver/internal/update_tracker.h"
#include "driver/internal/wire_bytes.h"
#include "util/logging.h"
#include "util/mesos_duration.h"

namespace executor_runtime {

using driver_internal::AckBatch;
using driver_internal::AckView;
using driver_internal::AgentStream;
using mesos::executor::Call;
using mesos::executor::Event;

const char* DriverStateName(DriverState state) {
  switch (state) {
    case DriverState::kNotStarted:
      return "DRIVER_NOT_STARTED";
    case DriverState::kRunning:
      return "DRIVER_RUNNING";
    case DriverState::kAborted:
      return "DRIVER_ABORTED";
    case DriverState::kStopped:
      return "DRIVER_STOPPED";
  }
  return "DRIVER_UNKNOWN";
}

namespace {

// How long a stream may stay unanswered after SUBSCRIBE before the driver
// gives up on it and retries.
constexpr absl::Duration kSubscribeTimeout = absl::Seconds(10);
// After Stop(): how long the agent gets to end the stream after our
// half-close before the driver cancels it.
constexpr absl::Duration kGracefulCloseTimeout = absl::Milliseconds(500);
// How long to wait for gRPC to finish a cancelled call.
constexpr absl::Duration kCancelTimeout = absl::Seconds(5);
// Most updates (and serialized bytes) in one batched UPDATE call. Small
// enough that the stages (driver writes, agent parses and acknowledges,
// driver books acknowledgements, callbacks run) overlap on different cores
// instead of taking turns on one huge batch, and that no buffer reaches
// the 64 KiB at which freeing it makes glibc consolidate its heap
// (malloc_consolidate). Measured on 2 cores (bench/status_updates,
// unbounded window): 4096 updates / 1 MiB gave 155-310k acked updates/s,
// 64-256 updates / 8-32 KiB gave 420-530k/s.
constexpr size_t kMaxBatchUpdates = 256;
constexpr size_t kMaxBatchBytes = 32 << 10;
// Most framework messages waiting for the stream.
constexpr size_t kMaxPendingCalls = 1024;
// Most cleared events (and acknowledgement batches) kept for reuse.
constexpr size_t kEventPoolSize = 64;

// Stream end codes that retrying cannot fix.
bool IsFatal(const grpc::Status& status) {
  switch (status.error_code()) {
    case grpc::StatusCode::UNAUTHENTICATED:
    case grpc::StatusCode::PERMISSION_DENIED:
    case grpc::StatusCode::INVALID_ARGUMENT:
    case grpc::StatusCode::NOT_FOUND:
    case grpc::StatusCode::UNIMPLEMENTED:
      return true;
    default:
      return false;
  }
}

enum class WriteOp { kNone, kWrite, kWritesDone };

}  // namespace

class ExecutorDriver::Impl : public AgentStream::Listener {
 public:
  Impl(ExecutorDriver* driver, EventHandler* handler, DriverOptions options)
      : driver_(driver),
        handler_(handler),
        options_(std::move(options)),
        stamp_ids_(driver_internal::StampIdBytes(options_.executor_id,
                                                 options_.agent_id)),
        backoff_(options_.subscription_backoff_initial,
                 options_.subscription_backoff_max),
        update_writer_(options_.executor_id, options_.framework_id) {}

  ~Impl() override {
    {
      absl::MutexLock lock(&mu_);
      if (state_ == DriverState::kRunning) AbortLocked("", false);
    }
    JoinThreads();
  }

  absl::Status Start();
  absl::Status SendStatusUpdate(const mesos::TaskStatus& status);
  absl::Status SendMessage(const std::string& data);
  absl::Status Stop(absl::Duration drain_timeout);
  void Abort();
  DriverState Join();

  DriverState state() const {
    absl::MutexLock lock(&mu_);
    return state_;
  }

  DriverStats stats() const {
    absl::MutexLock lock(&mu_);
    DriverStats stats = stats_;
    stats.unacknowledged = tracker_.unacknowledged();
    return stats;
  }

  // AgentStream::Listener (gRPC threads).
  void OnEvent(AgentStream* stream, Event* event) override;
  void OnAcknowledged(AgentStream* stream,
                      absl::Span<const AckView> acks) override;
  void OnReadFailed(AgentStream* stream) override;
  void OnWriteDone(AgentStream* stream, bool ok) override;
  void OnDone(AgentStream* stream, const grpc::Status& status) override;

 private:
  // One handler call waiting for the callback thread.
  struct Callback {
    enum class Kind {
      kSubscribed,
      kDisconnected,
      kLaunch,
      kLaunchGroup,
      kKill,
      kAcknowledged,
      kMessage,
      kShutdown,
      kError,
    };
    Kind kind;
    std::unique_ptr<Event> event;  // the payload of event-driven kinds
    std::unique_ptr<AckBatch> acks;  // kAcknowledged: the matched acks
    bool resubscribed = false;     // kSubscribed
    std::string error;             // kError
    bool after_abort = false;      // still runs once the driver aborted
  };

  // ---- Callback queue --------------------------------------------------
  void EnqueueLocked(Callback::Kind kind,
                     std::unique_ptr<Event> event = nullptr,
                     bool after_abort = false)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    Callback callback;
    callback.kind = kind;
    callback.event = std::move(event);
    callback.after_abort = after_abort;
    callbacks_.push_back(std::move(callback));
    callbacks_cv_.Signal();
  }
  void EnqueueErrorLocked(const std::string& message)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    Callback callback;
    callback.kind = Callback::Kind::kError;
    callback.error = message;
    callback.after_abort = true;
    callbacks_.push_back(std::move(callback));
    callbacks_cv_.Signal();
  }
  // Moves `from`'s contents into a pooled Event and leaves `from` holding a
  // cleared one, whose memory the next read reuses.
  std::unique_ptr<Event> TakeEventLocked(Event* from)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    std::unique_ptr<Event> event = NewEventLocked();
    event->Swap(from);
    return event;
  }
  std::unique_ptr<Event> NewEventLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (event_pool_.empty()) return std::make_unique<Event>();
    std::unique_ptr<Event> event = std::move(event_pool_.back());
    event_pool_.pop_back();
    return event;
  }
  std::unique_ptr<AckBatch> NewAckBatchLocked()
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (ack_batch_pool_.empty()) return std::make_unique<AckBatch>();
    std::unique_ptr<AckBatch> batch = std::move(ack_batch_pool_.back());
    ack_batch_pool_.pop_back();
    return batch;
  }
  void CallbackLoop();
  // Runs one callback (mu_ not held).
  void Dispatch(const Callback& callback);
  void DispatchAcknowledged(const AckBatch& acks);

  // ---- State changes ---------------------------------------------------
  // Aborts; with `error`, queues Error(message) first.
  void AbortLocked(const std::string& message, bool error)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void WakeAllLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    control_cv_.Signal();
    callbacks_cv_.Signal();
    state_cv_.SignalAll();
    room_cv_.SignalAll();
  }
  void ArmShutdownTimerLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (!shutdown_deadline_.has_value()) {
      shutdown_deadline_ = absl::Now() + options_.shutdown_grace_period;
      control_cv_.Signal();
    }
  }
  void JoinThreads();
  void WaitForThreadsToFinish();

  // ---- Control thread --------------------------------------------------
  void ControlLoop();
  void OpenStreamLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void StreamEndedLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void CloseStreamLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void CancelStreamLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Serializes the SUBSCRIBE into write_buf_.
  void BuildSubscribeLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // ---- Writes ----------------------------------------------------------
  // Claims the write slot and fills write_buf_ if something is ready.
  WriteOp PrepareWriteLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void BuildUpdateCallLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // True (once) when the stream's hold may be released.
  bool TakeHoldReleaseLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Issues `op` (mu_ not held).
  void PerformWrite(AgentStream* stream, WriteOp op);
  void InitCallLocked(Call* call, Call::Type type) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    *call->mutable_executor_id() = options_.executor_id;
    *call->mutable_framework_id() = options_.framework_id;
    call->set_type(type);
  }

  // ---- Events (gRPC thread) --------------------------------------------
  void HandleSubscribedLocked(std::unique_ptr<Event> event)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Books the acknowledgements and queues the matched ones for the handler.
  void HandleAcknowledgedLocked(absl::Span<const AckView> acks)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // ---- Constant after construction / Start() ---------------------------
  ExecutorDriver* const driver_;
  EventHandler* const handler_;
  const DriverOptions options_;
  // TaskStatus.slave_id and executor_id as wire bytes (the stamp).
  const std::string stamp_ids_;
  std::shared_ptr<grpc::Channel> channel_;  // set in Start()
  std::unique_ptr<driver_internal::RawAgentStub> stub_;

  // ---- Guarded by mu_ --------------------------------------------------
  mutable absl::Mutex mu_;
  absl::CondVar control_cv_;    // wakes the control thread
  absl::CondVar callbacks_cv_;  // wakes the callback thread
  absl::CondVar state_cv_;      // state, drain and callback-thread exit
  absl::CondVar room_cv_;       // room in the unacknowledged window

  DriverState state_ ABSL_GUARDED_BY(mu_) = DriverState::kNotStarted;
  DriverStats stats_ ABSL_GUARDED_BY(mu_);
  driver_internal::UpdateTracker tracker_ ABSL_GUARDED_BY(mu_);
  driver_internal::Backoff backoff_ ABSL_GUARDED_BY(mu_);
  bool ever_subscribed_ ABSL_GUARDED_BY(mu_) = false;
  // False once a disconnect without checkpointing made us shut down.
  bool reconnect_ ABSL_GUARDED_BY(mu_) = true;
  absl::Time next_attempt_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  // Give up (Shutdown + Error) if not subscribed by then.
  absl::Time recovery_deadline_ ABSL_GUARDED_BY(mu_) = absl::InfiniteFuture();
  std::optional<absl::Time> shutdown_deadline_ ABSL_GUARDED_BY(mu_);
  size_t room_waiters_ ABSL_GUARDED_BY(mu_) = 0;
  size_t drainers_ ABSL_GUARDED_BY(mu_) = 0;

  // The current stream (at most one exists). Created and deleted only by
  // the control thread; the per-stream state below is reset with it.
  std::unique_ptr<AgentStream> stream_ ABSL_GUARDED_BY(mu_);
  bool stream_subscribed_ ABSL_GUARDED_BY(mu_) = false;
  bool stream_read_done_ ABSL_GUARDED_BY(mu_) = false;
  bool stream_write_failed_ ABSL_GUARDED_BY(mu_) = false;
  bool stream_done_ ABSL_GUARDED_BY(mu_) = false;
  bool stream_cancelled_ ABSL_GUARDED_BY(mu_) = false;
  bool hold_released_ ABSL_GUARDED_BY(mu_) = false;
  bool write_claimed_ ABSL_GUARDED_BY(mu_) = false;
  bool writes_done_requested_ ABSL_GUARDED_BY(mu_) = false;
  bool writes_done_sent_ ABSL_GUARDED_BY(mu_) = false;
  bool batching_ ABSL_GUARDED_BY(mu_) = false;
  // Acknowledgement receipts (docs/PROTOCOL.md): enabled on this stream,
  // and the acknowledgements received on it so far, which every call after
  // SUBSCRIBE reports so that the agent can forget those UUIDs.
  bool ack_receipts_ ABSL_GUARDED_BY(mu_) = false;
  uint64_t acks_received_on_stream_ ABSL_GUARDED_BY(mu_) = 0;
  grpc::Status stream_status_ ABSL_GUARDED_BY(mu_);
  absl::Time stream_opened_ ABSL_GUARDED_BY(mu_);
  absl::Time last_event_ ABSL_GUARDED_BY(mu_);
  absl::Duration heartbeat_interval_ ABSL_GUARDED_BY(mu_);
  absl::Time next_heartbeat_call_ ABSL_GUARDED_BY(mu_);
  std::string last_stream_error_ ABSL_GUARDED_BY(mu_);
  // Calls other than UPDATE waiting for the write slot.
  std::deque<Call> pending_calls_ ABSL_GUARDED_BY(mu_);
  // Assembles UPDATE calls from the tracker's serialized updates (refers to
  // them between BuildUpdateCallLocked and Finish, both under mu_).
  driver_internal::UpdateCallWriter update_writer_ ABSL_GUARDED_BY(mu_);
  std::string write_scratch_ ABSL_GUARDED_BY(mu_);
  // The outstanding write's serialized Call: written under mu_ by whoever
  // claimed the write slot (write_claimed_), then read by gRPC until
  // OnWriteDone.
  grpc::ByteBuffer write_buf_;

  std::deque<Callback> callbacks_ ABSL_GUARDED_BY(mu_);
  // Cleared events for reuse (see TakeEventLocked).
  std::vector<std::unique_ptr<Event>> event_pool_ ABSL_GUARDED_BY(mu_);
  // Cleared acknowledgement batches for reuse (see NewAckBatchLocked).
  std::vector<std::unique_ptr<AckBatch>> ack_batch_pool_ ABSL_GUARDED_BY(mu_);
  // What the callback thread passes to EventHandler::Acknowledged, refilled
  // per acknowledgement. Used only by the callback thread, without mu_.
  mesos::TaskID ack_task_id_;
  std::string ack_uuid_;
  bool callback_thread_done_ ABSL_GUARDED_BY(mu_) = false;
  std::thread::id callback_thread_id_ ABSL_GUARDED_BY(mu_);

  bool control_thread_done_ ABSL_GUARDED_BY(mu_) = true;

  // Joined by the destructor.
  std::thread control_thread_;
  std::thread callback_thread_;
};

// ---------------------------------------------------------------------------
// Public operations

absl::Status ExecutorDriver::Impl::Start() {
  absl::MutexLock lock(&mu_);
  if (state_ != DriverState::kNotStarted) {
    return absl::FailedPreconditionError(absl::StrCat(
        "Start(): the driver is already ", DriverStateName(state_)));
  }
  absl::Status status = driver_internal::CheckDriverOptions(options_);
  if (status.ok()) {
    state_ = DriverState::kRunning;
    channel_ = driver_internal::CreateAgentChannel(options_);
    stub_ = std::make_unique<driver_internal::RawAgentStub>(channel_);
    // The first subscription must also succeed within the recovery timeout.
    recovery_deadline_ = absl::Now() + options_.recovery_timeout;
    control_thread_done_ = false;
    control_thread_ = std::thread([this] { ControlLoop(); });
  } else {
    state_ = DriverState::kAborted;
    EnqueueErrorLocked(std::string(status.message()));
  }
  callback_thread_ = std::thread([this] { CallbackLoop(); });
  callback_thread_id_ = callback_thread_.get_id();
  return status;
}

absl::Status ExecutorDriver::Impl::SendStatusUpdate(
    const mesos::TaskStatus& status) {
  absl::Status valid = driver_internal::ValidateStatusUpdate(status);
  if (!valid.ok()) return valid;
  // Stamped and serialized once, outside the lock, into a per-thread
  // buffer, then swapped into the tracker, which hands back used buffers
  // whose memory the next update on this thread reuses: no allocation in
  // steady state. Batches and resends reuse these bytes.
  thread_local driver_internal::StampedUpdate stamped;
  driver_internal::SerializeStampedUpdate(status, stamp_ids_, absl::Now(),
                                          &stamped);
  WriteOp op;
  AgentStream* stream;
  {
    absl::MutexLock lock(&mu_);
    if (state_ != DriverState::kRunning) {
      return absl::FailedPreconditionError(absl::StrCat(
          "SendStatusUpdate(): the driver is ", DriverStateName(state_)));
    }
    if (tracker_.unacknowledged() >= options_.max_unacknowledged_updates) {
      const absl::Time deadline = absl::Now() + options_.send_timeout;
      ++room_waiters_;
      while (tracker_.unacknowledged() >= options_.max_unacknowledged_updates &&
             state_ == DriverState::kRunning) {
        if (room_cv_.WaitWithDeadline(&mu_, deadline)) break;
      }
      --room_waiters_;
      if (state_ != DriverState::kRunning) {
        return absl::FailedPreconditionError(absl::StrCat(
            "SendStatusUpdate(): the driver is ", DriverStateName(state_)));
      }
      if (tracker_.unacknowledged() >= options_.max_unacknowledged_updates) {
        return absl::ResourceExhaustedError(absl::StrCat(
            tracker_.unacknowledged(),
            " status updates unacknowledged (max_unacknowledged_updates=",
            options_.max_unacknowledged_updates, ") for ",
            FormatMesosDuration(options_.send_timeout), "; update for task '",
            status.task_id().value(), "' not accepted"));
      }
    }
    tracker_.AddBySwap(&stamped);
    ++stats_.updates_sent;
    op = PrepareWriteLocked();
    stream = stream_.get();
  }
  PerformWrite(stream, op);
  return absl::OkStatus();
}

absl::Status ExecutorDriver::Impl::SendMessage(const std::string& data) {
  WriteOp op;
  AgentStream* stream;
  {
    absl::MutexLock lock(&mu_);
    if (state_ != DriverState::kRunning) {
      return absl::FailedPreconditionError(absl::StrCat(
          "SendMessage(): the driver is ", DriverStateName(state_)));
    }
    if (stream_ == nullptr || !stream_subscribed_ || stream_read_done_ ||
        stream_write_failed_) {
      return absl::UnavailableError(
          "SendMessage(): not subscribed to the agent; message dropped");
    }
    if (pending_calls_.size() >= kMaxPendingCalls) {
      return absl::ResourceExhaustedError(absl::StrCat(
          "SendMessage(): ", pending_calls_.size(),
          " messages already wait for the stream; message dropped"));
    }
    Call call;
    InitCallLocked(&call, Call::MESSAGE);
    call.mutable_message()->set_data(data);
    pending_calls_.push_back(std::move(call));
    op = PrepareWriteLocked();
    stream = stream_.get();
  }
  PerformWrite(stream, op);
  return absl::OkStatus();
}

absl::Status ExecutorDriver::Impl::Stop(absl::Duration drain_timeout) {
  absl::Status result;
  {
    absl::MutexLock lock(&mu_);
    switch (state_) {
      case DriverState::kNotStarted:
        return absl::FailedPreconditionError(
            "Stop(): the driver was never started");
      case DriverState::kAborted:
        result = absl::AbortedError("Stop(): the driver was aborted");
        break;
      case DriverState::kStopped:
        break;
      case DriverState::kRunning: {
        const absl::Time deadline = absl::Now() + drain_timeout;
        ++drainers_;
        bool timed_out = false;
        while (tracker_.unacknowledged() > 0 &&
               state_ == DriverState::kRunning && reconnect_) {
          if (state_cv_.WaitWithDeadline(&mu_, deadline)) {
            timed_out = true;
            break;
          }
        }
        --drainers_;
        const size_t left = tracker_.unacknowledged();
        if (state_ == DriverState::kAborted) {
          result =
              absl::AbortedError("Stop(): the driver aborted while draining");
        } else if (state_ == DriverState::kRunning) {
          state_ = DriverState::kStopped;
          WakeAllLocked();
          if (left > 0 && !timed_out) {
            result = absl::UnavailableError(absl::StrCat(
                left,
                " status updates unacknowledged: the stream to the "
                "agent broke and without checkpointing the driver does not "
                "reconnect"));
          } else if (left > 0) {
            result = absl::DeadlineExceededError(absl::StrCat(
                left, " status updates unacknowledged after draining for ",
                FormatMesosDuration(drain_timeout),
                "; the driver stopped without them"));
          }
        }
        break;
      }
    }
  }
  // Wait for the stream to close and (unless we are it) the callback
  // thread to finish; joining happens in the destructor.
  WaitForThreadsToFinish();
  return result;
}

void ExecutorDriver::Impl::WaitForThreadsToFinish() {
  absl::MutexLock lock(&mu_);
  const bool on_callback_thread =
      std::this_thread::get_id() == callback_thread_id_;
  while (!control_thread_done_ ||
         (!on_callback_thread && !callback_thread_done_)) {
    state_cv_.Wait(&mu_);
  }
}

void ExecutorDriver::Impl::Abort() {
  absl::MutexLock lock(&mu_);
  if (state_ == DriverState::kRunning) AbortLocked("", false);
}

DriverState ExecutorDriver::Impl::Join() {
  absl::MutexLock lock(&mu_);
  if (state_ == DriverState::kNotStarted) return state_;
  const bool on_callback_thread =
      std::this_thread::get_id() == callback_thread_id_;
  // After Join() returns no callback runs (unless Join is itself called
  // from one).
  while (state_ == DriverState::kRunning ||
         (!on_callback_thread && !callback_thread_done_)) {
    state_cv_.Wait(&mu_);
  }
  return state_;
}

void ExecutorDriver::Impl::AbortLocked(const std::string& message, bool error) {
  if (error) {
    XRT_LOG(ERROR) << "executor driver aborting: " << message;
    EnqueueErrorLocked(message);
  }
  state_ = DriverState::kAborted;
  WakeAllLocked();
}

void ExecutorDriver::Impl::JoinThreads() {
  // Only the destructor joins; it must not run on a driver thread.
  if (control_thread_.joinable()) control_thread_.join();
  if (callback_thread_.joinable()) callback_thread_.join();
}

// ---------------------------------------------------------------------------
// Callback thread

void ExecutorDriver::Impl::CallbackLoop() {
  absl::MutexLock lock(&mu_);
  while (true) {
    while (callbacks_.empty() && state_ == DriverState::kRunning) {
      callbacks_cv_.Wait(&mu_);
    }
    if (state_ == DriverState::kStopped) break;
    if (state_ == DriverState::kAborted) {
      while (!callbacks_.empty() && !callbacks_.front().after_abort) {
        callbacks_.pop_front();
      }
      if (callbacks_.empty()) break;
    }
    Callback callback = std::move(callbacks_.front());
    callbacks_.pop_front();
    mu_.Unlock();
    Dispatch(callback);
    if (callback.event != nullptr) callback.event->Clear();
    if (callback.acks != nullptr) callback.acks->Clear();
    mu_.Lock();
    if (callback.event != nullptr && event_pool_.size() < kEventPoolSize) {
      event_pool_.push_back(std::move(callback.event));
    }
    if (callback.acks != nullptr && ack_batch_pool_.size() < kEventPoolSize) {
      ack_batch_pool_.push_back(std::move(callback.acks));
    }
  }
  callbacks_.clear();
  callback_thread_done_ = true;
  state_cv_.SignalAll();
}

void ExecutorDriver::Impl::Dispatch(const Callback& callback) {
  using Kind = Callback::Kind;
  const Event* event = callback.event.get();
  switch (callback.kind) {
    case Kind::kSubscribed:
      handler_->Subscribed(driver_, event->subscribed(), callback.resubscribed);
      return;
    case Kind::kDisconnected:
      handler_->Disconnected(driver_);
      return;
    case Kind::kLaunch:
      handler_->Launch(driver_, event->launch().task());
      return;
    case Kind::kLaunchGroup:
      handler_->LaunchGroup(driver_, event->launch_group().task_group());
      return;
    case Kind::kKill:
      handler_->Kill(driver_, event->kill().task_id(),
                     event->kill().kill_policy());
      return;
    case Kind::kAcknowledged:
      DispatchAcknowledged(*callback.acks);
      return;
    case Kind::kMessage:
      handler_->Message(driver_, event->message().data());
      return;
    case Kind::kShutdown:
      handler_->Shutdown(driver_);
      return;
    case Kind::kError:
      handler_->Error(driver_, callback.error);
      return;
  }
}

void ExecutorDriver::Impl::DispatchAcknowledged(const AckBatch& acks) {
  // One TaskID and one string serve every acknowledgement: the handler gets
  // const references valid for the call, as it always did.
  std::string* const task_id_value = ack_task_id_.mutable_value();
  acks.ForEach([&](absl::string_view task_id, absl::string_view uuid) {
    driver_internal::AssignBytes(task_id, task_id_value);
    driver_internal::AssignBytes(uuid, &ack_uuid_);
    handler_->Acknowledged(driver_, ack_task_id_, ack_uuid_);
  });
}

// ---------------------------------------------------------------------------
// Control thread

void ExecutorDriver::Impl::ControlLoop() {
  absl::MutexLock lock(&mu_);
  while (true) {
    const absl::Time now = absl::Now();
    if (shutdown_deadline_.has_value() && now >= *shutdown_deadline_) {
      shutdown_deadline_.reset();
      if (options_.kill_process_group_on_shutdown) {
        XRT_LOG(ERROR) << "shutdown grace period of "
                       << FormatMesosDuration(options_.shutdown_grace_period)
                       << " expired; killing the process group";
        killpg(getpgrp(), SIGKILL);
      } else {
        XRT_LOG(WARNING) << "shutdown grace period expired; aborting driver";
        AbortLocked("", false);
      }
    }
    if (state_ != DriverState::kRunning) {
      CloseStreamLocked();
      break;
    }
    absl::Time wake = shutdown_deadline_.value_or(absl::InfiniteFuture());

    if (stream_ == nullptr) {
      if (!reconnect_) {
        control_cv_.WaitWithDeadline(&mu_, wake);
        continue;
      }
      if (now >= recovery_deadline_) {
        if (ever_subscribed_) {
          const std::string message = absl::StrCat(
              "could not resubscribe to the agent at ", options_.agent_endpoint,
              " within the recovery timeout of ",
              FormatMesosDuration(options_.recovery_timeout),
              " (last error: ", last_stream_error_, ")");
          EnqueueLocked(Callback::Kind::kShutdown, nullptr,
                        /*after_abort=*/true);
          ArmShutdownTimerLocked();
          AbortLocked(message, true);
        } else {
          AbortLocked(
              absl::StrCat("could not subscribe to the agent at ",
                           options_.agent_endpoint, " within ",
                           FormatMesosDuration(options_.recovery_timeout),
                           " (last error: ", last_stream_error_, ")"),
              true);
        }
        continue;
      }
      if (now < next_attempt_) {
        control_cv_.WaitWithDeadline(
            &mu_, std::min({wake, next_attempt_, recovery_deadline_}));
        continue;
      }
      OpenStreamLocked();
      continue;
    }

    if (stream_done_) {
      StreamEndedLocked();
      continue;
    }

    // A live stream: watch for silence.
    if (!stream_cancelled_) {
      if (stream_subscribed_ && heartbeat_interval_ > absl::ZeroDuration()) {
        const absl::Time silent_at =
            last_event_ +
            heartbeat_interval_ * options_.missed_heartbeats_before_disconnect;
        if (now >= silent_at) {
          last_stream_error_ =
              absl::StrCat("no event from the agent for ",
                           FormatMesosDuration(absl::Trunc(
                               now - last_event_, absl::Milliseconds(1))),
                           " (heartbeat interval ",
                           FormatMesosDuration(heartbeat_interval_), ")");
          XRT_LOG(WARNING) << "agent went silent: " << last_stream_error_;
          CancelStreamLocked();
          continue;
        }
        wake = std::min(wake, silent_at);
        if (now >= next_heartbeat_call_) {
          next_heartbeat_call_ = now + heartbeat_interval_;
          // A busy stream tells the agent we are alive anyway.
          if (!pending_calls_.empty() || write_claimed_) continue;
          Call heartbeat;
          InitCallLocked(&heartbeat, Call::HEARTBEAT);
          pending_calls_.push_back(std::move(heartbeat));
          const WriteOp op = PrepareWriteLocked();
          AgentStream* stream = stream_.get();
          mu_.Unlock();
          PerformWrite(stream, op);
          mu_.Lock();
          continue;
        }
        wake = std::min(wake, next_heartbeat_call_);
      } else if (!stream_subscribed_) {
        const absl::Time give_up = stream_opened_ + kSubscribeTimeout;
        if (now >= give_up) {
          last_stream_error_ = absl::StrCat(
              "no SUBSCRIBED within ", FormatMesosDuration(kSubscribeTimeout));
          CancelStreamLocked();
          continue;
        }
        wake = std::min({wake, give_up, recovery_deadline_});
        if (now >= recovery_deadline_) {
          CancelStreamLocked();
          continue;
        }
      }
    }
    control_cv_.WaitWithDeadline(&mu_, wake);
  }

  // The process must not outlive the grace period the agent gave it, even
  // if the driver stopped before it expired (the legacy contract).
  if (shutdown_deadline_.has_value() &&
      options_.kill_process_group_on_shutdown) {
    const absl::Time deadline = *shutdown_deadline_;
    std::thread([deadline] {
      absl::SleepFor(deadline - absl::Now());
      killpg(getpgrp(), SIGKILL);
    }).detach();
  }
  control_thread_done_ = true;
  state_cv_.SignalAll();
}

void ExecutorDriver::Impl::BuildSubscribeLocked() {
  Call call;
  InitCallLocked(&call, Call::SUBSCRIBE);
  Call::Subscribe* subscribe = call.mutable_subscribe();
  if (options_.enable_batching) {
    subscribe->mutable_capabilities()->set_batched_updates(true);
    subscribe->mutable_capabilities()->set_batched_acknowledgements(true);
  }
  subscribe->mutable_capabilities()->set_acknowledgement_receipts(true);
  // Everything the agent has not acknowledged, in original order, as the
  // bytes each update was serialized to when it was sent.
  std::vector<absl::string_view> updates;
  if (ever_subscribed_) {
    updates.reserve(tracker_.unacknowledged());
    tracker_.ForEachUnacknowledged(
        [&updates](const driver_internal::StampedUpdate& update) {
          updates.push_back(update.bytes);
        });
    tracker_.ForEachUnacknowledgedTask([subscribe](const mesos::TaskInfo& t) {
      *subscribe->add_unacknowledged_tasks() = t;
    });
  }
  driver_internal::SerializeSubscribeCall(call, updates, &write_scratch_);
  driver_internal::BytesToByteBuffer(write_scratch_, &write_buf_);
  if (ever_subscribed_) {
    // They count as delivered by this SUBSCRIBE.
    tracker_.StartStreamDeliverAll();
  } else {
    tracker_.StartStreamDeliverNone();
  }
}

void ExecutorDriver::Impl::OpenStreamLocked() {
  stream_subscribed_ = false;
  stream_read_done_ = false;
  stream_write_failed_ = false;
  stream_done_ = false;
  stream_cancelled_ = false;
  hold_released_ = false;
  writes_done_requested_ = false;
  writes_done_sent_ = false;
  batching_ = false;
  ack_receipts_ = false;
  acks_received_on_stream_ = 0;
  heartbeat_interval_ = absl::ZeroDuration();
  stream_status_ = grpc::Status::OK;
  pending_calls_.clear();
  stream_opened_ = absl::Now();
  last_event_ = stream_opened_;

  BuildSubscribeLocked();
  write_claimed_ = true;  // the SUBSCRIBE is the first write
  stream_ =
      std::make_unique<AgentStream>(stub_.get(), this, options_.auth_token);
  AgentStream* stream = stream_.get();
  mu_.Unlock();
  stream->Start(&write_buf_);
  mu_.Lock();
}

void ExecutorDriver::Impl::CancelStreamLocked() {
  stream_cancelled_ = true;
  AgentStream* stream = stream_.get();
  mu_.Unlock();
  stream->Cancel();
  mu_.Lock();
}

void ExecutorDriver::Impl::StreamEndedLocked() {
  const grpc::Status status = stream_status_;
  const bool was_subscribed = stream_subscribed_;
  // A stream we cancelled for silence keeps that reason.
  if (!stream_cancelled_ || last_stream_error_.empty()) {
    last_stream_error_ =
        status.ok() ? "the agent closed the stream"
                    : absl::StrCat(status.error_message(), " (gRPC code ",
                                   static_cast<int>(status.error_code()), ")");
  }
  stream_.reset();
  stream_subscribed_ = false;
  pending_calls_.clear();
  XRT_LOG(INFO) << "stream to " << options_.agent_endpoint
                << " ended: " << last_stream_error_;
  const absl::Time now = absl::Now();

  if (was_subscribed) {
    ++stats_.disconnections;
    EnqueueLocked(Callback::Kind::kDisconnected);
    if (!options_.checkpoint) {
      // Without checkpointing the agent will not take us back.
      reconnect_ = false;
      if (drainers_ > 0) state_cv_.SignalAll();
      EnqueueLocked(Callback::Kind::kShutdown);
      ArmShutdownTimerLocked();
      return;
    }
    recovery_deadline_ = now + options_.recovery_timeout;
    backoff_.Reset();
  }
  if (IsFatal(status)) {
    AbortLocked(absl::StrCat("the agent at ", options_.agent_endpoint,
                             was_subscribed ? " ended the stream: "
                                            : " refused the subscription: ",
                             status.error_message()),
                true);
    return;
  }
  next_attempt_ = now + backoff_.Next();
}

void ExecutorDriver::Impl::CloseStreamLocked() {
  if (stream_ == nullptr) return;
  AgentStream* stream = stream_.get();
  if (!stream_done_ && state_ == DriverState::kStopped && stream_subscribed_ &&
      !stream_read_done_ && !stream_write_failed_) {
    // Half-close and give the agent a moment to end the stream cleanly.
    writes_done_requested_ = true;
    const WriteOp op = PrepareWriteLocked();
    mu_.Unlock();
    PerformWrite(stream, op);
    mu_.Lock();
    const absl::Time deadline = absl::Now() + kGracefulCloseTimeout;
    while (!stream_done_) {
      if (control_cv_.WaitWithDeadline(&mu_, deadline)) break;
    }
  }
  if (!stream_done_) {
    mu_.Unlock();
    stream->Cancel();
    mu_.Lock();
    const absl::Time deadline = absl::Now() + kCancelTimeout;
    while (!stream_done_) {
      if (control_cv_.WaitWithDeadline(&mu_, deadline)) break;
    }
  }
  if (stream_done_) {
    stream_.reset();
  } else {
    // gRPC never finished the call; leaking it beats freeing it under gRPC.
    XRT_LOG(ERROR) << "stream to the agent did not finish after cancel";
    stream_.release();
  }
}

// ---------------------------------------------------------------------------
// Writes

WriteOp ExecutorDriver::Impl::PrepareWriteLocked() {
  if (stream_ == nullptr || write_claimed_ || !stream_subscribed_ ||
      stream_read_done_ || stream_write_failed_ || writes_done_sent_) {
    return WriteOp::kNone;
  }
  if (writes_done_requested_) {
    write_claimed_ = true;
    writes_done_sent_ = true;
    return WriteOp::kWritesDone;
  }
  if (!pending_calls_.empty()) {
    // The receipt as of now, when the call is written: counts only grow.
    if (ack_receipts_) {
      pending_calls_.front().set_acknowledgements_received(
          acks_received_on_stream_);
    }
    driver_internal::CallToByteBuffer(pending_calls_.front(), &write_scratch_,
                                      &write_buf_);
    pending_calls_.pop_front();
    write_claimed_ = true;
    return WriteOp::kWrite;
  }
  if (tracker_.unsent() == 0) return WriteOp::kNone;
  if (options_.max_in_flight_updates != 0 &&
      tracker_.in_flight() >= options_.max_in_flight_updates) {
    return WriteOp::kNone;
  }
  BuildUpdateCallLocked();
  if (update_writer_.count() == 0) return WriteOp::kNone;
  update_writer_.Finish(&write_buf_);
  write_claimed_ = true;
  return WriteOp::kWrite;
}

void ExecutorDriver::Impl::BuildUpdateCallLocked() {
  // The writer refers to the tracker's bytes (unchanged while mu_ is held)
  // and copies each update once, straight into the buffer gRPC sends.
  update_writer_.Begin(ack_receipts_ ? std::optional<uint64_t>(
                                          acks_received_on_stream_)
                                    : std::nullopt);
  while (true) {
    if (options_.max_in_flight_updates != 0 &&
        tracker_.in_flight() >= options_.max_in_flight_updates) {
      break;
    }
    const driver_internal::StampedUpdate* update = tracker_.NextUnsent();
    if (update == nullptr) break;
    update_writer_.Add(update->bytes);
    if (!batching_ || update_writer_.count() >= kMaxBatchUpdates) break;
    if (update_writer_.size() >= kMaxBatchBytes) break;
  }
}

bool ExecutorDriver::Impl::TakeHoldReleaseLocked() {
  if (hold_released_ || write_claimed_) return false;
  if (!stream_read_done_ && !stream_write_failed_) return false;
  hold_released_ = true;
  return true;
}

void ExecutorDriver::Impl::PerformWrite(AgentStream* stream, WriteOp op) {
  switch (op) {
    case WriteOp::kNone:
      return;
    case WriteOp::kWrite:
      stream->Write(&write_buf_);
      return;
    case WriteOp::kWritesDone:
      stream->CloseWrites();
      return;
  }
}

// ---------------------------------------------------------------------------
// Reactions (gRPC threads)

void ExecutorDriver::Impl::OnWriteDone(AgentStream* stream, bool ok) {
  WriteOp op;
  bool release;
  {
    absl::MutexLock lock(&mu_);
    write_claimed_ = false;
    if (!ok) stream_write_failed_ = true;
    op = PrepareWriteLocked();
    release = TakeHoldReleaseLocked();
  }
  PerformWrite(stream, op);
  if (release) stream->ReleaseHold();
}

void ExecutorDriver::Impl::OnReadFailed(AgentStream* stream) {
  bool release;
  {
    absl::MutexLock lock(&mu_);
    stream_read_done_ = true;
    release = TakeHoldReleaseLocked();
  }
  if (release) stream->ReleaseHold();
}

void ExecutorDriver::Impl::OnDone(AgentStream* stream,
                                  const grpc::Status& status) {
  absl::MutexLock lock(&mu_);
  stream_done_ = true;
  stream_status_ = status;
  control_cv_.Signal();
  // The control thread may delete `stream` as soon as mu_ is released.
}

void ExecutorDriver::Impl::OnEvent(AgentStream* stream, Event* event) {
  WriteOp op = WriteOp::kNone;
  {
    absl::MutexLock lock(&mu_);
    last_event_ = absl::Now();
    if (state_ != DriverState::kRunning) return;
    if (event->type() == Event::SUBSCRIBED) {
      if (!stream_subscribed_) {
        HandleSubscribedLocked(TakeEventLocked(event));
        op = PrepareWriteLocked();
      }
    } else if (!stream_subscribed_) {
      if (event->type() == Event::ERROR) {
        AbortLocked(
            absl::StrCat("the agent sent ERROR: ", event->error().message()),
            true);
      }
      // Anything else before SUBSCRIBED is ignored.
    } else {
      switch (event->type()) {
        case Event::ACKNOWLEDGED: {
          // An ACKNOWLEDGED event protobuf had to parse (an unusual shape).
          std::vector<AckView> acks;
          driver_internal::AppendAckViews(*event, &acks);
          HandleAcknowledgedLocked(acks);
          op = PrepareWriteLocked();
          break;
        }
        case Event::LAUNCH: {
          if (!tracker_.AddTask(event->launch().task())) {
            XRT_LOG(WARNING) << "ignoring duplicate LAUNCH of task '"
                             << event->launch().task().task_id().value() << "'";
            break;
          }
          EnqueueLocked(Callback::Kind::kLaunch, TakeEventLocked(event));
          break;
        }
        case Event::LAUNCH_GROUP: {
          for (const mesos::TaskInfo& task :
               event->launch_group().task_group().tasks()) {
            tracker_.AddTask(task);
          }
          EnqueueLocked(Callback::Kind::kLaunchGroup, TakeEventLocked(event));
          break;
        }
        case Event::KILL:
          EnqueueLocked(Callback::Kind::kKill, TakeEventLocked(event));
          break;
        case Event::MESSAGE:
          EnqueueLocked(Callback::Kind::kMessage, TakeEventLocked(event));
          break;
        case Event::SHUTDOWN:
          EnqueueLocked(Callback::Kind::kShutdown);
          ArmShutdownTimerLocked();
          break;
        case Event::ERROR:
          AbortLocked(
              absl::StrCat("the agent sent ERROR: ", event->error().message()),
              true);
          break;
        case Event::HEARTBEAT:
          break;
        default:
          XRT_LOG(WARNING) << "ignoring event of unknown type "
                           << static_cast<int>(event->type());
          break;
      }
    }
  }
  PerformWrite(stream, op);
}

void ExecutorDriver::Impl::HandleSubscribedLocked(
    std::unique_ptr<Event> event) {
  const Event::Subscribed& subscribed = event->subscribed();
  stream_subscribed_ = true;
  const bool resubscribed = ever_subscribed_;
  ever_subscribed_ = true;
  ++stats_.subscriptions;
  batching_ =
      options_.enable_batching && subscribed.capabilities().batched_updates();
  ack_receipts_ = subscribed.capabilities().acknowledgement_receipts();
  heartbeat_interval_ =
      subscribed.heartbeat_interval_seconds() > 0
          ? absl::Seconds(subscribed.heartbeat_interval_seconds())
          : absl::ZeroDuration();
  next_heartbeat_call_ = absl::Now() + heartbeat_interval_;
  recovery_deadline_ = absl::InfiniteFuture();
  last_stream_error_.clear();
  backoff_.Reset();
  control_cv_.Signal();
  XRT_LOG(INFO) << (resubscribed ? "resubscribed" : "subscribed") << " to "
                << options_.agent_endpoint << " (batching "
                << (batching_ ? "on" : "off") << ", heartbeat "
                << FormatMesosDuration(heartbeat_interval_) << ")";
  EnqueueLocked(Callback::Kind::kSubscribed, std::move(event));
  callbacks_.back().resubscribed = resubscribed;
}

void ExecutorDriver::Impl::OnAcknowledged(AgentStream* stream,
                                         absl::Span<const AckView> acks) {
  WriteOp op = WriteOp::kNone;
  {
    absl::MutexLock lock(&mu_);
    last_event_ = absl::Now();
    if (state_ != DriverState::kRunning) return;
    // Like any event but SUBSCRIBED and ERROR, ignored before SUBSCRIBED.
    if (!stream_subscribed_) return;
    HandleAcknowledgedLocked(acks);
    op = PrepareWriteLocked();
  }
  PerformWrite(stream, op);
}

void ExecutorDriver::Impl::HandleAcknowledgedLocked(
    absl::Span<const AckView> acks) {
  // Every acknowledgement counts for the receipt, ours or not.
  acks_received_on_stream_ += acks.size();
  std::unique_ptr<AckBatch> matched;
  for (size_t i = 0; i < acks.size(); ++i) {
    // Overlap the next lookups' cache misses with this one.
    constexpr size_t kPrefetchDistance = 4;
    if (i + kPrefetchDistance < acks.size()) {
      tracker_.Prefetch(acks[i + kPrefetchDistance].uuid);
    }
    // Unexpected or duplicate acknowledgements are not ours to report.
    if (!tracker_.Acknowledge(acks[i].task_id, acks[i].uuid)) continue;
    if (matched == nullptr) matched = NewAckBatchLocked();
    matched->Add(acks[i].task_id, acks[i].uuid);
  }
  if (matched == nullptr) return;
  stats_.updates_acknowledged += matched->size();
  if (room_waiters_ > 0) room_cv_.SignalAll();
  if (drainers_ > 0 && tracker_.unacknowledged() == 0) state_cv_.SignalAll();
  EnqueueLocked(Callback::Kind::kAcknowledged);
  callbacks_.back().acks = std::move(matched);
}

// ---------------------------------------------------------------------------
// ExecutorDriver

ExecutorDriver::ExecutorDriver(EventHandler* handler, DriverOptions options)
    : impl_(std::make_unique<Impl>(this, handler, std::move(options))) {}

ExecutorDriver::~ExecutorDriver() = default;

absl::Status ExecutorDriver::Start() { return impl_->Start(); }

absl::Status ExecutorDriver::SendStatusUpdate(const mesos::TaskStatus& status) {
  return impl_->SendStatusUpdate(status);
}

absl::Status ExecutorDriver::SendMessage(const std::string& data) {
  return impl_->SendMessage(data);
}

absl::Status ExecutorDriver::Stop(absl::Duration drain_timeout) {
  return impl_->Stop(drain_timeout);
}

void ExecutorDriver::Abort() { impl_->Abort(); }

DriverState ExecutorDriver::Join() { return impl_->Join(); }

DriverState ExecutorDriver::state() const { return impl_->state(); }

DriverStats ExecutorDriver::stats() const { return impl_->stats(); }

}  // namespace executor_runtime
