#include "simulator/launcher/process_launcher.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace executor_runtime {
namespace {

std::string ErrnoText(int error) { return std::strerror(error); }

// Reads /proc/<pid>/stat: the state letter and the start time (field 22).
bool ReadProcStat(pid_t pid, char* state, uint64_t* start_time) {
  std::ifstream in(absl::StrCat("/proc/", pid, "/stat"));
  if (!in) return false;
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string text = buffer.str();
  // The command name is in parentheses and may contain spaces: fields
  // after it start at the last ')'.
  size_t close = text.rfind(')');
  if (close == std::string::npos) return false;
  std::vector<std::string> fields =
      absl::StrSplit(text.substr(close + 1), ' ', absl::SkipEmpty());
  // fields[0] is field 3 (state); field 22 is fields[19].
  if (fields.size() < 20) return false;
  *state = fields[0].empty() ? '?' : fields[0][0];
  return absl::SimpleAtoi(fields[19], start_time);
}

}  // namespace

bool IsSafePathComponent(absl::string_view id) {
  if (id.empty() || id.size() > 200 || id == "." || id == "..") return false;
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

absl::Status MakeDirectories(const std::string& path, mode_t mode) {
  if (path.empty()) return absl::InvalidArgumentError("empty directory path");
  std::string partial;
  for (absl::string_view part : absl::StrSplit(path, '/')) {
    if (partial.empty() && path[0] == '/') partial = "/";
    if (part.empty()) continue;
    if (!partial.empty() && partial.back() != '/') partial += '/';
    absl::StrAppend(&partial, part);
    if (mkdir(partial.c_str(), mode) != 0 && errno != EEXIST) {
      return absl::InternalError(absl::StrCat("cannot create directory ",
                                              partial, ": ", ErrnoText(errno)));
    }
  }
  struct stat st;
  if (stat(path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return absl::InternalError(absl::StrCat(path, " is not a directory"));
  }
  return absl::OkStatus();
}

absl::StatusOr<LaunchedProcess> LaunchProcess(const LaunchRequest& request) {
  if (request.path.empty()) {
    return absl::InvalidArgumentError("executor path is empty");
  }
  struct stat st;
  if (stat(request.path.c_str(), &st) != 0) {
    return absl::NotFoundError(absl::StrCat(
        "executor ", request.path, " does not exist: ", ErrnoText(errno)));
  }
  if (!S_ISREG(st.st_mode) || access(request.path.c_str(), X_OK) != 0) {
    return absl::PermissionDeniedError(
        absl::StrCat("executor ", request.path, " is not an executable file"));
  }
  if (request.sandbox_directory.empty()) {
    return absl::InvalidArgumentError("sandbox directory is empty");
  }
  absl::Status made = MakeDirectories(request.sandbox_directory, 0755);
  if (!made.ok()) return made;

  const std::string stdout_path = request.sandbox_directory + "/stdout";
  const std::string stderr_path = request.sandbox_directory + "/stderr";
  int out_fd = open(stdout_path.c_str(),
                    O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (out_fd < 0) {
    return absl::InternalError(
        absl::StrCat("cannot open ", stdout_path, ": ", ErrnoText(errno)));
  }
  int err_fd = open(stderr_path.c_str(),
                    O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (err_fd < 0) {
    int error = errno;
    close(out_fd);
    return absl::InternalError(
        absl::StrCat("cannot open ", stderr_path, ": ", ErrnoText(error)));
  }
  int null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  // Reports an exec failure (errno) from the child; closed by exec.
  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC) != 0) {
    int error = errno;
    close(out_fd);
    close(err_fd);
    if (null_fd >= 0) close(null_fd);
    return absl::InternalError(absl::StrCat("pipe: ", ErrnoText(error)));
  }

  // Everything the child needs, built before fork: after fork only
  // async-signal-safe calls are allowed (other threads may hold locks).
  std::vector<std::string> argv_strings;
  argv_strings.push_back(request.path);
  argv_strings.insert(argv_strings.end(), request.args.begin(),
                      request.args.end());
  std::vector<char*> argv;
  for (std::string& arg : argv_strings) argv.push_back(arg.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_strings;
  for (const auto& [name, value] : request.environment) {
    env_strings.push_back(name + "=" + value);
  }
  std::vector<char*> envp;
  for (std::string& entry : env_strings) envp.push_back(entry.data());
  envp.push_back(nullptr);
  const char* path = request.path.c_str();
  const char* dir = request.sandbox_directory.c_str();

  pid_t pid = fork();
  if (pid < 0) {
    int error = errno;
    close(out_fd);
    close(err_fd);
    if (null_fd >= 0) close(null_fd);
    close(pipe_fds[0]);
    close(pipe_fds[1]);
    return absl::InternalError(absl::StrCat("fork: ", ErrnoText(error)));
  }
  if (pid == 0) {
    // Child.
    setpgid(0, 0);
    // Default signal dispositions and an empty mask for the executor.
    sigset_t empty;
    sigemptyset(&empty);
    sigprocmask(SIG_SETMASK, &empty, nullptr);
    for (int sig : {SIGINT, SIGTERM, SIGPIPE, SIGCHLD, SIGHUP}) {
      signal(sig, SIG_DFL);
    }
    if (null_fd >= 0) dup2(null_fd, STDIN_FILENO);
    dup2(out_fd, STDOUT_FILENO);
    dup2(err_fd, STDERR_FILENO);
    int error = 0;
    if (chdir(dir) != 0) {
      error = errno;
    } else {
      execve(path, argv.data(), envp.data());
      error = errno;
    }
    ssize_t ignored = write(pipe_fds[1], &error, sizeof(error));
    (void)ignored;
    _exit(127);
  }
  // Parent. Also set the group here, so that it exists before we return
  // (whichever of parent and child runs first).
  setpgid(pid, pid);
  close(out_fd);
  close(err_fd);
  if (null_fd >= 0) close(null_fd);
  close(pipe_fds[1]);
  int child_error = 0;
  ssize_t n;
  do {
    n = read(pipe_fds[0], &child_error, sizeof(child_error));
  } while (n < 0 && errno == EINTR);
  close(pipe_fds[0]);
  if (n == sizeof(child_error)) {
    int status;
    waitpid(pid, &status, 0);
    return absl::InternalError(absl::StrCat("cannot exec ", request.path, ": ",
                                            ErrnoText(child_error)));
  }
  LaunchedProcess process;
  process.pid = pid;
  process.process_group = pid;
  process.start_time = ProcessStartTime(pid);
  return process;
}

uint64_t ProcessStartTime(pid_t pid) {
  char state;
  uint64_t start_time = 0;
  if (!ReadProcStat(pid, &state, &start_time)) return 0;
  return start_time;
}

ProcessLiveness ProbeProcess(pid_t pid, uint64_t expected_start_time) {
  if (pid <= 0) return ProcessLiveness::kGone;
  char state = '?';
  uint64_t start_time = 0;
  if (!ReadProcStat(pid, &state, &start_time)) {
    // No /proc entry: fall back to kill(pid, 0).
    if (kill(pid, 0) == 0 || errno == EPERM) return ProcessLiveness::kRunning;
    return ProcessLiveness::kGone;
  }
  if (expected_start_time != 0 && start_time != expected_start_time) {
    return ProcessLiveness::kGone;  // the pid was reused
  }
  if (state == 'Z' || state == 'X') return ProcessLiveness::kZombie;
  return ProcessLiveness::kRunning;
}

absl::Status SignalProcessGroup(pid_t process_group, int signal) {
  if (process_group <= 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("refusing to signal process group ", process_group));
  }
  if (killpg(process_group, signal) != 0 && errno != ESRCH) {
    return absl::InternalError(absl::StrCat("killpg(", process_group, ", ",
                                            signal, "): ", ErrnoText(errno)));
  }
  return absl::OkStatus();
}

std::string DescribeWaitStatus(int wait_status) {
  if (WIFEXITED(wait_status)) {
    return absl::StrCat("exited with status ", WEXITSTATUS(wait_status));
  }
  if (WIFSIGNALED(wait_status)) {
    return absl::StrCat("killed by signal ", WTERMSIG(wait_status), " (",
                        strsignal(WTERMSIG(wait_status)), ")");
  }
  return absl::StrCat("wait status ", wait_status);
}

}  // namespace executor_runtime
