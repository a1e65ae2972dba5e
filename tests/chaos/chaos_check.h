// The chaos soak's verdict: compares what the executors say they handed to
// their drivers (their logs, see chaos_tasks.h) with what the agent
// simulator recorded, and counts every way the two can differ.
//
// Thread-safety: plain functions and values; not synchronized.
#ifndef TESTS_CHAOS_CHAOS_CHECK_H_
#define TESTS_CHAOS_CHAOS_CHECK_H_

#include <map>
#include <string>
#include <vector>

namespace executor_runtime {
namespace chaos {

// One executor's log, parsed.
struct ExecutorLog {
  bool complete = false;  // ended with "end"
  bool stop_ok = false;   // "stop ok ..."
  std::string stop_line;  // the whole "stop ..." line
  // task ID -> the sequence numbers the driver accepted, in send order,
  // and the state of each.
  std::map<std::string, std::vector<int>> sent;
  std::map<std::string, std::vector<std::string>> sent_states;
  int refused = 0;  // "refused" lines
  // "stats key=value ..." (the executor's connection counters).
  std::map<std::string, long> stats;
  std::vector<std::string> notes;  // other lines (gave-up, driver-error, ...)
};

// Parses a log; unknown lines go to `notes`.
ExecutorLog ParseExecutorLog(const std::string& text);

// One update the agent recorded, in record order.
struct RecordedUpdate {
  std::string executor_id;
  std::string task_id;
  std::string data;    // the sequence number as text
  std::string state;   // TaskState name
  std::string source;  // TaskStatus.Source name
  std::string uuid;    // raw bytes
};

struct Verdict {
  long sent = 0;             // updates the drivers accepted (from the logs)
  long recorded = 0;         // executor updates the agent recorded
  long duplicates = 0;       // (task, seq) recorded more than once
  long duplicate_uuids = 0;  // a UUID recorded more than once
  long lost = 0;             // accepted but never recorded
  long unexpected = 0;       // recorded but not in the sender's log
  long out_of_order = 0;     // per task, a seq recorded after a higher one
  long agent_generated = 0;  // updates the agent made up (TASK_LOST, ...)
  std::vector<std::string> problems;  // the first few, described

  bool ok() const {
    return duplicates == 0 && duplicate_uuids == 0 && lost == 0 &&
           unexpected == 0 && out_of_order == 0 && agent_generated == 0;
  }
};

// `logs`: executor ID -> its parsed log. Updates of executors without a
// log count as unexpected.
Verdict Compare(const std::map<std::string, ExecutorLog>& logs,
                const std::vector<RecordedUpdate>& recorded);

}  // namespace chaos
}  // namespace executor_runtime

#endif  // TESTS_CHAOS_CHAOS_CHECK_H_
