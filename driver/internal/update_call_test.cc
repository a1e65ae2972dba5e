#include "driver/internal/update_call.h"

#include <string>
#include <vector>

#include <grpcpp/support/byte_buffer.h>
#include <grpcpp/support/slice.h>

#include "api/executor/executor.pb.h"
#include "gtest/gtest.h"

namespace executor_runtime {
namespace driver_internal {
namespace {

using mesos::executor::Call;

mesos::TaskStatus Status(const std::string& task, const std::string& message) {
  mesos::TaskStatus status;
  status.mutable_task_id()->set_value(task);
  status.set_state(mesos::TASK_RUNNING);
  status.set_message(message);
  return status;
}

class UpdateCallWriterTest : public ::testing::Test {
 protected:
  UpdateCallWriterTest() {
    executor_.set_value("ex");
    framework_.set_value("fw");
  }
  mesos::ExecutorID executor_;
  mesos::FrameworkID framework_;
};

TEST_F(UpdateCallWriterTest, OneUpdateIsCallUpdate) {
  UpdateCallWriter writer(executor_, framework_);
  writer.Begin();
  const std::string status = Status("t1", "a").SerializeAsString();
  writer.Add(status);
  EXPECT_EQ(writer.count(), 1u);
  Call call;
  ASSERT_TRUE(call.ParseFromString(writer.ToString()));
  EXPECT_EQ(call.type(), Call::UPDATE);
  EXPECT_EQ(call.executor_id().value(), "ex");
  EXPECT_EQ(call.framework_id().value(), "fw");
  EXPECT_EQ(call.update().status().task_id().value(), "t1");
  EXPECT_EQ(call.update().status().message(), "a");
  EXPECT_EQ(call.batched_updates_size(), 0);
}

TEST_F(UpdateCallWriterTest, AReceiptIsWrittenAsProtobufWouldAndNotKept) {
  UpdateCallWriter writer(executor_, framework_);
  const std::string status = Status("t1", "a").SerializeAsString();
  // 300 needs a two-byte varint.
  writer.Begin(uint64_t{300});
  writer.Add(status);
  Call expected;
  *expected.mutable_executor_id() = executor_;
  *expected.mutable_framework_id() = framework_;
  expected.set_type(Call::UPDATE);
  *expected.mutable_update()->mutable_status() = Status("t1", "a");
  expected.set_acknowledgements_received(300);
  EXPECT_EQ(writer.size(), expected.ByteSizeLong());
  EXPECT_EQ(writer.ToString(), expected.SerializeAsString());
  // The next call without one carries none.
  writer.Begin();
  writer.Add(status);
  Call parsed;
  ASSERT_TRUE(parsed.ParseFromString(writer.ToString()));
  EXPECT_FALSE(parsed.has_acknowledgements_received());
  EXPECT_EQ(writer.size(), writer.ToString().size());
}

TEST_F(UpdateCallWriterTest, MoreUpdatesAreBatchedInOrderAndMatchProtobuf) {
  UpdateCallWriter writer(executor_, framework_);
  // Twice: Begin() must start afresh.
  for (int round = 0; round < 2; ++round) {
    writer.Begin();
    Call expected;
    *expected.mutable_executor_id() = executor_;
    *expected.mutable_framework_id() = framework_;
    expected.set_type(Call::UPDATE);
    // Sizes around the one-byte varint limit (127) exercise length varints.
    const std::vector<size_t> sizes = {0, 100, 126, 127, 128, 300, 20000};
    // The writer refers to these bytes until the call is written.
    std::vector<std::string> serialized(sizes.size());
    for (size_t i = 0; i < sizes.size(); ++i) {
      const mesos::TaskStatus status =
          Status("t" + std::to_string(i), std::string(sizes[i], 'x'));
      serialized[i] = status.SerializeAsString();
      writer.Add(serialized[i]);
      Call::Update* update =
          i == 0 ? expected.mutable_update() : expected.add_batched_updates();
      *update->mutable_status() = status;
    }
    EXPECT_EQ(writer.count(), sizes.size());
    // Byte for byte what protobuf itself writes, as a string and as the
    // buffer gRPC sends.
    const std::string expected_bytes = expected.SerializeAsString();
    EXPECT_EQ(writer.size(), expected_bytes.size());
    EXPECT_EQ(writer.ToString(), expected_bytes);
    grpc::ByteBuffer buffer;
    writer.Finish(&buffer);
    std::vector<grpc::Slice> slices;
    ASSERT_TRUE(buffer.Dump(&slices).ok());
    std::string sent;
    for (const grpc::Slice& slice : slices) {
      sent.append(reinterpret_cast<const char*>(slice.begin()), slice.size());
    }
    EXPECT_EQ(sent, expected_bytes);
  }
}

TEST_F(UpdateCallWriterTest, EmptyCallIsTheHeaderAlone) {
  UpdateCallWriter writer(executor_, framework_);
  writer.Begin();
  EXPECT_EQ(writer.count(), 0u);
  Call call;
  ASSERT_TRUE(call.ParseFromString(writer.ToString()));
  EXPECT_EQ(call.type(), Call::UPDATE);
  EXPECT_FALSE(call.has_update());
  EXPECT_EQ(writer.size(), writer.ToString().size());
}

TEST(SerializeSubscribeCallTest, AppendsUnacknowledgedUpdatesInOrder) {
  Call call;
  call.mutable_executor_id()->set_value("ex");
  call.mutable_framework_id()->set_value("fw");
  call.set_type(Call::SUBSCRIBE);
  call.mutable_subscribe()->mutable_capabilities()->set_batched_updates(true);
  mesos::TaskInfo* task = call.mutable_subscribe()->add_unacknowledged_tasks();
  task->set_name("t2");
  task->mutable_task_id()->set_value("t2");
  task->mutable_slave_id()->set_value("agent");

  const std::vector<std::string> updates = {
      Status("t1", "first").SerializeAsString(),
      Status("t2", std::string(200, 'y')).SerializeAsString(),
      Status("t1", "third").SerializeAsString()};
  std::string bytes = "stale";
  SerializeSubscribeCall(
      call, std::vector<absl::string_view>(updates.begin(), updates.end()),
      &bytes);

  Call expected = call;
  for (const std::string& update : updates) {
    ASSERT_TRUE(expected.mutable_subscribe()
                    ->add_unacknowledged_updates()
                    ->mutable_status()
                    ->ParseFromString(update));
  }
  Call parsed;
  ASSERT_TRUE(parsed.ParseFromString(bytes));
  EXPECT_EQ(parsed.SerializeAsString(), expected.SerializeAsString());
  EXPECT_EQ(
      parsed.subscribe().unacknowledged_updates(1).status().task_id().value(),
      "t2");
}

TEST(SerializeSubscribeCallTest, WithoutUpdatesIsTheCallItself) {
  Call call;
  call.mutable_executor_id()->set_value("ex");
  call.mutable_framework_id()->set_value("fw");
  call.set_type(Call::SUBSCRIBE);
  call.mutable_subscribe();
  std::string bytes;
  SerializeSubscribeCall(call, {}, &bytes);
  EXPECT_EQ(bytes, call.SerializeAsString());
}

}  // namespace
}  // namespace driver_internal
}  // namespace executor_runtime
