// libFuzzer target over DriverOptions::FromEnvironment(map) (see
// environment_fuzz.h for the input layout). Built with --config=fuzz and run
// by tools/clang_checks.sh.
#include <cstddef>
#include <cstdint>

#include "driver/fuzz/environment_fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  executor_runtime::driver_fuzz::FuzzEnvironment(data, size);
  return 0;
}
