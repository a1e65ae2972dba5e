// The one-shot scenario of agent_simulator: start executors, launch tasks,
// wait for terminal states, shut the executors down, wait for them to exit,
// and summarize.
//
// Thread-safety: RunOneShot blocks its caller; `abort_requested` is polled.
#ifndef SIMULATOR_TOOL_ONE_SHOT_H_
#define SIMULATOR_TOOL_ONE_SHOT_H_

#include <cstdint>
#include <functional>
#include <ostream>
#include <string>

#include "absl/time/time.h"
#include "simulator/tool/simulator.h"

namespace executor_runtime {

struct OneShotOptions {
  int executors = 1;
  int tasks = 1;
  std::string task_data;
  std::string task_command;  // CommandInfo.value (shell) when non-empty
  bool task_group = false;   // one LAUNCH_GROUP per executor
  absl::Duration timeout = absl::Seconds(60);
  bool progress = false;
  absl::Duration progress_interval = absl::Seconds(1);
};

struct OneShotSummary {
  int tasks = 0;
  int finished = 0;
  int failed = 0;  // TASK_FAILED and TASK_ERROR
  int killed = 0;
  int lost = 0;        // TASK_LOST, TASK_DROPPED, TASK_GONE*
  int unfinished = 0;  // no terminal state
  uint64_t updates = 0;
  int executors = 0;
  int executors_exited = 0;
  double elapsed_seconds = 0;
  bool ok = false;    // every task terminal and every executor exited
  std::string error;  // why not ok, if known

  // "summary: tasks=N finished=F failed=X killed=K lost=L updates=U"
  std::string Line() const;
  // The same as one JSON object (with the extra fields).
  std::string Json() const;
};

// Runs the scenario on `simulator`. Progress lines go to `progress_out`.
// `abort_requested` is polled; when it returns true the run stops waiting
// and shuts down.
OneShotSummary RunOneShot(Simulator* simulator, const OneShotOptions& options,
                          std::ostream& progress_out,
                          const std::function<bool()>& abort_requested);

}  // namespace executor_runtime

#endif  // SIMULATOR_TOOL_ONE_SHOT_H_
