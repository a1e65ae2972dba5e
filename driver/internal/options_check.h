// Checks DriverOptions before a driver starts: what cannot work (no
// endpoint, missing IDs, nonsensical limits) is refused with a message
// naming the option.
//
// Thread-safety: a pure function, safe to call concurrently.
#ifndef DRIVER_INTERNAL_OPTIONS_CHECK_H_
#define DRIVER_INTERNAL_OPTIONS_CHECK_H_

#include "absl/status/status.h"
#include "driver/driver_options.h"

namespace executor_runtime {
namespace driver_internal {

// OK or INVALID_ARGUMENT naming the first bad option.
absl::Status CheckDriverOptions(const DriverOptions& options);

}  // namespace driver_internal
}  // namespace executor_runtime

#endif  // DRIVER_INTERNAL_OPTIONS_CHECK_H_
