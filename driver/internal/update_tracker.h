// UpdateTracker: the driver's record of status updates and tasks the agent
// has not acknowledged yet, and of which updates were already written on
// the current stream.
//
// Updates live in one queue in acceptance order (so per-task order holds
// for free) and are found by UUID through a hash map: accepting, sending
// and acknowledging are O(1) each (amortized). Each update is kept as the
// bytes it was serialized to once (StampedUpdate). The queue is a ring of
// slots that are kept, not freed, when acknowledged, and AddBySwap() hands
// a slot's buffers (still holding the acknowledged update, so that same-
// sized fields can be overwritten in place) back to the caller for its
// next update: in steady state an update costs no heap allocation here.
//
//   queue:  [acked][unacked ... written on this stream)[not yet written...]
//            front                               cursor              end
//
// A task (from LAUNCH / LAUNCH_GROUP) is kept until any of its updates is
// acknowledged.
//
// Thread-safety: not synchronized; the driver guards it with its mutex.
#ifndef DRIVER_INTERNAL_UPDATE_TRACKER_H_
#define DRIVER_INTERNAL_UPDATE_TRACKER_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/numeric/int128.h"
#include "absl/strings/string_view.h"
#include "api/mesos/mesos.pb.h"
#include "driver/internal/status_update.h"

namespace executor_runtime {
namespace driver_internal {

class UpdateTracker {
 public:
  UpdateTracker() = default;
  UpdateTracker(const UpdateTracker&) = delete;
  UpdateTracker& operator=(const UpdateTracker&) = delete;

  // Takes a stamped update (uuid: 16 bytes, unique). It goes to the end of
  // the queue, not yet written.
  void Add(StampedUpdate update) { AddBySwap(&update); }
  // The same, swapping `*update` into the queue; `*update` receives the
  // buffers of an acknowledged (or never used) slot, contents unspecified,
  // whose memory the next update can reuse.
  void AddBySwap(StampedUpdate* update);

  // Marks the update (task_id, uuid) acknowledged; false if no such update
  // is pending (unknown, duplicate, or the task ID does not match). Also
  // forgets the task.
  bool Acknowledge(absl::string_view task_id, absl::string_view uuid);

  // A hint that Acknowledge(_, uuid) follows soon: starts loading its hash
  // slot into the cache (random UUIDs make every lookup a cache miss).
  void Prefetch(absl::string_view uuid) const {
    if (uuid.size() == 16) by_uuid_.prefetch(Key(uuid));
  }

  // The next update not yet written on this stream, advancing the cursor
  // (and counting it in flight); nullptr when every update was written.
  const StampedUpdate* NextUnsent();

  // A new stream starts. DeliverAll: every pending update goes in its
  // SUBSCRIBE (all count as written and in flight). DeliverNone: none was
  // written on it yet.
  void StartStreamDeliverAll();
  void StartStreamDeliverNone();

  // Pending updates, oldest first.
  template <typename F>
  void ForEachUnacknowledged(F&& f) const {
    for (uint64_t seq = front_seq_; seq < next_seq_; ++seq) {
      const Entry& entry = At(seq);
      if (!entry.acknowledged) f(entry.update);
    }
  }

  // Remembers a launched task; false (and nothing changes) if a task with
  // that ID is already pending.
  bool AddTask(const mesos::TaskInfo& task);
  // Tasks launched and not yet acknowledged through any update.
  template <typename F>
  void ForEachUnacknowledgedTask(F&& f) const {
    for (const auto& entry : tasks_) f(entry.second);
  }
  size_t unacknowledged_tasks() const { return tasks_.size(); }

  // Updates accepted and not acknowledged.
  size_t unacknowledged() const { return by_uuid_.size(); }
  // Of those, written on this stream (including via SUBSCRIBE).
  size_t in_flight() const { return in_flight_; }
  // Of those, not yet written on this stream.
  size_t unsent() const { return next_seq_ - cursor_; }

 private:
  struct Entry {
    StampedUpdate update;
    bool acknowledged = false;
  };

  static absl::uint128 Key(absl::string_view uuid) {
    uint64_t halves[2] = {0, 0};
    std::memcpy(halves, uuid.data(), std::min<size_t>(uuid.size(), 16));
    return absl::MakeUint128(halves[0], halves[1]);
  }
  Entry& At(uint64_t seq) {
    return ring_[(head_ + (seq - front_seq_)) & mask_];
  }
  const Entry& At(uint64_t seq) const {
    return ring_[(head_ + (seq - front_seq_)) & mask_];
  }
  void Grow();

  // A ring (size a power of two): ring_[(head_ + i) & mask_] has sequence
  // number front_seq_ + i, for i < next_seq_ - front_seq_.
  std::vector<Entry> ring_;
  size_t mask_ = 0;
  size_t head_ = 0;
  uint64_t front_seq_ = 0;
  uint64_t next_seq_ = 0;
  uint64_t cursor_ = 0;  // first sequence number not written on this stream
  size_t in_flight_ = 0;
  absl::flat_hash_map<absl::uint128, uint64_t> by_uuid_;
  absl::flat_hash_map<std::string, mesos::TaskInfo> tasks_;
};

}  // namespace driver_internal
}  // namespace executor_runtime

#endif  // DRIVER_INTERNAL_UPDATE_TRACKER_H_
