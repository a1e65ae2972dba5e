// The project's one logging facility: quiet by default, verbose on demand.
//
// Warnings and errors always go to stderr. Info lines go to stderr only when
// the environment variable EXEC_RT_VERBOSE is set to a non-empty value other
// than "0" (read once, at the first log call).
//
//   XRT_LOG(INFO) << "subscribed to " << endpoint;
//   XRT_LOG(WARNING) << "stream broke: " << status;
//
// Thread-safety: safe to use from any thread; each line is written with one
// write(2) call, so lines from different threads never interleave.
#ifndef UTIL_LOGGING_H_
#define UTIL_LOGGING_H_

#include <sstream>

namespace executor_runtime {

enum class LogSeverity { kInfo, kWarning, kError };

// True when info lines are printed (EXEC_RT_VERBOSE set).
bool VerboseLogging();

namespace logging_internal {

// Collects one line and writes it in the destructor.
class LogLine {
 public:
  LogLine(LogSeverity severity, const char* file, int line);
  ~LogLine();
  LogLine(const LogLine&) = delete;
  LogLine& operator=(const LogLine&) = delete;

  std::ostream& stream() { return stream_; }

 private:
  std::ostringstream stream_;
};

// Swallows a stream expression so the macro below is a single expression.
struct Voidify {
  void operator&(std::ostream&) {}
};

}  // namespace logging_internal
}  // namespace executor_runtime

#define XRT_LOG_SEVERITY_INFO ::executor_runtime::LogSeverity::kInfo
#define XRT_LOG_SEVERITY_WARNING ::executor_runtime::LogSeverity::kWarning
#define XRT_LOG_SEVERITY_ERROR ::executor_runtime::LogSeverity::kError

#define XRT_LOG_ENABLED(severity)            \
  (XRT_LOG_SEVERITY_##severity !=            \
       ::executor_runtime::LogSeverity::kInfo || \
   ::executor_runtime::VerboseLogging())

#define XRT_LOG(severity)                                          \
  !XRT_LOG_ENABLED(severity)                                       \
      ? (void)0                                                    \
      : ::executor_runtime::logging_internal::Voidify() &          \
            ::executor_runtime::logging_internal::LogLine(         \
                XRT_LOG_SEVERITY_##severity, __FILE__, __LINE__)   \
                .stream()

#endif  // UTIL_LOGGING_H_
