// UpdateHistory: the newest `limit` recorded updates, for AgentCore::Updates(),
// in a ring of reusable slots.
//
// A slot keeps the TaskStatus as the bytes the executor sent, not as a
// parsed message: recording an update is a copy into the slot's string
// (whose capacity is reused once the ring is full), and only Snapshot()
// parses. At a steady state, keeping a history costs no allocation per
// update.
//
// Thread-safety: none; AgentState guards it with its mutex.
#ifndef SIMULATOR_INTERNAL_UPDATE_HISTORY_H_
#define SIMULATOR_INTERNAL_UPDATE_HISTORY_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "simulator/agent_core.h"

namespace executor_runtime {
namespace simulator_internal {

// A RecordedUpdate with its status serialized.
struct StoredUpdate {
  uint64_t sequence = 0;
  ExecutorRef executor;
  std::string status_bytes;  // A serialized mesos::TaskStatus.
  absl::Time recorded_at;
};

class UpdateHistory {
 public:
  explicit UpdateHistory(size_t limit) : limit_(limit) {}

  // The slot for the newest record (an evicted, stale record once the
  // ring is full, to be overwritten field by field), or nullptr when the
  // limit is 0.
  StoredUpdate* Next();
  // Every kept record, oldest first, with its status parsed.
  std::vector<RecordedUpdate> Snapshot() const;
  size_t size() const { return slots_.size(); }

 private:
  const size_t limit_;
  std::vector<StoredUpdate> slots_;
  size_t oldest_ = 0;  // Index of the oldest record once the ring is full.
};

}  // namespace simulator_internal
}  // namespace executor_runtime

#endif  // SIMULATOR_INTERNAL_UPDATE_HISTORY_H_
