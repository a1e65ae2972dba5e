#include "util/wire_reader.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace executor_runtime {
namespace {

std::vector<WireField> ReadAll(absl::string_view bytes, WireRead* last) {
  WireReader reader(bytes);
  std::vector<WireField> fields;
  WireField field;
  while ((*last = reader.Next(&field)) == WireRead::kField) {
    fields.push_back(field);
  }
  return fields;
}

TEST(WireReaderTest, ReadsEveryWireType) {
  // 1: varint 300; 2: bytes "hi"; 3: fixed64 1; 4: fixed32 2;
  // 100: varint 1 (a two-byte tag).
  const std::string bytes(
      "\x08\xac\x02"
      "\x12\x02hi"
      "\x19\x01\x00\x00\x00\x00\x00\x00\x00"
      "\x25\x02\x00\x00\x00"
      "\xa0\x06\x01",
      3 + 4 + 9 + 5 + 3);
  WireRead last;
  const std::vector<WireField> fields = ReadAll(bytes, &last);
  EXPECT_EQ(last, WireRead::kEnd);
  ASSERT_EQ(fields.size(), 5u);
  EXPECT_EQ(fields[0].number, 1u);
  EXPECT_EQ(fields[0].type, WireType::kVarint);
  EXPECT_EQ(fields[0].value, 300u);
  EXPECT_EQ(fields[1].type, WireType::kLengthDelimited);
  EXPECT_EQ(fields[1].bytes, "hi");
  EXPECT_EQ(fields[1].bytes.data(), bytes.data() + 5);  // a view
  EXPECT_EQ(fields[2].type, WireType::kFixed64);
  EXPECT_EQ(fields[2].value, 1u);
  EXPECT_EQ(fields[3].type, WireType::kFixed32);
  EXPECT_EQ(fields[3].value, 2u);
  EXPECT_EQ(fields[4].number, 100u);
  EXPECT_EQ(fields[4].value, 1u);
}

TEST(WireReaderTest, EmptyIsTheEnd) {
  WireRead last;
  EXPECT_TRUE(ReadAll("", &last).empty());
  EXPECT_EQ(last, WireRead::kEnd);
}

TEST(WireReaderTest, MalformedInputIsNamedAndEndsTheReader) {
  const std::vector<std::string> malformed = {
      std::string("\x08", 1),                  // varint value missing
      std::string("\x08\x80", 2),              // varint cut
      std::string("\x12\x05hi", 4),            // length past the end
      std::string("\x19\x01\x00", 3),          // fixed64 cut
      std::string("\x0b", 1),                  // group start (wire type 3)
      std::string("\x0e\x00", 2),              // wire type 6
      std::string("\x00\x01", 2),              // field number 0
      std::string(11, '\x80') + "\x01",        // overlong tag varint
      std::string("\x08", 1) + std::string(10, '\xff') + "\x01",  // value
  };
  for (const std::string& bytes : malformed) {
    WireReader reader(bytes);
    WireField field;
    WireRead read;
    while ((read = reader.Next(&field)) == WireRead::kField) {
    }
    EXPECT_EQ(read, WireRead::kMalformed) << testing::PrintToString(bytes);
    EXPECT_EQ(reader.Next(&field), WireRead::kEnd);  // spent
  }
}

TEST(WireReaderTest, NonMinimalVarintsReadAsTheirValue) {
  // Field 1 = 1 written in two bytes: protobuf accepts it, so do we.
  WireRead last;
  const std::vector<WireField> fields =
      ReadAll(std::string("\x08\x81\x00", 3), &last);
  EXPECT_EQ(last, WireRead::kEnd);
  ASSERT_EQ(fields.size(), 1u);
  EXPECT_EQ(fields[0].value, 1u);
}

TEST(WireReaderTest, ReadOnlyBytesField) {
  absl::string_view value;
  // TaskID { value: "t1" }; the view points into the message.
  const std::string task_id("\x0a\x02t1", 4);
  EXPECT_TRUE(ReadOnlyBytesField(task_id, 1, &value));
  EXPECT_EQ(value, "t1");
  const std::string empty_value("\x0a\x00", 2);
  EXPECT_TRUE(ReadOnlyBytesField(empty_value, 1, &value));
  EXPECT_EQ(value, "");
  EXPECT_FALSE(ReadOnlyBytesField("", 1, &value));  // no field
  const std::string other_number("\x12\x00", 2);
  EXPECT_FALSE(ReadOnlyBytesField(other_number, 1, &value));
  const std::string a_varint("\x08\x01", 2);
  EXPECT_FALSE(ReadOnlyBytesField(a_varint, 1, &value));
  const std::string twice("\x0a\x00\x0a\x00", 4);
  EXPECT_FALSE(ReadOnlyBytesField(twice, 1, &value));
  const std::string cut("\x0a\x05t1", 4);
  EXPECT_FALSE(ReadOnlyBytesField(cut, 1, &value));
}

}  // namespace
}  // namespace executor_runtime
