// The status update manager over real gRPC: record once, acknowledge after
// recording (and after the journal), duplicates by UUID, resubscription with
// unacknowledged updates, batched updates and acknowledgements, messages.
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "simulator/agent_core.h"
#include "simulator/testing/test_agent.h"
#include "simulator/update_journal.h"
#include "util/uuid.h"

namespace executor_runtime {
namespace {

using mesos::executor::Call;
using mesos::executor::Event;
using testing_support::MakeTask;
using testing_support::TestAgent;
using testing_support::TestExecutor;
using testing_support::TestOptions;

constexpr absl::Duration kWait = absl::Seconds(10);

// Subscribes `executor` and launches task `task_id` on it.
void SubscribeAndLaunch(TestAgent& agent, TestExecutor& executor,
                        const std::string& task_id, bool batched = true) {
  ASSERT_TRUE(executor.Subscribe(batched, batched).has_value());
  ASSERT_TRUE(agent.core().Launch(executor.ref(), MakeTask(task_id)).ok());
  auto launch = executor.ReadSkippingHeartbeats();
  ASSERT_TRUE(launch.has_value());
  ASSERT_EQ(launch->type(), Event::LAUNCH);
}

// All acknowledgements of an ACKNOWLEDGED event, first one first.
std::vector<Event::Acknowledged> AcksOf(const Event& event) {
  std::vector<Event::Acknowledged> acks;
  if (event.type() != Event::ACKNOWLEDGED) return acks;
  acks.push_back(event.acknowledged());
  for (const auto& ack : event.batched_acknowledgements()) acks.push_back(ack);
  return acks;
}

std::optional<mesos::TaskState> LatestState(const AgentCore& core,
                                            const ExecutorRef& ref) {
  auto view = core.Executor(ref);
  if (!view.has_value() || view->tasks.empty()) return std::nullopt;
  return view->tasks[0].latest_state;
}

TEST(AgentCoreUpdatesTest, UpdateIsRecordedThenAcknowledged) {
  TestAgent agent;
  ExecutorRef ref = agent.AddExecutor();
  TestExecutor executor(agent, ref);
  SubscribeAndLaunch(agent, executor, "t1");

  const std::string uuid = NewUuidBytes();
  ASSERT_TRUE(
      executor.Write(executor.UpdateCall("t1", mesos::TASK_RUNNING, uuid)));
  auto ack = executor.ReadSkippingHeartbeats();
  ASSERT_TRUE(ack.has_value());
  ASSERT_EQ(ack->type(), Event::ACKNOWLEDGED);
  EXPECT_EQ(ack->acknowledged().task_id().value(), "t1");
  EXPECT_EQ(ack->acknowledged().uuid(), uuid);
  EXPECT_EQ(ack->batched_acknowledgements_size(), 0);

  // The ack came after the record: it is already there.
  std::vector<RecordedUpdate> updates = agent.core().Updates();
  ASSERT_EQ(updates.size(), 1u);
  EXPECT_EQ(updates[0].sequence, 1u);
  EXPECT_EQ(updates[0].executor, ref);
  EXPECT_EQ(updates[0].status.uuid(), uuid);
  EXPECT_EQ(updates[0].status.state(), mesos::TASK_RUNNING);
  EXPECT_EQ(LatestState(agent.core(), ref), mesos::TASK_RUNNING);
}

TEST(AgentCoreUpdatesTest, DuplicateUuidIsAcknowledgedAgainButRecordedOnce) {
  TestAgent agent;
  ExecutorRef ref = agent.AddExecutor();
  TestExecutor executor(agent, ref);
  SubscribeAndLaunch(agent, executor, "t1");

  const std::string uuid = NewUuidBytes();
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(
        executor.Write(executor.UpdateCall("t1", mesos::TASK_FINISHED, uuid)));
    auto ack = executor.ReadSkippingHeartbeats();
    ASSERT_TRUE(ack.has_value());
    ASSERT_EQ(ack->type(), Event::ACKNOWLEDGED);
    EXPECT_EQ(ack->acknowledged().uuid(), uuid);
  }
  EXPECT_EQ(agent.core().UpdateCount(), 1u);
  EXPECT_EQ(agent.core().Updates().size(), 1u);
}

TEST(AgentCoreUpdatesTest, PerTaskOrderAndTerminalStateIsFinal) {
  TestAgent agent;
  ExecutorRef ref = agent.AddExecutor();
  TestExecutor executor(agent, ref);
  SubscribeAndLaunch(agent, executor, "t1");
  const mesos::TaskState states[] = {mesos::TASK_STARTING, mesos::TASK_RUNNING,
                                     mesos::TASK_FINISHED, mesos::TASK_RUNNING};
  for (mesos::TaskState state : states) {
    ASSERT_TRUE(
        executor.Write(executor.UpdateCall("t1", state, NewUuidBytes())));
  }
  ASSERT_TRUE(agent.core().WaitUntil(
      [](const AgentCore& core) { return core.UpdateCount() == 4; }, kWait));
  std::vector<RecordedUpdate> updates = agent.core().Updates();
  ASSERT_EQ(updates.size(), 4u);
  for (size_t i = 0; i < updates.size(); ++i) {
    EXPECT_EQ(updates[i].status.state(), states[i]);
    EXPECT_EQ(updates[i].sequence, i + 1);
  }
  // The update after TASK_FINISHED is recorded, but the task stays finished.
  EXPECT_EQ(LatestState(agent.core(), ref), mesos::TASK_FINISHED);
}

TEST(AgentCoreUpdatesTest, BatchedUpdatesAreRecordedInOrderAndAckedInOneEvent) {
  TestAgent agent;
  ExecutorRef ref = agent.AddExecutor();
  TestExecutor executor(agent, ref);
  SubscribeAndLaunch(agent, executor, "t1");

  std::vector<std::string> uuids;
  for (int i = 0; i < 5; ++i) uuids.push_back(NewUuidBytes());
  Call call = executor.UpdateCall("t1", mesos::TASK_STARTING, uuids[0]);
  for (int i = 1; i < 5; ++i) {
    *call.add_batched_updates()->mutable_status() = executor.Status(
        "t1", i == 4 ? mesos::TASK_FINISHED : mesos::TASK_RUNNING, uuids[i]);
  }
  *call.add_batched_updates()->mutable_status() =
      executor.Status("t1", mesos::TASK_RUNNING, uuids[1]);  // A duplicate.
  ASSERT_TRUE(executor.Write(call));

  auto event = executor.ReadSkippingHeartbeats();
  ASSERT_TRUE(event.has_value());
  std::vector<Event::Acknowledged> acks = AcksOf(*event);
  ASSERT_EQ(acks.size(), 6u);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(acks[i].uuid(), uuids[i]);
  EXPECT_EQ(acks[5].uuid(), uuids[1]);

  std::vector<RecordedUpdate> updates = agent.core().Updates();
  ASSERT_EQ(updates.size(), 5u);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(updates[i].status.uuid(), uuids[i]);
  EXPECT_EQ(LatestState(agent.core(), ref), mesos::TASK_FINISHED);
}

TEST(AgentCoreUpdatesTest, WithoutBatchedAcksEachAckIsItsOwnEvent) {
  AgentOptions options = TestOptions();
  TestAgent agent(options);
  ExecutorRef ref = agent.AddExecutor();
  TestExecutor executor(agent, ref);
  // Batched updates, but not batched acknowledgements.
  ASSERT_TRUE(executor.Subscribe(true, false).has_value());
  ASSERT_TRUE(agent.core().Launch(ref, MakeTask("t1")).ok());
  ASSERT_EQ(executor.ReadSkippingHeartbeats()->type(), Event::LAUNCH);

  Call call = executor.UpdateCall("t1", mesos::TASK_RUNNING, NewUuidBytes());
  for (int i = 0; i < 3; ++i) {
    *call.add_batched_updates()->mutable_status() =
        executor.Status("t1", mesos::TASK_RUNNING, NewUuidBytes());
  }
  ASSERT_TRUE(executor.Write(call));
  for (int i = 0; i < 4; ++i) {
    auto event = executor.ReadSkippingHeartbeats();
    ASSERT_TRUE(event.has_value());
    ASSERT_EQ(event->type(), Event::ACKNOWLEDGED);
    EXPECT_EQ(event->batched_acknowledgements_size(), 0);
  }
}

TEST(AgentCoreUpdatesTest, ManyUpdatesInFlightAreAllAcknowledged) {
  TestAgent agent;
  ExecutorRef ref = agent.AddExecutor();
  TestExecutor executor(agent, ref);
  SubscribeAndLaunch(agent, executor, "t1");

  // Separate UPDATE calls written back to back: acknowledgements that queue
  // behind a write in flight may be merged, but every one arrives, once.
  constexpr int kUpdates = 2000;
  std::vector<std::string> uuids;
  for (int i = 0; i < kUpdates; ++i) {
    uuids.push_back(NewUuidBytes());
    ASSERT_TRUE(executor.Write(
        executor.UpdateCall("t1", mesos::TASK_RUNNING, uuids[i])));
  }
  std::vector<std::string> acked;
  int events = 0;
  while (acked.size() < kUpdates) {
    auto event = executor.ReadSkippingHeartbeats();
    ASSERT_TRUE(event.has_value());
    ++events;
    for (const auto& ack : AcksOf(*event)) acked.push_back(ack.uuid());
  }
  EXPECT_EQ(acked, uuids);
  EXPECT_LE(events, kUpdates);
  EXPECT_EQ(agent.core().UpdateCount(), static_cast<size_t>(kUpdates));
}

TEST(AgentCoreUpdatesTest, ResubscriptionRecordsAndAcksUnacknowledgedUpdates) {
  TestAgent agent;
  ExecutorRef ref = agent.AddExecutor();
  const std::string recorded_uuid = NewUuidBytes();
  {
    TestExecutor executor(agent, ref);
    SubscribeAndLaunch(agent, executor, "t1");
    ASSERT_TRUE(executor.Write(
        executor.UpdateCall("t1", mesos::TASK_RUNNING, recorded_uuid)));
    ASSERT_EQ(executor.ReadSkippingHeartbeats()->type(), Event::ACKNOWLEDGED);
  }
  // The driver lost that ack, and also has an update never sent, and a task
  // the agent never heard of (launched before an agent restart).
  TestExecutor executor(agent, ref);
  Call subscribe = executor.SubscribeCall();
  const std::string new_uuid = NewUuidBytes();
  *subscribe.mutable_subscribe()
       ->add_unacknowledged_updates()
       ->mutable_status() =
      executor.Status("t1", mesos::TASK_RUNNING, recorded_uuid);
  *subscribe.mutable_subscribe()
       ->add_unacknowledged_updates()
       ->mutable_status() =
      executor.Status("t1", mesos::TASK_FINISHED, new_uuid);
  *subscribe.mutable_subscribe()->add_unacknowledged_tasks() = MakeTask("t2");
  ASSERT_TRUE(executor.Write(subscribe));

  auto event = executor.ReadSkippingHeartbeats();
  ASSERT_TRUE(event.has_value());
  ASSERT_EQ(event->type(), Event::SUBSCRIBED);
  std::vector<Event::Acknowledged> acks;
  while (acks.size() < 2) {
    event = executor.ReadSkippingHeartbeats();
    ASSERT_TRUE(event.has_value());
    ASSERT_EQ(event->type(), Event::ACKNOWLEDGED);
    for (const auto& ack : AcksOf(*event)) acks.push_back(ack);
  }
  EXPECT_EQ(acks[0].uuid(), recorded_uuid);
  EXPECT_EQ(acks[1].uuid(), new_uuid);

  std::vector<RecordedUpdate> updates = agent.core().Updates();
  ASSERT_EQ(updates.size(), 2u);
  EXPECT_EQ(updates[1].status.uuid(), new_uuid);
  auto view = agent.core().Executor(ref);
  EXPECT_EQ(view->subscriptions, 2);
  ASSERT_EQ(view->tasks.size(), 2u);
  EXPECT_EQ(view->tasks[0].latest_state, mesos::TASK_FINISHED);
  EXPECT_EQ(view->tasks[1].task.task_id().value(), "t2");
  // The learned task is known now: a second launch of it is refused.
  EXPECT_EQ(agent.core().Launch(ref, MakeTask("t2")).code(),
            absl::StatusCode::kAlreadyExists);
}

// Writes SUBSCRIBE listing `unacknowledged` (task "t1") and reads SUBSCRIBED
// and one acknowledgement per listed update, in order.
void Resubscribe(TestExecutor& executor,
                 const std::vector<std::string>& unacknowledged) {
  Call subscribe = executor.SubscribeCall();
  for (const std::string& uuid : unacknowledged) {
    *subscribe.mutable_subscribe()
         ->add_unacknowledged_updates()
         ->mutable_status() = executor.Status("t1", mesos::TASK_RUNNING, uuid);
  }
  ASSERT_TRUE(executor.Write(subscribe));
  auto event = executor.ReadSkippingHeartbeats();
  ASSERT_TRUE(event.has_value());
  ASSERT_EQ(event->type(), Event::SUBSCRIBED);
  std::vector<std::string> acked;
  while (acked.size() < unacknowledged.size()) {
    event = executor.ReadSkippingHeartbeats();
    ASSERT_TRUE(event.has_value());
    for (const auto& ack : AcksOf(*event)) acked.push_back(ack.uuid());
  }
  EXPECT_EQ(acked, unacknowledged);
}

size_t RememberedUuids(const AgentCore& core, const ExecutorRef& ref) {
  return core.Executor(ref)->remembered_update_uuids;
}

TEST(AgentCoreUpdatesTest, RetransmissionsAfterStreamBreaksAreRecordedOnce) {
  TestAgent agent;
  ExecutorRef ref = agent.AddExecutor();
  const std::string lost = NewUuidBytes();  // Its ack never arrives.
  {
    TestExecutor executor(agent, ref);
    SubscribeAndLaunch(agent, executor, "t1");
    agent.core().SetAckMode(AckMode::kDrop);
    ASSERT_TRUE(
        executor.Write(executor.UpdateCall("t1", mesos::TASK_RUNNING, lost)));
    ASSERT_TRUE(agent.core().WaitUntil(
        [](const AgentCore& core) { return core.UpdateCount() == 1; }, kWait));
    agent.core().BreakStreams(ref);
    EXPECT_EQ(executor.ReadToEnd().error_code(), grpc::StatusCode::UNAVAILABLE);
  }
  agent.core().SetAckMode(AckMode::kNormal);
  // Resubscribe twice listing it (the first ack was lost again): it is
  // acknowledged each time and still recorded once.
  for (int i = 0; i < 2; ++i) {
    TestExecutor executor(agent, ref);
    Resubscribe(executor, {lost});
    EXPECT_EQ(agent.core().UpdateCount(), 1u);
    EXPECT_EQ(RememberedUuids(agent.core(), ref), 1u);
    executor.Cancel();
  }
  // Acknowledged at last: the next SUBSCRIBE does not list it, and the one
  // after forgets it (one subscription of slack, see seen_uuids.h).
  for (int i = 0; i < 2; ++i) {
    TestExecutor executor(agent, ref);
    Resubscribe(executor, {});
    executor.Cancel();
  }
  EXPECT_EQ(RememberedUuids(agent.core(), ref), 0u);
  EXPECT_EQ(agent.core().UpdateCount(), 1u);
}

TEST(AgentCoreUpdatesTest, RememberedUuidsStayBoundedWithReconnects) {
  AgentOptions options = TestOptions();
  options.update_history_limit = 16;
  TestAgent agent(options);
  ExecutorRef ref = agent.AddExecutor();
  constexpr int kRounds = 12;
  constexpr int kCallsPerRound = 10;
  constexpr int kBatch = 500;  // 60,000 updates in all.
  std::vector<std::string> uuids(kBatch);
  bool launched = false;
  for (int round = 0; round < kRounds; ++round) {
    TestExecutor executor(agent, ref);
    if (!launched) {
      SubscribeAndLaunch(agent, executor, "t1");
      launched = true;
    } else {
      Resubscribe(executor, {});
    }
    for (int c = 0; c < kCallsPerRound; ++c) {
      for (std::string& uuid : uuids) uuid = NewUuidBytes();
      Call call = executor.UpdateCall("t1", mesos::TASK_RUNNING, uuids[0]);
      for (int i = 1; i < kBatch; ++i) {
        *call.add_batched_updates()->mutable_status() =
            executor.Status("t1", mesos::TASK_RUNNING, uuids[i]);
      }
      ASSERT_TRUE(executor.Write(call));
      size_t acked = 0;
      while (acked < uuids.size()) {
        auto event = executor.ReadSkippingHeartbeats();
        ASSERT_TRUE(event.has_value());
        acked += AcksOf(*event).size();
      }
    }
    // A retransmission within the stream is still recognized.
    ASSERT_TRUE(executor.Write(
        executor.UpdateCall("t1", mesos::TASK_RUNNING, uuids[0])));
    ASSERT_EQ(executor.ReadSkippingHeartbeats()->type(), Event::ACKNOWLEDGED);
    EXPECT_EQ(agent.core().UpdateCount(),
              static_cast<size_t>((round + 1) * kCallsPerRound * kBatch));
    // At most this subscription's and the previous one's.
    EXPECT_LE(RememberedUuids(agent.core(), ref),
              static_cast<size_t>(2 * kCallsPerRound * kBatch));
    executor.Cancel();
  }
  std::vector<RecordedUpdate> kept = agent.core().Updates();
  ASSERT_EQ(kept.size(), 16u);
  EXPECT_EQ(kept.back().sequence,
            static_cast<uint64_t>(kRounds * kCallsPerRound * kBatch));
  EXPECT_EQ(kept.back().status.uuid(), uuids.back());
  for (size_t i = 1; i < kept.size(); ++i) {
    EXPECT_EQ(kept[i].sequence, kept[i - 1].sequence + 1);
  }
}

TEST(AgentCoreUpdatesTest, ListenersSeeEveryUpdateOnceInOrder) {
  TestAgent agent;
  ExecutorRef ref = agent.AddExecutor();
  absl::Mutex mu;
  std::vector<uint64_t> seen;
  int id = agent.core().AddUpdateListener([&](const RecordedUpdate& update) {
    absl::MutexLock lock(&mu);
    seen.push_back(update.sequence);
  });
  TestExecutor executor(agent, ref);
  SubscribeAndLaunch(agent, executor, "t1");
  const std::string uuid = NewUuidBytes();
  ASSERT_TRUE(
      executor.Write(executor.UpdateCall("t1", mesos::TASK_RUNNING, uuid)));
  ASSERT_TRUE(
      executor.Write(executor.UpdateCall("t1", mesos::TASK_RUNNING, uuid)));
  ASSERT_TRUE(executor.Write(
      executor.UpdateCall("t1", mesos::TASK_FINISHED, NewUuidBytes())));
  // Three acknowledgements, in two or three events (acks queued behind a
  // write in flight are merged).
  size_t acked = 0;
  while (acked < 3) {
    std::optional<Event> event = executor.ReadSkippingHeartbeats();
    ASSERT_TRUE(event.has_value());
    ASSERT_EQ(event->type(), Event::ACKNOWLEDGED);
    acked += AcksOf(*event).size();
  }
  EXPECT_EQ(acked, 3u);
  {
    absl::MutexLock lock(&mu);
    EXPECT_EQ(seen, (std::vector<uint64_t>{1, 2}));
  }
  agent.core().RemoveUpdateListener(id);
  ASSERT_TRUE(executor.Write(
      executor.UpdateCall("t1", mesos::TASK_FINISHED, NewUuidBytes())));
  ASSERT_EQ(executor.ReadSkippingHeartbeats()->type(), Event::ACKNOWLEDGED);
  absl::MutexLock lock(&mu);
  EXPECT_EQ(seen.size(), 2u);
}

TEST(AgentCoreUpdatesTest, HistoryLimitKeepsTheNewestButCountsAll) {
  AgentOptions options = TestOptions();
  options.update_history_limit = 2;
  TestAgent agent(options);
  ExecutorRef ref = agent.AddExecutor();
  TestExecutor executor(agent, ref);
  SubscribeAndLaunch(agent, executor, "t1");
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(executor.Write(
        executor.UpdateCall("t1", mesos::TASK_RUNNING, NewUuidBytes())));
    ASSERT_EQ(executor.ReadSkippingHeartbeats()->type(), Event::ACKNOWLEDGED);
  }
  EXPECT_EQ(agent.core().UpdateCount(), 5u);
  std::vector<RecordedUpdate> updates = agent.core().Updates();
  ASSERT_EQ(updates.size(), 2u);
  EXPECT_EQ(updates[0].sequence, 4u);
  EXPECT_EQ(updates[1].sequence, 5u);
}

TEST(AgentCoreUpdatesTest, MessageHistoryKeepsTheNewestAndKeepsCounting) {
  AgentOptions options = TestOptions();
  options.message_history_limit = 2;
  TestAgent agent(options);
  ExecutorRef ref = agent.AddExecutor();
  TestExecutor executor(agent, ref);
  ASSERT_TRUE(executor.Subscribe().has_value());
  for (int i = 1; i <= 5; ++i) {
    ASSERT_TRUE(executor.Write(executor.MessageCall(std::to_string(i))));
  }
  ASSERT_TRUE(agent.core().WaitUntil(
      [](const AgentCore& core) {
        const std::vector<RecordedMessage> kept = core.Messages();
        return !kept.empty() && kept.back().sequence == 5;
      },
      kWait));
  std::vector<RecordedMessage> messages = agent.core().Messages();
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_EQ(messages[0].sequence, 4u);
  EXPECT_EQ(messages[0].data, "4");
  EXPECT_EQ(messages[1].sequence, 5u);
  EXPECT_EQ(messages[1].data, "5");
}

TEST(AgentCoreUpdatesTest, MessagesAndHeartbeatCallsAreRecorded) {
  TestAgent agent;
  ExecutorRef ref = agent.AddExecutor();
  TestExecutor executor(agent, ref);
  ASSERT_TRUE(executor.Subscribe().has_value());
  ASSERT_TRUE(
      executor.Write(executor.MessageCall(std::string("hi\0there", 8))));
  ASSERT_TRUE(executor.Write(executor.HeartbeatCall()));
  ASSERT_TRUE(executor.Write(executor.MessageCall("second")));
  ASSERT_TRUE(agent.core().WaitUntil(
      [](const AgentCore& core) { return core.Messages().size() == 2; },
      kWait));
  std::vector<RecordedMessage> messages = agent.core().Messages();
  EXPECT_EQ(messages[0].sequence, 1u);
  EXPECT_EQ(messages[0].data, std::string("hi\0there", 8));
  EXPECT_EQ(messages[0].executor, ref);
  EXPECT_EQ(messages[1].data, "second");
  EXPECT_EQ(agent.core().Executor(ref)->heartbeat_calls, 1u);
}

// ---- Recovery ---------------------------------------------------------------

TEST(AgentCoreRecoveryTest, RestoredTasksAndUpdatesCarryOverARestart) {
  TestAgent agent;
  ExecutorRef ref = agent.AddExecutor();
  ASSERT_TRUE(
      agent.core().RestoreTask(ref, MakeTask("t1"), mesos::TASK_RUNNING).ok());
  EXPECT_EQ(agent.core().RestoreTask(ref, MakeTask("t1")).code(),
            absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(
      agent.core().RestoreTask(ExecutorRef{"f1", "zz"}, MakeTask("t9")).code(),
      absl::StatusCode::kNotFound);

  const std::string old_uuid = NewUuidBytes();
  RecordedUpdate old;
  old.sequence = 7;
  old.executor = ref;
  old.status =
      testing_support::MakeStatus(ref, "t1", mesos::TASK_RUNNING, old_uuid);
  RecordedUpdate bad = old;
  bad.status.set_uuid("short");
  EXPECT_EQ(agent.core().RestoreUpdates({bad}).code(),
            absl::StatusCode::kInvalidArgument);
  ASSERT_TRUE(agent.core().RestoreUpdates({old}).ok());
  EXPECT_EQ(agent.core().UpdateCount(), 7u);

  TestExecutor executor(agent, ref);
  ASSERT_TRUE(executor.Subscribe().has_value());
  // The retransmission of a restored update: acknowledged, not recorded.
  ASSERT_TRUE(
      executor.Write(executor.UpdateCall("t1", mesos::TASK_RUNNING, old_uuid)));
  auto ack = executor.ReadSkippingHeartbeats();
  ASSERT_TRUE(ack.has_value());
  EXPECT_EQ(ack->acknowledged().uuid(), old_uuid);
  EXPECT_EQ(agent.core().UpdateCount(), 7u);
  // A new update of the restored task is accepted and numbered after it.
  ASSERT_TRUE(executor.Write(
      executor.UpdateCall("t1", mesos::TASK_FINISHED, NewUuidBytes())));
  ASSERT_EQ(executor.ReadSkippingHeartbeats()->type(), Event::ACKNOWLEDGED);
  std::vector<RecordedUpdate> updates = agent.core().Updates();
  ASSERT_EQ(updates.size(), 2u);
  EXPECT_EQ(updates[0].sequence, 7u);
  EXPECT_EQ(updates[1].sequence, 8u);
  EXPECT_EQ(LatestState(agent.core(), ref), mesos::TASK_FINISHED);
}

// ---- The journal (persistence hook) ---------------------------------------

class FakeJournal : public UpdateJournal {
 public:
  absl::Status Append(absl::Span<const RecordedUpdate> updates) override {
    absl::MutexLock lock(&mu_);
    if (!fail_.ok()) return fail_;
    for (const RecordedUpdate& update : updates) appended_.push_back(update);
    return absl::OkStatus();
  }
  void FailWith(absl::Status status) {
    absl::MutexLock lock(&mu_);
    fail_ = std::move(status);
  }
  std::vector<RecordedUpdate> appended() {
    absl::MutexLock lock(&mu_);
    return appended_;
  }

 private:
  absl::Mutex mu_;
  absl::Status fail_ ABSL_GUARDED_BY(mu_);
  std::vector<RecordedUpdate> appended_ ABSL_GUARDED_BY(mu_);
};

TEST(AgentCoreJournalTest, UpdatesAreJournaledOnceBeforeTheAck) {
  auto journal = std::make_shared<FakeJournal>();
  AgentOptions options = TestOptions();
  options.journal = journal;
  TestAgent agent(options);
  ExecutorRef ref = agent.AddExecutor();
  TestExecutor executor(agent, ref);
  SubscribeAndLaunch(agent, executor, "t1");
  const std::string uuid = NewUuidBytes();
  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE(
        executor.Write(executor.UpdateCall("t1", mesos::TASK_RUNNING, uuid)));
    ASSERT_EQ(executor.ReadSkippingHeartbeats()->type(), Event::ACKNOWLEDGED);
    // Already in the journal when the ack arrives.
    std::vector<RecordedUpdate> appended = journal->appended();
    ASSERT_EQ(appended.size(), 1u);
    EXPECT_EQ(appended[0].status.uuid(), uuid);
    EXPECT_EQ(appended[0].sequence, 1u);
  }
}

TEST(AgentCoreJournalTest, FailedAppendMeansNoRecordNoAckAndARetryWorks) {
  auto journal = std::make_shared<FakeJournal>();
  AgentOptions options = TestOptions();
  options.journal = journal;
  TestAgent agent(options);
  ExecutorRef ref = agent.AddExecutor();
  const std::string uuid = NewUuidBytes();
  {
    TestExecutor executor(agent, ref);
    SubscribeAndLaunch(agent, executor, "t1");
    journal->FailWith(absl::DataLossError("disk full"));
    ASSERT_TRUE(
        executor.Write(executor.UpdateCall("t1", mesos::TASK_RUNNING, uuid)));
    grpc::Status status = executor.ReadToEnd();  // No ACKNOWLEDGED first.
    EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
    EXPECT_EQ(status.error_message(),
              "the agent could not persist 1 status update(s): disk full");
    EXPECT_EQ(agent.core().UpdateCount(), 0u);
  }
  // The driver resubscribes with the update; now it is recorded and acked.
  journal->FailWith(absl::OkStatus());
  TestExecutor executor(agent, ref);
  Call subscribe = executor.SubscribeCall();
  *subscribe.mutable_subscribe()
       ->add_unacknowledged_updates()
       ->mutable_status() = executor.Status("t1", mesos::TASK_RUNNING, uuid);
  ASSERT_TRUE(executor.Write(subscribe));
  ASSERT_EQ(executor.ReadSkippingHeartbeats()->type(), Event::SUBSCRIBED);
  auto ack = executor.ReadSkippingHeartbeats();
  ASSERT_TRUE(ack.has_value());
  ASSERT_EQ(ack->type(), Event::ACKNOWLEDGED);
  EXPECT_EQ(ack->acknowledged().uuid(), uuid);
  EXPECT_EQ(agent.core().UpdateCount(), 1u);
  EXPECT_EQ(journal->appended().size(), 1u);
}

}  // namespace
}  // namespace executor_runtime
