// Writes the seed corpus of translate_fuzzer: one file per legacy message,
// Call and Event that the translation tests use as valid examples.
//
//   bazel run //agent_shim/fuzz:make_corpus -- $PWD/agent_shim/fuzz/corpus
#include <cstdio>
#include <fstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "agent_shim/fuzz/translate_fuzz.h"
#include "agent_shim/internal/translate_test_util.h"

namespace executor_runtime {
namespace agent_shim {
namespace {

int seeds = 0;

bool Write(const std::string& dir, const std::string& name,
           const std::string& input) {
  const std::string path = absl::StrCat(dir, "/", name);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(input.data(), static_cast<std::streamsize>(input.size()));
  if (!out) {
    std::fprintf(stderr, "cannot write %s\n", path.c_str());
    return false;
  }
  ++seeds;
  return true;
}

std::string ShortName(const std::string& type_name) {
  return absl::StrReplaceAll(type_name, {{"mesos.internal.", ""}});
}

bool WriteAll(const std::string& dir) {
  for (bool rereg : {false, true}) {
    LegacyContext context = testing::TestContext();
    context.reregistering = rereg;
    const std::string suffix = rereg ? "_rereg" : "";
    int i = 0;
    for (const Call& call : testing::SampleCalls(rereg)) {
      ++i;
      // The Call itself (read as a Call by the fuzz target).
      if (!Write(dir, absl::StrCat("call_", i, suffix),
                 MakeFuzzInput("", rereg, call.SerializeAsString()))) {
        return false;
      }
      auto legacy = CallToLegacy(call, context);
      if (!legacy.ok()) return false;
      for (const LegacyMessage& m : *legacy) {
        if (!Write(dir, absl::StrCat(ShortName(m.type_name), "_", i, suffix),
                   MakeFuzzInput(m.type_name, rereg, m.Serialize()))) {
          return false;
        }
      }
    }
    i = 0;
    for (const Event& event : testing::SampleEvents(rereg)) {
      ++i;
      if (!Write(dir, absl::StrCat("event_", i, suffix),
                 MakeFuzzInput("", rereg, event.SerializeAsString()))) {
        return false;
      }
      auto legacy = EventToLegacy(event, context);
      if (!legacy.ok()) return false;
      for (const LegacyMessage& m : *legacy) {
        if (!Write(dir, absl::StrCat(ShortName(m.type_name), "_e", i, suffix),
                   MakeFuzzInput(m.type_name, rereg, m.Serialize()))) {
          return false;
        }
      }
    }
  }
  return true;
}

}  // namespace
}  // namespace agent_shim
}  // namespace executor_runtime

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: make_corpus <output directory>\n");
    return 2;
  }
  if (!executor_runtime::agent_shim::WriteAll(argv[1])) return 1;
  std::printf("wrote %d seeds to %s\n", executor_runtime::agent_shim::seeds,
              argv[1]);
  return 0;
}
