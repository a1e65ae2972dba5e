#include "simulator/internal/ack_encoding.h"

#include <string>
#include <utility>
#include <vector>

#include "api/executor/executor.pb.h"
#include "gtest/gtest.h"
#include "util/uuid.h"

namespace executor_runtime {
namespace simulator_internal {
namespace {

using mesos::executor::Event;

TEST(AckListTest, KeepsOrderAndBytes) {
  AckList list;
  EXPECT_TRUE(list.empty());
  const std::string binary("\0\x01\xff", 3);
  list.Add("t1", "uuid-1");
  list.Add(binary, "");
  list.Add(std::string(300, 'x'), "u3");
  EXPECT_EQ(list.size(), 3u);
  std::vector<std::pair<std::string, std::string>> seen;
  size_t at = 0;
  absl::string_view task, uuid;
  while (list.Next(&at, &task, &uuid)) {
    seen.emplace_back(std::string(task), std::string(uuid));
  }
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[0], std::make_pair(std::string("t1"), std::string("uuid-1")));
  EXPECT_EQ(seen[1].first, binary);
  EXPECT_EQ(seen[2].first, std::string(300, 'x'));
  list.Clear();
  EXPECT_TRUE(list.empty());
}

TEST(AppendEncodedAckTest, ParsesAsTheEventProtobufWouldWriteIt) {
  std::string encoded;
  const std::string uuid1 = NewUuidBytes(), uuid2 = NewUuidBytes();
  const std::string long_task(200, 'a');  // Multi-byte length varints.
  AppendEncodedAck("t1", uuid1, &encoded);

  Event one;
  ASSERT_TRUE(one.ParseFromString(encoded));
  EXPECT_EQ(one.type(), Event::ACKNOWLEDGED);
  EXPECT_EQ(one.acknowledged().task_id().value(), "t1");
  EXPECT_EQ(one.acknowledged().uuid(), uuid1);
  EXPECT_EQ(one.batched_acknowledgements_size(), 0);

  // Byte for byte what protobuf writes.
  EXPECT_EQ(encoded, one.SerializeAsString());

  AppendEncodedAck(long_task, uuid2, &encoded);
  AppendEncodedAck("t3", uuid1, &encoded);
  Event three;
  ASSERT_TRUE(three.ParseFromString(encoded));
  EXPECT_EQ(three.acknowledged().task_id().value(), "t1");
  ASSERT_EQ(three.batched_acknowledgements_size(), 2);
  EXPECT_EQ(three.batched_acknowledgements(0).task_id().value(), long_task);
  EXPECT_EQ(three.batched_acknowledgements(0).uuid(), uuid2);
  EXPECT_EQ(three.batched_acknowledgements(1).task_id().value(), "t3");
  EXPECT_EQ(encoded, three.SerializeAsString());
}

}  // namespace
}  // namespace simulator_internal
}  // namespace executor_runtime
