#include "examples/command_executor/child_process.h"

#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "absl/strings/str_cat.h"

namespace executor_runtime {
namespace command_executor {
namespace {

// Steps of the child, reported through the status pipe.
enum ChildStep : int {
  kStepStdin = 1,
  kStepStdout,
  kStepStderr,
  kStepDup,
  kStepChdir,
  kStepSetgroups,
  kStepSetgid,
  kStepSetuid,
  kStepExec,
};

struct ChildFailure {
  int step;
  int error;
};

absl::Status MakeDirectories(const std::string& path) {
  for (size_t slash = path.find('/', 1);; slash = path.find('/', slash + 1)) {
    std::string prefix =
        slash == std::string::npos ? path : path.substr(0, slash);
    if (!prefix.empty() && mkdir(prefix.c_str(), 0755) != 0 &&
        errno != EEXIST) {
      return absl::InternalError(
          absl::StrCat("cannot create sandbox directory '", prefix,
                       "': ", std::strerror(errno)));
    }
    if (slash == std::string::npos) break;
  }
  struct stat info;
  if (stat(path.c_str(), &info) != 0 || !S_ISDIR(info.st_mode)) {
    return absl::InternalError(
        absl::StrCat("sandbox path '", path, "' is not a directory"));
  }
  return absl::OkStatus();
}

std::vector<char*> CStrings(const std::vector<std::string>& strings) {
  std::vector<char*> result;
  result.reserve(strings.size() + 1);
  for (const std::string& s : strings)
    result.push_back(const_cast<char*>(s.c_str()));
  result.push_back(nullptr);
  return result;
}

// Runs in the child: async-signal-safe calls only, no allocation.
[[noreturn]] void RunChild(int status_fd, const char* program,
                           char* const* argv, char* const* envp,
                           const char* directory, const char* stdout_path,
                           const char* stderr_path, const Credentials* user) {
  auto fail = [&status_fd](int step) {
    ChildFailure failure{step, errno};
    ssize_t ignored = write(status_fd, &failure, sizeof(failure));
    (void)ignored;
    _exit(127);
  };

  setpgid(0, 0);

  // Default signal handling and an empty mask: ignored signals and the mask
  // survive exec, and the task must not inherit the executor's.
  struct sigaction action;
  std::memset(&action, 0, sizeof(action));
  action.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; ++sig) {
    if (sig != SIGKILL && sig != SIGSTOP) sigaction(sig, &action, nullptr);
  }
  sigset_t empty;
  sigemptyset(&empty);
  sigprocmask(SIG_SETMASK, &empty, nullptr);

  // Keep the status pipe clear of descriptors 0-2.
  if (status_fd <= STDERR_FILENO) {
    int moved = fcntl(status_fd, F_DUPFD_CLOEXEC, STDERR_FILENO + 1);
    if (moved < 0) _exit(127);
    status_fd = moved;
  }

  int in = open("/dev/null", O_RDONLY);
  if (in < 0) fail(kStepStdin);
  int out = open(stdout_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (out < 0) fail(kStepStdout);
  int err = open(stderr_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (err < 0) fail(kStepStderr);
  if (user != nullptr) {
    // Best effort: the files belong to the task's user.
    if (fchown(out, user->uid, user->gid) != 0 ||
        fchown(err, user->uid, user->gid) != 0) {
      // Not fatal: the descriptors are open either way.
    }
  }
  if (dup2(in, STDIN_FILENO) < 0 || dup2(out, STDOUT_FILENO) < 0 ||
      dup2(err, STDERR_FILENO) < 0) {
    fail(kStepDup);
  }
  if (in > STDERR_FILENO) close(in);
  if (out > STDERR_FILENO) close(out);
  if (err > STDERR_FILENO) close(err);

  if (chdir(directory) != 0) fail(kStepChdir);

  if (user != nullptr) {
    if (setgroups(user->groups.size(), user->groups.data()) != 0) {
      fail(kStepSetgroups);
    }
    if (setgid(user->gid) != 0) fail(kStepSetgid);
    if (setuid(user->uid) != 0) fail(kStepSetuid);
  }

  execve(program, argv, envp);
  fail(kStepExec);
  _exit(127);  // not reached
}

}  // namespace

absl::StatusOr<SpawnedChild> SpawnChild(const LaunchPlan& plan) {
  if (absl::Status made = MakeDirectories(plan.directory); !made.ok()) {
    return made;
  }
  if (plan.user.has_value() &&
      chown(plan.directory.c_str(), plan.user->uid, plan.user->gid) != 0) {
    return absl::InternalError(absl::StrCat(
        "cannot give sandbox directory '", plan.directory, "' to user '",
        plan.user->name, "': ", std::strerror(errno)));
  }

  // Everything the child needs, prepared before fork().
  std::vector<char*> argv = CStrings(plan.argv);
  std::vector<char*> envp = CStrings(plan.env);
  const std::string stdout_path = plan.stdout_path();
  const std::string stderr_path = plan.stderr_path();
  const Credentials* user = plan.user.has_value() ? &*plan.user : nullptr;

  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    return absl::InternalError(
        absl::StrCat("pipe2 failed: ", std::strerror(errno)));
  }
  pid_t pid = fork();
  if (pid < 0) {
    int error = errno;
    close(fds[0]);
    close(fds[1]);
    return absl::ResourceExhaustedError(
        absl::StrCat("fork failed: ", std::strerror(error)));
  }
  if (pid == 0) {
    close(fds[0]);
    RunChild(fds[1], plan.program.c_str(), argv.data(), envp.data(),
             plan.directory.c_str(), stdout_path.c_str(), stderr_path.c_str(),
             user);
  }
  // Also in the parent, so that the group exists before anyone signals it
  // (fails harmlessly once the child has exec'd).
  setpgid(pid, pid);
  close(fds[1]);
  fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK);
  return SpawnedChild{pid, fds[0]};
}

ExecResult ReadExecResult(int status_fd, const LaunchPlan& plan) {
  ChildFailure failure;
  ssize_t n;
  do {
    n = read(status_fd, &failure, sizeof(failure));
  } while (n < 0 && errno == EINTR);
  ExecResult result;
  if (n < 0) return result;  // EAGAIN: not yet known
  result.known = true;
  if (n == 0) {
    result.succeeded = true;
    return result;
  }
  if (n != sizeof(failure)) {
    result.error = "the child failed before exec (short status report)";
    return result;
  }
  const char* reason = std::strerror(failure.error);
  switch (failure.step) {
    case kStepStdin:
      result.error = absl::StrCat("cannot open /dev/null: ", reason);
      break;
    case kStepStdout:
      result.error =
          absl::StrCat("cannot open '", plan.stdout_path(), "': ", reason);
      break;
    case kStepStderr:
      result.error =
          absl::StrCat("cannot open '", plan.stderr_path(), "': ", reason);
      break;
    case kStepDup:
      result.error = absl::StrCat("cannot redirect stdio: ", reason);
      break;
    case kStepChdir:
      result.error = absl::StrCat("cannot change to sandbox '", plan.directory,
                                  "': ", reason);
      break;
    case kStepSetgroups:
    case kStepSetgid:
    case kStepSetuid:
      result.error =
          absl::StrCat("cannot switch to user '",
                       plan.user ? plan.user->name : "", "': ", reason);
      break;
    case kStepExec:
      result.error =
          absl::StrCat("cannot execute '", plan.program, "': ", reason);
      break;
    default:
      result.error = absl::StrCat("the child failed before exec: ", reason);
  }
  return result;
}

}  // namespace command_executor
}  // namespace executor_runtime
