#include "tests/chaos/chaos_check.h"

#include <set>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace executor_runtime {
namespace chaos {
namespace {

constexpr size_t kMaxProblems = 20;

void Problem(Verdict* verdict, std::string text) {
  if (verdict->problems.size() < kMaxProblems) {
    verdict->problems.push_back(std::move(text));
  }
}

}  // namespace

ExecutorLog ParseExecutorLog(const std::string& text) {
  ExecutorLog log;
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
    std::vector<std::string> words = absl::StrSplit(line, ' ');
    int seq = 0;
    if (words[0] == "sent" && words.size() == 4 &&
        absl::SimpleAtoi(words[2], &seq)) {
      log.sent[words[1]].push_back(seq);
      log.sent_states[words[1]].push_back(words[3]);
    } else if (words[0] == "refused") {
      ++log.refused;
    } else if (words[0] == "stop") {
      log.stop_line = std::string(line);
      log.stop_ok = words.size() > 1 && words[1] == "ok";
    } else if (words[0] == "stats") {
      for (size_t i = 1; i < words.size(); ++i) {
        std::vector<std::string> pair = absl::StrSplit(words[i], '=');
        long value = 0;
        if (pair.size() == 2 && absl::SimpleAtoi(pair[1], &value)) {
          log.stats[pair[0]] = value;
        }
      }
    } else if (line == "end") {
      log.complete = true;
    } else {
      log.notes.emplace_back(line);
    }
  }
  return log;
}

Verdict Compare(const std::map<std::string, ExecutorLog>& logs,
                const std::vector<RecordedUpdate>& recorded) {
  Verdict verdict;
  // (executor, task) -> seq -> times recorded; and the record order.
  std::map<std::pair<std::string, std::string>, std::map<int, int>> seen;
  std::map<std::pair<std::string, std::string>, int> highest;
  std::set<std::string> uuids;
  for (const RecordedUpdate& update : recorded) {
    if (update.source != "SOURCE_EXECUTOR") {
      ++verdict.agent_generated;
      Problem(&verdict, absl::StrCat("agent-generated ", update.state, " for ",
                                     update.executor_id, "/", update.task_id));
      continue;
    }
    ++verdict.recorded;
    if (!uuids.insert(update.uuid).second) {
      ++verdict.duplicate_uuids;
      Problem(&verdict,
              absl::StrCat("uuid recorded twice: ", update.executor_id, "/",
                           update.task_id, " seq ", update.data));
    }
    int seq = 0;
    if (!absl::SimpleAtoi(update.data, &seq)) {
      ++verdict.unexpected;
      Problem(&verdict, absl::StrCat("unparsable data '", update.data, "' of ",
                                     update.executor_id, "/", update.task_id));
      continue;
    }
    const auto key = std::make_pair(update.executor_id, update.task_id);
    if (++seen[key][seq] > 1) {
      ++verdict.duplicates;
      Problem(&verdict, absl::StrCat("duplicate ", update.executor_id, "/",
                                     update.task_id, " seq ", seq));
      continue;
    }
    auto high = highest.find(key);
    if (high != highest.end() && seq < high->second) {
      ++verdict.out_of_order;
      Problem(&verdict, absl::StrCat("out of order ", update.executor_id, "/",
                                     update.task_id, " seq ", seq, " after ",
                                     high->second));
    }
    if (high == highest.end() || seq > high->second) highest[key] = seq;
  }
  // Every accepted update recorded; nothing recorded that was not sent.
  std::set<std::pair<std::string, std::string>> logged;
  for (const auto& [executor, log] : logs) {
    for (const auto& [task, seqs] : log.sent) {
      const auto key = std::make_pair(executor, task);
      logged.insert(key);
      verdict.sent += seqs.size();
      const std::map<int, int>& got = seen[key];
      std::set<int> sent_set(seqs.begin(), seqs.end());
      for (int seq : sent_set) {
        if (got.count(seq) == 0) {
          ++verdict.lost;
          Problem(&verdict,
                  absl::StrCat("lost ", executor, "/", task, " seq ", seq));
        }
      }
      for (const auto& [seq, times] : got) {
        if (sent_set.count(seq) == 0) {
          ++verdict.unexpected;
          Problem(&verdict, absl::StrCat("recorded but not accepted ", executor,
                                         "/", task, " seq ", seq));
        }
      }
    }
  }
  for (const auto& [key, got] : seen) {
    if (logged.count(key) == 0) {
      verdict.unexpected += got.size();
      Problem(&verdict, absl::StrCat("recorded for a task no log mentions: ",
                                     key.first, "/", key.second));
    }
  }
  return verdict;
}

}  // namespace chaos
}  // namespace executor_runtime
