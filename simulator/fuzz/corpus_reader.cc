#include "simulator/fuzz/corpus_reader.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

namespace executor_runtime {
namespace simulator_fuzz {

std::map<std::string, std::string> ReadCorpus(const std::string& dir) {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  const char* workspace = std::getenv("TEST_WORKSPACE");
  const std::filesystem::path path =
      srcdir != nullptr && workspace != nullptr
          ? std::filesystem::path(srcdir) / workspace / dir
          : std::filesystem::path(dir);
  std::map<std::string, std::string> inputs;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(path, error)) {
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream bytes;
    bytes << in.rdbuf();
    inputs[entry.path().filename().string()] = bytes.str();
  }
  return inputs;
}

}  // namespace simulator_fuzz
}  // namespace executor_runtime
