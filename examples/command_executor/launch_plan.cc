#include "examples/command_executor/launch_plan.h"

#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

extern char** environ;

namespace executor_runtime {
namespace command_executor {
namespace {

constexpr char kDefaultPath[] = "/usr/local/bin:/usr/bin:/bin";

absl::StatusOr<Credentials> LookUpUser(const std::string& name) {
  long size = sysconf(_SC_GETPW_R_SIZE_MAX);
  std::vector<char> buffer(size > 0 ? size : 16384);
  struct passwd entry;
  struct passwd* result = nullptr;
  int error;
  while ((error = getpwnam_r(name.c_str(), &entry, buffer.data(), buffer.size(),
                             &result)) == ERANGE) {
    buffer.resize(buffer.size() * 2);
  }
  if (error != 0) {
    return absl::InternalError(absl::StrCat("cannot look up user '", name,
                                            "': ", std::strerror(error)));
  }
  if (result == nullptr) {
    return absl::NotFoundError(
        absl::StrCat("CommandInfo.user '", name, "' does not exist"));
  }
  Credentials credentials;
  credentials.name = name;
  credentials.uid = entry.pw_uid;
  credentials.gid = entry.pw_gid;
  int count = 16;
  credentials.groups.resize(count);
  while (getgrouplist(name.c_str(), entry.pw_gid, credentials.groups.data(),
                      &count) < 0) {
    // `count` now holds the number needed (or was too small): grow.
    credentials.groups.resize(
        std::max<size_t>(count, credentials.groups.size() * 2));
    count = static_cast<int>(credentials.groups.size());
  }
  credentials.groups.resize(count);
  while (getgrouplist(name.c_str(), entry.pw_gid, credentials.groups.data(),
                      &count) < 0) {
    credentials.groups.resize(
        count > static_cast<int>(credentials.groups.size())
            ? count
            : credentials.groups.size() * 2);
    count = credentials.groups.size();
  }
  credentials.groups.resize(count);
  return credentials;
}

// Finds `program` in the colon-separated `path` the way execvp() would.
absl::StatusOr<std::string> SearchPath(const std::string& program,
                                       const std::string& path) {
  for (absl::string_view dir : absl::StrSplit(path, ':')) {
    std::string candidate = absl::StrCat(dir.empty() ? "." : dir, "/", program);
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return absl::NotFoundError(absl::StrCat(
      "program '", program, "' (CommandInfo.value) not found in PATH=", path));
}

}  // namespace

std::map<std::string, std::string> CurrentEnvironment() {
  std::map<std::string, std::string> result;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    absl::string_view text(*entry);
    size_t equals = text.find('=');
    if (equals == absl::string_view::npos) continue;
    result.emplace(std::string(text.substr(0, equals)),
                   std::string(text.substr(equals + 1)));
  }
  return result;
}

absl::Status ValidateTaskIdForPath(absl::string_view task_id) {
  if (task_id.empty()) {
    return absl::InvalidArgumentError("the task ID is empty");
  }
  if (task_id == "." || task_id == "..") {
    return absl::InvalidArgumentError(absl::StrCat(
        "task ID '", task_id, "' cannot name a sandbox directory"));
  }
  for (char c : task_id) {
    if (c == '/' || static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      return absl::InvalidArgumentError(absl::StrCat(
          "task ID '", task_id,
          "' cannot name a sandbox directory: it contains '/' or a control "
          "character"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<LaunchPlan> PlanLaunch(const mesos::CommandInfo& command,
                                      const PlanOptions& options) {
  LaunchPlan plan;
  plan.task_id = options.task_id;
  plan.directory = options.directory;

  if (!command.has_value() || command.value().empty()) {
    return absl::InvalidArgumentError(
        command.shell() ? "CommandInfo.value is empty: nothing to run"
                        : "CommandInfo.value (the program to run with "
                          "shell=false) is empty");
  }

  std::map<std::string, std::string> env = options.base_environment;
  env["MESOS_SANDBOX"] = options.directory;
  for (const mesos::Environment::Variable& variable :
       command.environment().variables()) {
    if (variable.name().empty()) {
      return absl::InvalidArgumentError(
          "CommandInfo.environment has a variable with an empty name");
    }
    if (variable.name().find('=') != std::string::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat("CommandInfo.environment variable name '",
                       variable.name(), "' contains '='"));
    }
    if (variable.type() == mesos::Environment::Variable::SECRET) {
      return absl::InvalidArgumentError(
          absl::StrCat("CommandInfo.environment variable '", variable.name(),
                       "' is a secret; this executor cannot resolve secrets"));
    }
    env[variable.name()] = variable.value();
  }
  for (const auto& [name, value] : env) {
    plan.env.push_back(absl::StrCat(name, "=", value));
  }

  if (command.shell()) {
    plan.program = "/bin/sh";
    plan.argv = {"sh", "-c", command.value()};
  } else {
    if (command.value().find('/') != std::string::npos) {
      plan.program = command.value();
    } else {
      auto path = env.find("PATH");
      absl::StatusOr<std::string> found = SearchPath(
          command.value(), path == env.end() ? kDefaultPath : path->second);
      if (!found.ok()) return found.status();
      plan.program = *std::move(found);
    }
    if (command.arguments().empty()) {
      plan.argv = {command.value()};
    } else {
      plan.argv.assign(command.arguments().begin(), command.arguments().end());
    }
  }

  if (command.has_user() && !command.user().empty()) {
    if (options.honor_user) {
      absl::StatusOr<Credentials> user = LookUpUser(command.user());
      if (!user.ok()) return user.status();
      plan.user = *std::move(user);
    } else {
      plan.warnings.push_back(
          absl::StrCat("CommandInfo.user '", command.user(),
                       "' ignored: the executor does not run as root"));
    }
  }
  if (command.uris_size() > 0) {
    plan.warnings.push_back(absl::StrCat("CommandInfo.uris ignored (",
                                         command.uris_size(),
                                         "): this executor fetches nothing"));
  }
  return plan;
}

}  // namespace command_executor
}  // namespace executor_runtime
