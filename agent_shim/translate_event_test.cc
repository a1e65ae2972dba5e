// Table tests: Event <-> legacy agent -> executor messages.
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

using ::executor_runtime::agent_shim::testing::BaseEvent;
using ::executor_runtime::agent_shim::testing::EqualsProto;
using ::executor_runtime::agent_shim::testing::SampleEvents;
using ::executor_runtime::agent_shim::testing::StatusIs;
using ::executor_runtime::agent_shim::testing::TestContext;
using ::executor_runtime::agent_shim::testing::TestTask;
namespace mi = ::mesos::internal;

LegacyMessage One(const Event& event, const LegacyContext& context) {
  absl::StatusOr<std::vector<LegacyMessage>> messages =
      EventToLegacy(event, context);
  EXPECT_TRUE(messages.ok()) << messages.status();
  if (!messages.ok() || messages->size() != 1) {
    ADD_FAILURE() << "expected one message";
    return LegacyMessage{};
  }
  return std::move((*messages)[0]);
}

Event SubscribedEvent() { return SampleEvents()[0]; }

TEST(EventToLegacyTest, SubscribedIsExecutorRegistered) {
  Event event = SubscribedEvent();
  event.mutable_subscribed()->set_heartbeat_interval_seconds(5);
  LegacyMessage message = One(event, TestContext());
  const auto* reg = message.As<mi::ExecutorRegisteredMessage>();
  ASSERT_NE(reg, nullptr) << message.type_name;
  EXPECT_THAT(reg->executor_info(),
              EqualsProto(event.subscribed().executor_info()));
  EXPECT_THAT(reg->framework_info(),
              EqualsProto(event.subscribed().framework_info()));
  EXPECT_THAT(reg->slave_info(), EqualsProto(event.subscribed().agent_info()));
  EXPECT_EQ(reg->framework_id().value(), "fw-1");
  EXPECT_EQ(reg->slave_id().value(), "agent-1");
}

TEST(EventToLegacyTest, SubscribedWithoutIdsTakesThemFromContext) {
  Event event = SubscribedEvent();
  event.mutable_subscribed()->mutable_framework_info()->clear_id();
  event.mutable_subscribed()->mutable_agent_info()->clear_id();
  LegacyMessage message = One(event, TestContext());
  const auto* reg = message.As<mi::ExecutorRegisteredMessage>();
  ASSERT_NE(reg, nullptr);
  EXPECT_EQ(reg->framework_id().value(), "fw-1");
  EXPECT_EQ(reg->slave_id().value(), "agent-1");
  LegacyContext empty;
  EXPECT_THAT(EventToLegacy(event, empty).status(),
              StatusIs(absl::StatusCode::kInvalidArgument, "agent_info.id"));
}

TEST(EventToLegacyTest, SubscribedWhileReregisteringIsExecutorReregistered) {
  LegacyContext context = TestContext();
  context.reregistering = true;
  LegacyMessage message = One(SubscribedEvent(), context);
  const auto* rereg = message.As<mi::ExecutorReregisteredMessage>();
  ASSERT_NE(rereg, nullptr) << message.type_name;
  EXPECT_EQ(rereg->slave_id().value(), "agent-1");
  EXPECT_EQ(rereg->slave_info().hostname(), "node-7");
}

TEST(EventToLegacyTest, LaunchIsRunTaskWithContextFramework) {
  Event event = BaseEvent(Event::LAUNCH);
  *event.mutable_launch()->mutable_task() = TestTask("t1");
  LegacyMessage message = One(event, TestContext());
  const auto* run = message.As<mi::RunTaskMessage>();
  ASSERT_NE(run, nullptr);
  EXPECT_THAT(run->task(), EqualsProto(TestTask("t1")));
  EXPECT_THAT(run->framework(), EqualsProto(TestContext().framework_info));
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
  EXPECT_EQ(run->framework_id().value(), "fw-1");  // deprecated, still sent
#pragma GCC diagnostic pop
  LegacyContext no_framework = TestContext();
  no_framework.framework_info.Clear();
  EXPECT_THAT(EventToLegacy(event, no_framework).status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "LegacyContext.framework_info"));
}

TEST(EventToLegacyTest, KillCarriesKillPolicy) {
  Event event = BaseEvent(Event::KILL);
  event.mutable_kill()->mutable_task_id()->set_value("t1");
  LegacyMessage plain = One(event, TestContext());
  ASSERT_NE(plain.As<mi::KillTaskMessage>(), nullptr);
  EXPECT_FALSE(plain.As<mi::KillTaskMessage>()->has_kill_policy());
  EXPECT_EQ(plain.As<mi::KillTaskMessage>()->framework_id().value(), "fw-1");
  event.mutable_kill()
      ->mutable_kill_policy()
      ->mutable_grace_period()
      ->set_nanoseconds(7);
  LegacyMessage with_policy = One(event, TestContext());
  const auto* kill = with_policy.As<mi::KillTaskMessage>();
  ASSERT_NE(kill, nullptr);
  EXPECT_EQ(kill->task_id().value(), "t1");
  EXPECT_EQ(kill->kill_policy().grace_period().nanoseconds(), 7);
}

TEST(EventToLegacyTest, AcknowledgedIsAcknowledgementPerUpdate) {
  Event event = BaseEvent(Event::ACKNOWLEDGED);
  std::string uuid1 = NewUuidBytes(), uuid2 = NewUuidBytes();
  event.mutable_acknowledged()->mutable_task_id()->set_value("t1");
  event.mutable_acknowledged()->set_uuid(uuid1);
  Event::Acknowledged* more = event.add_batched_acknowledgements();
  more->mutable_task_id()->set_value("t2");
  more->set_uuid(uuid2);
  absl::StatusOr<std::vector<LegacyMessage>> messages =
      EventToLegacy(event, TestContext());
  ASSERT_TRUE(messages.ok()) << messages.status();
  ASSERT_EQ(messages->size(), 2u);
  const auto* first =
      (*messages)[0].As<mi::StatusUpdateAcknowledgementMessage>();
  const auto* second =
      (*messages)[1].As<mi::StatusUpdateAcknowledgementMessage>();
  ASSERT_NE(first, nullptr);
  ASSERT_NE(second, nullptr);
  EXPECT_EQ(first->slave_id().value(), "agent-1");
  EXPECT_EQ(first->framework_id().value(), "fw-1");
  EXPECT_EQ(first->task_id().value(), "t1");
  EXPECT_EQ(first->uuid(), uuid1);
  EXPECT_EQ(second->task_id().value(), "t2");
  EXPECT_EQ(second->uuid(), uuid2);
}

TEST(EventToLegacyTest, MessageIsFrameworkToExecutorMessage) {
  Event event = BaseEvent(Event::MESSAGE);
  event.mutable_message()->set_data("ping");
  LegacyMessage message = One(event, TestContext());
  const auto* out = message.As<mi::FrameworkToExecutorMessage>();
  ASSERT_NE(out, nullptr);
  EXPECT_EQ(out->slave_id().value(), "agent-1");
  EXPECT_EQ(out->framework_id().value(), "fw-1");
  EXPECT_EQ(out->executor_id().value(), "ex-1");
  EXPECT_EQ(out->data(), "ping");
}

TEST(EventToLegacyTest, ShutdownIsShutdownExecutorMessage) {
  LegacyMessage message = One(BaseEvent(Event::SHUTDOWN), TestContext());
  const auto* out = message.As<mi::ShutdownExecutorMessage>();
  ASSERT_NE(out, nullptr);
  EXPECT_EQ(out->executor_id().value(), "ex-1");
  EXPECT_EQ(out->framework_id().value(), "fw-1");
}

struct BadEvent {
  std::string name;
  Event event;
  LegacyContext context;
  absl::StatusCode code;
  std::string error;
};

std::vector<BadEvent> BadEvents() {
  std::vector<BadEvent> cases;
  LegacyContext context = TestContext();
  cases.push_back({"heartbeat", BaseEvent(Event::HEARTBEAT), context,
                   absl::StatusCode::kUnimplemented, "HEARTBEAT"});
  Event group = BaseEvent(Event::LAUNCH_GROUP);
  *group.mutable_launch_group()->mutable_task_group()->add_tasks() =
      TestTask("t1");
  cases.push_back({"launch_group", group, context,
                   absl::StatusCode::kUnimplemented, "LAUNCH_GROUP (1 tasks)"});
  Event error = BaseEvent(Event::ERROR);
  error.mutable_error()->set_message("boom");
  cases.push_back(
      {"error", error, context, absl::StatusCode::kUnimplemented, "boom"});
  cases.push_back({"unknown", BaseEvent(Event::UNKNOWN), context,
                   absl::StatusCode::kInvalidArgument, "UNKNOWN"});
  cases.push_back({"no_type", Event(), context,
                   absl::StatusCode::kInvalidArgument, "no type"});
  cases.push_back({"launch_without_payload", BaseEvent(Event::LAUNCH), context,
                   absl::StatusCode::kInvalidArgument, "'launch'"});
  cases.push_back({"kill_without_payload", BaseEvent(Event::KILL), context,
                   absl::StatusCode::kInvalidArgument, "'kill'"});
  cases.push_back({"subscribed_without_payload", BaseEvent(Event::SUBSCRIBED),
                   context, absl::StatusCode::kInvalidArgument,
                   "'subscribed'"});
  cases.push_back({"ack_without_payload", BaseEvent(Event::ACKNOWLEDGED),
                   context, absl::StatusCode::kInvalidArgument,
                   "'acknowledged'"});
  cases.push_back({"message_without_payload", BaseEvent(Event::MESSAGE),
                   context, absl::StatusCode::kInvalidArgument, "'message'"});
  Event incomplete = BaseEvent(Event::LAUNCH);
  incomplete.mutable_launch()->mutable_task()->set_name("no id");
  cases.push_back({"launch_task_without_ids", incomplete, context,
                   absl::StatusCode::kInvalidArgument, "task_id"});
  Event bad_uuid = BaseEvent(Event::ACKNOWLEDGED);
  bad_uuid.mutable_acknowledged()->mutable_task_id()->set_value("t1");
  bad_uuid.mutable_acknowledged()->set_uuid("123");
  cases.push_back({"ack_with_bad_uuid", bad_uuid, context,
                   absl::StatusCode::kInvalidArgument, "invalid UUID"});
  Event batched_kill = BaseEvent(Event::KILL);
  batched_kill.mutable_kill()->mutable_task_id()->set_value("t1");
  Event::Acknowledged* ack = batched_kill.add_batched_acknowledgements();
  ack->mutable_task_id()->set_value("t1");
  ack->set_uuid(NewUuidBytes());
  cases.push_back({"batched_acks_on_kill", batched_kill, context,
                   absl::StatusCode::kInvalidArgument,
                   "batched_acknowledgements"});
  LegacyContext no_framework = context;
  no_framework.framework_id.Clear();
  Event kill = BaseEvent(Event::KILL);
  kill.mutable_kill()->mutable_task_id()->set_value("t1");
  cases.push_back({"kill_without_framework_id", kill, no_framework,
                   absl::StatusCode::kInvalidArgument,
                   "LegacyContext.framework_id"});
  LegacyContext no_executor = context;
  no_executor.executor_id.Clear();
  Event message = BaseEvent(Event::MESSAGE);
  message.mutable_message()->set_data("x");
  cases.push_back({"message_without_executor_id", message, no_executor,
                   absl::StatusCode::kInvalidArgument,
                   "LegacyContext.executor_id"});
  return cases;
}

class BadEventTest : public ::testing::TestWithParam<BadEvent> {};

TEST_P(BadEventTest, GivesClearError) {
  const BadEvent& bad = GetParam();
  EXPECT_THAT(EventToLegacy(bad.event, bad.context).status(),
              StatusIs(bad.code, bad.error));
}

INSTANTIATE_TEST_SUITE_P(Table, BadEventTest, ::testing::ValuesIn(BadEvents()),
                         [](const ::testing::TestParamInfo<BadEvent>& info) {
                           return info.param.name;
                         });

// ---- legacy -> Event
// ---------------------------------------------------------

TEST(EventFromLegacyTest, ExecutorRegisteredIsSubscribed) {
  LegacyContext context = TestContext();
  mi::ExecutorRegisteredMessage reg;
  *reg.mutable_executor_info() = context.executor_info;
  reg.mutable_framework_id()->set_value("fw-1");
  *reg.mutable_framework_info() = context.framework_info;
  reg.mutable_framework_info()->clear_id();
  reg.mutable_slave_id()->set_value("agent-1");
  reg.mutable_slave_info()->set_hostname("node-7");
  absl::StatusOr<Event> event =
      EventFromLegacy(reg.GetTypeName(), reg.SerializeAsString(), context);
  ASSERT_TRUE(event.ok()) << event.status();
  EXPECT_EQ(event->type(), Event::SUBSCRIBED);
  // The IDs that only the legacy message carried land in the infos.
  EXPECT_EQ(event->subscribed().framework_info().id().value(), "fw-1");
  EXPECT_EQ(event->subscribed().agent_info().id().value(), "agent-1");
  EXPECT_EQ(event->subscribed().agent_info().hostname(), "node-7");
  EXPECT_THAT(event->subscribed().executor_info(),
              EqualsProto(context.executor_info));
}

TEST(EventFromLegacyTest, ExecutorRegisteredForAnotherExecutorIsRefused) {
  LegacyContext context = TestContext();
  mi::ExecutorRegisteredMessage reg;
  *reg.mutable_executor_info() = context.executor_info;
  reg.mutable_executor_info()->mutable_executor_id()->set_value("ex-9");
  reg.mutable_framework_id()->set_value("fw-1");
  *reg.mutable_framework_info() = context.framework_info;
  reg.mutable_slave_id()->set_value("agent-1");
  reg.mutable_slave_info()->set_hostname("node-7");
  EXPECT_THAT(EventFromLegacy(reg, context).status(),
              StatusIs(absl::StatusCode::kInvalidArgument, "ex-9"));
}

TEST(EventFromLegacyTest, ExecutorReregisteredUsesContextInfos) {
  LegacyContext context = TestContext();
  mi::ExecutorReregisteredMessage rereg;
  rereg.mutable_slave_id()->set_value("agent-1");
  rereg.mutable_slave_info()->set_hostname("node-7");
  absl::StatusOr<Event> event = EventFromLegacy(rereg, context);
  ASSERT_TRUE(event.ok()) << event.status();
  EXPECT_THAT(event->subscribed().executor_info(),
              EqualsProto(context.executor_info));
  EXPECT_THAT(event->subscribed().framework_info(),
              EqualsProto(context.framework_info));
  EXPECT_EQ(event->subscribed().agent_info().id().value(), "agent-1");
  LegacyContext bare;
  EXPECT_THAT(EventFromLegacy(rereg, bare).status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "LegacyContext.executor_info"));
}

TEST(EventFromLegacyTest, RunTaskIsLaunch) {
  LegacyContext context = TestContext();
  mi::RunTaskMessage run;
  *run.mutable_framework() = context.framework_info;
  *run.mutable_task() = TestTask("t1");
  run.set_pid("slave(1)@1.2.3.4:5051");
  absl::StatusOr<Event> event =
      EventFromLegacy(run.GetTypeName(), run.SerializeAsString(), context);
  ASSERT_TRUE(event.ok()) << event.status();
  EXPECT_EQ(event->type(), Event::LAUNCH);
  EXPECT_THAT(event->launch().task(), EqualsProto(TestTask("t1")));
  run.mutable_framework()->mutable_id()->set_value("fw-other");
  EXPECT_THAT(EventFromLegacy(run, context).status(),
              StatusIs(absl::StatusCode::kInvalidArgument, "fw-other"));
}

TEST(EventFromLegacyTest, KillTaskIsKillWithPolicy) {
  mi::KillTaskMessage kill;
  kill.mutable_framework_id()->set_value("fw-1");
  kill.mutable_task_id()->set_value("t1");
  kill.mutable_kill_policy()->mutable_grace_period()->set_nanoseconds(99);
  absl::StatusOr<Event> event = EventFromLegacy(
      kill.GetTypeName(), kill.SerializeAsString(), TestContext());
  ASSERT_TRUE(event.ok()) << event.status();
  EXPECT_EQ(event->type(), Event::KILL);
  EXPECT_EQ(event->kill().task_id().value(), "t1");
  EXPECT_EQ(event->kill().kill_policy().grace_period().nanoseconds(), 99);
}

TEST(EventFromLegacyTest, AcknowledgementIsAcknowledged) {
  mi::StatusUpdateAcknowledgementMessage ack;
  ack.mutable_slave_id()->set_value("agent-1");
  ack.mutable_framework_id()->set_value("fw-1");
  ack.mutable_task_id()->set_value("t1");
  std::string uuid = NewUuidBytes();
  ack.set_uuid(uuid);
  absl::StatusOr<Event> event = EventFromLegacy(
      ack.GetTypeName(), ack.SerializeAsString(), TestContext());
  ASSERT_TRUE(event.ok()) << event.status();
  EXPECT_EQ(event->type(), Event::ACKNOWLEDGED);
  EXPECT_EQ(event->acknowledged().task_id().value(), "t1");
  EXPECT_EQ(event->acknowledged().uuid(), uuid);
  // MESOS-6917: an invalid UUID crashed the Mesos driver; here it is an error.
  ack.set_uuid("not a uuid");
  EXPECT_THAT(EventFromLegacy(ack, TestContext()).status(),
              StatusIs(absl::StatusCode::kInvalidArgument, "invalid UUID"));
}

TEST(EventFromLegacyTest, FrameworkToExecutorIsMessage) {
  mi::FrameworkToExecutorMessage message;
  message.mutable_slave_id()->set_value("agent-1");
  message.mutable_framework_id()->set_value("fw-1");
  message.mutable_executor_id()->set_value("ex-1");
  message.set_data("ping");
  absl::StatusOr<Event> event = EventFromLegacy(
      message.GetTypeName(), message.SerializeAsString(), TestContext());
  ASSERT_TRUE(event.ok()) << event.status();
  EXPECT_EQ(event->type(), Event::MESSAGE);
  EXPECT_EQ(event->message().data(), "ping");
  message.mutable_executor_id()->set_value("ex-2");
  EXPECT_THAT(EventFromLegacy(message, TestContext()).status(),
              StatusIs(absl::StatusCode::kInvalidArgument, "ex-2"));
}

TEST(EventFromLegacyTest, ShutdownIsShutdown) {
  mi::ShutdownExecutorMessage shutdown;
  absl::StatusOr<Event> event = EventFromLegacy(
      shutdown.GetTypeName(), shutdown.SerializeAsString(), TestContext());
  ASSERT_TRUE(event.ok()) << event.status();
  EXPECT_THAT(*event, EqualsProto(BaseEvent(Event::SHUTDOWN)));
  shutdown.mutable_framework_id()->set_value("fw-2");
  EXPECT_THAT(EventFromLegacy(shutdown, TestContext()).status(),
              StatusIs(absl::StatusCode::kInvalidArgument, "fw-2"));
}

TEST(EventFromLegacyTest, UnmappableInputGivesClearErrors) {
  LegacyContext context = TestContext();
  mi::ReconnectExecutorMessage reconnect;
  reconnect.mutable_slave_id()->set_value("agent-1");
  EXPECT_THAT(EventFromLegacy(reconnect.GetTypeName(),
                              reconnect.SerializeAsString(), context)
                  .status(),
              StatusIs(absl::StatusCode::kUnimplemented, "resubscribes"));
  mi::RegisterExecutorMessage reg;
  reg.mutable_framework_id()->set_value("fw-1");
  reg.mutable_executor_id()->set_value("ex-1");
  EXPECT_THAT(
      EventFromLegacy(reg.GetTypeName(), reg.SerializeAsString(), context)
          .status(),
      StatusIs(absl::StatusCode::kInvalidArgument,
               "not an agent -> executor message"));
  EXPECT_THAT(EventFromLegacy("RunTaskMessage", "", context).status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "unknown legacy message type 'RunTaskMessage'"));
  EXPECT_THAT(
      EventFromLegacy("mesos.internal.KillTaskMessage", "", context).status(),
      StatusIs(absl::StatusCode::kInvalidArgument, "task_id"));
}

}  // namespace
}  // namespace agent_shim
}  // namespace executor_runtime
