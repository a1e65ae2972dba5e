// What the driver puts on the wire, checked against a scripted fake agent
// that records every call: SUBSCRIBE contents (IDs, capabilities, the
// bearer token, unacknowledged updates and tasks after a reconnect), update
// batching and the in-flight window, HEARTBEAT calls, batched and stray
// acknowledgements, duplicate launches and ERROR events.
#include <grpcpp/grpcpp.h>

#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "api/executor/agent.grpc.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/driver_agent/fixture.h"
#include "util/uuid.h"

namespace executor_runtime {
namespace driver_agent_test {
namespace {

using mesos::executor::Call;
using mesos::executor::Event;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// Records calls; answers SUBSCRIBE with SUBSCRIBED (capabilities and
// heartbeat interval as configured); acknowledges updates only if asked.
class FakeAgent final : public mesos::executor::Agent::Service {
 public:
  FakeAgent() {
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(),
                             &port_);
    builder.RegisterService(this);
    server_ = builder.BuildAndStart();
  }
  ~FakeAgent() override {
    server_->Shutdown(
        absl::ToChronoTime(absl::Now() + absl::Milliseconds(100)));
    server_->Wait();
  }

  std::string endpoint() const { return absl::StrCat("127.0.0.1:", port_); }

  // Configuration (set before the driver subscribes).
  bool batched_updates = true;
  double heartbeat_interval_seconds = 0;

  grpc::Status Connect(grpc::ServerContext* context,
                       grpc::ServerReaderWriter<Event, Call>* stream) override {
    {
      absl::MutexLock lock(&mu_);
      auto auth = context->client_metadata().find("authorization");
      if (auth != context->client_metadata().end()) {
        authorization_ = std::string(auth->second.data(), auth->second.size());
      }
      stream_ = stream;
      context_ = context;
    }
    Call call;
    while (stream->Read(&call)) {
      absl::MutexLock lock(&mu_);
      calls_.push_back(call);
      if (call.type() == Call::SUBSCRIBE) {
        Event event;
        event.set_type(Event::SUBSCRIBED);
        Event::Subscribed* subscribed = event.mutable_subscribed();
        subscribed->mutable_executor_info()->mutable_executor_id()->set_value(
            "e1");
        subscribed->mutable_framework_info()->set_user("u");
        subscribed->mutable_framework_info()->set_name("n");
        subscribed->mutable_agent_info()->set_hostname("h");
        subscribed->set_heartbeat_interval_seconds(heartbeat_interval_seconds);
        subscribed->mutable_capabilities()->set_batched_updates(
            batched_updates);
        subscribed->mutable_capabilities()->set_batched_acknowledgements(true);
        stream->Write(event);
      }
    }
    absl::MutexLock lock(&mu_);
    stream_ = nullptr;
    context_ = nullptr;
    return grpc::Status::OK;
  }

  // Sends `event` on the current stream (false if there is none).
  bool Send(const Event& event) {
    absl::MutexLock lock(&mu_);
    return stream_ != nullptr && stream_->Write(event);
  }
  // Ends the current stream abruptly.
  void Break() {
    absl::MutexLock lock(&mu_);
    if (context_ != nullptr) context_->TryCancel();
  }

  std::vector<Call> calls() const {
    absl::MutexLock lock(&mu_);
    return calls_;
  }
  std::vector<Call> calls_of(Call::Type type) const {
    std::vector<Call> result;
    for (const Call& call : calls()) {
      if (call.type() == type) result.push_back(call);
    }
    return result;
  }
  // Every update received in UPDATE calls, in order.
  std::vector<mesos::TaskStatus> updates() const {
    std::vector<mesos::TaskStatus> result;
    for (const Call& call : calls_of(Call::UPDATE)) {
      result.push_back(call.update().status());
      for (const Call::Update& u : call.batched_updates())
        result.push_back(u.status());
    }
    return result;
  }
  std::string authorization() const {
    absl::MutexLock lock(&mu_);
    return authorization_;
  }
  bool WaitFor(const std::function<bool(const FakeAgent&)>& condition,
               absl::Duration timeout = absl::Seconds(10)) const {
    const absl::Time deadline = absl::Now() + timeout;
    while (!condition(*this)) {
      if (absl::Now() > deadline) return false;
      absl::SleepFor(absl::Milliseconds(2));
    }
    return true;
  }

 private:
  mutable absl::Mutex mu_;
  std::vector<Call> calls_ ABSL_GUARDED_BY(mu_);
  std::string authorization_ ABSL_GUARDED_BY(mu_);
  grpc::ServerReaderWriter<Event, Call>* stream_ ABSL_GUARDED_BY(mu_) = nullptr;
  grpc::ServerContext* context_ ABSL_GUARDED_BY(mu_) = nullptr;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
};

Event LaunchEvent(const std::string& task_id) {
  Event event;
  event.set_type(Event::LAUNCH);
  *event.mutable_launch()->mutable_task() = TestTask(task_id);
  return event;
}

Event AckEvent(const std::vector<mesos::TaskStatus>& statuses) {
  Event event;
  event.set_type(Event::ACKNOWLEDGED);
  for (size_t i = 0; i < statuses.size(); ++i) {
    Event::Acknowledged* ack = i == 0 ? event.mutable_acknowledged()
                                      : event.add_batched_acknowledgements();
    *ack->mutable_task_id() = statuses[i].task_id();
    ack->set_uuid(statuses[i].uuid());
  }
  return event;
}

class WireTest : public ::testing::Test {
 protected:
  std::unique_ptr<ExecutorDriver> StartDriver(
      const std::function<void(DriverOptions*)>& adjust = nullptr) {
    DriverOptions options;
    options.framework_id.set_value("f1");
    options.executor_id.set_value("e1");
    options.agent_id.set_value("agent-1");
    options.agent_endpoint = agent_.endpoint();
    options.checkpoint = true;
    options.subscription_backoff_initial = absl::Milliseconds(5);
    options.subscription_backoff_max = absl::Milliseconds(50);
    options.kill_process_group_on_shutdown = false;
    if (adjust) adjust(&options);
    auto driver = std::make_unique<ExecutorDriver>(&executor_, options);
    EXPECT_TRUE(driver->Start().ok());
    EXPECT_TRUE(executor_.WaitForSubscriptions(1));
    return driver;
  }

  void Launch(const std::string& task_id) {
    const size_t before = executor_.launched().size();
    ASSERT_TRUE(agent_.Send(LaunchEvent(task_id)));
    ASSERT_TRUE(executor_.WaitFor(
        [&] { return executor_.launched().size() > before; }));
  }

  FakeAgent agent_;
  RecordingExecutor executor_;
};

TEST_F(WireTest, SubscribeCarriesIdsCapabilitiesAndTheToken) {
  auto driver = StartDriver([](DriverOptions* o) { o->auth_token = "tok"; });
  const std::vector<Call> subscribes = agent_.calls_of(Call::SUBSCRIBE);
  ASSERT_EQ(subscribes.size(), 1u);
  const Call& call = subscribes[0];
  EXPECT_EQ(call.executor_id().value(), "e1");
  EXPECT_EQ(call.framework_id().value(), "f1");
  EXPECT_TRUE(call.subscribe().capabilities().batched_updates());
  EXPECT_TRUE(call.subscribe().capabilities().batched_acknowledgements());
  EXPECT_TRUE(call.subscribe().capabilities().acknowledgement_receipts());
  EXPECT_FALSE(call.has_acknowledgements_received());
  EXPECT_EQ(call.subscribe().unacknowledged_updates_size(), 0);
  EXPECT_EQ(call.subscribe().unacknowledged_tasks_size(), 0);
  EXPECT_EQ(agent_.authorization(), "Bearer tok");
  EXPECT_EQ(agent_.calls()[0].type(), Call::SUBSCRIBE);  // SUBSCRIBE first
}

TEST_F(WireTest, BatchingOffIsNotOffered) {
  auto driver =
      StartDriver([](DriverOptions* o) { o->enable_batching = false; });
  const mesos::executor::Capabilities offered =
      agent_.calls_of(Call::SUBSCRIBE)[0].subscribe().capabilities();
  EXPECT_FALSE(offered.batched_updates());
  EXPECT_FALSE(offered.batched_acknowledgements());
  EXPECT_TRUE(offered.acknowledgement_receipts());  // independent of batching
}

TEST_F(WireTest, BusyStreamCoalescesUpdatesIntoFewCallsInOrder) {
  constexpr int kUpdates = 2000;
  auto driver = StartDriver();
  Launch("t");
  for (int i = 0; i < kUpdates; ++i) {
    ASSERT_TRUE(driver
                    ->SendStatusUpdate(
                        TestStatus("t", mesos::TASK_RUNNING, absl::StrCat(i)))
                    .ok());
  }
  ASSERT_TRUE(agent_.WaitFor(
      [](const FakeAgent& a) { return a.updates().size() >= kUpdates; }));
  const std::vector<mesos::TaskStatus> updates = agent_.updates();
  ASSERT_EQ(updates.size(), static_cast<size_t>(kUpdates));
  for (int i = 0; i < kUpdates; ++i)
    EXPECT_EQ(updates[i].message(), absl::StrCat(i));
  const size_t calls = agent_.calls_of(Call::UPDATE).size();
  EXPECT_LT(calls, static_cast<size_t>(kUpdates) / 2) << "no coalescing";
  bool some_batched = false;
  for (const Call& call : agent_.calls_of(Call::UPDATE)) {
    some_batched |= call.batched_updates_size() > 0;
    // This agent did not enable receipts: none is sent.
    EXPECT_FALSE(call.has_acknowledgements_received());
  }
  EXPECT_TRUE(some_batched);
}

TEST_F(WireTest, IdleStreamSendsAnUpdateAtOnceInItsOwnCall) {
  auto driver = StartDriver();
  Launch("t");
  ASSERT_TRUE(
      driver->SendStatusUpdate(TestStatus("t", mesos::TASK_RUNNING)).ok());
  ASSERT_TRUE(
      agent_.WaitFor([](const FakeAgent& a) { return a.updates().size() == 1; },
                     absl::Seconds(2)));
  EXPECT_EQ(agent_.calls_of(Call::UPDATE)[0].batched_updates_size(), 0);
}

TEST_F(WireTest, WithoutTheAgentsConsentEveryUpdateIsItsOwnCall) {
  agent_.batched_updates = false;
  auto driver = StartDriver();
  Launch("t");
  for (int i = 0; i < 300; ++i) {
    ASSERT_TRUE(
        driver->SendStatusUpdate(TestStatus("t", mesos::TASK_RUNNING)).ok());
  }
  ASSERT_TRUE(agent_.WaitFor(
      [](const FakeAgent& a) { return a.updates().size() == 300; }));
  for (const Call& call : agent_.calls_of(Call::UPDATE)) {
    EXPECT_EQ(call.batched_updates_size(), 0);
  }
}

TEST_F(WireTest, InFlightWindowHoldsBackUpdatesUntilAcknowledged) {
  auto driver =
      StartDriver([](DriverOptions* o) { o->max_in_flight_updates = 2; });
  Launch("t");
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(driver
                    ->SendStatusUpdate(
                        TestStatus("t", mesos::TASK_RUNNING, absl::StrCat(i)))
                    .ok());
  }
  ASSERT_TRUE(agent_.WaitFor(
      [](const FakeAgent& a) { return a.updates().size() == 2; }));
  // A HEARTBEAT-free stream with nothing else to do: the window stays full.
  absl::SleepFor(absl::Milliseconds(100));
  EXPECT_EQ(agent_.updates().size(), 2u);
  ASSERT_TRUE(agent_.Send(AckEvent({agent_.updates()[0]})));
  ASSERT_TRUE(agent_.WaitFor(
      [](const FakeAgent& a) { return a.updates().size() == 3; }));
  EXPECT_EQ(agent_.updates()[2].message(), "2");
}

TEST_F(WireTest, ResubscribeCarriesUnacknowledgedUpdatesInOrderAndTasks) {
  auto driver = StartDriver();
  Launch("t1");
  Launch("t2");
  Launch("t3");
  for (const char* message : {"a", "b", "c"}) {
    ASSERT_TRUE(
        driver->SendStatusUpdate(TestStatus("t1", mesos::TASK_RUNNING, message))
            .ok());
  }
  ASSERT_TRUE(
      driver->SendStatusUpdate(TestStatus("t3", mesos::TASK_RUNNING, "d"))
          .ok());
  ASSERT_TRUE(agent_.WaitFor(
      [](const FakeAgent& a) { return a.updates().size() == 4; }));
  const std::vector<mesos::TaskStatus> sent = agent_.updates();
  // The agent acknowledges "a" (so t1 is acknowledged) and nothing else.
  ASSERT_TRUE(agent_.Send(AckEvent({sent[0]})));
  ASSERT_TRUE(executor_.WaitForAcks(1));

  agent_.Break();
  ASSERT_TRUE(executor_.WaitForSubscriptions(2));
  const std::vector<Call> subscribes = agent_.calls_of(Call::SUBSCRIBE);
  ASSERT_EQ(subscribes.size(), 2u);
  const Call::Subscribe& resubscribe = subscribes[1].subscribe();
  ASSERT_EQ(resubscribe.unacknowledged_updates_size(), 3);
  for (int i = 0; i < 3; ++i) {
    // The very same updates (same UUIDs), in original order.
    EXPECT_EQ(resubscribe.unacknowledged_updates(i).status().uuid(),
              sent[i + 1].uuid());
  }
  std::set<std::string> tasks;
  for (const mesos::TaskInfo& task : resubscribe.unacknowledged_tasks()) {
    tasks.insert(task.task_id().value());
  }
  EXPECT_EQ(tasks, (std::set<std::string>{"t2", "t3"}));
  EXPECT_EQ(executor_.resubscribed(), (std::vector<bool>{false, true}));
  // They count as delivered: no UPDATE repeats them.
  absl::SleepFor(absl::Milliseconds(50));
  EXPECT_EQ(agent_.updates().size(), 4u);
  EXPECT_EQ(driver->stats().unacknowledged, 3u);
  ASSERT_TRUE(agent_.Send(AckEvent({sent[1], sent[2], sent[3]})));
  ASSERT_TRUE(executor_.WaitForAcks(4));
  EXPECT_EQ(driver->stats().unacknowledged, 0u);
}

TEST_F(WireTest, BatchedAcknowledgementsAreAllAppliedAndStrayOnesIgnored) {
  auto driver = StartDriver();
  Launch("t");
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(
        driver->SendStatusUpdate(TestStatus("t", mesos::TASK_RUNNING)).ok());
  }
  ASSERT_TRUE(agent_.WaitFor(
      [](const FakeAgent& a) { return a.updates().size() == 3; }));
  std::vector<mesos::TaskStatus> sent = agent_.updates();
  mesos::TaskStatus stray = sent[0];
  stray.set_uuid(NewUuidBytes());
  mesos::TaskStatus wrong_task = sent[1];
  wrong_task.mutable_task_id()->set_value("other");
  ASSERT_TRUE(agent_.Send(
      AckEvent({sent[0], stray, wrong_task, sent[1], sent[2], sent[2]})));
  ASSERT_TRUE(executor_.WaitForAcks(3));
  EXPECT_EQ(driver->stats().updates_acknowledged, 3u);
  EXPECT_EQ(driver->stats().unacknowledged, 0u);
  // Once more to be sure no stray one trickles in later.
  ASSERT_TRUE(driver->Stop().ok());
  std::vector<std::string> uuids;
  for (const Ack& ack : executor_.acks()) uuids.push_back(ack.uuid);
  EXPECT_EQ(uuids, (std::vector<std::string>{sent[0].uuid(), sent[1].uuid(),
                                             sent[2].uuid()}));
}

TEST_F(WireTest, HeartbeatCallsFollowTheAdvertisedInterval) {
  agent_.heartbeat_interval_seconds = 0.05;
  auto driver = StartDriver([](DriverOptions* o) {
    // The fake agent sends no heartbeats; do not count that against it.
    o->missed_heartbeats_before_disconnect = 1000;
  });
  ASSERT_TRUE(agent_.WaitFor([](const FakeAgent& a) {
    return a.calls_of(Call::HEARTBEAT).size() >= 3;
  }));
  const Call heartbeat = agent_.calls_of(Call::HEARTBEAT)[0];
  EXPECT_EQ(heartbeat.executor_id().value(), "e1");
  EXPECT_EQ(heartbeat.framework_id().value(), "f1");
}

TEST_F(WireTest, SilentAgentIsDroppedAndResubscribed) {
  agent_.heartbeat_interval_seconds = 0.05;
  auto driver = StartDriver(
      [](DriverOptions* o) { o->missed_heartbeats_before_disconnect = 2; });
  // The fake agent never sends HEARTBEAT events.
  ASSERT_TRUE(
      executor_.WaitFor([&] { return executor_.disconnections() >= 1; }));
  ASSERT_TRUE(executor_.WaitForSubscriptions(2));
}

TEST_F(WireTest, DuplicateLaunchIsIgnored) {
  auto driver = StartDriver();
  Launch("t");
  ASSERT_TRUE(agent_.Send(LaunchEvent("t")));
  Event message;
  message.set_type(Event::MESSAGE);
  message.mutable_message()->set_data("after");
  ASSERT_TRUE(agent_.Send(message));
  ASSERT_TRUE(
      executor_.WaitFor([&] { return executor_.messages().size() == 1; }));
  EXPECT_EQ(executor_.launched().size(), 1u);
}

TEST_F(WireTest, ErrorEventAbortsTheDriverWithItsMessage) {
  auto driver = StartDriver();
  Event error;
  error.set_type(Event::ERROR);
  error.mutable_error()->set_message("framework removed");
  ASSERT_TRUE(agent_.Send(error));
  EXPECT_EQ(driver->Join(), DriverState::kAborted);
  ASSERT_EQ(executor_.errors().size(), 1u);
  EXPECT_THAT(executor_.errors()[0], HasSubstr("framework removed"));
}

TEST_F(WireTest, MessagesGoOutAsMessageCalls) {
  auto driver = StartDriver();
  ASSERT_TRUE(driver->SendMessage("hello").ok());
  ASSERT_TRUE(agent_.WaitFor([](const FakeAgent& a) {
    return a.calls_of(Call::MESSAGE).size() == 1;
  }));
  EXPECT_EQ(agent_.calls_of(Call::MESSAGE)[0].message().data(), "hello");
}

// The driver reads ACKNOWLEDGED events two ways (driver/internal/
// ack_wire_parser.h): from the bytes when they have the plain shape the
// agent core sends, through protobuf otherwise. Both reach the handler
// alike: each acknowledgement of ours once, in order, strays and
// duplicates dropped, the driver's bookkeeping updated.
TEST_F(WireTest, PlainAndOddShapedAcknowledgementsAreAppliedAlike) {
  auto driver = StartDriver();
  for (const char* task : {"task-a", "b"}) Launch(task);
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(driver
                    ->SendStatusUpdate(TestStatus(i % 2 == 0 ? "task-a" : "b",
                                                  mesos::TASK_RUNNING))
                    .ok());
  }
  ASSERT_TRUE(
      agent_.WaitFor([](const FakeAgent& a) { return a.updates().size() == 5; }));
  const std::vector<mesos::TaskStatus> sent = agent_.updates();
  auto acked = [this] {
    std::vector<std::string> keys;
    for (const Ack& ack : executor_.acks()) {
      keys.push_back(ack.task_id + "/" + ack.uuid);
    }
    return keys;
  };
  auto key = [&sent](int i) {
    return sent[i].task_id().value() + "/" + sent[i].uuid();
  };

  // Plain shape, read from the bytes: two of ours around a stray.
  mesos::TaskStatus stray = sent[1];
  stray.set_uuid(std::string(16, 's'));
  ASSERT_TRUE(agent_.Send(AckEvent({sent[0], stray, sent[1]})));
  ASSERT_TRUE(executor_.WaitForAcks(2));
  EXPECT_THAT(acked(), ElementsAre(key(0), key(1)));

  // An unknown field makes the driver parse it with protobuf: one of ours,
  // a duplicate of an acknowledged one, then another of ours.
  Event odd = AckEvent({sent[2], sent[0], sent[3]});
  odd.GetReflection()->MutableUnknownFields(&odd)->AddVarint(1000, 7);
  ASSERT_TRUE(agent_.Send(odd));
  ASSERT_TRUE(executor_.WaitForAcks(4));
  EXPECT_THAT(acked(), ElementsAre(key(0), key(1), key(2), key(3)));

  // Only strays: nothing reaches the handler; then the last one, plain.
  ASSERT_TRUE(agent_.Send(AckEvent({stray})));
  ASSERT_TRUE(agent_.Send(AckEvent({sent[4]})));
  ASSERT_TRUE(executor_.WaitForAcks(5));
  EXPECT_THAT(acked(), ElementsAre(key(0), key(1), key(2), key(3), key(4)));

  const DriverStats stats = driver->stats();
  EXPECT_EQ(stats.updates_acknowledged, 5u);
  EXPECT_EQ(stats.unacknowledged, 0u);
  ASSERT_TRUE(driver->Stop(absl::Seconds(10)).ok());
  EXPECT_EQ(executor_.acks().size(), 5u);
}

}  // namespace
}  // namespace driver_agent_test
}  // namespace executor_runtime
