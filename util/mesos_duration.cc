#include "util/mesos_duration.h"

#include <cmath>
#include <cstdint>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace executor_runtime {
namespace {

struct Unit {
  const char* name;
  absl::Duration length;
};

// Longest names first where one is a suffix of another is not an issue:
// units are matched by exact comparison of the non-numeric tail.
const Unit kUnits[] = {
    {"weeks", absl::Hours(24 * 7)}, {"days", absl::Hours(24)},
    {"hrs", absl::Hours(1)},        {"mins", absl::Minutes(1)},
    {"secs", absl::Seconds(1)},     {"ms", absl::Milliseconds(1)},
    {"us", absl::Microseconds(1)},  {"ns", absl::Nanoseconds(1)},
};

}  // namespace

absl::StatusOr<absl::Duration> ParseMesosDuration(absl::string_view text) {
  size_t split = 0;
  while (split < text.size() &&
         ((text[split] >= '0' && text[split] <= '9') || text[split] == '.')) {
    ++split;
  }
  const absl::string_view number = text.substr(0, split);
  const absl::string_view unit = text.substr(split);
  if (number.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "invalid duration '", text,
        "': expected a number followed by a unit, e.g. '5secs'"));
  }
  double value = 0;
  if (!absl::SimpleAtod(number, &value) || !std::isfinite(value)) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid duration '", text, "': bad number '", number, "'"));
  }
  for (const Unit& candidate : kUnits) {
    if (unit == candidate.name) {
      // Guard against overflow: absl saturates to infinity, which we refuse.
      const absl::Duration result = value * candidate.length;
      if (result == absl::InfiniteDuration()) {
        return absl::InvalidArgumentError(
            absl::StrCat("invalid duration '", text, "': too large"));
      }
      return result;
    }
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "invalid duration '", text, "': unknown unit '", unit,
      "' (expected ns, us, ms, secs, mins, hrs, days or weeks)"));
}

std::string FormatMesosDuration(absl::Duration duration) {
  for (const Unit& unit : kUnits) {
    int64_t count = 0;
    absl::Duration remainder;
    count = absl::IDivDuration(duration, unit.length, &remainder);
    if (remainder == absl::ZeroDuration() && count != 0) {
      return absl::StrCat(count, unit.name);
    }
  }
  return absl::StrCat(absl::ToInt64Nanoseconds(duration), "ns");
}

}  // namespace executor_runtime
