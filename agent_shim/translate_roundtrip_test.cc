// Round-trip properties over random translatable calls and events:
//   v1 -> legacy bytes -> v1 gives the original Call/Event back, and
//   legacy -> v1 -> legacy gives the original legacy message back.
#include <random>
#include <string>
#include <vector>

#include "agent_shim/internal/translate_test_util.h"
#include "agent_shim/translate.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace executor_runtime {
namespace agent_shim {
namespace {

using ::executor_runtime::agent_shim::testing::EqualsProto;
using ::executor_runtime::agent_shim::testing::RandomCall;
using ::executor_runtime::agent_shim::testing::RandomEvent;
using ::executor_runtime::agent_shim::testing::SampleCalls;
using ::executor_runtime::agent_shim::testing::SampleEvents;
using ::executor_runtime::agent_shim::testing::TestContext;

constexpr int kIterations = 400;

// Legacy messages back to one Call (batched updates merged again).
absl::StatusOr<Call> CallBack(const std::vector<LegacyMessage>& messages,
                              const LegacyContext& context) {
  Call merged;
  for (size_t i = 0; i < messages.size(); ++i) {
    absl::StatusOr<Call> call =
        CallFromLegacy(messages[i].type_name, messages[i].Serialize(), context);
    if (!call.ok()) return call.status();
    if (i == 0) {
      merged = *call;
    } else {
      *merged.add_batched_updates() = call->update();
    }
  }
  return merged;
}

absl::StatusOr<Event> EventBack(const std::vector<LegacyMessage>& messages,
                                const LegacyContext& context) {
  Event merged;
  for (size_t i = 0; i < messages.size(); ++i) {
    absl::StatusOr<Event> event = EventFromLegacy(
        messages[i].type_name, messages[i].Serialize(), context);
    if (!event.ok()) return event.status();
    if (i == 0) {
      merged = *event;
    } else {
      *merged.add_batched_acknowledgements() = event->acknowledged();
    }
  }
  return merged;
}

void CheckCallRoundTrip(const Call& call, const LegacyContext& context) {
  SCOPED_TRACE(call.ShortDebugString());
  absl::StatusOr<std::vector<LegacyMessage>> legacy =
      CallToLegacy(call, context);
  ASSERT_TRUE(legacy.ok()) << legacy.status();
  absl::StatusOr<Call> back = CallBack(*legacy, context);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_THAT(*back, EqualsProto(call));
  // And legacy -> v1 -> legacy, message by message.
  for (const LegacyMessage& message : *legacy) {
    absl::StatusOr<Call> one =
        CallFromLegacy(message.type_name, message.Serialize(), context);
    ASSERT_TRUE(one.ok()) << one.status();
    absl::StatusOr<std::vector<LegacyMessage>> again =
        CallToLegacy(*one, context);
    ASSERT_TRUE(again.ok()) << again.status();
    ASSERT_EQ(again->size(), 1u);
    EXPECT_EQ((*again)[0].type_name, message.type_name);
    EXPECT_TRUE(testing::ProtoEq(*(*again)[0].message, *message.message));
  }
}

void CheckEventRoundTrip(const Event& event, const LegacyContext& context) {
  SCOPED_TRACE(event.ShortDebugString());
  absl::StatusOr<std::vector<LegacyMessage>> legacy =
      EventToLegacy(event, context);
  ASSERT_TRUE(legacy.ok()) << legacy.status();
  absl::StatusOr<Event> back = EventBack(*legacy, context);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_THAT(*back, EqualsProto(event));
  for (const LegacyMessage& message : *legacy) {
    absl::StatusOr<Event> one =
        EventFromLegacy(message.type_name, message.Serialize(), context);
    ASSERT_TRUE(one.ok()) << one.status();
    absl::StatusOr<std::vector<LegacyMessage>> again =
        EventToLegacy(*one, context);
    ASSERT_TRUE(again.ok()) << again.status();
    ASSERT_EQ(again->size(), 1u);
    EXPECT_EQ((*again)[0].type_name, message.type_name);
    EXPECT_TRUE(testing::ProtoEq(*(*again)[0].message, *message.message));
  }
}

class RoundTripTest : public ::testing::TestWithParam<bool> {
 protected:
  LegacyContext Context() const {
    LegacyContext context = TestContext();
    context.reregistering = GetParam();
    return context;
  }
};

TEST_P(RoundTripTest, SampleCalls) {
  for (const Call& call : SampleCalls(GetParam())) {
    CheckCallRoundTrip(call, Context());
  }
}

TEST_P(RoundTripTest, SampleEvents) {
  for (const Event& event : SampleEvents(GetParam())) {
    CheckEventRoundTrip(event, Context());
  }
}

TEST_P(RoundTripTest, RandomCalls) {
  std::mt19937 rng(GetParam() ? 1234 : 4321);
  for (int i = 0; i < kIterations && !HasFatalFailure(); ++i) {
    CheckCallRoundTrip(RandomCall(rng, GetParam()), Context());
  }
}

TEST_P(RoundTripTest, RandomEvents) {
  std::mt19937 rng(GetParam() ? 99 : 77);
  for (int i = 0; i < kIterations && !HasFatalFailure(); ++i) {
    CheckEventRoundTrip(RandomEvent(rng, GetParam()), Context());
  }
}

INSTANTIATE_TEST_SUITE_P(Registration, RoundTripTest, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& info) {
                           return info.param ? "Reregistering"
                                             : "FirstRegistration";
                         });

}  // namespace
}  // namespace agent_shim
}  // namespace executor_runtime
