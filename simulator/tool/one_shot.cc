#include "simulator/tool/one_shot.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "simulator/tool/update_book.h"

namespace executor_runtime {

std::string OneShotSummary::Line() const {
  return absl::StrCat("summary: tasks=", tasks, " finished=", finished,
                      " failed=", failed, " killed=", killed, " lost=", lost,
                      " updates=", updates);
}

namespace {

std::string JsonString(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += absl::StrFormat("\\u%04x", c);
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

}  // namespace

std::string OneShotSummary::Json() const {
  return absl::StrCat(
      "{\"tasks\":", tasks, ",\"finished\":", finished, ",\"failed\":", failed,
      ",\"killed\":", killed, ",\"lost\":", lost,
      ",\"unfinished\":", unfinished, ",\"updates\":", updates,
      ",\"executors\":", executors, ",\"executors_exited\":", executors_exited,
      ",\"elapsed_seconds\":", absl::StrFormat("%.3f", elapsed_seconds),
      ",\"ok\":", ok ? "true" : "false", ",\"error\":", JsonString(error), "}");
}

OneShotSummary RunOneShot(Simulator* simulator, const OneShotOptions& options,
                          std::ostream& progress_out,
                          const std::function<bool()>& abort_requested) {
  const absl::Time start = absl::Now();
  const absl::Time deadline = start + options.timeout;
  OneShotSummary summary;
  summary.tasks = options.tasks;
  summary.executors = options.executors;
  absl::Time next_progress = start + options.progress_interval;
  absl::Time last_progress = start;
  uint64_t last_updates = 0;
  auto progress = [&](const char* stage, const Simulator::Progress& snapshot) {
    const absl::Time now = absl::Now();
    if (!options.progress || now < next_progress) return;
    next_progress = now + options.progress_interval;
    auto count = [&](mesos::TaskState state) {
      auto it = snapshot.states.find(state);
      return it == snapshot.states.end() ? 0 : it->second;
    };
    const int running = count(mesos::TASK_STARTING) + count(mesos::TASK_RUNNING) +
                        count(mesos::TASK_KILLING);
    const double seconds = absl::ToDoubleSeconds(now - last_progress);
    const double rate =
        seconds > 0 ? (snapshot.updates - last_updates) / seconds : 0;
    last_progress = now;
    last_updates = snapshot.updates;
    progress_out << absl::StrFormat(
                        "progress: %s elapsed=%.1fs executors=%d/%d "
                        "tasks=%d launched=%d running=%d finished=%d "
                        "terminal=%d updates=%d updates/s=%.0f",
                        stage, absl::ToDoubleSeconds(now - start),
                        snapshot.executors_subscribed, options.executors,
                        options.tasks, snapshot.tasks, running,
                        count(mesos::TASK_FINISHED), snapshot.terminal,
                        snapshot.updates, rate)
                 << std::endl;
  };
  auto fail = [&](std::string error) {
    if (summary.error.empty()) summary.error = std::move(error);
  };

  // 1. Executors.
  std::vector<std::string> executor_ids;
  for (int i = 0; i < options.executors; ++i) {
    absl::StatusOr<control::ExecutorState> started =
        simulator->StartExecutor(control::StartExecutorRequest());
    if (!started.ok()) {
      fail(absl::StrCat("cannot start an executor: ",
                        started.status().message()));
      break;
    }
    executor_ids.push_back(started->executor_id());
  }

  // 2. Wait until they subscribed.
  bool subscribed = summary.error.empty();
  while (subscribed) {
    Simulator::Progress snapshot = simulator->GetProgress();
    if (snapshot.executors_subscribed == options.executors) break;
    if (snapshot.executors_exited > 0) {
      fail(absl::StrCat("executor ", snapshot.first_exit,
                        " before subscribing"));
      subscribed = false;
    } else if (absl::Now() > deadline) {
      fail("timed out waiting for executors to subscribe");
      subscribed = false;
    } else if (abort_requested()) {
      fail("interrupted");
      subscribed = false;
    }
    progress("subscribing", snapshot);
    absl::SleepFor(absl::Milliseconds(10));
  }

  // 3. Tasks, round robin (or one group per executor).
  if (subscribed) {
    std::vector<control::LaunchTasksRequest> requests(executor_ids.size());
    for (size_t e = 0; e < executor_ids.size(); ++e) {
      requests[e].set_executor_id(executor_ids[e]);
      requests[e].set_as_group(options.task_group);
    }
    for (int t = 0; t < options.tasks; ++t) {
      mesos::TaskInfo* task = requests[t % requests.size()].add_tasks();
      const std::string id = absl::StrCat("task-", t + 1);
      task->mutable_task_id()->set_value(id);
      task->set_name(id);
      if (!options.task_data.empty()) task->set_data(options.task_data);
      if (!options.task_command.empty()) {
        task->mutable_command()->set_value(options.task_command);
        task->mutable_command()->set_shell(true);
      }
    }
    for (const control::LaunchTasksRequest& request : requests) {
      if (request.tasks_size() == 0) continue;
      // A group goes in one request; single tasks in chunks, with progress
      // lines between them.
      const int chunk = options.task_group ? request.tasks_size() : 256;
      for (int first = 0; first < request.tasks_size(); first += chunk) {
        control::LaunchTasksRequest part;
        part.set_executor_id(request.executor_id());
        part.set_as_group(request.as_group());
        for (int i = first; i < request.tasks_size() && i < first + chunk;
             ++i) {
          *part.add_tasks() = request.tasks(i);
        }
        absl::StatusOr<control::LaunchTasksResponse> sent =
            simulator->LaunchTasks(part);
        if (!sent.ok()) {
          fail(absl::StrCat("cannot launch tasks on ", request.executor_id(),
                            ": ", sent.status().message()));
          break;
        }
        progress("launching", simulator->GetProgress());
      }
    }
  }

  // 4. Wait for terminal states.
  while (subscribed) {
    Simulator::Progress snapshot = simulator->GetProgress();
    if (snapshot.terminal >= snapshot.tasks) break;
    if (snapshot.executors_live == 0) break;  // their tasks were failed
    if (absl::Now() > deadline) {
      fail("timed out waiting for tasks to finish");
      break;
    }
    if (abort_requested()) {
      fail("interrupted");
      break;
    }
    progress("running", snapshot);
    absl::SleepFor(absl::Milliseconds(10));
  }

  // 5. Shut the executors down and wait for them to exit.
  for (const std::string& id : executor_ids) {
    control::ShutdownExecutorRequest request;
    request.set_executor_id(id);
    simulator->ShutdownExecutor(request).IgnoreError();  // may have exited
  }
  while (true) {
    Simulator::Progress snapshot = simulator->GetProgress();
    if (snapshot.executors_live == 0) break;
    // The simulator kills executors that outlive grace period + margin;
    // this bound only guards against a simulator bug.
    if (absl::Now() > deadline + absl::Seconds(30)) {
      fail("executors did not exit");
      break;
    }
    progress("shutting down", snapshot);
    absl::SleepFor(absl::Milliseconds(10));
  }

  // 6. Summary.
  Simulator::Progress snapshot = simulator->GetProgress();
  summary.executors_exited = snapshot.executors_exited;
  summary.updates = snapshot.updates;
  int counted = 0;
  for (const auto& [state, count] : snapshot.states) {
    if (!IsTerminalState(state)) continue;
    counted += count;
    switch (state) {
      case mesos::TASK_FINISHED:
        summary.finished += count;
        break;
      case mesos::TASK_FAILED:
      case mesos::TASK_ERROR:
        summary.failed += count;
        break;
      case mesos::TASK_KILLED:
        summary.killed += count;
        break;
      default:
        summary.lost += count;
        break;
    }
  }
  summary.unfinished = options.tasks - counted;
  summary.elapsed_seconds = absl::ToDoubleSeconds(absl::Now() - start);
  if (summary.unfinished > 0) {
    fail(absl::StrCat(summary.unfinished,
                      " tasks did not reach a terminal state"));
  }
  if (summary.executors_exited < static_cast<int>(executor_ids.size()) ||
      static_cast<int>(executor_ids.size()) < options.executors) {
    fail("not every executor started and exited");
  }
  summary.ok = summary.error.empty();
  return summary;
}

}  // namespace executor_runtime
