#include "driver/internal/update_tracker.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "util/uuid.h"

namespace executor_runtime {
namespace driver_internal {
namespace {

StampedUpdate Update(const std::string& task, mesos::TaskState state) {
  mesos::TaskStatus status;
  status.mutable_task_id()->set_value(task);
  status.set_state(state);
  status.set_uuid(NewUuidBytes());
  StampedUpdate update;
  update.bytes = status.SerializeAsString();
  update.task_id = task;
  update.uuid = status.uuid();
  return update;
}

mesos::TaskInfo Task(const std::string& id) {
  mesos::TaskInfo task;
  task.set_name(id);
  task.mutable_task_id()->set_value(id);
  task.mutable_slave_id()->set_value("agent");
  return task;
}

std::vector<std::string> Unacked(const UpdateTracker& tracker) {
  std::vector<std::string> uuids;
  tracker.ForEachUnacknowledged(
      [&](const StampedUpdate& s) { uuids.push_back(s.uuid); });
  return uuids;
}

TEST(UpdateTrackerTest, SendsInOrderAndAcknowledgesOutOfOrder) {
  UpdateTracker tracker;
  std::vector<StampedUpdate> updates = {Update("a", mesos::TASK_RUNNING),
                                        Update("b", mesos::TASK_RUNNING),
                                        Update("a", mesos::TASK_FINISHED)};
  for (const auto& u : updates) tracker.Add(u);
  EXPECT_EQ(tracker.unacknowledged(), 3u);
  EXPECT_EQ(tracker.unsent(), 3u);

  for (const auto& u : updates) {
    const StampedUpdate* next = tracker.NextUnsent();
    ASSERT_NE(next, nullptr);
    EXPECT_EQ(next->uuid, u.uuid);
  }
  EXPECT_EQ(tracker.NextUnsent(), nullptr);
  EXPECT_EQ(tracker.in_flight(), 3u);

  EXPECT_TRUE(tracker.Acknowledge("b", updates[1].uuid));
  EXPECT_EQ(tracker.in_flight(), 2u);
  EXPECT_EQ(Unacked(tracker),
            (std::vector<std::string>{updates[0].uuid, updates[2].uuid}));
  EXPECT_TRUE(tracker.Acknowledge("a", updates[0].uuid));
  EXPECT_TRUE(tracker.Acknowledge("a", updates[2].uuid));
  EXPECT_EQ(tracker.unacknowledged(), 0u);
  EXPECT_EQ(tracker.in_flight(), 0u);
}

TEST(UpdateTrackerTest, IgnoresUnknownDuplicateAndMismatchedAcknowledgements) {
  UpdateTracker tracker;
  StampedUpdate update = Update("a", mesos::TASK_RUNNING);
  tracker.Add(update);
  EXPECT_FALSE(tracker.Acknowledge("a", NewUuidBytes()));  // unknown
  EXPECT_FALSE(tracker.Acknowledge("b", update.uuid));     // wrong task
  EXPECT_FALSE(tracker.Acknowledge("a", "short"));         // not a UUID
  EXPECT_TRUE(tracker.Acknowledge("a", update.uuid));
  EXPECT_FALSE(tracker.Acknowledge("a", update.uuid));  // duplicate
  EXPECT_EQ(tracker.unacknowledged(), 0u);
}

TEST(UpdateTrackerTest, NewStreamEitherResendsEverythingInSubscribeOrNothing) {
  UpdateTracker tracker;
  std::vector<StampedUpdate> updates;
  for (int i = 0; i < 4; ++i) {
    updates.push_back(Update("t" + std::to_string(i), mesos::TASK_RUNNING));
    tracker.Add(updates.back());
  }
  tracker.NextUnsent();
  tracker.NextUnsent();
  ASSERT_TRUE(tracker.Acknowledge("t0", updates[0].uuid));
  // Reconnect: all three unacked go in the SUBSCRIBE, in order.
  tracker.StartStreamDeliverAll();
  EXPECT_EQ(Unacked(tracker),
            (std::vector<std::string>{updates[1].uuid, updates[2].uuid,
                                      updates[3].uuid}));
  EXPECT_EQ(tracker.unsent(), 0u);
  EXPECT_EQ(tracker.in_flight(), 3u);
  EXPECT_EQ(tracker.NextUnsent(), nullptr);
  // A later update is sent normally.
  StampedUpdate later = Update("t9", mesos::TASK_RUNNING);
  tracker.Add(later);
  ASSERT_NE(tracker.NextUnsent(), nullptr);
  EXPECT_EQ(tracker.in_flight(), 4u);

  // A stream on which nothing was delivered starts from the oldest.
  tracker.StartStreamDeliverNone();
  EXPECT_EQ(tracker.in_flight(), 0u);
  EXPECT_EQ(tracker.unsent(), 4u);
  EXPECT_EQ(tracker.NextUnsent()->uuid, updates[1].uuid);
}

TEST(UpdateTrackerTest, TaskIsForgottenOnceAnyOfItsUpdatesIsAcknowledged) {
  UpdateTracker tracker;
  EXPECT_TRUE(tracker.AddTask(Task("a")));
  EXPECT_TRUE(tracker.AddTask(Task("b")));
  EXPECT_FALSE(tracker.AddTask(Task("a")));  // duplicate launch
  StampedUpdate running = Update("a", mesos::TASK_RUNNING);
  StampedUpdate finished = Update("a", mesos::TASK_FINISHED);
  tracker.Add(running);
  tracker.Add(finished);
  EXPECT_EQ(tracker.unacknowledged_tasks(), 2u);
  ASSERT_TRUE(tracker.Acknowledge("a", finished.uuid));
  std::vector<std::string> tasks;
  tracker.ForEachUnacknowledgedTask(
      [&](const mesos::TaskInfo& t) { tasks.push_back(t.task_id().value()); });
  EXPECT_EQ(tasks, std::vector<std::string>{"b"});
  // The other update of "a" stays pending.
  EXPECT_EQ(Unacked(tracker), std::vector<std::string>{running.uuid});
}

TEST(UpdateTrackerTest, ManyUpdatesStayConsistent) {
  UpdateTracker tracker;
  std::vector<StampedUpdate> updates;
  for (int i = 0; i < 10000; ++i) {
    updates.push_back(Update("t" + std::to_string(i % 7), mesos::TASK_RUNNING));
    tracker.Add(updates.back());
  }
  while (tracker.NextUnsent() != nullptr) {
  }
  // Acknowledge every other one, then the rest in reverse.
  for (size_t i = 0; i < updates.size(); i += 2) {
    ASSERT_TRUE(tracker.Acknowledge(updates[i].task_id, updates[i].uuid));
  }
  EXPECT_EQ(tracker.unacknowledged(), 5000u);
  EXPECT_EQ(tracker.in_flight(), 5000u);
  for (size_t i = updates.size() - 1; i < updates.size(); i -= 2) {
    ASSERT_TRUE(tracker.Acknowledge(updates[i].task_id, updates[i].uuid));
  }
  EXPECT_EQ(tracker.unacknowledged(), 0u);
  EXPECT_EQ(tracker.in_flight(), 0u);
  EXPECT_EQ(tracker.unsent(), 0u);
}

TEST(UpdateTrackerTest, AddBySwapHandsBackAnAcknowledgedSlotsBuffers) {
  UpdateTracker tracker;
  std::vector<StampedUpdate> sent;
  // Fill the ring's first 64 slots and acknowledge them all.
  for (int i = 0; i < 64; ++i) {
    sent.push_back(Update("t" + std::to_string(i), mesos::TASK_RUNNING));
    StampedUpdate update = sent.back();
    tracker.AddBySwap(&update);
    EXPECT_TRUE(update.bytes.empty()) << "a fresh slot has no buffers";
  }
  for (const StampedUpdate& update : sent) {
    ASSERT_TRUE(tracker.Acknowledge(update.task_id, update.uuid));
  }
  // The next update lands in the first slot again and gets its buffers
  // back, with their memory (and old contents) for the next update.
  StampedUpdate next = Update("next", mesos::TASK_FINISHED);
  const StampedUpdate copy = next;
  tracker.AddBySwap(&next);
  EXPECT_EQ(next.uuid.size(), 16u);
  EXPECT_GE(next.bytes.capacity(), sent[0].bytes.size());
  EXPECT_EQ(Unacked(tracker), std::vector<std::string>{copy.uuid});
  EXPECT_TRUE(tracker.Acknowledge("next", copy.uuid));
}

}  // namespace
}  // namespace driver_internal
}  // namespace executor_runtime
