#include "simulator/fuzz/checkpoint_fuzz.h"

#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "simulator/checkpoint/checkpoint_store.h"
#include "simulator/checkpoint/crc32.h"

namespace executor_runtime {
namespace simulator_fuzz {
namespace {

[[noreturn]] void Fail(const std::string& what) {
  std::fprintf(stderr, "checkpoint recovery: %s\n", what.c_str());
  std::abort();
}

void Check(bool condition, const std::string& what) {
  if (!condition) Fail(what);
}

void WriteFile(const std::string& path, const uint8_t* data, size_t size) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data),
            static_cast<std::streamsize>(size));
  if (!out) Fail("cannot write " + path);
}

size_t TaskCount(const RecoveredState& state) {
  size_t tasks = 0;
  for (const RecoveredExecutor& executor : state.executors) {
    tasks += executor.tasks.size();
  }
  return tasks;
}

// Every record becomes at most one item of the state.
void CheckConsistent(const RecoveredState& state) {
  const uint64_t items = state.executors.size() + TaskCount(state) +
                         state.updates.size();
  Check(items <= state.records, "more state than records");
  for (const RecoveredExecutor& executor : state.executors) {
    Check(executor.launched.IsInitialized(), "an incomplete ExecutorLaunched");
    for (const mesos::TaskInfo& task : executor.tasks) {
      Check(task.IsInitialized(), "an incomplete TaskInfo");
    }
    Check(executor.exited || executor.exit_description.empty(),
          "an exit description for a running executor");
  }
  for (const checkpoint::UpdateRecorded& update : state.updates) {
    Check(update.IsInitialized(), "an incomplete UpdateRecorded");
  }
}

uint32_t LoadLe32(const char* p) {
  uint32_t value = 0;
  for (int i = 3; i >= 0; --i) value = (value << 8) | static_cast<uint8_t>(p[i]);
  return value;
}

void StoreLe32(uint32_t value, char* p) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<char>(value >> (8 * i));
}

// Recomputes the CRC of every whole frame (record_log.h's framing), so that
// a mutated payload reaches record parsing and replay.
std::string WithRepairedCrcs(std::string bytes) {
  constexpr size_t kHeader = 8, kFrame = 8;
  size_t offset = kHeader;
  while (offset + kFrame <= bytes.size()) {
    const uint32_t length = LoadLe32(&bytes[offset]);
    if (length > bytes.size() - offset - kFrame) break;
    const absl::string_view view(bytes);
    StoreLe32(Crc32(view.substr(offset + kFrame, length),
                    Crc32(view.substr(offset, 4))),
              &bytes[offset + 4]);
    offset += kFrame + length;
  }
  return bytes;
}

checkpoint::CheckpointRecord ProbeRecord() {
  checkpoint::CheckpointRecord record;
  record.mutable_agent_started()->set_agent_id("fuzz-probe-agent");
  return record;
}

}  // namespace

const std::string& ScratchDirectory() {
  static const std::string* const kDir = [] {
    const char* base = std::getenv("TEST_TMPDIR");
    if (base == nullptr) base = std::getenv("TMPDIR");
    if (base == nullptr) base = "/tmp";
    std::string pattern = std::string(base) + "/checkpoint_fuzz.XXXXXX";
    if (mkdtemp(pattern.data()) == nullptr) Fail("mkdtemp failed");
    return new std::string(pattern);
  }();
  return *kDir;
}

void FuzzCheckpointRecovery(const uint8_t* data, size_t size) {
  RecoverLog(data, size);
  const std::string repaired = WithRepairedCrcs(
      std::string(reinterpret_cast<const char*>(data), size));
  if (repaired.compare(0, size, reinterpret_cast<const char*>(data), size) !=
      0) {
    RecoverLog(reinterpret_cast<const uint8_t*>(repaired.data()), size);
  }
}

void RecoverLog(const uint8_t* data, size_t size) {
  const std::string& dir = ScratchDirectory();
  WriteFile(CheckpointStore::LogPath(dir), data, size);

  RecoveredState first;
  {
    absl::StatusOr<std::unique_ptr<CheckpointStore>> store =
        CheckpointStore::Open(dir);
    if (!store.ok()) {
      Check(store.status().code() == absl::StatusCode::kDataLoss,
            "an error other than DATA_LOSS: " + store.status().ToString());
      Check(!store.status().message().empty(), "DATA_LOSS without a message");
      return;
    }
    first = (*store)->recovered();
    CheckConsistent(first);
    Check(first.dropped_tail_bytes <= size, "dropped more than the file");
    // Recovery must leave the log appendable.
    absl::Status appended = (*store)->Append(ProbeRecord());
    Check(appended.ok(), "Append after recovery: " + appended.ToString());
  }

  // Reopening sees the same history plus the probe, and no torn tail.
  absl::StatusOr<std::unique_ptr<CheckpointStore>> store =
      CheckpointStore::Open(dir);
  Check(store.ok(), "reopening a recovered log: " + store.status().ToString());
  const RecoveredState& second = (*store)->recovered();
  Check(second.records == first.records + 1, "reopen lost or gained records");
  Check(second.dropped_tail_bytes == 0, "a torn tail survived recovery");
  Check(second.agent_id == "fuzz-probe-agent", "the probe record was lost");
  Check(second.executors.size() == first.executors.size() &&
            TaskCount(second) == TaskCount(first) &&
            second.updates.size() == first.updates.size(),
        "reopen changed the recovered state");
  for (size_t i = 0; i < first.updates.size(); ++i) {
    Check(second.updates[i].SerializeAsString() ==
              first.updates[i].SerializeAsString(),
          "reopen changed an update");
  }
}

}  // namespace simulator_fuzz
}  // namespace executor_runtime
