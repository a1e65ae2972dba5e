// Reads a committed seed corpus from a test's runfiles, for the fuzz
// regression tests.
//
// Thread-safety: pure; safe to call concurrently.
#ifndef SIMULATOR_FUZZ_CORPUS_READER_H_
#define SIMULATOR_FUZZ_CORPUS_READER_H_

#include <map>
#include <string>

namespace executor_runtime {
namespace simulator_fuzz {

// File name -> contents of every file in `dir` (workspace-relative), read
// from $TEST_SRCDIR/$TEST_WORKSPACE when set, else from the current
// directory. Empty if the directory is missing.
std::map<std::string, std::string> ReadCorpus(const std::string& dir);

}  // namespace simulator_fuzz
}  // namespace executor_runtime

#endif  // SIMULATOR_FUZZ_CORPUS_READER_H_
