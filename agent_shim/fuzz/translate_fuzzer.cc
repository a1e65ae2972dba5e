// libFuzzer target over every parse-and-translate entry point (see
// translate_fuzz.h for the input layout). Build and run with clang; the
// command is in agent_shim/README.md.
#include <cstddef>
#include <cstdint>

#include "agent_shim/fuzz/translate_fuzz.h"
#include "google/protobuf/stubs/logging.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  // Protobuf logs every proto2 string with invalid UTF-8 it parses (and
  // parses it anyway); that noise would drown the fuzzer's output.
  google::protobuf::SetLogHandler(nullptr);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  executor_runtime::agent_shim::FuzzTranslate(data, size);
  return 0;
}
