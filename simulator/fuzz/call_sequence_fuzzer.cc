// libFuzzer target over call validation and the record-once UUID set (see
// call_sequence_fuzz.h for the input layout). Built with --config=fuzz and
// run by tools/clang_checks.sh.
#include <cstddef>
#include <cstdint>

#include "google/protobuf/stubs/logging.h"
#include "simulator/fuzz/call_sequence_fuzz.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  // Protobuf logs every proto2 string with invalid UTF-8 it parses.
  google::protobuf::SetLogHandler(nullptr);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  executor_runtime::simulator_fuzz::FuzzCallSequence(data, size);
  return 0;
}
