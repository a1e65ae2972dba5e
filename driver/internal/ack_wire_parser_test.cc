#include "driver/internal/ack_wire_parser.h"

#include <grpcpp/support/byte_buffer.h>
#include <grpcpp/support/slice.h>

#include <string>
#include <utility>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "util/byte_buffer_flattener.h"

namespace executor_runtime {
namespace driver_internal {
namespace {

using mesos::executor::Event;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

using Ack = std::pair<std::string, std::string>;  // task ID, UUID

std::vector<Ack> Owned(const std::vector<AckView>& views) {
  std::vector<Ack> acks;
  for (const AckView& view : views) {
    acks.emplace_back(std::string(view.task_id), std::string(view.uuid));
  }
  return acks;
}

void SetAck(Event::Acknowledged* ack, const std::string& task,
            const std::string& uuid) {
  ack->mutable_task_id()->set_value(task);
  ack->set_uuid(uuid);
}

// An ACKNOWLEDGED event as the agent sends it: the first acknowledgement
// in `acknowledged`, the rest batched.
Event AcknowledgedEvent(const std::vector<Ack>& acks) {
  Event event;
  event.set_type(Event::ACKNOWLEDGED);
  for (size_t i = 0; i < acks.size(); ++i) {
    SetAck(i == 0 ? event.mutable_acknowledged()
                  : event.add_batched_acknowledgements(),
           acks[i].first, acks[i].second);
  }
  return event;
}

// What protobuf makes of `bytes`, if it parses them as ACKNOWLEDGED.
bool ProtobufAcks(const std::string& bytes, std::vector<Ack>* acks) {
  Event event;
  if (!event.ParseFromString(bytes) || event.type() != Event::ACKNOWLEDGED) {
    return false;
  }
  std::vector<AckView> views;
  AppendAckViews(event, &views);
  *acks = Owned(views);
  return true;
}

// The parser's answer, checked against protobuf whenever it accepts.
bool ParseAndCompare(const std::string& bytes, std::vector<Ack>* acks) {
  std::vector<AckView> views;
  if (!ParseAcknowledgedEvent(bytes, &views)) return false;
  *acks = Owned(views);
  std::vector<Ack> expected;
  EXPECT_TRUE(ProtobufAcks(bytes, &expected))
      << "accepted bytes protobuf rejects";
  EXPECT_EQ(*acks, expected);
  return true;
}

const std::string kUuid1(16, '\x01');
const std::string kUuid2 = std::string("\0\xff\x80zz", 5) + std::string(11, 'u');
const std::string kUuid3(16, '\x7f');

TEST(AckWireParserTest, ReadsTheAgentsShapeInOrder) {
  const std::vector<Ack> acks = {
      {"task-1", kUuid1}, {"task-2", kUuid2}, {"task-1", kUuid3}};
  std::vector<Ack> parsed;
  ASSERT_TRUE(ParseAndCompare(AcknowledgedEvent(acks).SerializeAsString(),
                              &parsed));
  EXPECT_EQ(parsed, acks);
}

TEST(AckWireParserTest, ReadsManyAcksAndLongFields) {
  std::vector<Ack> acks;
  for (int i = 0; i < 300; ++i) {
    // Task IDs past 127 bytes need two-byte length varints.
    acks.emplace_back(std::string(i, 'a' + i % 26), kUuid1);
  }
  std::vector<Ack> parsed;
  ASSERT_TRUE(ParseAndCompare(AcknowledgedEvent(acks).SerializeAsString(),
                              &parsed));
  EXPECT_EQ(parsed, acks);
}

TEST(AckWireParserTest, AcceptsAnEventWithoutAcks) {
  Event event;
  event.set_type(Event::ACKNOWLEDGED);
  std::vector<AckView> views = {AckView{"stale", "stale"}};
  ASSERT_TRUE(ParseAcknowledgedEvent(event.SerializeAsString(), &views));
  EXPECT_THAT(views, IsEmpty());
}

TEST(AckWireParserTest, OnlyBatchedAcks) {
  Event event;
  event.set_type(Event::ACKNOWLEDGED);
  SetAck(event.add_batched_acknowledgements(), "a", kUuid1);
  SetAck(event.add_batched_acknowledgements(), "b", kUuid2);
  std::vector<Ack> parsed;
  ASSERT_TRUE(ParseAndCompare(event.SerializeAsString(), &parsed));
  EXPECT_THAT(parsed, ElementsAre(Ack{"a", kUuid1}, Ack{"b", kUuid2}));
}

TEST(AckWireParserTest, AcknowledgedAfterBatchedStillComesFirst) {
  Event batched;
  SetAck(batched.add_batched_acknowledgements(), "b", kUuid2);
  Event first;
  first.set_type(Event::ACKNOWLEDGED);
  SetAck(first.mutable_acknowledged(), "a", kUuid1);
  // Batched bytes, then type and `acknowledged`.
  const std::string bytes =
      batched.SerializeAsString() + first.SerializeAsString();
  std::vector<Ack> parsed;
  ASSERT_TRUE(ParseAndCompare(bytes, &parsed));
  EXPECT_THAT(parsed, ElementsAre(Ack{"a", kUuid1}, Ack{"b", kUuid2}));
}

TEST(AckWireParserTest, FieldsInsideAnAckInEitherOrder) {
  // Acknowledged { uuid, task_id { value } } hand-written: uuid first.
  std::string ack;
  ack += '\x12';
  ack += static_cast<char>(kUuid1.size());
  ack += kUuid1;
  ack += "\x0a\x03\x0a\x01t";
  std::string bytes = "\x08\x04\x1a";
  bytes += static_cast<char>(ack.size());
  bytes += ack;
  std::vector<Ack> parsed;
  ASSERT_TRUE(ParseAndCompare(bytes, &parsed));
  EXPECT_THAT(parsed, ElementsAre(Ack{"t", kUuid1}));
}

// Valid events the parser leaves to protobuf.
TEST(AckWireParserTest, FallsBackOnOtherShapes) {
  const Event plain = AcknowledgedEvent({{"a", kUuid1}, {"b", kUuid2}});
  std::vector<std::pair<std::string, std::string>> cases;  // name, bytes

  Event other_type = plain;
  other_type.set_type(Event::HEARTBEAT);
  cases.emplace_back("other type", other_type.SerializeAsString());

  Event no_type = plain;
  no_type.clear_type();
  cases.emplace_back("no type", no_type.SerializeAsString());

  Event with_message = plain;
  with_message.mutable_message()->set_data("x");
  cases.emplace_back("another event field", with_message.SerializeAsString());

  // Unknown fields at each level: Event (field 50), Acknowledged (9),
  // TaskID (9), each a varint 1.
  cases.emplace_back("unknown event field",
                     plain.SerializeAsString() + "\x90\x03\x01");
  {
    std::string ack_bytes;
    Event::Acknowledged ack;
    SetAck(&ack, "a", kUuid1);
    ack_bytes = ack.SerializeAsString() + "\x48\x01";
    std::string bytes = "\x08\x04\x1a";
    bytes += static_cast<char>(ack_bytes.size());
    cases.emplace_back("unknown ack field", bytes + ack_bytes);
  }
  {
    std::string task_id = std::string("\x0a\x01" "a") + "\x48\x01";
    std::string ack = "\x0a";
    ack += static_cast<char>(task_id.size());
    ack += task_id;
    ack += "\x12\x10" + kUuid1;
    std::string bytes = "\x08\x04\x1a";
    bytes += static_cast<char>(ack.size());
    cases.emplace_back("unknown task ID field", bytes + ack);
  }
  // Repeated singular fields, which protobuf merges or overwrites.
  cases.emplace_back("type twice", plain.SerializeAsString() + "\x08\x04");
  {
    Event again;
    SetAck(again.mutable_acknowledged(), "z", kUuid3);
    cases.emplace_back("acknowledged twice",
                       plain.SerializeAsString() + again.SerializeAsString());
  }
  {
    std::string ack = std::string("\x0a\x03\x0a\x01" "a") + "\x0a\x03\x0a\x01" +
                      "b" + "\x12\x10" + kUuid1;
    std::string bytes = "\x08\x04\x1a";
    bytes += static_cast<char>(ack.size());
    cases.emplace_back("task_id twice", bytes + ack);
  }

  for (const auto& [name, bytes] : cases) {
    SCOPED_TRACE(name);
    std::vector<Ack> expected;
    // Protobuf reads each of them fine (so only the shape is odd) ...
    Event event;
    EXPECT_TRUE(event.ParseFromString(bytes));
    // ... and the fast path declines.
    std::vector<AckView> views;
    EXPECT_FALSE(ParseAcknowledgedEvent(bytes, &views));
  }
}

// A varint written longer than it needs (ACKNOWLEDGED as 0x84 0x00) is
// the same value to protobuf, and to the fast path.
TEST(AckWireParserTest, NonMinimalVarintsAgreeWithProtobuf) {
  const std::string bytes =
      AcknowledgedEvent({{"a", kUuid1}, {"b", kUuid2}}).SerializeAsString();
  ASSERT_EQ(bytes.substr(0, 2), "\x08\x04");
  std::vector<Ack> parsed;
  EXPECT_TRUE(ParseAndCompare(std::string("\x08\x84\x00", 3) + bytes.substr(2),
                              &parsed));
  EXPECT_THAT(parsed, ElementsAre(Ack{"a", kUuid1}, Ack{"b", kUuid2}));
}

TEST(AckWireParserTest, RejectsMissingRequiredFields) {
  // Acknowledged without uuid, and without task_id.
  for (const std::string& ack :
       {std::string("\x0a\x03\x0a\x01" "a"), "\x12\x10" + kUuid1}) {
    std::string bytes = "\x08\x04\x1a";
    bytes += static_cast<char>(ack.size());
    bytes += ack;
    std::vector<AckView> views;
    EXPECT_FALSE(ParseAcknowledgedEvent(bytes, &views));
    Event event;
    EXPECT_FALSE(event.ParseFromString(bytes));  // protobuf refuses too
  }
}

TEST(AckWireParserTest, EveryTruncationIsRejectedOrAgreesWithProtobuf) {
  const std::string bytes =
      AcknowledgedEvent({{"task-a", kUuid1}, {"task-b", kUuid2}})
          .SerializeAsString();
  int accepted = 0;
  for (size_t size = 0; size < bytes.size(); ++size) {
    SCOPED_TRACE(size);
    std::vector<Ack> parsed;
    // A cut at a field boundary is a valid, shorter event.
    if (ParseAndCompare(bytes.substr(0, size), &parsed)) ++accepted;
  }
  // Cuts after the type and after the first acknowledgement.
  EXPECT_EQ(accepted, 2);
}

TEST(AckWireParserTest, EveryByteFlipIsRejectedOrAgreesWithProtobuf) {
  const std::string bytes =
      AcknowledgedEvent({{"task-a", kUuid1}, {"task-b", kUuid2}})
          .SerializeAsString();
  for (size_t i = 0; i < bytes.size(); ++i) {
    for (int value : {0x00, 0x02, 0x08, 0x0a, 0x12, 0x1a, 0x7f, 0x80, 0xa2,
                      0xff}) {
      std::string mutated = bytes;
      mutated[i] = static_cast<char>(value);
      SCOPED_TRACE(testing::Message() << "byte " << i << " = " << value);
      std::vector<Ack> parsed;
      ParseAndCompare(mutated, &parsed);
    }
  }
}

TEST(AckWireParserTest, RejectsLengthsPastTheEnd) {
  // `acknowledged` claims 100 bytes; 5-byte and overlong length varints.
  for (const std::string& bytes :
       {std::string("\x08\x04\x1a\x64\x0a\x00", 6),
        std::string("\x08\x04\x1a\xff\xff\xff\xff\x0f", 8),
        std::string("\x08\x04\x1a\x80\x80\x80\x80\x80\x01", 9)}) {
    std::vector<AckView> views;
    EXPECT_FALSE(ParseAcknowledgedEvent(bytes, &views));
  }
}

grpc::ByteBuffer BufferOf(const std::vector<std::string>& pieces) {
  std::vector<grpc::Slice> slices;
  for (const std::string& piece : pieces) slices.emplace_back(piece);
  return grpc::ByteBuffer(slices.data(), slices.size());
}

TEST(ByteBufferFlattenerTest, AnEventSplitAcrossSlicesParses) {
  const std::vector<Ack> acks = {{"task-1", kUuid1}, {"task-2", kUuid2}};
  const std::string bytes = AcknowledgedEvent(acks).SerializeAsString();
  // Split inside a tag, a length and a UUID.
  const grpc::ByteBuffer buffer = BufferOf(
      {bytes.substr(0, 1), bytes.substr(1, 3), bytes.substr(4, 20),
       bytes.substr(24)});
  ByteBufferFlattener flattener;
  absl::string_view flat;
  ASSERT_TRUE(flattener.Flatten(buffer, &flat));
  std::vector<AckView> views;
  ASSERT_TRUE(ParseAcknowledgedEvent(flat, &views));
  EXPECT_EQ(Owned(views), acks);
}

}  // namespace
}  // namespace driver_internal
}  // namespace executor_runtime
