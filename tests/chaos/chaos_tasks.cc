#include "tests/chaos/chaos_tasks.h"

#include <stdio.h>

#include <fstream>
#include <random>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"

namespace executor_runtime {
namespace chaos {
namespace {

// A refused update is retried under the same number this often before the
// task gives up (the driver is gone: stopped or aborted).
constexpr int kMaxRefusalsInARow = 200;
constexpr absl::Duration kRefusalPause = absl::Milliseconds(50);

}  // namespace

ChaosTasks::~ChaosTasks() { FinishAll(); }

bool ChaosTasks::Launch(const std::string& task_id, const std::string& data) {
  int burst = 4, pause_min_ms = 2, pause_max_ms = 20;
  if (!data.empty()) {
    std::vector<std::string> parts = absl::StrSplit(data, ':');
    if (parts.size() != 3 || !absl::SimpleAtoi(parts[0], &burst) ||
        !absl::SimpleAtoi(parts[1], &pause_min_ms) ||
        !absl::SimpleAtoi(parts[2], &pause_max_ms) || burst < 1 ||
        pause_min_ms < 0 || pause_max_ms < pause_min_ms) {
      fprintf(stderr, "chaos executor: bad task data '%s' for %s\n",
              data.c_str(), task_id.c_str());
      return false;
    }
  }
  absl::MutexLock lock(&mu_);
  if (finishing_) return false;
  for (const std::string& id : task_ids_) {
    if (id == task_id) return false;
  }
  task_ids_.push_back(task_id);
  const unsigned seed =
      static_cast<unsigned>(std::hash<std::string>()(task_id));
  threads_.emplace_back(
      [this, task_id, burst, pause_min_ms, pause_max_ms, seed] {
        Run(task_id, burst, pause_min_ms, pause_max_ms, seed);
      });
  return true;
}

void ChaosTasks::FinishAll() {
  std::vector<std::thread> threads;
  {
    absl::MutexLock lock(&mu_);
    finishing_ = true;
    threads.swap(threads_);
  }
  for (std::thread& thread : threads) thread.join();
}

bool ChaosTasks::Finishing() const {
  absl::MutexLock lock(&mu_);
  return finishing_;
}

int ChaosTasks::accepted() const {
  absl::MutexLock lock(&mu_);
  return accepted_;
}

int ChaosTasks::refused() const {
  absl::MutexLock lock(&mu_);
  return refused_;
}

void ChaosTasks::Note(const std::string& line) {
  absl::MutexLock lock(&mu_);
  lines_.push_back(line);
}

void ChaosTasks::Run(std::string task_id, int burst, int pause_min_ms,
                     int pause_max_ms, unsigned seed) {
  std::mt19937 random(seed);
  std::uniform_int_distribution<int> burst_size(1, burst);
  std::uniform_int_distribution<int> pause_ms(pause_min_ms, pause_max_ms);
  // Sends update `seq` until the driver accepts it; false if it gave up.
  auto send = [&](int seq, mesos::TaskState state) {
    mesos::TaskStatus status;
    status.mutable_task_id()->set_value(task_id);
    status.set_state(state);
    status.set_data(absl::StrCat(seq));
    status.set_message(absl::StrCat("chaos seq ", seq));
    for (int refusals = 0; refusals < kMaxRefusalsInARow; ++refusals) {
      std::string error;
      const bool ok = send_(status, &error);
      {
        absl::MutexLock lock(&mu_);
        if (ok) {
          ++accepted_;
          lines_.push_back(absl::StrCat("sent ", task_id, " ", seq, " ",
                                        mesos::TaskState_Name(state)));
        } else {
          ++refused_;
          lines_.push_back(
              absl::StrCat("refused ", task_id, " ", seq, " ",
                           absl::StrReplaceAll(error, {{"\n", " "}})));
        }
      }
      if (ok) return true;
      absl::SleepFor(kRefusalPause);
    }
    return false;
  };
  int seq = 0;
  while (!Finishing()) {
    for (int i = burst_size(random); i > 0; --i) {
      if (!send(++seq, mesos::TASK_RUNNING)) {
        Note(absl::StrCat("gave-up ", task_id, " ", seq));
        return;
      }
    }
    absl::SleepFor(absl::Milliseconds(pause_ms(random)));
  }
  if (!send(++seq, mesos::TASK_FINISHED)) {
    Note(absl::StrCat("gave-up ", task_id, " ", seq));
  }
}

bool ChaosTasks::WriteLog(const std::string& path) const {
  const std::string temp = path + ".tmp";
  {
    std::ofstream out(temp, std::ios::trunc);
    absl::MutexLock lock(&mu_);
    for (const std::string& line : lines_) out << line << "\n";
    out << "end\n";
    out.flush();
    if (!out) return false;
  }
  return rename(temp.c_str(), path.c_str()) == 0;
}

}  // namespace chaos
}  // namespace executor_runtime
