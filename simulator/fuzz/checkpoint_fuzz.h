// The fuzz entry point of checkpoint recovery: writes one input as
// <work dir>/checkpoint.log and opens the directory with CheckpointStore
// (simulator/checkpoint/checkpoint_store.h), which replays the log. Used by
// the libFuzzer target (checkpoint_recovery_fuzzer) and by the seed-corpus
// regression test.
//
// Recovery must either succeed or fail with DATA_LOSS and a message; it
// must never crash or hang. On success the harness checks that the result
// is self-consistent and that recovery is stable: appending a record and
// reopening gives back what was recovered plus that record, with no torn
// tail left.
//
// Thread-safety: not thread-safe (one scratch work directory per process).
#ifndef SIMULATOR_FUZZ_CHECKPOINT_FUZZ_H_
#define SIMULATOR_FUZZ_CHECKPOINT_FUZZ_H_

#include <cstddef>
#include <cstdint>
#include <string>

namespace executor_runtime {
namespace simulator_fuzz {

// A scratch directory, created once per process under $TEST_TMPDIR,
// $TMPDIR or /tmp.
const std::string& ScratchDirectory();

// Runs recovery (RecoverLog) on `data`, then, if they differ, on `data` with
// the CRC of every whole frame recomputed: a mutation inside a payload then
// reaches record parsing and replay instead of stopping at the CRC check.
void FuzzCheckpointRecovery(const uint8_t* data, size_t size);

// Runs recovery on `data` as a log file. Aborts (so the fuzzer reports it)
// on an error other than DATA_LOSS or on an inconsistent recovery.
void RecoverLog(const uint8_t* data, size_t size);

}  // namespace simulator_fuzz
}  // namespace executor_runtime

#endif  // SIMULATOR_FUZZ_CHECKPOINT_FUZZ_H_
