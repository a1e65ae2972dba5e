// UpdateHistory: the newest `limit` recorded updates, for AgentCore::Updates(),
// in a ring of reusable slots.
//
// Once the ring is full, a new record overwrites the oldest slot in place.
// The status update manager swaps the incoming TaskStatus into the slot, so
// the parsed call gets the evicted TaskStatus back, and the next parse into
// it reuses its sub-messages and strings: at a steady state, keeping a
// history costs no allocation per update.
//
// Thread-safety: none; AgentState guards it with its mutex.
#ifndef SIMULATOR_INTERNAL_UPDATE_HISTORY_H_
#define SIMULATOR_INTERNAL_UPDATE_HISTORY_H_

#include <cstddef>
#include <vector>

#include "simulator/agent_core.h"

namespace executor_runtime {
namespace simulator_internal {

class UpdateHistory {
 public:
  explicit UpdateHistory(size_t limit) : limit_(limit) {}

  // The slot for the newest record (an evicted, stale record once the
  // ring is full, to be overwritten field by field), or nullptr when the
  // limit is 0.
  RecordedUpdate* Next();
  // Every kept record, oldest first.
  std::vector<RecordedUpdate> Snapshot() const;
  size_t size() const { return slots_.size(); }

 private:
  const size_t limit_;
  std::vector<RecordedUpdate> slots_;
  size_t oldest_ = 0;  // Index of the oldest record once the ring is full.
};

}  // namespace simulator_internal
}  // namespace executor_runtime

#endif  // SIMULATOR_INTERNAL_UPDATE_HISTORY_H_
