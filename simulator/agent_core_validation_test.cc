// Every refusal of a bad call, over real gRPC: the stream ends with the
// status code and a message naming the problem, and nothing is recorded.
#include <functional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "simulator/agent_core.h"
#include "simulator/testing/test_agent.h"
#include "util/uuid.h"

namespace executor_runtime {
namespace {

using mesos::executor::Call;
using mesos::executor::Event;
using testing_support::MakeStatus;
using testing_support::MakeSubscribeCall;
using testing_support::MakeUpdateCall;
using testing_support::RawExecutor;
using testing_support::MakeTask;
using testing_support::TestAgent;
using testing_support::TestExecutor;

struct BadCall {
  std::string name;
  // Turns a valid UPDATE call for task "t1" into a bad call.
  std::function<void(const ExecutorRef&, Call*)> spoil;
  grpc::StatusCode code;
  std::string message;
};

std::vector<BadCall> BadCalls() {
  const auto invalid = grpc::StatusCode::INVALID_ARGUMENT;
  const auto denied = grpc::StatusCode::PERMISSION_DENIED;
  return {
      {"NoType", [](const ExecutorRef&, Call* c) { c->clear_type(); }, invalid,
       "call has no type (or a type this agent does not know)"},
      {"UnknownType",
       [](const ExecutorRef&, Call* c) { c->set_type(Call::UNKNOWN); }, invalid,
       "call type is UNKNOWN"},
      {"NoExecutorId",
       [](const ExecutorRef&, Call* c) { c->clear_executor_id(); }, invalid,
       "call has no executor_id"},
      {"EmptyFrameworkId",
       [](const ExecutorRef&, Call* c) {
         c->mutable_framework_id()->set_value("");
       },
       invalid, "call has no framework_id"},
      {"UpdateWithoutPayload",
       [](const ExecutorRef&, Call* c) { c->clear_update(); }, invalid,
       "UPDATE call has no 'update' payload"},
      {"UpdateWithAnotherPayload",
       [](const ExecutorRef&, Call* c) { c->mutable_message()->set_data("x"); },
       invalid, "UPDATE call carries an unexpected 'message' payload"},
      {"MessageWithUpdatePayload",
       [](const ExecutorRef&, Call* c) { c->set_type(Call::MESSAGE); }, invalid,
       "MESSAGE call has no 'message' payload"},
      {"UpdateWithoutStatus",
       [](const ExecutorRef&, Call* c) { c->mutable_update()->clear_status(); },
       invalid, "UPDATE: update has no status"},
      {"StatusWithoutTaskId",
       [](const ExecutorRef&, Call* c) {
         c->mutable_update()->mutable_status()->clear_task_id();
       },
       invalid, "UPDATE: status has no task_id"},
      {"StatusWithoutState",
       [](const ExecutorRef&, Call* c) {
         c->mutable_update()->mutable_status()->clear_state();
       },
       invalid,
       "UPDATE for task 't1': status.state is missing (or not a known "
       "TaskState)"},
      {"NoUuid",
       [](const ExecutorRef&, Call* c) {
         c->mutable_update()->mutable_status()->clear_uuid();
       },
       invalid, "UPDATE for task 't1': status.uuid is missing"},
      {"ShortUuid",
       [](const ExecutorRef&, Call* c) {
         c->mutable_update()->mutable_status()->set_uuid("abc");
       },
       invalid, "UPDATE for task 't1': status.uuid is 3 bytes, expected 16"},
      {"StatusOfAnotherExecutor",
       [](const ExecutorRef&, Call* c) {
         c->mutable_update()
             ->mutable_status()
             ->mutable_executor_id()
             ->set_value("e2");
       },
       denied,
       "UPDATE for task 't1': status.executor_id 'e2' is not the calling "
       "executor 'e1'"},
      {"NoSource",
       [](const ExecutorRef&, Call* c) {
         c->mutable_update()->mutable_status()->clear_source();
       },
       invalid,
       "UPDATE for task 't1': status.source is not set, expected "
       "SOURCE_EXECUTOR"},
      {"SourceSlave",
       [](const ExecutorRef&, Call* c) {
         c->mutable_update()->mutable_status()->set_source(
             mesos::TaskStatus::SOURCE_SLAVE);
       },
       invalid,
       "UPDATE for task 't1': status.source is SOURCE_SLAVE, expected "
       "SOURCE_EXECUTOR"},
      {"Staging",
       [](const ExecutorRef&, Call* c) {
         c->mutable_update()->mutable_status()->set_state(mesos::TASK_STAGING);
       },
       invalid,
       "UPDATE for task 't1': state TASK_STAGING is set by the agent, not the "
       "executor"},
      {"UnknownTask",
       [](const ExecutorRef&, Call* c) {
         c->mutable_update()->mutable_status()->mutable_task_id()->set_value(
             "t9");
       },
       grpc::StatusCode::NOT_FOUND,
       "UPDATE for task 't9': the task is not known to executor 'e1' of "
       "framework 'f1' (never launched on it)"},
      {"TaskOfAnotherExecutor",
       [](const ExecutorRef&, Call* c) {
         c->mutable_update()->mutable_status()->mutable_task_id()->set_value(
             "other");
       },
       denied,
       "UPDATE for task 'other': the task belongs to executor 'e2' of "
       "framework 'f1'"},
      {"CallNamesAnotherExecutor",
       [](const ExecutorRef&, Call* c) {
         c->mutable_executor_id()->set_value("e2");
         c->mutable_update()->mutable_status()->clear_executor_id();
       },
       denied,
       "UPDATE names executor 'e2' of framework 'f1', but this stream is "
       "subscribed as executor 'e1' of framework 'f1'"},
      {"CallNamesAnotherFramework",
       [](const ExecutorRef&, Call* c) {
         c->mutable_framework_id()->set_value("f2");
       },
       denied,
       "UPDATE names executor 'e1' of framework 'f2', but this stream is "
       "subscribed as executor 'e1' of framework 'f1'"},
      {"BadBatchedUpdate",
       [](const ExecutorRef& e, Call* c) {
         *c->add_batched_updates()->mutable_status() =
             MakeStatus(e, "t1", mesos::TASK_RUNNING, NewUuidBytes());
         *c->add_batched_updates()->mutable_status() =
             MakeStatus(e, "t1", mesos::TASK_FINISHED, "0123456789");
       },
       invalid,
       "UPDATE (batched update 2) for task 't1': status.uuid is 10 bytes, "
       "expected 16"},
      {"BatchedUpdatesOnMessage",
       [](const ExecutorRef& e, Call* c) {
         c->set_type(Call::MESSAGE);
         c->clear_update();
         c->mutable_message()->set_data("m");
         *c->add_batched_updates()->mutable_status() =
             MakeStatus(e, "t1", mesos::TASK_RUNNING, NewUuidBytes());
       },
       invalid, "MESSAGE call carries batched_updates"},
      {"IncompleteLabel",
       [](const ExecutorRef&, Call* c) {
         c->mutable_update()
             ->mutable_status()
             ->mutable_labels()
             ->add_labels()
             ->set_value("no key");
       },
       invalid,
       "UPDATE call is missing required fields: "
       "update.status.labels.labels[0].key"},
      {"MessageWithoutData",
       [](const ExecutorRef&, Call* c) {
         c->set_type(Call::MESSAGE);
         c->clear_update();
         c->mutable_message();
       },
       invalid, "MESSAGE call has no message.data"},
  };
}

class BadCallTest : public ::testing::TestWithParam<BadCall> {};

TEST_P(BadCallTest, EndsTheStreamWithAClearStatus) {
  const BadCall& bad = GetParam();
  TestAgent agent;
  ExecutorRef ref = agent.AddExecutor("f1", "e1");
  ExecutorRef other = agent.AddExecutor("f1", "e2");
  // The raw client can send what the typed stub refuses to (calls missing
  // required fields).
  RawExecutor executor(agent);
  ASSERT_TRUE(executor.WriteCall(MakeSubscribeCall(ref)));
  auto subscribed = executor.Read();
  ASSERT_TRUE(subscribed.has_value());
  ASSERT_EQ(subscribed->type(), Event::SUBSCRIBED);
  ASSERT_TRUE(agent.core().Launch(ref, MakeTask("t1")).ok());
  ASSERT_EQ(executor.Read()->type(), Event::LAUNCH);
  {
    TestExecutor e2(agent, other);
    ASSERT_TRUE(e2.Subscribe().has_value());
    ASSERT_TRUE(agent.core().Launch(other, MakeTask("other")).ok());
  }

  Call call = MakeUpdateCall(ref, "t1", mesos::TASK_RUNNING, NewUuidBytes());
  bad.spoil(ref, &call);
  ASSERT_TRUE(executor.WriteCall(call));
  grpc::Status status = executor.ReadToEnd();
  EXPECT_EQ(status.error_code(), bad.code) << status.error_message();
  EXPECT_EQ(status.error_message(), bad.message);
  EXPECT_EQ(agent.core().UpdateCount(), 0u);
  EXPECT_TRUE(agent.core().WaitUntil(
      [&](const AgentCore& core) { return !core.Executor(ref)->subscribed; },
      absl::Seconds(10)));
}

INSTANTIATE_TEST_SUITE_P(AllBadCalls, BadCallTest,
                         ::testing::ValuesIn(BadCalls()),
                         [](const ::testing::TestParamInfo<BadCall>& info) {
                           return info.param.name;
                         });

TEST(AgentCoreValidationTest, BytesThatAreNoCallAreRefused) {
  TestAgent agent;
  agent.AddExecutor();
  RawExecutor executor(agent);
  ASSERT_TRUE(executor.WriteBytes("\xff\xff\xff garbage"));
  grpc::Status status = executor.ReadToEnd();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message(),
            "could not parse a mesos.executor.Call from 11 bytes");
}

TEST(AgentCoreValidationTest, SubscribeMissingRequiredIdsIsRefused) {
  TestAgent agent;
  ExecutorRef ref = agent.AddExecutor();
  RawExecutor executor(agent);
  Call call = MakeSubscribeCall(ref);
  call.clear_framework_id();
  ASSERT_TRUE(executor.WriteCall(call));
  grpc::Status status = executor.ReadToEnd();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message(), "call has no framework_id");
}

TEST(AgentCoreValidationTest, BatchedUpdatesNeedNegotiation) {
  TestAgent agent;
  ExecutorRef ref = agent.AddExecutor();
  TestExecutor executor(agent, ref);
  ASSERT_TRUE(executor.Subscribe(/*batched_updates=*/false, true).has_value());
  ASSERT_TRUE(agent.core().Launch(ref, MakeTask("t1")).ok());
  Call call = executor.UpdateCall("t1", mesos::TASK_RUNNING, NewUuidBytes());
  *call.add_batched_updates()->mutable_status() =
      executor.Status("t1", mesos::TASK_FINISHED, NewUuidBytes());
  ASSERT_TRUE(executor.Write(call));
  grpc::Status status = executor.ReadToEnd();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message(),
            "UPDATE carries batched_updates, but batched updates were not "
            "negotiated on this stream");
  EXPECT_EQ(agent.core().UpdateCount(), 0u);
}

TEST(AgentCoreValidationTest, BadUnacknowledgedUpdateRefusesTheSubscription) {
  TestAgent agent;
  ExecutorRef ref = agent.AddExecutor();
  TestExecutor executor(agent, ref);
  Call call = executor.SubscribeCall();
  mesos::TaskStatus status =
      executor.Status("t1", mesos::TASK_RUNNING, NewUuidBytes());
  status.set_state(mesos::TASK_STAGING);
  *call.mutable_subscribe()->add_unacknowledged_updates()->mutable_status() =
      status;
  ASSERT_TRUE(executor.Write(call));
  grpc::Status result = executor.ReadToEnd();
  EXPECT_EQ(result.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(result.error_message(),
            "SUBSCRIBE (unacknowledged update 1) for task 't1': state "
            "TASK_STAGING is set by the agent, not the executor");
  EXPECT_EQ(agent.core().Executor(ref)->subscriptions, 0);
}

TEST(AgentCoreValidationTest, TooManyUpdatesInOneCallIsResourceExhausted) {
  AgentOptions options = testing_support::TestOptions();
  options.max_pending_updates_per_stream = 4;
  TestAgent agent(options);
  ExecutorRef ref = agent.AddExecutor();
  TestExecutor executor(agent, ref);
  ASSERT_TRUE(executor.Subscribe().has_value());
  ASSERT_TRUE(agent.core().Launch(ref, MakeTask("t1")).ok());
  Call call = executor.UpdateCall("t1", mesos::TASK_RUNNING, NewUuidBytes());
  for (int i = 0; i < 4; ++i) {
    *call.add_batched_updates()->mutable_status() =
        executor.Status("t1", mesos::TASK_RUNNING, NewUuidBytes());
  }
  ASSERT_TRUE(executor.Write(call));
  grpc::Status status = executor.ReadToEnd();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(status.error_message(),
            "UPDATE carries 5 updates; this agent takes at most 4 per stream "
            "at a time");
  EXPECT_EQ(agent.core().UpdateCount(), 0u);
}

}  // namespace
}  // namespace executor_runtime
