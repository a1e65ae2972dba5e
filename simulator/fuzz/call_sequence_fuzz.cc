#include "simulator/fuzz/call_sequence_fuzz.h"

#include <cstdio>
#include <cstdlib>
#include <map>
#include <vector>

#include "absl/status/status.h"
#include "google/protobuf/util/message_differencer.h"
#include "api/executor/executor.pb.h"
#include "simulator/internal/call_validation.h"
#include "simulator/internal/seen_uuids.h"
#include "simulator/internal/update_call_view.h"

namespace executor_runtime {
namespace simulator_fuzz {
namespace {

using mesos::executor::Call;
using simulator_internal::SeenUuids;
using simulator_internal::UuidKey;

// Call flags: each set bit except kCallBatched breaks one rule.
constexpr uint8_t kCallNoExecutorId = 1 << 0;
constexpr uint8_t kCallNoFrameworkId = 1 << 1;
constexpr uint8_t kCallNoPayload = 1 << 2;
constexpr uint8_t kCallForeignPayload = 1 << 3;
constexpr uint8_t kCallBatched = 1 << 4;  // breaks the rule unless UPDATE
constexpr uint8_t kCallNoType = 1 << 5;
constexpr uint8_t kCallBreakAnUpdate = 1 << 6;  // one update gets kUpdate*
// Update flags (read per update only when kCallBreakAnUpdate is set).
constexpr uint8_t kUpdateNoStatus = 1 << 0;
constexpr uint8_t kUpdateEmptyTaskId = 1 << 1;
constexpr uint8_t kUpdateNoState = 1 << 2;
constexpr uint8_t kUpdateBadUuid = 1 << 3;
constexpr uint8_t kUpdateOtherExecutor = 1 << 4;
constexpr uint8_t kUpdateSameExecutor = 1 << 5;  // harmless
constexpr uint8_t kUpdateBadSource = 1 << 6;
constexpr uint8_t kUpdateStaging = 1 << 7;
constexpr uint8_t kUpdateBreaking = static_cast<uint8_t>(~kUpdateSameExecutor);

constexpr char kExecutor[] = "e1";
// Calls per input: enough for any sequence the rules care about (two
// subscriptions and their retransmissions), short enough to stay fast.
constexpr int kMaxCalls = 64;

[[noreturn]] void Fail(const std::string& what, const Call& call) {
  std::fprintf(stderr, "call validation: %s\ncall: %s\n", what.c_str(),
               call.ShortDebugString().c_str());
  std::abort();
}

// Bytes of a chunk; 0 once exhausted.
class Reader {
 public:
  explicit Reader(absl::string_view data) : data_(data) {}
  uint8_t Byte() {
    if (data_.empty()) return 0;
    const uint8_t byte = static_cast<uint8_t>(data_[0]);
    data_.remove_prefix(1);
    return byte;
  }
  bool empty() const { return data_.empty(); }
  absl::string_view Take(size_t n) {
    const absl::string_view taken = data_.substr(0, n);
    data_.remove_prefix(taken.size());
    return taken;
  }

 private:
  absl::string_view data_;
};

const std::vector<mesos::TaskState>& ExecutorStates() {
  static const std::vector<mesos::TaskState>* const kStates = [] {
    auto* states = new std::vector<mesos::TaskState>;
    for (int i = mesos::TaskState_MIN; i <= mesos::TaskState_MAX; ++i) {
      if (mesos::TaskState_IsValid(i) && i != mesos::TASK_STAGING) {
        states->push_back(static_cast<mesos::TaskState>(i));
      }
    }
    return states;
  }();
  return *kStates;
}

// A status update; `breaking` says which rules it breaks (0: none).
void BuildUpdate(Reader& in, uint8_t flags, Call::Update* update) {
  const uint8_t task = in.Byte();
  const uint8_t uuid = in.Byte();
  const uint8_t state = in.Byte();
  if (flags & kUpdateNoStatus) return;
  mesos::TaskStatus* status = update->mutable_status();
  status->mutable_task_id()->set_value(
      (flags & kUpdateEmptyTaskId) ? "" : "t" + std::to_string(task % 4));
  if (!(flags & kUpdateNoState)) {
    status->set_state((flags & kUpdateStaging)
                          ? mesos::TASK_STAGING
                          : ExecutorStates()[state % ExecutorStates().size()]);
  }
  // A small pool of UUIDs, so that sequences retransmit.
  status->set_uuid(std::string((flags & kUpdateBadUuid) ? uuid % 16 : 16,
                               static_cast<char>('a' + uuid % 6)));
  if (flags & kUpdateOtherExecutor) {
    status->mutable_executor_id()->set_value("e2");
  } else if (flags & kUpdateSameExecutor) {
    status->mutable_executor_id()->set_value(kExecutor);
  }
  if (flags & kUpdateBadSource) {
    if (uuid & 0x80) status->set_source(mesos::TaskStatus::SOURCE_SLAVE);
  } else {
    status->set_source(mesos::TaskStatus::SOURCE_EXECUTOR);
  }
  if (task & 0x80) status->set_message("fuzz");
}

// Builds a plausible call; true if it breaks no rule.
bool BuildCall(uint8_t header, Reader& in, Call* call) {
  const auto type = static_cast<Call::Type>(header % 5);
  const uint8_t flags = in.Byte();
  bool valid = type != Call::UNKNOWN;
  auto update_flags = [&] {
    if (!(flags & kCallBreakAnUpdate)) return uint8_t{0};
    const uint8_t update = in.Byte();
    if (update & kUpdateBreaking) valid = false;
    return update;
  };

  if (!(flags & kCallNoExecutorId)) {
    call->mutable_executor_id()->set_value(kExecutor);
  } else {
    valid = false;
  }
  if (!(flags & kCallNoFrameworkId)) {
    call->mutable_framework_id()->set_value("f1");
  } else {
    valid = false;
  }
  if (!(flags & kCallNoType)) {
    call->set_type(type);
  } else {
    valid = false;
  }
  if (flags & kCallNoPayload) {
    if (type != Call::HEARTBEAT && type != Call::UNKNOWN) valid = false;
  } else {
    switch (type) {
      case Call::SUBSCRIBE: {
        Call::Subscribe* subscribe = call->mutable_subscribe();
        const uint8_t counts = in.Byte();
        for (int i = 0; i < counts % 3; ++i) {
          mesos::TaskInfo* task = subscribe->add_unacknowledged_tasks();
          task->set_name("task");
          task->mutable_task_id()->set_value("t" + std::to_string(i));
          task->mutable_slave_id()->set_value("agent-1");
        }
        for (int i = 0; i < (counts / 3) % 4; ++i) {
          BuildUpdate(in, update_flags(),
                      subscribe->add_unacknowledged_updates());
        }
        break;
      }
      case Call::UPDATE:
        BuildUpdate(in, update_flags(), call->mutable_update());
        break;
      case Call::MESSAGE:
        call->mutable_message()->set_data(std::string(in.Take(in.Byte() % 8)));
        break;
      default:
        break;
    }
  }
  if (flags & kCallForeignPayload) {
    if (type == Call::MESSAGE) {
      BuildUpdate(in, 0, call->mutable_update());
    } else {
      call->mutable_message()->set_data("foreign");
    }
    valid = false;
  }
  if (flags & kCallBatched) {
    const uint8_t count = 1 + in.Byte() % 3;
    for (int i = 0; i < count; ++i) {
      BuildUpdate(in, update_flags(), call->add_batched_updates());
    }
    if (type != Call::UPDATE) valid = false;
  }
  return valid;
}

// The rules of ValidateUpdate, as call_validation.h states them.
void CheckAcceptedUpdate(const Call::Update& update, const Call& call) {
  if (!update.has_status()) Fail("accepted an update without status", call);
  const mesos::TaskStatus& status = update.status();
  if (status.task_id().value().empty()) Fail("accepted an empty task_id", call);
  if (!status.has_state() || status.state() == mesos::TASK_STAGING) {
    Fail("accepted a missing or TASK_STAGING state", call);
  }
  if (status.uuid().size() != 16) Fail("accepted a non-16-byte UUID", call);
  if (status.source() != mesos::TaskStatus::SOURCE_EXECUTOR ||
      !status.has_source()) {
    Fail("accepted a source other than SOURCE_EXECUTOR", call);
  }
  if (status.has_executor_id() &&
      status.executor_id().value() != call.executor_id().value()) {
    Fail("accepted a status naming another executor", call);
  }
}

// Every status update a call carries, in order.
std::vector<const Call::Update*> Updates(const Call& call) {
  std::vector<const Call::Update*> updates;
  if (call.type() == Call::UPDATE) {
    updates.push_back(&call.update());
    for (const Call::Update& u : call.batched_updates()) updates.push_back(&u);
  } else if (call.type() == Call::SUBSCRIBE) {
    for (const Call::Update& u : call.subscribe().unacknowledged_updates()) {
      updates.push_back(&u);
    }
  }
  return updates;
}

void CheckAccepted(const Call& call) {
  if (call.executor_id().value().empty() ||
      call.framework_id().value().empty()) {
    Fail("accepted a call without IDs", call);
  }
  if (!call.has_type() || call.type() == Call::UNKNOWN) {
    Fail("accepted a call without a known type", call);
  }
  const bool subscribe = call.has_subscribe(), update = call.has_update(),
             message = call.has_message();
  if (subscribe != (call.type() == Call::SUBSCRIBE) ||
      update != (call.type() == Call::UPDATE) ||
      message != (call.type() == Call::MESSAGE)) {
    Fail("accepted a payload that does not match the type", call);
  }
  if (call.batched_updates_size() > 0 && call.type() != Call::UPDATE) {
    Fail("accepted batched_updates outside UPDATE", call);
  }
  if (call.has_acknowledgements_received() && call.type() == Call::SUBSCRIBE) {
    Fail("accepted a SUBSCRIBE with acknowledgements_received", call);
  }
  if (message && !call.message().has_data()) {
    Fail("accepted a MESSAGE without data", call);
  }
  for (const mesos::TaskInfo& task : call.subscribe().unacknowledged_tasks()) {
    if (task.task_id().value().empty()) {
      Fail("accepted an unacknowledged task without task_id", call);
    }
  }
  for (const Call::Update* u : Updates(call)) CheckAcceptedUpdate(*u, call);
  if (!call.IsInitialized()) Fail("accepted an incomplete call", call);
  // What the agent records must serialize and come back the same.
  std::string bytes;
  if (!call.SerializeToString(&bytes)) Fail("cannot serialize", call);
  Call again;
  if (!again.ParseFromString(bytes) ||
      !simulator_internal::ValidateCallShape(again).ok()) {
    Fail("an accepted call is refused after a round trip", call);
  }
}

void CheckRefused(const absl::Status& status, const Call& call) {
  if (status.message().empty()) Fail("refused without a message", call);
  if (status.code() == absl::StatusCode::kPermissionDenied) {
    bool foreign = false;
    for (const Call::Update* u : Updates(call)) {
      foreign |= u->status().has_executor_id() &&
                 u->status().executor_id().value() != call.executor_id().value();
    }
    if (!foreign) Fail("PERMISSION_DENIED without a foreign status", call);
  } else if (status.code() != absl::StatusCode::kInvalidArgument) {
    Fail("refused with " + status.ToString(), call);
  }
}

// The agent's fast path (update_call_view.h) against the slow path: what
// it accepts, ValidateCallShape accepts too, with the same updates.
// `status` is ValidateCallShape's verdict on `call`, parsed from `bytes`.
// True if the fast path took the call.
bool CheckFastPath(absl::string_view bytes, const Call& call,
                   const absl::Status& status) {
  simulator_internal::UpdateCallView view;
  if (!simulator_internal::ReadUpdateCall(bytes, &view)) return false;
  if (!status.ok()) {
    Fail("the fast path took a call ValidateCallShape refuses: " +
             status.ToString(),
         call);
  }
  if (call.type() != Call::UPDATE) Fail("the fast path took a non-UPDATE", call);
  if (view.executor_id != call.executor_id().value() ||
      view.framework_id != call.framework_id().value()) {
    Fail("the fast path read other IDs", call);
  }
  const std::vector<const Call::Update*> updates = Updates(call);
  if (view.updates.size() != updates.size()) {
    Fail("the fast path read another number of updates", call);
  }
  for (size_t i = 0; i < updates.size(); ++i) {
    const simulator_internal::UpdateView& fast = view.updates[i];
    const mesos::TaskStatus& slow = updates[i]->status();
    mesos::TaskStatus recorded;
    if (!recorded.ParseFromArray(fast.status_bytes.data(),
                                 static_cast<int>(fast.status_bytes.size())) ||
        !google::protobuf::util::MessageDifferencer::Equals(recorded, slow)) {
      Fail("the fast path's status bytes are not the parsed status", call);
    }
    if (fast.task_id != slow.task_id().value() || fast.uuid != slow.uuid() ||
        fast.state != slow.state()) {
      Fail("the fast path read another task ID, UUID or state", call);
    }
  }
  return true;
}

// SeenUuids under the subscription rule, against a std::map model.
class UuidModel {
 public:
  // Records the updates of an accepted call; the number of new UUIDs.
  int Record(const Call& call) {
    if (call.type() == Call::SUBSCRIBE) {
      ++generation_;
      const uint32_t oldest = generation_ > 0 ? generation_ - 1 : 0;
      seen_.ForgetBefore(oldest);
      for (auto it = model_.begin(); it != model_.end();) {
        it = it->second < oldest ? model_.erase(it) : std::next(it);
      }
    }
    int recorded = 0;
    for (const Call::Update* u : Updates(call)) {
      const std::string& uuid = u->status().uuid();
      const bool inserted = seen_.Insert(UuidKey::Of(uuid), generation_);
      auto [it, model_inserted] = model_.try_emplace(uuid, generation_);
      if (!model_inserted && it->second < generation_) {
        it->second = generation_;
      }
      if (inserted != model_inserted) Fail("SeenUuids disagrees", call);
      recorded += inserted;
    }
    if (seen_.size() != model_.size()) Fail("SeenUuids size disagrees", call);
    return recorded;
  }

 private:
  uint32_t generation_ = 0;
  SeenUuids seen_;
  std::map<std::string, uint32_t> model_;
};

}  // namespace

std::string RawChunk(absl::string_view call_bytes) {
  call_bytes = call_bytes.substr(0, 255);
  std::string chunk;
  chunk.push_back(static_cast<char>(0xF0));
  chunk.push_back(static_cast<char>(call_bytes.size()));
  chunk.append(call_bytes.data(), call_bytes.size());
  return chunk;
}

CallSequenceStats FuzzCallSequence(const uint8_t* data, size_t size) {
  Reader in(absl::string_view(reinterpret_cast<const char*>(data), size));
  CallSequenceStats stats;
  UuidModel uuids;
  while (!in.empty() && stats.calls < kMaxCalls) {
    ++stats.calls;
    const uint8_t header = in.Byte();
    Call call;
    bool must_accept = false;
    std::string bytes;
    if (header >= 0xF0) {
      bytes = std::string(in.Take(in.Byte()));
      if (!call.ParsePartialFromArray(bytes.data(),
                                      static_cast<int>(bytes.size()))) {
        simulator_internal::UpdateCallView view;
        if (simulator_internal::ReadUpdateCall(bytes, &view)) {
          Fail("the fast path took bytes that do not parse", call);
        }
        ++stats.unparsable;
        ++stats.refused;
        continue;
      }
    } else {
      must_accept = BuildCall(header, in, &call);
      stats.built_valid += must_accept;
      call.SerializePartialToString(&bytes);
    }
    const absl::Status status = simulator_internal::ValidateCallShape(call);
    const bool fast = CheckFastPath(bytes, call, status);
    stats.fast_path += fast;
    // What the driver sends (a valid UPDATE built of plain fields) must
    // take the fast path.
    if (must_accept && call.type() == Call::UPDATE && !fast) {
      Fail("a valid UPDATE missed the fast path", call);
    }
    if (simulator_internal::CallTypeName(call.type()).empty()) {
      Fail("an empty call type name", call);
    }
    if (!status.ok()) {
      if (must_accept) Fail("refused a valid call: " + status.ToString(), call);
      CheckRefused(status, call);
      ++stats.refused;  // and records nothing
      continue;
    }
    CheckAccepted(call);
    ++stats.accepted;
    stats.accepted_updates += static_cast<int>(Updates(call).size());
    stats.recorded += uuids.Record(call);
    if (stats.recorded > stats.accepted_updates) {
      Fail("recorded more updates than were accepted", call);
    }
  }
  return stats;
}

}  // namespace simulator_fuzz
}  // namespace executor_runtime
