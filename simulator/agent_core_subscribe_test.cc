// AgentCore over real gRPC: subscription, SUBSCRIBED contents, capability
// negotiation, resubscription, authentication, and the control API.
#include <string>

#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "simulator/agent_core.h"
#include "simulator/testing/test_agent.h"
#include "util/uuid.h"

namespace executor_runtime {
namespace {

using mesos::executor::Call;
using mesos::executor::Event;
using testing_support::MakeTask;
using testing_support::IsSubscribed;
using testing_support::TestAgent;
using testing_support::TestExecutor;
using testing_support::TestOptions;

constexpr absl::Duration kWait = absl::Seconds(10);

TEST(AgentCoreSubscribeTest, SubscribedCarriesInfosAndHeartbeatInterval) {
  AgentOptions options = TestOptions();
  options.heartbeat_interval = absl::Milliseconds(1500);
  TestAgent agent(options);
  ExecutorRef ref = agent.AddExecutor();
  TestExecutor executor(agent, ref);

  std::optional<Event> event = executor.Subscribe();
  ASSERT_TRUE(event.has_value());
  const Event::Subscribed& subscribed = event->subscribed();
  EXPECT_EQ(subscribed.executor_info().executor_id().value(), "e1");
  EXPECT_EQ(subscribed.executor_info().framework_id().value(), "f1");
  EXPECT_EQ(subscribed.executor_info().name(), "test executor e1");
  EXPECT_EQ(subscribed.framework_info().id().value(), "f1");
  EXPECT_EQ(subscribed.framework_info().user(), "tester");
  EXPECT_EQ(subscribed.agent_info().id().value(), "agent-1");
  EXPECT_EQ(subscribed.agent_info().hostname(), "localhost");
  EXPECT_DOUBLE_EQ(subscribed.heartbeat_interval_seconds(), 1.5);

  ASSERT_TRUE(agent.core().WaitUntil(
      [&](const AgentCore& core) { return IsSubscribed(core, ref); }, kWait));
  EXPECT_EQ(agent.core().Executor(ref)->subscriptions, 1);
}

TEST(AgentCoreSubscribeTest, NoHeartbeatIntervalWhenHeartbeatsAreOff) {
  TestAgent agent;  // TestOptions: heartbeat_interval zero.
  TestExecutor executor(agent, agent.AddExecutor());
  std::optional<Event> event = executor.Subscribe();
  ASSERT_TRUE(event.has_value());
  EXPECT_FALSE(event->subscribed().has_heartbeat_interval_seconds());
}

TEST(AgentCoreSubscribeTest, CapabilitiesAreWhatBothSidesSupport) {
  {
    TestAgent agent;  // allow_batching = true
    TestExecutor both(agent, agent.AddExecutor("f1", "both"));
    auto event =
        both.Subscribe(/*batched_updates=*/true, /*batched_acks=*/true);
    ASSERT_TRUE(event.has_value());
    EXPECT_TRUE(event->subscribed().capabilities().batched_updates());
    EXPECT_TRUE(event->subscribed().capabilities().batched_acknowledgements());

    TestExecutor acks_only(agent, agent.AddExecutor("f1", "acks"));
    event =
        acks_only.Subscribe(/*batched_updates=*/false, /*batched_acks=*/true);
    ASSERT_TRUE(event.has_value());
    EXPECT_FALSE(event->subscribed().capabilities().batched_updates());
    EXPECT_TRUE(event->subscribed().capabilities().batched_acknowledgements());

    TestExecutor none(agent, agent.AddExecutor("f1", "none"));
    event = none.Subscribe(false, false);
    ASSERT_TRUE(event.has_value());
    EXPECT_FALSE(event->subscribed().capabilities().batched_updates());
    EXPECT_FALSE(event->subscribed().capabilities().batched_acknowledgements());
  }
  {
    AgentOptions options = TestOptions();
    options.allow_batching = false;
    TestAgent agent(options);
    TestExecutor executor(agent, agent.AddExecutor());
    auto event = executor.Subscribe(true, true);
    ASSERT_TRUE(event.has_value());
    EXPECT_FALSE(event->subscribed().capabilities().batched_updates());
    EXPECT_FALSE(event->subscribed().capabilities().batched_acknowledgements());
  }
}

TEST(AgentCoreSubscribeTest, NewSubscriptionReplacesTheOldStream) {
  TestAgent agent;
  ExecutorRef ref = agent.AddExecutor();
  TestExecutor first(agent, ref);
  ASSERT_TRUE(first.Subscribe().has_value());
  TestExecutor second(agent, ref);
  ASSERT_TRUE(second.Subscribe().has_value());

  grpc::Status status = first.ReadToEnd();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::ABORTED);
  EXPECT_NE(status.error_message().find("replaced by a newer SUBSCRIBE"),
            std::string::npos)
      << status.error_message();
  EXPECT_EQ(agent.core().Executor(ref)->subscriptions, 2);
  // The new stream is the live one: events go to it.
  ASSERT_TRUE(agent.core().WaitUntil(
      [&](const AgentCore& core) { return IsSubscribed(core, ref); }, kWait));
  ASSERT_TRUE(agent.core().SendMessage(ref, "hello").ok());
  auto event = second.ReadSkippingHeartbeats();
  ASSERT_TRUE(event.has_value());
  EXPECT_EQ(event->type(), Event::MESSAGE);
  EXPECT_EQ(event->message().data(), "hello");
}

TEST(AgentCoreSubscribeTest, ClosingTheStreamUnsubscribes) {
  TestAgent agent;
  ExecutorRef ref = agent.AddExecutor();
  TestExecutor executor(agent, ref);
  ASSERT_TRUE(executor.Subscribe().has_value());
  EXPECT_TRUE(executor.Close().ok());
  EXPECT_TRUE(agent.core().WaitUntil(
      [&](const AgentCore& core) { return !IsSubscribed(core, ref); }, kWait));
  EXPECT_EQ(agent.core().SendMessage(ref, "x").code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST(AgentCoreSubscribeTest, UnknownExecutorIsNotFound) {
  TestAgent agent;
  agent.AddExecutor();
  TestExecutor stranger(agent, ExecutorRef{"f1", "nobody"});
  EXPECT_FALSE(stranger.Subscribe().has_value());
  grpc::Status status = stranger.ReadToEnd();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(status.error_message(),
            "executor 'nobody' of framework 'f1' is not known to this agent");
}

TEST(AgentCoreSubscribeTest, FirstCallMustBeSubscribe) {
  TestAgent agent;
  ExecutorRef ref = agent.AddExecutor();
  TestExecutor executor(agent, ref);
  ASSERT_TRUE(executor.Write(executor.HeartbeatCall()));
  grpc::Status status = executor.ReadToEnd();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(status.error_message(),
            "the first call on a stream must be SUBSCRIBE, got HEARTBEAT");
}

TEST(AgentCoreSubscribeTest, SecondSubscribeOnAStreamIsRefused) {
  TestAgent agent;
  TestExecutor executor(agent, agent.AddExecutor());
  ASSERT_TRUE(executor.Subscribe().has_value());
  ASSERT_TRUE(executor.Write(executor.SubscribeCall()));
  grpc::Status status = executor.ReadToEnd();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(status.error_message(),
            "SUBSCRIBE on a stream that is already subscribed");
}

TEST(AgentCoreSubscribeTest,
     UndeclaredExecutorsAreRefusedEvenWithTheRightFramework) {
  TestAgent agent;
  agent.AddExecutor("f1", "e1");
  TestExecutor executor(agent, ExecutorRef{"f2", "e1"});
  EXPECT_FALSE(executor.Subscribe().has_value());
  EXPECT_EQ(executor.ReadToEnd().error_code(), grpc::StatusCode::NOT_FOUND);
}

// ---- Authentication -------------------------------------------------------

TEST(AgentCoreAuthTest, RightTokenIsAccepted) {
  TestAgent agent;
  ExecutorRef ref = agent.AddExecutor("f1", "e1", "s3cret-token");
  TestExecutor executor(agent, ref, "s3cret-token");
  EXPECT_TRUE(executor.Subscribe().has_value());
}

TEST(AgentCoreAuthTest, MissingTokenIsUnauthenticated) {
  TestAgent agent;
  ExecutorRef ref = agent.AddExecutor("f1", "e1", "s3cret-token");
  TestExecutor executor(agent, ref);
  EXPECT_FALSE(executor.Subscribe().has_value());
  grpc::Status status = executor.ReadToEnd();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_NE(status.error_message().find("must present 'authorization: Bearer"),
            std::string::npos)
      << status.error_message();
  EXPECT_FALSE(IsSubscribed(agent.core(), ref));
}

TEST(AgentCoreAuthTest, WrongTokenIsUnauthenticatedAndNotEchoed) {
  TestAgent agent;
  ExecutorRef ref = agent.AddExecutor("f1", "e1", "s3cret-token");
  TestExecutor executor(agent, ref, "guessed-token");
  EXPECT_FALSE(executor.Subscribe().has_value());
  grpc::Status status = executor.ReadToEnd();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(status.error_message(),
            "wrong bearer token for executor 'e1' of framework 'f1'");
  EXPECT_EQ(status.error_message().find("s3cret"), std::string::npos);
  EXPECT_EQ(status.error_message().find("guessed"), std::string::npos);
}

TEST(AgentCoreAuthTest, TokenOfAnotherExecutorIsRefused) {
  TestAgent agent;
  agent.AddExecutor("f1", "e1", "token-one");
  ExecutorRef two = agent.AddExecutor("f1", "e2", "token-two");
  TestExecutor executor(agent, two, "token-one");
  EXPECT_FALSE(executor.Subscribe().has_value());
  EXPECT_EQ(executor.ReadToEnd().error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
}

// ---- Control API ----------------------------------------------------------

TEST(AgentCoreControlTest, LaunchSendsLaunchAndRefusesDuplicates) {
  TestAgent agent;
  ExecutorRef ref = agent.AddExecutor();
  TestExecutor executor(agent, ref);
  ASSERT_TRUE(executor.Subscribe().has_value());
  ASSERT_TRUE(agent.core().Launch(ref, MakeTask("t1")).ok());

  auto event = executor.ReadSkippingHeartbeats();
  ASSERT_TRUE(event.has_value());
  EXPECT_EQ(event->type(), Event::LAUNCH);
  EXPECT_EQ(event->launch().task().task_id().value(), "t1");
  EXPECT_EQ(event->launch().task().name(), "task t1");
  // A missing slave_id is filled in with the agent's (a required field).
  EXPECT_EQ(event->launch().task().slave_id().value(), "agent-1");

  absl::Status duplicate = agent.core().Launch(ref, MakeTask("t1"));
  EXPECT_EQ(duplicate.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(duplicate.message(),
            "task 't1' is already known to this agent (executor 'e1' of "
            "framework 'f1'); task IDs must be unique");

  auto view = agent.core().Executor(ref);
  ASSERT_EQ(view->tasks.size(), 1u);
  EXPECT_EQ(view->tasks[0].task.task_id().value(), "t1");
  EXPECT_FALSE(view->tasks[0].latest_state.has_value());
}

TEST(AgentCoreControlTest, ControlFailsForUnknownOrUnsubscribedExecutors) {
  TestAgent agent;
  ExecutorRef ref = agent.AddExecutor();
  ExecutorRef unknown{"f1", "zz"};
  EXPECT_EQ(agent.core().Launch(unknown, MakeTask("t1")).code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(agent.core().Launch(ref, MakeTask("t1")).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(agent.core().Shutdown(ref).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(
      agent.core().AddExecutor(testing_support::TestSpec("f1", "e1")).code(),
      absl::StatusCode::kAlreadyExists);
}

TEST(AgentCoreControlTest, LaunchRejectsIncompleteTasks) {
  TestAgent agent;
  ExecutorRef ref = agent.AddExecutor();
  TestExecutor executor(agent, ref);
  ASSERT_TRUE(executor.Subscribe().has_value());
  mesos::TaskInfo nameless;
  nameless.mutable_task_id()->set_value("t1");
  absl::Status status = agent.core().Launch(ref, nameless);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(), "task 't1' is missing required fields: name");
}

TEST(AgentCoreControlTest, EveryControlEventArrivesInOrder) {
  TestAgent agent;
  ExecutorRef ref = agent.AddExecutor();
  TestExecutor executor(agent, ref);
  ASSERT_TRUE(executor.Subscribe().has_value());

  mesos::TaskGroupInfo group;
  *group.add_tasks() = MakeTask("g1");
  *group.add_tasks() = MakeTask("g2");
  ASSERT_TRUE(agent.core().LaunchGroup(ref, group).ok());
  mesos::TaskID t;
  t.set_value("g1");
  mesos::KillPolicy policy;
  policy.mutable_grace_period()->set_nanoseconds(3000000000);
  ASSERT_TRUE(agent.core().Kill(ref, t, policy).ok());
  ASSERT_TRUE(agent.core().SendMessage(ref, std::string("a\0b", 3)).ok());
  ASSERT_TRUE(agent.core().Shutdown(ref).ok());

  auto event = executor.ReadSkippingHeartbeats();
  ASSERT_TRUE(event.has_value());
  ASSERT_EQ(event->type(), Event::LAUNCH_GROUP);
  ASSERT_EQ(event->launch_group().task_group().tasks_size(), 2);
  EXPECT_EQ(event->launch_group().task_group().tasks(1).task_id().value(),
            "g2");
  event = executor.ReadSkippingHeartbeats();
  ASSERT_TRUE(event.has_value());
  ASSERT_EQ(event->type(), Event::KILL);
  EXPECT_EQ(event->kill().task_id().value(), "g1");
  EXPECT_EQ(event->kill().kill_policy().grace_period().nanoseconds(),
            3000000000);
  event = executor.ReadSkippingHeartbeats();
  ASSERT_TRUE(event.has_value());
  ASSERT_EQ(event->type(), Event::MESSAGE);
  EXPECT_EQ(event->message().data(), std::string("a\0b", 3));
  event = executor.ReadSkippingHeartbeats();
  ASSERT_TRUE(event.has_value());
  EXPECT_EQ(event->type(), Event::SHUTDOWN);

  // A group naming a known task is refused as a whole.
  mesos::TaskGroupInfo again;
  *again.add_tasks() = MakeTask("g3");
  *again.add_tasks() = MakeTask("g2");
  EXPECT_EQ(agent.core().LaunchGroup(ref, again).code(),
            absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(agent.core().Executor(ref)->tasks.size(), 2u);
}

TEST(AgentCoreControlTest, RemoveExecutorEndsItsStream) {
  TestAgent agent;
  ExecutorRef ref = agent.AddExecutor();
  TestExecutor executor(agent, ref);
  ASSERT_TRUE(executor.Subscribe().has_value());
  ASSERT_TRUE(agent.core().RemoveExecutor(ref).ok());
  grpc::Status status = executor.ReadToEnd();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::ABORTED);
  EXPECT_FALSE(agent.core().Executor(ref).has_value());
  EXPECT_EQ(agent.core().RemoveExecutor(ref).code(),
            absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace executor_runtime
