// Hostile executors (issue 7, part 4): an executor cannot act as another.
// A stream authenticated with executor A's token cannot subscribe as B; a
// subscribed executor cannot report on, or name, tasks and executors that
// are not its own. Every refusal ends the offending stream with a clear
// status, records nothing and leaves the victim's stream working.
#include <string>

#include "absl/synchronization/mutex.h"
#include "driver/executor_driver.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/hostile/hostile_util.h"
#include "util/uuid.h"

namespace executor_runtime {
namespace hostile_test {
namespace {

using mesos::executor::Call;
using mesos::executor::Event;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kTokenA[] = "token-of-executor-a-0123456789";
constexpr char kTokenB[] = "token-of-executor-b-9876543210";

class IdentityTest : public ::testing::Test {
 protected:
  IdentityTest()
      : a_(agent_.Add("fw-1", "exec-a", kTokenA)),
        b_(agent_.Add("fw-2", "exec-b", kTokenB)) {}

  bool Subscribed(const ExecutorRef& ref) {
    std::optional<ExecutorView> view = agent_.core().Executor(ref);
    return view.has_value() && view->subscribed;
  }
  int Subscriptions(const ExecutorRef& ref) {
    return agent_.core().Executor(ref)->subscriptions;
  }
  // Sends one update for `task` on `stream` as `ref` and waits for its
  // acknowledgement: the stream still works.
  void ExpectUpdateAcknowledged(RawStream* stream, const ExecutorRef& ref,
                                const std::string& task) {
    const std::string uuid = NewUuidBytes();
    ASSERT_TRUE(
        stream->Write(UpdateCall(ref, task, mesos::TASK_RUNNING, uuid)));
    for (std::optional<Event> event = stream->Read(); event.has_value();
         event = stream->Read()) {
      for (const auto& [task_id, acked] : AcksOf(*event)) {
        if (acked == uuid) {
          EXPECT_EQ(task_id, task);
          return;
        }
      }
    }
    ADD_FAILURE() << "the stream of " << ref.executor_id
                  << " ended before its update was acknowledged";
  }

  AgentHarness agent_;
  const ExecutorRef a_;
  const ExecutorRef b_;
};

TEST_F(IdentityTest, TokenOfAUsedWithIdsOfBIsRefused) {
  RawStream stream(agent_.NewChannel(), kTokenA);
  EXPECT_FALSE(stream.Subscribe(b_).has_value());
  const grpc::Status status = stream.Finish();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_THAT(status.error_message(), HasSubstr("exec-b"));
  EXPECT_THAT(status.error_message(), Not(HasSubstr(kTokenA)));
  EXPECT_THAT(status.error_message(), Not(HasSubstr(kTokenB)));
  EXPECT_FALSE(Subscribed(b_));
  EXPECT_EQ(Subscriptions(b_), 0);
}

TEST_F(IdentityTest, MissingOrMalformedAuthorizationIsRefused) {
  struct Case {
    std::optional<std::string> authorization;
    std::string message;
  };
  const Case cases[] = {
      {std::nullopt, "must present"},
      {std::string("Basic ") + kTokenB, "not of the form"},
      {std::string("Bearer "), "not of the form"},
      {std::string(kTokenB), "not of the form"},  // No scheme.
      {std::string("Bearer ") + kTokenB + "x", "wrong bearer token"},
      {std::string("Bearer ") + std::string(kTokenB).substr(1),
       "wrong bearer token"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.authorization.value_or("<none>"));
    RawStream stream(agent_.NewChannel(), "", absl::Seconds(20),
                     c.authorization);
    EXPECT_FALSE(stream.Subscribe(b_).has_value());
    const grpc::Status status = stream.Finish();
    EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
    EXPECT_THAT(status.error_message(), HasSubstr(c.message));
    EXPECT_THAT(status.error_message(), Not(HasSubstr(kTokenB)));
  }
  EXPECT_EQ(Subscriptions(b_), 0);
}

TEST_F(IdentityTest, ImpostorDoesNotDisturbTheLiveSubscription) {
  RawStream victim(agent_.NewChannel(1), kTokenB);
  ASSERT_TRUE(victim.Subscribe(b_).has_value());
  ASSERT_TRUE(agent_.core().Launch(b_, Task("b-task")).ok());
  ASSERT_EQ(victim.Read()->type(), Event::LAUNCH);

  for (int i = 0; i < 5; ++i) {
    RawStream impostor(agent_.NewChannel(2), kTokenA);
    EXPECT_FALSE(impostor.Subscribe(b_).has_value());
    EXPECT_EQ(impostor.Finish().error_code(),
              grpc::StatusCode::UNAUTHENTICATED);
  }
  EXPECT_TRUE(Subscribed(b_));
  EXPECT_EQ(Subscriptions(b_), 1);
  ExpectUpdateAcknowledged(&victim, b_, "b-task");
  EXPECT_EQ(agent_.core().UpdateCount(), 1u);
}

TEST_F(IdentityTest, DriverWithAnotherExecutorsTokenIsAbortedWithAnError) {
  class Handler : public EventHandler {
   public:
    void Launch(ExecutorDriver*, const mesos::TaskInfo&) override {}
    void Kill(ExecutorDriver*, const mesos::TaskID&,
              const mesos::KillPolicy&) override {}
    void Shutdown(ExecutorDriver*) override {}
    void Error(ExecutorDriver*, const std::string& message) override {
      absl::MutexLock lock(&mu);
      errors.push_back(message);
    }
    absl::Mutex mu;
    std::vector<std::string> errors;
  } handler;
  DriverOptions options;
  options.framework_id.set_value(b_.framework_id);
  options.executor_id.set_value(b_.executor_id);
  options.agent_id.set_value("agent-1");
  options.agent_endpoint = agent_.endpoint();
  options.auth_token = kTokenA;
  options.checkpoint = true;
  options.recovery_timeout = absl::Seconds(10);
  options.kill_process_group_on_shutdown = false;
  ExecutorDriver driver(&handler, options);
  ASSERT_TRUE(driver.Start().ok());
  EXPECT_EQ(driver.Join(), DriverState::kAborted);
  absl::MutexLock lock(&handler.mu);
  ASSERT_EQ(handler.errors.size(), 1u);
  EXPECT_THAT(handler.errors[0], HasSubstr("wrong bearer token"));
  EXPECT_THAT(handler.errors[0], Not(HasSubstr(kTokenA)));
  EXPECT_EQ(Subscriptions(b_), 0);
}

class OwnershipTest : public IdentityTest {
 protected:
  void SetUp() override {
    ASSERT_TRUE(victim_.Subscribe(b_).has_value());
    ASSERT_TRUE(agent_.core().Launch(b_, Task("b-task")).ok());
    ASSERT_EQ(victim_.Read()->type(), Event::LAUNCH);
    ASSERT_TRUE(hostile_.Subscribe(a_).has_value());
    ASSERT_TRUE(agent_.core().Launch(a_, Task("a-task")).ok());
    ASSERT_EQ(hostile_.Read()->type(), Event::LAUNCH);
  }

  // The hostile stream was ended with `code` naming `text`; nothing was
  // recorded, B's task is untouched and B's stream still works.
  void ExpectRefused(grpc::StatusCode code, const std::string& text) {
    const grpc::Status status = hostile_.Finish();
    EXPECT_EQ(status.error_code(), code) << status.error_message();
    EXPECT_THAT(status.error_message(), HasSubstr(text));
    EXPECT_EQ(agent_.core().UpdateCount(), 0u);
    const ExecutorView b = *agent_.core().Executor(b_);
    ASSERT_EQ(b.tasks.size(), 1u);
    EXPECT_FALSE(b.tasks[0].latest_state.has_value());
    EXPECT_TRUE(agent_.core().WaitUntil(
        [&](const AgentCore& core) { return !core.Executor(a_)->subscribed; },
        absl::Seconds(5)));
    ExpectUpdateAcknowledged(&victim_, b_, "b-task");
    EXPECT_EQ(agent_.core().UpdateCount(), 1u);
  }

  RawStream victim_{agent_.NewChannel(1), kTokenB};
  RawStream hostile_{agent_.NewChannel(2), kTokenA};
};

TEST_F(OwnershipTest, UpdateForAnotherExecutorsTaskIsRefused) {
  hostile_.Write(UpdateCall(a_, "b-task", mesos::TASK_FAILED, NewUuidBytes()));
  ExpectRefused(grpc::StatusCode::PERMISSION_DENIED,
                "belongs to executor 'exec-b'");
}

TEST_F(OwnershipTest, UpdateForAnUnknownTaskIsRefused) {
  hostile_.Write(
      UpdateCall(a_, "no-such-task", mesos::TASK_RUNNING, NewUuidBytes()));
  ExpectRefused(grpc::StatusCode::NOT_FOUND, "never launched");
}

TEST_F(OwnershipTest, BatchWithOneForeignUpdateIsRefusedWhole) {
  Call call = UpdateCall(a_, "a-task", mesos::TASK_RUNNING, NewUuidBytes());
  for (int i = 0; i < 10; ++i) {
    *call.add_batched_updates()->mutable_status() =
        Status(a_, "a-task", mesos::TASK_RUNNING, NewUuidBytes());
  }
  *call.add_batched_updates()->mutable_status() =
      Status(a_, "b-task", mesos::TASK_KILLED, NewUuidBytes());
  hostile_.Write(call);
  ExpectRefused(grpc::StatusCode::PERMISSION_DENIED, "b-task");
  EXPECT_FALSE(agent_.core().Executor(a_)->tasks[0].latest_state.has_value());
}

TEST_F(OwnershipTest, StatusNamingAnotherExecutorIsRefused) {
  Call call = UpdateCall(a_, "a-task", mesos::TASK_RUNNING, NewUuidBytes());
  call.mutable_update()->mutable_status()->mutable_executor_id()->set_value(
      "exec-b");
  hostile_.Write(call);
  ExpectRefused(grpc::StatusCode::PERMISSION_DENIED,
                "not the calling executor");
}

TEST_F(OwnershipTest, CallNamingAnotherExecutorOnASubscribedStreamIsRefused) {
  // A's own (authenticated) stream, B's IDs in the call.
  hostile_.Write(UpdateCall(b_, "b-task", mesos::TASK_FAILED, NewUuidBytes()));
  ExpectRefused(grpc::StatusCode::PERMISSION_DENIED,
                "this stream is subscribed as executor 'exec-a'");
}

TEST_F(OwnershipTest, ResubscriptionCarryingAForeignUpdateIsRefused) {
  // A resubscribes on a new stream, claiming an unacknowledged update of
  // B's task.
  RawStream again(agent_.NewChannel(3), kTokenA);
  Call subscribe = SubscribeCall(a_);
  *subscribe.mutable_subscribe()
       ->add_unacknowledged_updates()
       ->mutable_status() =
      Status(a_, "b-task", mesos::TASK_FINISHED, NewUuidBytes());
  again.Write(subscribe);
  const grpc::Status status = again.Finish();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(status.error_message(),
              HasSubstr("belongs to executor 'exec-b'"));
  EXPECT_EQ(agent_.core().UpdateCount(), 0u);
  // The refused resubscription did not replace A's stream either.
  EXPECT_EQ(Subscriptions(a_), 1);
  EXPECT_TRUE(Subscribed(a_));
}

TEST_F(OwnershipTest, ResubscriptionCannotClaimAnotherExecutorsTask) {
  RawStream again(agent_.NewChannel(3), kTokenA);
  Call subscribe = SubscribeCall(a_);
  *subscribe.mutable_subscribe()->add_unacknowledged_tasks() = Task("b-task");
  again.Write(subscribe);
  const grpc::Status status = again.Finish();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(status.error_message(), HasSubstr("b-task"));
  EXPECT_EQ(agent_.core().Executor(a_)->tasks.size(), 1u);
}

}  // namespace
}  // namespace hostile_test
}  // namespace executor_runtime
