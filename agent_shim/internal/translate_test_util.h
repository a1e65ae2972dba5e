// Test helpers for the translation: a context, sample and random
// translatable Calls and Events (used by the table, round-trip and fuzz
// regression tests, and to write the fuzz seed corpus).
//
// Thread-safety: plain functions; a random generator must not be shared
// between threads.
#ifndef AGENT_SHIM_INTERNAL_TRANSLATE_TEST_UTIL_H_
#define AGENT_SHIM_INTERNAL_TRANSLATE_TEST_UTIL_H_

#include <random>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "agent_shim/translate.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"

namespace executor_runtime {
namespace agent_shim {
namespace testing {

// framework "fw-1", executor "ex-1", agent "agent-1", with FrameworkInfo and
// ExecutorInfo filled in and now_seconds = 1700000000.5.
LegacyContext TestContext();

mesos::TaskInfo TestTask(const std::string& task_id);
// A stamped status (uuid, timestamp, source executor) of `task_id`.
mesos::TaskStatus TestStatus(const std::string& task_id, mesos::TaskState state,
                             const std::string& uuid);
Call::Update TestUpdate(const std::string& task_id, mesos::TaskState state);

// A call/event with the context's IDs and the given type, no payload.
Call BaseCall(Call::Type type);
Event BaseEvent(Event::Type type);

// One valid, translatable example of every Call/Event mapping (both
// SUBSCRIBE forms, batched UPDATE and ACKNOWLEDGED included). Events whose
// translation depends on LegacyContext.reregistering are produced for the
// context's default (false) unless `reregistering`.
std::vector<Call> SampleCalls(bool reregistering = false);
std::vector<Event> SampleEvents(bool reregistering = false);

// Random valid, translatable calls/events (random strings, bytes, counts),
// consistent with TestContext() so they round-trip exactly.
Call RandomCall(std::mt19937& rng, bool reregistering);
Event RandomEvent(std::mt19937& rng, bool reregistering);

// Matches a protobuf message equal to `expected` (field by field).
MATCHER_P(EqualsProto, expected,
          "equals proto <" + expected.ShortDebugString() + ">") {
  *result_listener << "which is <" << arg.ShortDebugString() << ">";
  return google::protobuf::util::MessageDifferencer::Equals(arg, expected);
}

// For messages known only as google::protobuf::Message.
inline ::testing::AssertionResult ProtoEq(const google::protobuf::Message& a,
                                          const google::protobuf::Message& b) {
  if (google::protobuf::util::MessageDifferencer::Equals(a, b)) {
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure()
         << "<" << a.ShortDebugString() << "> != <" << b.ShortDebugString()
         << ">";
}

// Matches an absl::Status (or StatusOr's status()) with `code` whose message
// contains `substring`.
MATCHER_P2(StatusIs, code, substring,
           "status " + absl::StatusCodeToString(code) + " containing '" +
               std::string(substring) + "'") {
  *result_listener << "which is " << arg.ToString();
  return arg.code() == code &&
         arg.message().find(substring) != absl::string_view::npos;
}

}  // namespace testing
}  // namespace agent_shim
}  // namespace executor_runtime

#endif  // AGENT_SHIM_INTERNAL_TRANSLATE_TEST_UTIL_H_
