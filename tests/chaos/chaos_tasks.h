// ChaosTasks: the workload of the chaos soak's executors, independent of the
// executor API. Each task runs on its own thread and hands its driver a
// numbered sequence of updates: TASK_RUNNING with data "1", "2", ... sent in
// bursts with short random pauses, until the executor asks the tasks to
// finish; then one TASK_FINISHED with the next number. Every update the
// driver accepted is remembered (task, sequence number, state), and the
// whole record is written to a log file once the executor stopped its
// driver, for the soak test to compare with what the agent recorded.
//
// Log format (one line each, written with WriteLog):
//   sent <task> <seq> <state>      an update the driver accepted
//   refused <task> <seq> <error>   an update the driver refused (resent
//                                  under the same number after a pause)
//   stats subscriptions=N disconnections=N
//                                  how often the executor (re)subscribed
//                                  and lost its stream
//   stop <ok|failed> <detail>      the outcome of the driver's stop()
//   end                            the log is complete
//
// Task data (TaskInfo.data): "BURST:PAUSE_MIN_MS:PAUSE_MAX_MS", e.g.
// "4:2:20": up to 4 updates back to back, then a pause of 2-20 ms. Empty
// data means "4:2:20".
//
// Thread-safety: all methods are thread-safe. The send function is called
// from the task threads, concurrently.
#ifndef TESTS_CHAOS_CHAOS_TASKS_H_
#define TESTS_CHAOS_CHAOS_TASKS_H_

#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "api/mesos/mesos.pb.h"

namespace executor_runtime {
namespace chaos {

// Hands `status` to the driver. Returns true if the driver accepted it;
// otherwise false with the reason in `error`.
using SendFunction =
    std::function<bool(const mesos::TaskStatus& status, std::string* error)>;

class ChaosTasks {
 public:
  explicit ChaosTasks(SendFunction send) : send_(std::move(send)) {}
  ~ChaosTasks();  // FinishAll()
  ChaosTasks(const ChaosTasks&) = delete;
  ChaosTasks& operator=(const ChaosTasks&) = delete;

  // Starts a thread for the task. A second launch of the same task ID, or
  // a launch after FinishAll(), is refused (returns false).
  bool Launch(const std::string& task_id, const std::string& data);

  // Tells every task to send its TASK_FINISHED and waits for the threads.
  void FinishAll();

  // Numbers of updates accepted and refused so far.
  int accepted() const;
  int refused() const;

  // Appends `line` to the record (e.g. the stop outcome).
  void Note(const std::string& line);

  // Writes the record to `path` (through a temporary file and a rename),
  // ending with "end". False if it cannot be written.
  bool WriteLog(const std::string& path) const;

 private:
  void Run(std::string task_id, int burst, int pause_min_ms, int pause_max_ms,
           unsigned seed);
  bool Finishing() const;

  const SendFunction send_;
  mutable absl::Mutex mu_;
  bool finishing_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::string> task_ids_ ABSL_GUARDED_BY(mu_);
  std::vector<std::thread> threads_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> lines_ ABSL_GUARDED_BY(mu_);
  int accepted_ ABSL_GUARDED_BY(mu_) = 0;
  int refused_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace chaos
}  // namespace executor_runtime

#endif  // TESTS_CHAOS_CHAOS_TASKS_H_
