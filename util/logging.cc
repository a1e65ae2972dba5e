#include "util/logging.h"

#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <string>

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace executor_runtime {

bool VerboseLogging() {
  static const bool verbose = [] {
    const char* value = std::getenv("EXEC_RT_VERBOSE");
    return value != nullptr && value[0] != '\0' && std::strcmp(value, "0") != 0;
  }();
  return verbose;
}

namespace logging_internal {
namespace {

const char* SeverityLetter(LogSeverity severity) {
  switch (severity) {
    case LogSeverity::kInfo:
      return "I";
    case LogSeverity::kWarning:
      return "W";
    case LogSeverity::kError:
      return "E";
  }
  return "?";
}

const char* Basename(const char* path) {
  const char* slash = std::strrchr(path, '/');
  return slash == nullptr ? path : slash + 1;
}

}  // namespace

LogLine::LogLine(LogSeverity severity, const char* file, int line) {
  stream_ << SeverityLetter(severity)
          << absl::FormatTime("%H:%M:%E6S", absl::Now(), absl::LocalTimeZone())
          << " " << getpid() << " " << Basename(file) << ":" << line << "] ";
}

LogLine::~LogLine() {
  stream_ << '\n';
  const std::string text = stream_.str();
  // One write per line keeps concurrent lines whole; a short write to
  // stderr is not worth retrying.
  (void)!write(STDERR_FILENO, text.data(), text.size());
}

}  // namespace logging_internal
}  // namespace executor_runtime
