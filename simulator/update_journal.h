// UpdateJournal: the persistence hook of AgentCore's status update manager.
//
// When AgentOptions::journal is set, AgentCore appends every newly recorded
// status update to it and sends the ACKNOWLEDGED event only after Append
// returned OK, so that an acknowledged update is never lost by an agent that
// restarts from its journal. Duplicates (an UUID seen before) are not
// appended again. A file-backed implementation is a later task; tests use an
// in-memory one.
//
//   class MemoryJournal : public UpdateJournal {
//    public:
//     absl::Status Append(absl::Span<const RecordedUpdate> updates) override {
//       kept_.insert(kept_.end(), updates.begin(), updates.end());
//       return absl::OkStatus();
//     }
//    private:
//     std::vector<RecordedUpdate> kept_;
//   };
//
// Thread-safety: AgentCore calls Append one call at a time (under its own
// lock, from gRPC threads), so an implementation needs no lock of its own for
// Append; Append must not call back into the AgentCore. Anything else an
// implementation offers (reading back) is its own business.
#ifndef SIMULATOR_UPDATE_JOURNAL_H_
#define SIMULATOR_UPDATE_JOURNAL_H_

#include "absl/status/status.h"
#include "absl/types/span.h"
#include "simulator/agent_core.h"

namespace executor_runtime {

class UpdateJournal {
 public:
  virtual ~UpdateJournal() = default;

  // Persists `updates`: new updates of one call (one UPDATE, or the
  // unacknowledged updates of one SUBSCRIBE), in record order, with
  // consecutive sequence numbers. OK means they are durable. An error means
  // none of them counts as recorded: they are not acknowledged, the
  // executor's stream ends with UNAVAILABLE naming the error, and the
  // driver's retransmission tries again.
  virtual absl::Status Append(absl::Span<const RecordedUpdate> updates) = 0;
};

}  // namespace executor_runtime

#endif  // SIMULATOR_UPDATE_JOURNAL_H_
