#include "tests/hostile/sim_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/time/clock.h"

extern char** environ;

namespace executor_runtime {
namespace hostile_test {

TempDir::TempDir() {
  char templ[] = "/tmp/xrt-XXXXXX";
  if (mkdtemp(templ) == nullptr) std::abort();
  path_ = templ;
}

TempDir::~TempDir() {
  std::error_code ignored;  // Best effort: a leftover under /tmp is harmless.
  std::filesystem::remove_all(path_, ignored);
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::map<std::string, std::string> ParseKeyValues(const std::string& text) {
  std::map<std::string, std::string> values;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    const size_t eq = line.find('=');
    if (eq == std::string::npos) continue;
    values[line.substr(0, eq)] = line.substr(eq + 1);
  }
  return values;
}

SimulatorProcess::~SimulatorProcess() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
}

bool SimulatorProcess::Start(const std::string& dir,
                             const std::vector<std::string>& flags,
                             const std::map<std::string, std::string>& env,
                             mode_t umask_value, std::string* error) {
  dir_ = dir;
  const char* srcdir = std::getenv("TEST_SRCDIR");
  const std::string binary = std::string(srcdir != nullptr ? srcdir : ".") +
                             "/executor_runtime/simulator/tool/agent_simulator";
  const std::string ready_path = dir + "/ready";
  std::vector<std::string> args = {binary, "--serve",
                                   "--ready_file=" + ready_path};
  args.insert(args.end(), flags.begin(), flags.end());
  std::vector<std::string> environment;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string entry = *e;
    if (env.count(entry.substr(0, entry.find('='))) == 0) {
      environment.push_back(entry);
    }
  }
  for (const auto& [name, value] : env)
    environment.push_back(name + "=" + value);
  std::vector<char*> argv, envp;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  for (std::string& entry : environment) envp.push_back(entry.data());
  envp.push_back(nullptr);
  const std::string out_path = dir + "/sim.out";
  const std::string err_path = dir + "/sim.err";

  pid_ = fork();
  if (pid_ < 0) {
    *error = std::string("fork: ") + std::strerror(errno);
    return false;
  }
  if (pid_ == 0) {
    umask(umask_value);
    int out = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int err = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (out < 0 || err < 0) _exit(127);
    dup2(out, 1);
    dup2(err, 2);
    execve(argv[0], argv.data(), envp.data());
    _exit(127);
  }
  const absl::Time deadline = absl::Now() + absl::Seconds(20);
  while (absl::Now() < deadline) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      *error = "agent_simulator exited before it was ready: " + Stderr();
      return false;
    }
    struct stat st;
    if (stat(ready_path.c_str(), &st) == 0) {
      ready_ = ParseKeyValues(ReadFile(ready_path));
      if (ready_.count("agent_endpoint") > 0) return true;
    }
    absl::SleepFor(absl::Milliseconds(20));  // Polling a file: no event.
  }
  *error = "agent_simulator was not ready within 20s: " + Stderr();
  return false;
}

int SimulatorProcess::Stop(absl::Duration timeout) {
  if (pid_ <= 0) return -100;
  kill(pid_, SIGTERM);
  const absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      if (WIFEXITED(status)) return WEXITSTATUS(status);
      return -WTERMSIG(status);
    }
    absl::SleepFor(absl::Milliseconds(20));
  }
  kill(pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
  pid_ = -1;
  return -100;
}

std::string SimulatorProcess::Stderr() const {
  return ReadFile(dir_ + "/sim.err");
}

}  // namespace hostile_test
}  // namespace executor_runtime
