// Durations in Mesos's text format: a number and a unit, as Mesos agents
// write them into an executor's environment ("100ms", "5secs", "2mins",
// "15mins", "1hrs"). Accepted units: ns, us, ms, secs, mins, hrs, days,
// weeks; the number may have a fraction ("1.5secs").
//
// Thread-safety: pure functions, safe to call concurrently.
#ifndef UTIL_MESOS_DURATION_H_
#define UTIL_MESOS_DURATION_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace executor_runtime {

// Parses "5secs" and the like. Errors name the text and what was wrong.
absl::StatusOr<absl::Duration> ParseMesosDuration(absl::string_view text);

// Formats in the same format, choosing the largest unit that is exact
// ("5secs", "1500ms"); ParseMesosDuration(FormatMesosDuration(d)) == d.
std::string FormatMesosDuration(absl::Duration duration);

}  // namespace executor_runtime

#endif  // UTIL_MESOS_DURATION_H_
