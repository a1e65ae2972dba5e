// Byte-level compatibility with Mesos. Each expected byte string is written
// out by hand from the field numbers and wire types in
// reference/mesos-executor-facts.md (tag byte = field_number << 3 | wire
// type; 0 = varint, 1 = 64-bit, 2 = length-delimited), not produced by our
// encoder. A renumbered field or a changed type changes the bytes and fails.
#include <cstring>
#include <string>

#include "api/executor/executor.pb.h"
#include "api/mesos/internal/messages.pb.h"
#include "api/mesos/mesos.pb.h"
#include "gtest/gtest.h"

namespace {

std::string Bytes(std::initializer_list<int> bytes) {
  std::string out;
  for (int b : bytes) out.push_back(static_cast<char>(b));
  return out;
}

// 16 bytes 0x00..0x0f, as a UUID.
std::string Uuid() {
  std::string uuid;
  for (int i = 0; i < 16; ++i) uuid.push_back(static_cast<char>(i));
  return uuid;
}

template <typename Message>
void ExpectEncodesTo(const Message& message, const std::string& expected) {
  std::string actual;
  ASSERT_TRUE(message.SerializePartialToString(&actual));
  EXPECT_EQ(actual, expected) << message.ShortDebugString();
  // And Mesos's bytes parse back to the same message.
  Message parsed;
  ASSERT_TRUE(parsed.ParsePartialFromString(expected));
  EXPECT_EQ(parsed.SerializePartialAsString(), actual);
}

TEST(WireBytesTest, TaskId) {
  mesos::TaskID id;
  id.set_value("t1");
  // field 1, length-delimited: 0x0a, length 2, "t1".
  ExpectEncodesTo(id, Bytes({0x0a, 0x02, 't', '1'}));
}

TEST(WireBytesTest, TaskStatusWithUuidSourceAndTimestamp) {
  mesos::TaskStatus status;
  status.mutable_task_id()->set_value("t1");
  status.set_state(mesos::TASK_RUNNING);
  status.set_timestamp(1.0);
  status.set_source(mesos::TaskStatus::SOURCE_EXECUTOR);
  status.set_uuid(Uuid());
  std::string expected = Bytes({
      0x0a, 0x04, 0x0a, 0x02, 't', '1',  // task_id = 1
      0x10, 0x01,                        // state = 2, TASK_RUNNING = 1
      // timestamp = 6, 64-bit: (6 << 3) | 1 = 0x31, 1.0 little-endian.
      0x31, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xf0, 0x3f,
      0x48, 0x02,  // source = 9: (9 << 3) | 0 = 0x48, SOURCE_EXECUTOR = 2
      0x5a, 0x10,  // uuid = 11: (11 << 3) | 2 = 0x5a, 16 bytes
  });
  expected += Uuid();
  ExpectEncodesTo(status, expected);
}

TEST(WireBytesTest, TaskStatusReasonAndStagingValue) {
  mesos::TaskStatus status;
  status.mutable_task_id()->set_value("t");
  status.set_state(mesos::TASK_STAGING);
  status.set_reason(mesos::TaskStatus::REASON_SLAVE_RESTARTED);
  ExpectEncodesTo(status, Bytes({
                              0x0a, 0x03, 0x0a, 0x01, 't',  // task_id
                              0x10, 0x06,  // state = 2, TASK_STAGING = 6
                              0x50, 0x0c,  // reason = 10, SLAVE_RESTARTED = 12
                          }));
}

TEST(WireBytesTest, CallUpdate) {
  mesos::executor::Call call;
  call.mutable_executor_id()->set_value("e");
  call.mutable_framework_id()->set_value("f");
  call.set_type(mesos::executor::Call::UPDATE);
  mesos::TaskStatus* status = call.mutable_update()->mutable_status();
  status->mutable_task_id()->set_value("t");
  status->set_state(mesos::TASK_FINISHED);
  ExpectEncodesTo(call, Bytes({
                            0x0a, 0x03, 0x0a, 0x01, 'e',  // executor_id = 1
                            0x12, 0x03, 0x0a, 0x01, 'f',  // framework_id = 2
                            0x18, 0x02,                   // type = 3, UPDATE
                            0x2a, 0x09,                   // update = 5
                            0x0a, 0x07,                   //   status = 1
                            0x0a, 0x03, 0x0a, 0x01, 't',  //     task_id
                            0x10, 0x02,                   //     FINISHED
                        }));
}

TEST(WireBytesTest, CallMessageDataIsFieldTwo) {
  mesos::executor::Call call;
  call.mutable_executor_id()->set_value("e");
  call.mutable_framework_id()->set_value("f");
  call.set_type(mesos::executor::Call::MESSAGE);
  call.mutable_message()->set_data("hi");
  ExpectEncodesTo(call, Bytes({
                            0x0a, 0x03, 0x0a, 0x01, 'e',  //
                            0x12, 0x03, 0x0a, 0x01, 'f',  //
                            0x18, 0x03,                   // type MESSAGE = 3
                            0x32, 0x04,                   // message = 6
                            0x12, 0x02, 'h', 'i',         //   data = 2 (not 1)
                        }));
}

TEST(WireBytesTest, CallSubscribeWithUnacknowledgedTask) {
  mesos::executor::Call call;
  call.mutable_executor_id()->set_value("e");
  call.mutable_framework_id()->set_value("f");
  call.set_type(mesos::executor::Call::SUBSCRIBE);
  mesos::TaskInfo* task = call.mutable_subscribe()->add_unacknowledged_tasks();
  task->set_name("n");
  task->mutable_task_id()->set_value("t");
  task->mutable_slave_id()->set_value("s");
  ExpectEncodesTo(call, Bytes({
                            0x0a, 0x03, 0x0a, 0x01, 'e',  //
                            0x12, 0x03, 0x0a, 0x01, 'f',  //
                            0x18, 0x01,                   // SUBSCRIBE = 1
                            0x22, 0x0f,                   // subscribe = 4
                            0x0a, 0x0d,                   //   tasks = 1
                            0x0a, 0x01, 'n',              //     name = 1
                            0x12, 0x03, 0x0a, 0x01, 't',  //     task_id = 2
                            0x1a, 0x03, 0x0a, 0x01, 's',  //     slave_id = 3
                        }));
}

TEST(WireBytesTest, EventAcknowledged) {
  mesos::executor::Event event;
  event.set_type(mesos::executor::Event::ACKNOWLEDGED);
  event.mutable_acknowledged()->mutable_task_id()->set_value("t");
  event.mutable_acknowledged()->set_uuid(Uuid());
  std::string expected = Bytes({
      0x08, 0x04,                   // type = 1, ACKNOWLEDGED = 4
      0x1a, 0x17,                   // acknowledged = 3, 23 bytes
      0x0a, 0x03, 0x0a, 0x01, 't',  //   task_id = 1
      0x12, 0x10,                   //   uuid = 2, 16 bytes
  });
  expected += Uuid();
  ExpectEncodesTo(event, expected);
}

TEST(WireBytesTest, EventKillWithPolicy) {
  mesos::executor::Event event;
  event.set_type(mesos::executor::Event::KILL);
  event.mutable_kill()->mutable_task_id()->set_value("t");
  event.mutable_kill()->mutable_kill_policy()->mutable_grace_period()->set_nanoseconds(1);
  ExpectEncodesTo(event, Bytes({
                             0x08, 0x03,                   // KILL = 3
                             0x2a, 0x0b,                   // kill = 5
                             0x0a, 0x03, 0x0a, 0x01, 't',  //   task_id = 1
                             0x12, 0x04,                   //   kill_policy = 2
                             0x0a, 0x02, 0x08, 0x01,       //     grace = 1 {ns=1}
                         }));
}

TEST(WireBytesTest, EventShutdownAndHeartbeatTypes) {
  mesos::executor::Event event;
  event.set_type(mesos::executor::Event::SHUTDOWN);
  ExpectEncodesTo(event, Bytes({0x08, 0x07}));
  event.set_type(mesos::executor::Event::HEARTBEAT);
  ExpectEncodesTo(event, Bytes({0x08, 0x09}));
  event.set_type(mesos::executor::Event::LAUNCH_GROUP);
  ExpectEncodesTo(event, Bytes({0x08, 0x08}));
}

TEST(WireBytesTest, ExtensionsUseFieldNumbersFromOneHundred) {
  mesos::executor::Call call;
  call.mutable_executor_id()->set_value("e");
  call.mutable_framework_id()->set_value("f");
  call.add_batched_updates()->mutable_status()->mutable_task_id()->set_value("t");
  call.mutable_batched_updates(0)->mutable_status()->set_state(mesos::TASK_RUNNING);
  // batched_updates = 100: (100 << 3) | 2 = 802 = varint 0xa2 0x06.
  ExpectEncodesTo(call, Bytes({
                            0x0a, 0x03, 0x0a, 0x01, 'e',  //
                            0x12, 0x03, 0x0a, 0x01, 'f',  //
                            0xa2, 0x06, 0x09,             // batched_updates
                            0x0a, 0x07,                   //   status
                            0x0a, 0x03, 0x0a, 0x01, 't',  //
                            0x10, 0x01,                   //
                        }));

  mesos::executor::Event::Subscribed subscribed;
  subscribed.set_heartbeat_interval_seconds(1.0);
  subscribed.mutable_capabilities()->set_batched_updates(true);
  // heartbeat_interval_seconds = 100, 64-bit: 801 = 0xa1 0x06;
  // capabilities = 101: 810 = 0xaa 0x06.
  ExpectEncodesTo(subscribed,
                  Bytes({0xa1, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xf0,
                         0x3f, 0xaa, 0x06, 0x02, 0x08, 0x01}));
}

TEST(WireBytesTest, LegacyAcknowledgement) {
  mesos::internal::StatusUpdateAcknowledgementMessage ack;
  ack.mutable_slave_id()->set_value("s");
  ack.mutable_framework_id()->set_value("f");
  ack.mutable_task_id()->set_value("t");
  ack.set_uuid("u");
  ExpectEncodesTo(ack, Bytes({
                           0x0a, 0x03, 0x0a, 0x01, 's',  // slave_id = 1
                           0x12, 0x03, 0x0a, 0x01, 'f',  // framework_id = 2
                           0x1a, 0x03, 0x0a, 0x01, 't',  // task_id = 3
                           0x22, 0x01, 'u',              // uuid = 4
                       }));
}

TEST(WireBytesTest, LegacyStatusUpdateMessage) {
  mesos::internal::StatusUpdateMessage message;
  mesos::internal::StatusUpdate* update = message.mutable_update();
  update->mutable_framework_id()->set_value("f");
  update->mutable_executor_id()->set_value("e");
  update->mutable_slave_id()->set_value("s");
  update->mutable_status()->mutable_task_id()->set_value("t");
  update->mutable_status()->set_state(mesos::TASK_RUNNING);
  update->set_timestamp(1.0);
  update->set_uuid("u");
  update->set_latest_state(mesos::TASK_RUNNING);
  ExpectEncodesTo(message, Bytes({
                               0x0a, 0x26,                   // update = 1 (38 bytes)
                               0x0a, 0x03, 0x0a, 0x01, 'f',  // framework_id = 1
                               0x12, 0x03, 0x0a, 0x01, 'e',  // executor_id = 2
                               0x1a, 0x03, 0x0a, 0x01, 's',  // slave_id = 3
                               0x22, 0x07,                   // status = 4
                               0x0a, 0x03, 0x0a, 0x01, 't',  //
                               0x10, 0x01,                   //
                               0x29, 0x00, 0x00, 0x00, 0x00,  // timestamp = 5
                               0x00, 0x00, 0xf0, 0x3f,        //   (64-bit)
                               0x32, 0x01, 'u',              // uuid = 6
                               0x38, 0x01,                   // latest_state = 7
                           }));
}

TEST(WireBytesTest, LegacyRunTaskMessage) {
  mesos::internal::RunTaskMessage run;
  run.mutable_framework()->set_user("u");
  run.mutable_framework()->set_name("n");
  run.mutable_task()->set_name("n");
  run.mutable_task()->mutable_task_id()->set_value("t");
  run.mutable_task()->mutable_slave_id()->set_value("s");
  ExpectEncodesTo(run, Bytes({
                           0x12, 0x06,                   // framework = 2
                           0x0a, 0x01, 'u',              //   user = 1
                           0x12, 0x01, 'n',              //   name = 2
                           0x22, 0x0d,                   // task = 4
                           0x0a, 0x01, 'n',              //
                           0x12, 0x03, 0x0a, 0x01, 't',  //
                           0x1a, 0x03, 0x0a, 0x01, 's',  //
                       }));
}

TEST(WireBytesTest, LegacyFrameworkMessagesAndShutdown) {
  mesos::internal::FrameworkToExecutorMessage to;
  to.mutable_slave_id()->set_value("s");
  to.mutable_framework_id()->set_value("f");
  to.mutable_executor_id()->set_value("e");
  to.set_data("d");
  const std::string expected = Bytes({
      0x0a, 0x03, 0x0a, 0x01, 's',  //
      0x12, 0x03, 0x0a, 0x01, 'f',  //
      0x1a, 0x03, 0x0a, 0x01, 'e',  //
      0x22, 0x01, 'd',              //
  });
  ExpectEncodesTo(to, expected);
  mesos::internal::ExecutorToFrameworkMessage from;
  ASSERT_TRUE(from.ParseFromString(expected));
  ExpectEncodesTo(from, expected);

  mesos::internal::ShutdownExecutorMessage shutdown;
  shutdown.mutable_executor_id()->set_value("e");
  shutdown.mutable_framework_id()->set_value("f");
  ExpectEncodesTo(shutdown, Bytes({0x0a, 0x03, 0x0a, 0x01, 'e',  //
                                   0x12, 0x03, 0x0a, 0x01, 'f'}));
}

TEST(WireBytesTest, LegacyRegistration) {
  mesos::internal::RegisterExecutorMessage reg;
  reg.mutable_framework_id()->set_value("f");
  reg.mutable_executor_id()->set_value("e");
  ExpectEncodesTo(reg, Bytes({0x0a, 0x03, 0x0a, 0x01, 'f',  //
                              0x12, 0x03, 0x0a, 0x01, 'e'}));
  mesos::internal::ReconnectExecutorMessage reconnect;
  reconnect.mutable_slave_id()->set_value("s");
  ExpectEncodesTo(reconnect, Bytes({0x0a, 0x03, 0x0a, 0x01, 's'}));
  mesos::internal::KillTaskMessage kill;
  kill.mutable_framework_id()->set_value("f");
  kill.mutable_task_id()->set_value("t");
  ExpectEncodesTo(kill, Bytes({0x0a, 0x03, 0x0a, 0x01, 'f',  //
                               0x12, 0x03, 0x0a, 0x01, 't'}));
}

TEST(WireBytesTest, RoundTripsThroughTextAndBinary) {
  mesos::executor::Event event;
  event.set_type(mesos::executor::Event::SUBSCRIBED);
  auto* subscribed = event.mutable_subscribed();
  subscribed->mutable_executor_info()->mutable_executor_id()->set_value("e");
  subscribed->mutable_framework_info()->set_user("root");
  subscribed->mutable_framework_info()->set_name("fw");
  subscribed->mutable_agent_info()->set_hostname("h");
  subscribed->set_heartbeat_interval_seconds(0.5);
  ASSERT_TRUE(event.IsInitialized());
  mesos::executor::Event parsed;
  ASSERT_TRUE(parsed.ParseFromString(event.SerializeAsString()));
  EXPECT_EQ(parsed.DebugString(), event.DebugString());
  // Defaults as Mesos declares them.
  EXPECT_EQ(parsed.subscribed().agent_info().port(), 5051);
  EXPECT_TRUE(mesos::CommandInfo().shell());
}

TEST(WireBytesTest, MissingRequiredFieldsFailToParse) {
  // A TaskStatus without state (only task_id) is not initialized: proto2
  // semantics that existing executor code relies on.
  mesos::TaskStatus status;
  EXPECT_FALSE(status.ParseFromString(Bytes({0x0a, 0x03, 0x0a, 0x01, 't'})));
}

}  // namespace
