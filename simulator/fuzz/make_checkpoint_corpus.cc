// Writes the seed corpus of checkpoint_recovery_fuzzer: logs written by
// CheckpointStore itself (empty, one record of each kind, a whole agent
// history), plus truncated and bit-flipped variants of the largest one.
//
//   bazel run //simulator/fuzz:make_checkpoint_corpus --
//       $PWD/simulator/fuzz/corpus/checkpoint_recovery_fuzzer
#include <stdlib.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "simulator/checkpoint/checkpoint_store.h"

namespace executor_runtime {
namespace simulator_fuzz {
namespace {

using checkpoint::CheckpointRecord;

CheckpointRecord Started(const std::string& agent) {
  CheckpointRecord record;
  record.mutable_agent_started()->set_agent_id(agent);
  record.mutable_agent_started()->set_started_at(1700000000.5);
  return record;
}

CheckpointRecord Launched(const std::string& executor) {
  CheckpointRecord record;
  auto* launched = record.mutable_executor_launched();
  launched->mutable_framework_info()->set_user("user");
  launched->mutable_framework_info()->set_name("framework");
  launched->mutable_framework_info()->mutable_id()->set_value("fw");
  launched->mutable_executor_info()->mutable_executor_id()->set_value(executor);
  launched->set_pid(4242);
  launched->set_start_time(123456);
  launched->set_sandbox_directory("/tmp/sandbox/" + executor);
  launched->set_auth_token("token-" + executor);
  launched->set_path("/usr/bin/executor");
  launched->add_args("--flag");
  return record;
}

CheckpointRecord Task(const std::string& executor, const std::string& task) {
  CheckpointRecord record;
  auto* launched = record.mutable_task_launched();
  launched->set_framework_id("fw");
  launched->set_executor_id(executor);
  launched->mutable_task()->set_name(task);
  launched->mutable_task()->mutable_task_id()->set_value(task);
  launched->mutable_task()->mutable_slave_id()->set_value("agent-1");
  return record;
}

CheckpointRecord Update(uint64_t sequence, const std::string& task) {
  CheckpointRecord record;
  auto* update = record.mutable_update_recorded();
  update->set_sequence(sequence);
  update->set_framework_id("fw");
  update->set_executor_id("e1");
  update->mutable_status()->mutable_task_id()->set_value(task);
  update->mutable_status()->set_state(mesos::TASK_RUNNING);
  update->mutable_status()->set_uuid(std::string(16, static_cast<char>(sequence)));
  update->set_recorded_at(1700000001.25);
  return record;
}

CheckpointRecord Exited(const std::string& executor) {
  CheckpointRecord record;
  record.mutable_executor_exited()->set_framework_id("fw");
  record.mutable_executor_exited()->set_executor_id(executor);
  record.mutable_executor_exited()->set_description("exited with status 0");
  return record;
}

// The log CheckpointStore writes for `records`.
bool WriteLog(const std::vector<CheckpointRecord>& records, std::string* out) {
  char pattern[] = "/tmp/make_checkpoint_corpus.XXXXXX";
  if (mkdtemp(pattern) == nullptr) return false;
  const std::string dir = pattern;
  {
    auto store = CheckpointStore::Open(dir);
    if (!store.ok()) {
      std::fprintf(stderr, "%s\n", store.status().ToString().c_str());
      return false;
    }
    for (const CheckpointRecord& record : records) {
      if (!(*store)->Append(record).ok()) return false;
    }
  }
  std::ifstream in(CheckpointStore::LogPath(dir), std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  *out = bytes.str();
  std::filesystem::remove_all(dir);
  return true;
}

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

bool WriteAll(const std::string& dir) {
  const std::vector<std::pair<std::string, std::vector<CheckpointRecord>>>
      logs = {
          {"empty", {}},
          {"agent_started", {Started("agent-1")}},
          {"executor_launched", {Launched("e1")}},
          {"task_launched", {Launched("e1"), Task("e1", "t1")}},
          {"update_recorded", {Update(1, "t1")}},
          {"executor_exited", {Launched("e1"), Exited("e1")}},
          {"relaunched", {Launched("e1"), Exited("e1"), Launched("e1")}},
          {"history",
           {Started("agent-1"), Launched("e1"), Task("e1", "t1"),
            Update(1, "t1"), Launched("e2"), Task("e2", "t2"),
            Update(2, "t1"), Exited("e2"), Started("agent-1")}},
          // Valid framing, but a record that makes no sense: DATA_LOSS.
          {"orphan_task", {Task("e9", "t9")}},
          {"empty_record", {CheckpointRecord()}},
      };
  std::string history;
  for (const auto& [name, records] : logs) {
    std::string bytes;
    if (!WriteLog(records, &bytes)) return false;
    if (!Write(dir, name, bytes)) return false;
    if (name == "history") history = bytes;
  }
  // Truncations: inside the header, inside a record's frame, inside a
  // payload, and one byte short of the end (a torn last record).
  for (size_t length : {size_t{0}, size_t{5}, size_t{8}, size_t{12},
                        size_t{20}, history.size() / 2, history.size() - 1}) {
    if (!Write(dir, absl::StrCat("history_truncated_", length),
               history.substr(0, length))) {
      return false;
    }
  }
  // Bit flips: header, first length, first CRC, a payload byte, the middle,
  // the last byte.
  for (size_t offset : {size_t{0}, size_t{8}, size_t{12}, size_t{17},
                        history.size() / 2, history.size() - 1}) {
    std::string flipped = history;
    flipped[offset] ^= 0x10;
    if (!Write(dir, absl::StrCat("history_flipped_", offset), flipped)) {
      return false;
    }
  }
  // Garbage after a whole log, and a huge length field at the end.
  if (!Write(dir, "history_trailing_garbage", history + "garbage")) {
    return false;
  }
  if (!Write(dir, "history_huge_length",
             history + std::string("\xff\xff\xff\x7f\0\0\0\0", 8))) {
    return false;
  }
  return true;
}

}  // namespace
}  // namespace simulator_fuzz
}  // namespace executor_runtime

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: make_checkpoint_corpus <output directory>\n");
    return 2;
  }
  if (!executor_runtime::simulator_fuzz::WriteAll(argv[1])) return 1;
  std::printf("wrote %d seeds to %s\n", executor_runtime::simulator_fuzz::seeds,
              argv[1]);
  return 0;
}
