// The fuzz entry point of DriverOptions::FromEnvironment(map): turns one
// input into an environment, parses it, and checks that an OK result obeys
// the contract of driver/driver_options.h. Used by the libFuzzer target
// (environment_fuzzer) and by the seed-corpus regression test.
//
// Input layout: lines separated by '\n', each "NAME=VALUE" (split at the
// first '='; a line without '=' is a name with an empty value). A NAME of
// exactly one byte stands for FuzzVariableNames()[byte % size], so that the
// fuzzer reaches every variable cheaply; longer names are used as written.
// A later line for the same name replaces the earlier one.
//
// MESOS_EXECUTOR_TLS_CA_FILE is special: its VALUE is the CONTENT of the CA
// file; the harness writes it to a scratch file and passes that file's path
// (so the fuzzer never makes the parser open arbitrary paths like /dev/zero).
//
// Thread-safety: not thread-safe (one scratch file per process).
#ifndef DRIVER_FUZZ_ENVIRONMENT_FUZZ_H_
#define DRIVER_FUZZ_ENVIRONMENT_FUZZ_H_

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace executor_runtime {
namespace driver_fuzz {

// Every variable FromEnvironment reads, plus one it ignores.
const std::vector<std::string>& FuzzVariableNames();

// The environment an input stands for (before the CA file substitution).
std::map<std::string, std::string> ParseFuzzEnvironment(absl::string_view data);

// Runs FromEnvironment on the input. Aborts (so the fuzzer reports it) if an
// OK result breaks the contract, or if the same input gives two different
// answers.
void FuzzEnvironment(const uint8_t* data, size_t size);

}  // namespace driver_fuzz
}  // namespace executor_runtime

#endif  // DRIVER_FUZZ_ENVIRONMENT_FUZZ_H_
