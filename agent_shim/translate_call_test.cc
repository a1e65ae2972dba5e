// Table tests: Call <-> legacy executor -> agent messages.
#include <string>
#include <vector>

#include "agent_shim/internal/translate_test_util.h"
#include "agent_shim/translate.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "util/uuid.h"

namespace executor_runtime {
namespace agent_shim {
namespace {

using ::executor_runtime::agent_shim::testing::BaseCall;
using ::executor_runtime::agent_shim::testing::EqualsProto;
using ::executor_runtime::agent_shim::testing::StatusIs;
using ::executor_runtime::agent_shim::testing::TestContext;
using ::executor_runtime::agent_shim::testing::TestStatus;
using ::executor_runtime::agent_shim::testing::TestTask;
using ::executor_runtime::agent_shim::testing::TestUpdate;
namespace mi = ::mesos::internal;

// Translates a call that must give exactly one legacy message.
LegacyMessage One(const Call& call, const LegacyContext& context) {
  absl::StatusOr<std::vector<LegacyMessage>> messages =
      CallToLegacy(call, context);
  EXPECT_TRUE(messages.ok()) << messages.status();
  if (!messages.ok() || messages->size() != 1) {
    ADD_FAILURE() << "expected one message";
    return LegacyMessage{};
  }
  return std::move((*messages)[0]);
}

TEST(CallToLegacyTest, SubscribeWithNothingPendingIsRegister) {
  Call call = BaseCall(Call::SUBSCRIBE);
  call.mutable_subscribe()->mutable_capabilities()->set_batched_updates(true);
  LegacyMessage message = One(call, TestContext());
  EXPECT_EQ(message.type_name, "mesos.internal.RegisterExecutorMessage");
  const auto* reg = message.As<mi::RegisterExecutorMessage>();
  ASSERT_NE(reg, nullptr);
  EXPECT_EQ(reg->framework_id().value(), "fw-1");
  EXPECT_EQ(reg->executor_id().value(), "ex-1");
}

TEST(CallToLegacyTest, SubscribeWhileReregisteringIsReregister) {
  Call call = BaseCall(Call::SUBSCRIBE);
  call.mutable_subscribe();
  LegacyContext context = TestContext();
  context.reregistering = true;
  LegacyMessage message = One(call, context);
  const auto* rereg = message.As<mi::ReregisterExecutorMessage>();
  ASSERT_NE(rereg, nullptr);
  EXPECT_EQ(rereg->tasks_size(), 0);
  EXPECT_EQ(rereg->updates_size(), 0);
}

TEST(CallToLegacyTest, SubscribeWithUnacknowledgedIsReregister) {
  Call call = BaseCall(Call::SUBSCRIBE);
  *call.mutable_subscribe()->add_unacknowledged_tasks() = TestTask("t1");
  Call::Update update = TestUpdate("t2", mesos::TASK_FINISHED);
  *call.mutable_subscribe()->add_unacknowledged_updates() = update;
  LegacyMessage message = One(call, TestContext());
  const auto* rereg = message.As<mi::ReregisterExecutorMessage>();
  ASSERT_NE(rereg, nullptr);
  EXPECT_EQ(rereg->framework_id().value(), "fw-1");
  EXPECT_EQ(rereg->executor_id().value(), "ex-1");
  ASSERT_EQ(rereg->tasks_size(), 1);
  EXPECT_THAT(rereg->tasks(0), EqualsProto(TestTask("t1")));
  ASSERT_EQ(rereg->updates_size(), 1);
  const mi::StatusUpdate& wrapped = rereg->updates(0);
  EXPECT_EQ(wrapped.framework_id().value(), "fw-1");
  EXPECT_EQ(wrapped.executor_id().value(), "ex-1");
  EXPECT_EQ(wrapped.slave_id().value(), "agent-1");
  EXPECT_THAT(wrapped.status(), EqualsProto(update.status()));
  EXPECT_EQ(wrapped.uuid(), update.status().uuid());
  EXPECT_EQ(wrapped.timestamp(), update.status().timestamp());
}

TEST(CallToLegacyTest, UpdateIsWrappedWithIdsTimestampAndUuid) {
  Call call = BaseCall(Call::UPDATE);
  *call.mutable_update() = TestUpdate("t1", mesos::TASK_RUNNING);
  LegacyContext context = TestContext();
  context.pid = "executor(1)@10.0.0.1:5052";
  LegacyMessage message = One(call, context);
  EXPECT_EQ(message.type_name, "mesos.internal.StatusUpdateMessage");
  const auto* update = message.As<mi::StatusUpdateMessage>();
  ASSERT_NE(update, nullptr);
  EXPECT_EQ(update->pid(), "executor(1)@10.0.0.1:5052");
  EXPECT_EQ(update->update().framework_id().value(), "fw-1");
  EXPECT_EQ(update->update().executor_id().value(), "ex-1");
  EXPECT_EQ(update->update().slave_id().value(), "agent-1");
  EXPECT_EQ(update->update().uuid(), call.update().status().uuid());
  EXPECT_EQ(update->update().timestamp(), 1700000001.25);
  EXPECT_THAT(update->update().status(), EqualsProto(call.update().status()));
  EXPECT_FALSE(update->update().has_latest_state());
}

TEST(CallToLegacyTest, UpdateWithoutTimestampUsesContextClock) {
  Call call = BaseCall(Call::UPDATE);
  *call.mutable_update() = TestUpdate("t1", mesos::TASK_RUNNING);
  call.mutable_update()->mutable_status()->clear_timestamp();
  LegacyMessage message = One(call, TestContext());
  EXPECT_EQ(message.As<mi::StatusUpdateMessage>()->update().timestamp(),
            1700000000.5);
}

TEST(CallToLegacyTest, UpdateKeepsItsOwnAgentId) {
  Call call = BaseCall(Call::UPDATE);
  *call.mutable_update() = TestUpdate("t1", mesos::TASK_RUNNING);
  call.mutable_update()->mutable_status()->mutable_slave_id()->set_value("a9");
  LegacyMessage message = One(call, TestContext());
  EXPECT_EQ(message.As<mi::StatusUpdateMessage>()->update().slave_id().value(),
            "a9");
}

TEST(CallToLegacyTest, BatchedUpdatesBecomeOneMessageEachInOrder) {
  Call call = BaseCall(Call::UPDATE);
  *call.mutable_update() = TestUpdate("t1", mesos::TASK_RUNNING);
  *call.add_batched_updates() = TestUpdate("t1", mesos::TASK_FINISHED);
  *call.add_batched_updates() = TestUpdate("t2", mesos::TASK_FAILED);
  absl::StatusOr<std::vector<LegacyMessage>> messages =
      CallToLegacy(call, TestContext());
  ASSERT_TRUE(messages.ok()) << messages.status();
  ASSERT_EQ(messages->size(), 3u);
  std::vector<mesos::TaskState> states;
  for (const LegacyMessage& m : *messages) {
    states.push_back(
        m.As<mi::StatusUpdateMessage>()->update().status().state());
  }
  EXPECT_THAT(states,
              ::testing::ElementsAre(mesos::TASK_RUNNING, mesos::TASK_FINISHED,
                                     mesos::TASK_FAILED));
}

TEST(CallToLegacyTest, MessageIsExecutorToFrameworkMessage) {
  Call call = BaseCall(Call::MESSAGE);
  call.mutable_message()->set_data(std::string("a\0b", 3));
  LegacyMessage message = One(call, TestContext());
  const auto* out = message.As<mi::ExecutorToFrameworkMessage>();
  ASSERT_NE(out, nullptr);
  EXPECT_EQ(out->slave_id().value(), "agent-1");
  EXPECT_EQ(out->framework_id().value(), "fw-1");
  EXPECT_EQ(out->executor_id().value(), "ex-1");
  EXPECT_EQ(out->data(), std::string("a\0b", 3));
}

TEST(CallToLegacyTest, SerializeGivesParsableBytes) {
  Call call = BaseCall(Call::MESSAGE);
  call.mutable_message()->set_data("x");
  LegacyMessage message = One(call, TestContext());
  absl::StatusOr<LegacyMessage> parsed =
      ParseLegacy(message.type_name, message.Serialize());
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_TRUE(testing::ProtoEq(*parsed->message, *message.message));
}

struct BadCall {
  std::string name;
  Call call;
  LegacyContext context;
  absl::StatusCode code;
  std::string error;
};

std::vector<BadCall> BadCalls() {
  std::vector<BadCall> cases;
  LegacyContext context = TestContext();
  cases.push_back({"heartbeat", BaseCall(Call::HEARTBEAT), context,
                   absl::StatusCode::kUnimplemented, "HEARTBEAT"});
  cases.push_back({"unknown", BaseCall(Call::UNKNOWN), context,
                   absl::StatusCode::kInvalidArgument, "UNKNOWN"});
  Call no_type = BaseCall(Call::UPDATE);
  no_type.clear_type();
  cases.push_back({"no_type", no_type, context,
                   absl::StatusCode::kInvalidArgument, "no type"});
  Call no_framework = BaseCall(Call::SUBSCRIBE);
  no_framework.mutable_subscribe();
  no_framework.clear_framework_id();
  cases.push_back({"no_framework_id", no_framework, context,
                   absl::StatusCode::kInvalidArgument, "framework_id"});
  cases.push_back({"subscribe_without_payload", BaseCall(Call::SUBSCRIBE),
                   context, absl::StatusCode::kInvalidArgument, "'subscribe'"});
  cases.push_back({"update_without_payload", BaseCall(Call::UPDATE), context,
                   absl::StatusCode::kInvalidArgument, "'update'"});
  cases.push_back({"message_without_payload", BaseCall(Call::MESSAGE), context,
                   absl::StatusCode::kInvalidArgument, "'message'"});
  Call no_uuid = BaseCall(Call::UPDATE);
  *no_uuid.mutable_update() = TestUpdate("t1", mesos::TASK_RUNNING);
  no_uuid.mutable_update()->mutable_status()->clear_uuid();
  cases.push_back({"update_without_uuid", no_uuid, context,
                   absl::StatusCode::kInvalidArgument, "no uuid"});
  Call bad_uuid = no_uuid;
  bad_uuid.mutable_update()->mutable_status()->set_uuid("short");
  cases.push_back({"update_with_bad_uuid", bad_uuid, context,
                   absl::StatusCode::kInvalidArgument, "invalid UUID"});
  Call bad_batch = BaseCall(Call::UPDATE);
  *bad_batch.mutable_update() = TestUpdate("t1", mesos::TASK_RUNNING);
  *bad_batch.add_batched_updates() = TestUpdate("t2", mesos::TASK_RUNNING);
  bad_batch.mutable_batched_updates(0)->mutable_status()->set_uuid("");
  cases.push_back({"batched_update_with_bad_uuid", bad_batch, context,
                   absl::StatusCode::kInvalidArgument, "task 't2'"});
  Call other_executor = BaseCall(Call::UPDATE);
  *other_executor.mutable_update() = TestUpdate("t1", mesos::TASK_RUNNING);
  other_executor.mutable_update()
      ->mutable_status()
      ->mutable_executor_id()
      ->set_value("ex-2");
  cases.push_back({"update_of_other_executor", other_executor, context,
                   absl::StatusCode::kInvalidArgument, "ex-2"});
  Call no_status = BaseCall(Call::UPDATE);
  no_status.mutable_update()->mutable_status()->set_state(mesos::TASK_RUNNING);
  cases.push_back({"update_without_task_id", no_status, context,
                   absl::StatusCode::kInvalidArgument, "task_id"});
  Call batched_message = BaseCall(Call::MESSAGE);
  batched_message.mutable_message()->set_data("x");
  *batched_message.add_batched_updates() =
      TestUpdate("t1", mesos::TASK_RUNNING);
  cases.push_back({"batched_updates_on_message", batched_message, context,
                   absl::StatusCode::kInvalidArgument, "batched_updates"});
  Call other_framework = BaseCall(Call::MESSAGE);
  other_framework.mutable_message()->set_data("x");
  other_framework.mutable_framework_id()->set_value("fw-other");
  cases.push_back({"call_of_other_framework", other_framework, context,
                   absl::StatusCode::kInvalidArgument, "fw-other"});
  LegacyContext no_agent = context;
  no_agent.slave_id.Clear();
  Call message = BaseCall(Call::MESSAGE);
  message.mutable_message()->set_data("x");
  cases.push_back({"message_without_agent_id", message, no_agent,
                   absl::StatusCode::kInvalidArgument,
                   "LegacyContext.slave_id"});
  return cases;
}

class BadCallTest : public ::testing::TestWithParam<BadCall> {};

TEST_P(BadCallTest, GivesClearError) {
  const BadCall& bad = GetParam();
  absl::StatusOr<std::vector<LegacyMessage>> messages =
      CallToLegacy(bad.call, bad.context);
  EXPECT_THAT(messages.status(), StatusIs(bad.code, bad.error));
}

INSTANTIATE_TEST_SUITE_P(Table, BadCallTest, ::testing::ValuesIn(BadCalls()),
                         [](const ::testing::TestParamInfo<BadCall>& info) {
                           return info.param.name;
                         });

// ---- legacy -> Call
// ----------------------------------------------------------

TEST(CallFromLegacyTest, RegisterIsSubscribe) {
  mi::RegisterExecutorMessage reg;
  reg.mutable_framework_id()->set_value("fw-1");
  reg.mutable_executor_id()->set_value("ex-1");
  absl::StatusOr<Call> call =
      CallFromLegacy("mesos.internal.RegisterExecutorMessage",
                     reg.SerializeAsString(), TestContext());
  ASSERT_TRUE(call.ok()) << call.status();
  Call expected = BaseCall(Call::SUBSCRIBE);
  expected.mutable_subscribe();
  EXPECT_THAT(*call, EqualsProto(expected));
}

TEST(CallFromLegacyTest, ReregisterCarriesTasksAndUnwrappedUpdates) {
  mi::ReregisterExecutorMessage rereg;
  rereg.mutable_framework_id()->set_value("fw-1");
  rereg.mutable_executor_id()->set_value("ex-1");
  *rereg.add_tasks() = TestTask("t1");
  mi::StatusUpdate* update = rereg.add_updates();
  update->mutable_framework_id()->set_value("fw-1");
  std::string uuid = NewUuidBytes();
  *update->mutable_status() = TestStatus("t1", mesos::TASK_RUNNING, uuid);
  // A legacy update may carry its UUID and time only in the wrapper.
  update->mutable_status()->clear_uuid();
  update->mutable_status()->clear_timestamp();
  update->set_uuid(uuid);
  update->set_timestamp(42.5);
  absl::StatusOr<Call> call = CallFromLegacy(
      rereg.GetTypeName(), rereg.SerializeAsString(), TestContext());
  ASSERT_TRUE(call.ok()) << call.status();
  EXPECT_EQ(call->type(), Call::SUBSCRIBE);
  ASSERT_EQ(call->subscribe().unacknowledged_tasks_size(), 1);
  ASSERT_EQ(call->subscribe().unacknowledged_updates_size(), 1);
  const mesos::TaskStatus& status =
      call->subscribe().unacknowledged_updates(0).status();
  EXPECT_EQ(status.uuid(), uuid);
  EXPECT_EQ(status.timestamp(), 42.5);
}

TEST(CallFromLegacyTest, StatusUpdateMessageIsUpdate) {
  Call original = BaseCall(Call::UPDATE);
  *original.mutable_update() = TestUpdate("t1", mesos::TASK_FINISHED);
  LegacyMessage legacy = One(original, TestContext());
  absl::StatusOr<Call> call =
      CallFromLegacy(legacy.type_name, legacy.Serialize(), TestContext());
  ASSERT_TRUE(call.ok()) << call.status();
  EXPECT_THAT(*call, EqualsProto(original));
}

TEST(CallFromLegacyTest, StatusUpdateWithoutExecutorIdUsesContext) {
  mi::StatusUpdateMessage message;
  mi::StatusUpdate* update = message.mutable_update();
  update->mutable_framework_id()->set_value("fw-1");
  *update->mutable_status() =
      TestStatus("t1", mesos::TASK_RUNNING, NewUuidBytes());
  update->mutable_status()->clear_executor_id();
  update->set_timestamp(1);
  absl::StatusOr<Call> call = CallFromLegacy(message, TestContext());
  ASSERT_TRUE(call.ok()) << call.status();
  EXPECT_EQ(call->executor_id().value(), "ex-1");
  LegacyContext no_executor = TestContext();
  no_executor.executor_id.Clear();
  EXPECT_THAT(CallFromLegacy(message, no_executor).status(),
              StatusIs(absl::StatusCode::kInvalidArgument, "executor_id"));
}

TEST(CallFromLegacyTest, ConflictingUuidsAreRefused) {
  mi::StatusUpdateMessage message;
  mi::StatusUpdate* update = message.mutable_update();
  update->mutable_framework_id()->set_value("fw-1");
  *update->mutable_status() =
      TestStatus("t1", mesos::TASK_RUNNING, NewUuidBytes());
  update->set_uuid(NewUuidBytes());
  update->set_timestamp(1);
  EXPECT_THAT(CallFromLegacy(message, TestContext()).status(),
              StatusIs(absl::StatusCode::kInvalidArgument, "differ"));
}

TEST(CallFromLegacyTest, ExecutorToFrameworkMessageIsMessage) {
  mi::ExecutorToFrameworkMessage message;
  message.mutable_slave_id()->set_value("agent-1");
  message.mutable_framework_id()->set_value("fw-1");
  message.mutable_executor_id()->set_value("ex-1");
  message.set_data("hello");
  absl::StatusOr<Call> call = CallFromLegacy(
      message.GetTypeName(), message.SerializeAsString(), TestContext());
  ASSERT_TRUE(call.ok()) << call.status();
  Call expected = BaseCall(Call::MESSAGE);
  expected.mutable_message()->set_data("hello");
  EXPECT_THAT(*call, EqualsProto(expected));
}

TEST(CallFromLegacyTest, MessageOfAnotherFrameworkIsRefused) {
  mi::ExecutorToFrameworkMessage message;
  message.mutable_slave_id()->set_value("agent-1");
  message.mutable_framework_id()->set_value("fw-other");
  message.mutable_executor_id()->set_value("ex-1");
  message.set_data("hello");
  EXPECT_THAT(CallFromLegacy(message, TestContext()).status(),
              StatusIs(absl::StatusCode::kInvalidArgument, "fw-other"));
}

TEST(CallFromLegacyTest, BadInputGivesClearErrors) {
  LegacyContext context = TestContext();
  EXPECT_THAT(CallFromLegacy("mesos.internal.Nope", "", context).status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "unknown legacy message type"));
  EXPECT_THAT(CallFromLegacy("mesos.internal.RegisterExecutorMessage",
                             "\xff\xff\xff", context)
                  .status(),
              StatusIs(absl::StatusCode::kInvalidArgument, "cannot parse"));
  mi::RegisterExecutorMessage partial;
  partial.mutable_framework_id()->set_value("fw-1");
  EXPECT_THAT(CallFromLegacy(partial.GetTypeName(),
                             partial.SerializePartialAsString(), context)
                  .status(),
              StatusIs(absl::StatusCode::kInvalidArgument, "executor_id"));
  mi::ShutdownExecutorMessage shutdown;
  EXPECT_THAT(CallFromLegacy(shutdown.GetTypeName(),
                             shutdown.SerializeAsString(), context)
                  .status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "not an executor -> agent message"));
}

}  // namespace
}  // namespace agent_shim
}  // namespace executor_runtime
