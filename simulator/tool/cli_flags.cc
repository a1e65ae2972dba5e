#include "simulator/tool/cli_flags.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "util/mesos_duration.h"

namespace executor_runtime {

bool AbslParseFlag(absl::string_view text, DurationFlag* flag,
                   std::string* error) {
  absl::Duration d;
  if (absl::ParseDuration(text, &d)) {
    flag->value = d;
    return true;
  }
  absl::StatusOr<absl::Duration> mesos = ParseMesosDuration(text);
  if (mesos.ok()) {
    flag->value = *mesos;
    return true;
  }
  *error = absl::StrCat("'", text,
                        "' is not a duration (examples: 500ms, 5s, 2m, 5secs)");
  return false;
}

std::string AbslUnparseFlag(const DurationFlag& flag) {
  return absl::FormatDuration(flag.value);
}

std::vector<std::string> NormalizeFlagNames(int argc, char** argv) {
  std::vector<std::string> args;
  bool flags_done = false;
  for (int i = 0; i < argc; ++i) {
    std::string arg = argv[i];
    if (i > 0 && !flags_done) {
      if (arg == "--") {
        flags_done = true;
      } else if (absl::StartsWith(arg, "--") || absl::StartsWith(arg, "-")) {
        size_t start = arg.find_first_not_of('-');
        size_t end = arg.find('=');
        if (end == std::string::npos) end = arg.size();
        for (size_t k = start; k != std::string::npos && k < end; ++k) {
          if (arg[k] == '-') arg[k] = '_';
        }
      }
    }
    args.push_back(std::move(arg));
  }
  return args;
}

std::vector<std::string> RepeatedFlagValues(
    const std::vector<std::string>& args, absl::string_view name) {
  std::vector<std::string> values;
  const std::string eq = absl::StrCat("--", name, "=");
  const std::string eq1 = absl::StrCat("-", name, "=");
  const std::string bare = absl::StrCat("--", name);
  const std::string bare1 = absl::StrCat("-", name);
  for (size_t i = 1; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--") break;
    if (absl::StartsWith(arg, eq)) {
      values.push_back(arg.substr(eq.size()));
    } else if (absl::StartsWith(arg, eq1)) {
      values.push_back(arg.substr(eq1.size()));
    } else if ((arg == bare || arg == bare1) && i + 1 < args.size()) {
      values.push_back(args[++i]);
    }
  }
  return values;
}

std::vector<char*> ArgvPointers(std::vector<std::string>& args) {
  std::vector<char*> pointers;
  for (std::string& arg : args) pointers.push_back(arg.data());
  pointers.push_back(nullptr);
  return pointers;
}

}  // namespace executor_runtime
