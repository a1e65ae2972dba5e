// Writes the seed corpus of call_sequence_fuzzer: driver-like sequences
// (SUBSCRIBE, UPDATEs, retransmissions, batches, MESSAGE, HEARTBEAT, a
// resubscription listing unacknowledged updates) in both chunk kinds (built
// and raw Call bytes), plus sequences with one broken call.
//
//   bazel run //simulator/fuzz:make_call_corpus --
//       $PWD/simulator/fuzz/corpus/call_sequence_fuzzer
#include <cstdio>
#include <fstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "api/executor/executor.pb.h"
#include "simulator/fuzz/call_sequence_fuzz.h"

namespace executor_runtime {
namespace simulator_fuzz {
namespace {

using mesos::executor::Call;

int seeds = 0;

bool Write(const std::string& dir, const std::string& name,
           const std::string& bytes) {
  const std::string path = absl::StrCat(dir, "/", name);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) {
    std::fprintf(stderr, "cannot write %s\n", path.c_str());
    return false;
  }
  ++seeds;
  return true;
}

std::string Bytes(std::initializer_list<int> bytes) {
  std::string out;
  for (int b : bytes) out.push_back(static_cast<char>(b));
  return out;
}

// Built chunks (see call_sequence_fuzz.h): header = type, then flags.
// SUBSCRIBE with `counts` (tasks = counts % 3, updates = counts / 3 % 4),
// each update three bytes (task, uuid, state).
std::string Subscribe(int counts, const std::string& updates = "") {
  return Bytes({1, 0, counts}) + updates;
}
std::string Update(int task, int uuid, int state) {
  return Bytes({2, 0, task, uuid, state});
}
std::string Batched(int count, const std::string& updates) {
  return Bytes({2, 0x10}) + Update(0, 0, 1).substr(2) + Bytes({count}) +
         updates;
}
std::string Message(const std::string& data) {
  return Bytes({3, 0, static_cast<int>(data.size())}) + data;
}
std::string Heartbeat() { return Bytes({4, 0}); }

Call RawCall(Call::Type type) {
  Call call;
  call.mutable_executor_id()->set_value("e1");
  call.mutable_framework_id()->set_value("f1");
  call.set_type(type);
  return call;
}

Call RawUpdate(const std::string& task, char uuid, bool batch) {
  Call call = RawCall(Call::UPDATE);
  for (Call::Update* update :
       {call.mutable_update(), batch ? call.add_batched_updates() : nullptr}) {
    if (update == nullptr) continue;
    mesos::TaskStatus* status = update->mutable_status();
    status->mutable_task_id()->set_value(task);
    status->set_state(mesos::TASK_RUNNING);
    status->set_uuid(std::string(16, uuid++));
    status->set_source(mesos::TaskStatus::SOURCE_EXECUTOR);
    status->mutable_executor_id()->set_value("e1");
  }
  return call;
}

bool WriteAll(const std::string& dir) {
  const std::string driver = Subscribe(0) + Update(0, 0, 0) + Update(0, 1, 1) +
                             Heartbeat() + Message("hello") +
                             Update(0, 1, 1) +  // a retransmission
                             Update(1, 2, 2);
  struct Seed {
    const char* name;
    std::string bytes;
  } built[] = {
      {"built_driver_session", driver},
      {"built_resubscribe",
       driver + Subscribe(2 + 3 * 2, Bytes({0, 3, 1, 1, 4, 1})) +
           Update(2, 5, 3)},
      {"built_batched", Subscribe(0) + Batched(2, Bytes({1, 1, 1, 2, 2, 2}))},
      {"built_heartbeats", Heartbeat() + Heartbeat() + Heartbeat()},
      {"built_messages", Message("") + Message("1234567")},
      {"built_no_ids", Bytes({2, 0x03, 0, 0, 0}) + Update(0, 0, 0)},
      {"built_no_type", Bytes({2, 0x20, 0, 0, 0})},
      {"built_foreign_payload", Bytes({4, 0x08}) + Bytes({1, 0x08, 0})},
      {"built_batched_heartbeat", Bytes({4, 0x10, 1, 0, 0, 0})},
      // kCallBreakAnUpdate: one update flag byte per update.
      {"built_bad_uuid", Bytes({2, 0x40, 0x08, 0, 3, 1})},
      {"built_staging", Bytes({2, 0x40, 0x80, 0, 0, 1})},
      {"built_other_executor", Bytes({2, 0x40, 0x10, 0, 0, 1})},
      {"built_same_executor", Bytes({2, 0x40, 0x20, 0, 0, 1})},
      {"built_bad_source", Bytes({2, 0x40, 0x40, 0, 0x80, 1})},
      {"built_no_status", Bytes({2, 0x40, 0x01, 0, 0, 1})},
  };
  for (const Seed& seed : built) {
    if (!Write(dir, seed.name, seed.bytes)) return false;
  }

  // Raw chunks: serialized Calls, including ones the typed stub would not
  // send (missing required fields).
  Call subscribe = RawCall(Call::SUBSCRIBE);
  subscribe.mutable_subscribe();
  Call message = RawCall(Call::MESSAGE);
  message.mutable_message()->set_data("payload");
  Call no_data = RawCall(Call::MESSAGE);
  no_data.mutable_message();
  Call no_status = RawCall(Call::UPDATE);
  no_status.mutable_update();
  const std::string raw_session =
      RawChunk(subscribe.SerializeAsString()) +
      RawChunk(RawUpdate("t1", 'a', false).SerializeAsString()) +
      RawChunk(RawUpdate("t1", 'a', true).SerializeAsString()) +
      RawChunk(message.SerializeAsString()) +
      RawChunk(RawCall(Call::HEARTBEAT).SerializeAsString());
  if (!Write(dir, "raw_driver_session", raw_session) ||
      !Write(dir, "raw_missing_required",
             RawChunk(no_data.SerializePartialAsString()) +
                 RawChunk(no_status.SerializePartialAsString()) +
                 RawChunk(Call().SerializePartialAsString())) ||
      !Write(dir, "raw_unknown_type",
             RawChunk(Bytes({0x0a, 0x04, 0x0a, 0x02, 'e', '1', 0x12, 0x04,
                             0x0a, 0x02, 'f', '1', 0x18, 0x63}))) ||
      !Write(dir, "raw_garbage", RawChunk("\xff\xff\xff\xff garbage")) ||
      !Write(dir, "mixed", raw_session + driver)) {
    return false;
  }
  return true;
}

}  // namespace
}  // namespace simulator_fuzz
}  // namespace executor_runtime

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: make_call_corpus <output directory>\n");
    return 2;
  }
  if (!executor_runtime::simulator_fuzz::WriteAll(argv[1])) return 1;
  std::printf("wrote %d seeds to %s\n", executor_runtime::simulator_fuzz::seeds,
              argv[1]);
  return 0;
}
