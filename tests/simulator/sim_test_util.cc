#include "tests/simulator/sim_test_util.h"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"

namespace executor_runtime {
namespace simtest {
namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

pid_t Spawn(const std::vector<std::string>& argv, const std::string& out_path,
            const std::string& err_path) {
  std::vector<char*> args;
  for (const std::string& arg : argv)
    args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  pid_t pid = fork();
  if (pid == 0) {
    int out = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int err = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int in = open("/dev/null", O_RDONLY);
    dup2(in, 0);
    dup2(out, 1);
    dup2(err, 2);
    execv(args[0], args.data());
    _exit(127);
  }
  return pid;
}

int DecodeStatus(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return -WTERMSIG(status);
  return -99;
}

std::map<std::string, std::string> Fields(absl::string_view line) {
  std::map<std::string, std::string> fields;
  // key=value pairs; a value may be a "quoted string".
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && line[i] == ' ') ++i;
    size_t eq = line.find('=', i);
    size_t space = line.find(' ', i);
    if (eq == absl::string_view::npos ||
        (space != absl::string_view::npos && space < eq)) {
      if (space == absl::string_view::npos) break;
      i = space + 1;
      continue;
    }
    std::string key(line.substr(i, eq - i));
    size_t start = eq + 1;
    size_t end;
    if (start < line.size() && line[start] == '"') {
      end = line.find('"', start + 1);
      if (end == absl::string_view::npos) end = line.size();
      fields[key] = std::string(line.substr(start + 1, end - start - 1));
      i = end + 1;
    } else {
      end = line.find(' ', start);
      if (end == absl::string_view::npos) end = line.size();
      fields[key] = std::string(line.substr(start, end - start));
      i = end;
    }
  }
  return fields;
}

}  // namespace

std::string Runfile(const std::string& relative) {
  const char* srcdir = getenv("TEST_SRCDIR");
  return absl::StrCat(srcdir != nullptr ? srcdir : ".", "/executor_runtime/",
                      relative);
}
std::string SimulatorBinary() {
  return Runfile("simulator/tool/agent_simulator");
}
std::string CtlBinary() {
  return Runfile("simulator/tool/agent_simulator_ctl");
}
std::string TestExecutor() { return Runfile("tests/simulator/test_executor"); }

ScratchDir::ScratchDir() {
  std::string templ = "/tmp/simtest.XXXXXX";
  if (mkdtemp(templ.data()) != nullptr) path_ = templ;
}

ScratchDir::~ScratchDir() {
  if (path_.empty()) return;
  std::string command = "rm -rf '" + path_ + "'";
  int ignored = system(command.c_str());
  (void)ignored;
}

CommandResult RunCommand(const std::vector<std::string>& argv,
                         absl::Duration timeout) {
  ScratchDir scratch;
  const std::string out = scratch / "out";
  const std::string err = scratch / "err";
  CommandResult result;
  Process process;
  if (!process.Start(argv, out, err)) return result;
  result.exit_code = process.Wait(timeout);
  if (result.exit_code == -100) process.Kill(SIGKILL);
  result.out = ReadFile(out);
  result.err = ReadFile(err);
  return result;
}

Process::~Process() {
  if (pid_ > 0) {
    Kill(SIGKILL);
    Wait(absl::Seconds(5));
  }
}

bool Process::Start(const std::vector<std::string>& argv,
                    const std::string& out_path, const std::string& err_path) {
  pid_ = Spawn(argv, out_path, err_path);
  exit_code_ = -100;
  return pid_ > 0;
}

bool Process::Exited() {
  if (pid_ <= 0) return true;
  int status = 0;
  if (waitpid(pid_, &status, WNOHANG) == pid_) {
    exit_code_ = DecodeStatus(status);
    pid_ = -1;
    return true;
  }
  return false;
}

int Process::Wait(absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (!Exited()) {
    if (absl::Now() > deadline) return -100;
    absl::SleepFor(absl::Milliseconds(5));
  }
  return exit_code_;
}

void Process::Kill(int signal) {
  if (pid_ > 0) kill(pid_, signal);
}

std::map<std::string, ExecutorLine> ParseList(const std::string& out) {
  std::map<std::string, ExecutorLine> result;
  ExecutorLine* current = nullptr;
  for (absl::string_view line : absl::StrSplit(out, '\n')) {
    if (absl::StartsWith(line, "executor ")) {
      std::vector<std::string> words = absl::StrSplit(line, ' ');
      current = &result[words[1]];
      current->fields = Fields(line.substr(9 + words[1].size()));
      if (absl::StrContains(line, " recovered "))
        current->fields["recovered"] = "1";
    } else if (absl::StartsWith(line, "  task ") && current != nullptr) {
      std::vector<std::string> words = absl::StrSplit(line.substr(7), ' ');
      if (words.size() >= 2) {
        current->tasks[words[0]] = Fields(words[1])["state"];
      }
    }
  }
  return result;
}

std::vector<std::map<std::string, std::string>> ParseUpdates(
    const std::string& out) {
  std::vector<std::map<std::string, std::string>> result;
  for (absl::string_view line : absl::StrSplit(out, '\n')) {
    if (absl::StartsWith(line, "update "))
      result.push_back(Fields(line.substr(7)));
  }
  return result;
}

SimulatorProcess::~SimulatorProcess() {
  if (process_.running()) {
    // Best effort: stop it (and its executors) cleanly, else kill.
    CommandResult ignored = Ctl({"stop"}, absl::Seconds(5));
    (void)ignored;
    if (process_.Wait(absl::Seconds(15)) == -100) {
      KillExecutors(List());
      process_.Kill(SIGKILL);
    }
  }
}

bool SimulatorProcess::Start(const std::vector<std::string>& extra,
                             std::string* error) {
  const std::string ready = dir_ + "/ready";
  unlink(ready.c_str());
  ++starts_;
  std::vector<std::string> argv = {
      SimulatorBinary(), "--serve", "--agent_socket=" + agent_socket(),
      "--control_socket=" + control_socket(), "--ready_file=" + ready};
  argv.insert(argv.end(), extra.begin(), extra.end());
  if (!process_.Start(argv, absl::StrCat(dir_, "/sim.out.", starts_),
                      absl::StrCat(dir_, "/sim.err.", starts_))) {
    *error = "cannot start agent_simulator";
    return false;
  }
  const absl::Time deadline = absl::Now() + absl::Seconds(20);
  while (absl::Now() < deadline) {
    if (access(ready.c_str(), F_OK) == 0) return true;
    if (process_.Exited()) {
      *error = "agent_simulator exited: " + Log();
      return false;
    }
    absl::SleepFor(absl::Milliseconds(5));
  }
  *error = "agent_simulator not ready in 20s: " + Log();
  return false;
}

std::string SimulatorProcess::Log() const {
  std::string log;
  for (int i = 1; i <= starts_; ++i) {
    absl::StrAppend(&log, ReadFile(absl::StrCat(dir_, "/sim.out.", i)),
                    ReadFile(absl::StrCat(dir_, "/sim.err.", i)));
  }
  return log;
}

CommandResult SimulatorProcess::Ctl(const std::vector<std::string>& args,
                                    absl::Duration timeout) {
  std::vector<std::string> argv = {CtlBinary(),
                                   "--server=unix:" + control_socket()};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunCommand(argv, timeout);
}

std::map<std::string, ExecutorLine> SimulatorProcess::List() {
  return ParseList(Ctl({"list"}).out);
}

std::vector<std::map<std::string, std::string>> SimulatorProcess::Updates() {
  return ParseUpdates(Ctl({"updates"}).out);
}

bool SimulatorProcess::WaitForList(
    const std::function<bool(const std::map<std::string, ExecutorLine>&)>&
        condition,
    absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    if (condition(List())) return true;
    absl::SleepFor(absl::Milliseconds(20));
  }
  return false;
}

int SimulatorProcess::Stop() {
  Ctl({"stop"});
  return process_.Wait(absl::Seconds(20));
}

void SimulatorProcess::KillExecutors(
    const std::map<std::string, ExecutorLine>& list) {
  for (const auto& [id, line] : list) {
    auto pid = line.fields.find("pid");
    int value = 0;
    if (pid != line.fields.end() && absl::SimpleAtoi(pid->second, &value) &&
        value > 1) {
      kill(-value, SIGKILL);
    }
  }
}

}  // namespace simtest
}  // namespace executor_runtime
