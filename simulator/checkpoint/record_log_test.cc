#include "simulator/checkpoint/record_log.h"

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "simulator/checkpoint/crc32.h"

namespace executor_runtime {
namespace {

std::string TestPath(const std::string& name) {
  const char* dir = std::getenv("TEST_TMPDIR");
  std::string path = absl::StrCat(dir != nullptr ? dir : "/tmp", "/", name);
  unlink(path.c_str());
  return path;
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

void WriteAll(const std::string& path, const std::string& data) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << data;
}

// Writes `records` to a fresh log at `path`.
void WriteLog(const std::string& path,
              const std::vector<std::string>& records) {
  auto writer = RecordLogWriter::Open(path, 0);
  ASSERT_TRUE(writer.ok()) << writer.status();
  for (const std::string& record : records) {
    ASSERT_TRUE((*writer)->Append(record).ok());
  }
}

TEST(Crc32Test, KnownValuesAndChaining) {
  EXPECT_EQ(Crc32("123456789"), 0xCBF43926u);
  EXPECT_EQ(Crc32(""), 0u);
  EXPECT_EQ(Crc32("6789", Crc32("12345")), Crc32("123456789"));
}

TEST(RecordLogTest, MissingFileIsEmpty) {
  auto contents = ReadRecordLog(TestPath("missing.log"));
  ASSERT_TRUE(contents.ok());
  EXPECT_TRUE(contents->records.empty());
  EXPECT_EQ(contents->valid_bytes, 0u);
}

TEST(RecordLogTest, RoundTripAndReopenAppends) {
  const std::string path = TestPath("roundtrip.log");
  WriteLog(path, {"one", "", std::string(100000, 'x')});
  auto contents = ReadRecordLog(path);
  ASSERT_TRUE(contents.ok()) << contents.status();
  ASSERT_EQ(contents->records.size(), 3u);
  EXPECT_EQ(contents->records[0], "one");
  EXPECT_EQ(contents->records[1], "");
  EXPECT_EQ(contents->records[2], std::string(100000, 'x'));
  EXPECT_EQ(contents->dropped_tail_bytes, 0u);

  auto writer = RecordLogWriter::Open(path, contents->valid_bytes);
  ASSERT_TRUE(writer.ok());
  ASSERT_TRUE((*writer)->Append("four").ok());
  contents = ReadRecordLog(path);
  ASSERT_TRUE(contents.ok());
  ASSERT_EQ(contents->records.size(), 4u);
  EXPECT_EQ(contents->records[3], "four");
}

TEST(RecordLogTest, TruncatedTailIsDroppedAtEveryCutPoint) {
  const std::string path = TestPath("truncated.log");
  WriteLog(path, {"first", "second", "third-record"});
  const std::string full = ReadAll(path);
  const size_t third_size = 8 + std::string("third-record").size();
  const size_t good = full.size() - third_size;
  for (size_t cut = good + 1; cut < full.size(); ++cut) {
    WriteAll(path, full.substr(0, cut));
    auto contents = ReadRecordLog(path);
    ASSERT_TRUE(contents.ok()) << "cut at " << cut << ": " << contents.status();
    ASSERT_EQ(contents->records.size(), 2u) << cut;
    EXPECT_EQ(contents->records[1], "second");
    EXPECT_EQ(contents->valid_bytes, good);
    EXPECT_EQ(contents->dropped_tail_bytes, cut - good);
  }
  // The writer cuts the torn record away, and later appends read back.
  auto contents = ReadRecordLog(path);
  auto writer = RecordLogWriter::Open(path, contents->valid_bytes);
  ASSERT_TRUE(writer.ok());
  ASSERT_TRUE((*writer)->Append("again").ok());
  contents = ReadRecordLog(path);
  ASSERT_TRUE(contents.ok());
  ASSERT_EQ(contents->records.size(), 3u);
  EXPECT_EQ(contents->records[2], "again");
  EXPECT_EQ(contents->dropped_tail_bytes, 0u);
}

TEST(RecordLogTest, CorruptLastRecordIsDropped) {
  const std::string path = TestPath("corrupt-last.log");
  WriteLog(path, {"first", "second"});
  std::string data = ReadAll(path);
  data.back() ^= 0x01;
  WriteAll(path, data);
  auto contents = ReadRecordLog(path);
  ASSERT_TRUE(contents.ok()) << contents.status();
  ASSERT_EQ(contents->records.size(), 1u);
  EXPECT_EQ(contents->dropped_tail_bytes, 8u + 6u);
}

TEST(RecordLogTest, ZeroFilledTailIsNotARecord) {
  const std::string path = TestPath("zeros.log");
  WriteLog(path, {"first"});
  WriteAll(path, ReadAll(path) + std::string(8, '\0'));
  auto contents = ReadRecordLog(path);
  ASSERT_TRUE(contents.ok()) << contents.status();
  EXPECT_EQ(contents->records.size(), 1u);
  EXPECT_EQ(contents->dropped_tail_bytes, 8u);
}

TEST(RecordLogTest, CorruptionInTheMiddleIsRefused) {
  const std::string path = TestPath("corrupt-middle.log");
  WriteLog(path, {"first", "second", "third"});
  std::string data = ReadAll(path);
  // Flip a byte in the payload of "second": header 8 + frame 8 + "first" 5
  // + frame 8 = 29.
  data[29] ^= 0x20;
  WriteAll(path, data);
  auto contents = ReadRecordLog(path);
  ASSERT_FALSE(contents.ok());
  EXPECT_EQ(contents.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(contents.status().message().find("corrupt at byte 21"),
            std::string::npos)
      << contents.status();
  EXPECT_NE(contents.status().message().find(path), std::string::npos);
}

TEST(RecordLogTest, ImpossibleLengthIsRefused) {
  const std::string path = TestPath("length.log");
  WriteLog(path, {"first"});
  std::string data = ReadAll(path);
  data[11] = '\x7f';  // top byte of the first length field
  WriteAll(path, data);
  auto contents = ReadRecordLog(path);
  ASSERT_FALSE(contents.ok());
  EXPECT_EQ(contents.status().code(), absl::StatusCode::kDataLoss);
}

TEST(RecordLogTest, ForeignFileIsRefused) {
  const std::string path = TestPath("foreign.log");
  WriteAll(path, "this is not a checkpoint at all");
  auto contents = ReadRecordLog(path);
  ASSERT_FALSE(contents.ok());
  EXPECT_EQ(contents.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(contents.status().message().find("bad header"), std::string::npos);
}

TEST(RecordLogTest, TornHeaderIsAnEmptyLog) {
  const std::string path = TestPath("torn-header.log");
  WriteAll(path, "XRTL");
  auto contents = ReadRecordLog(path);
  ASSERT_TRUE(contents.ok()) << contents.status();
  EXPECT_TRUE(contents->records.empty());
  EXPECT_EQ(contents->valid_bytes, 0u);
}

}  // namespace
}  // namespace executor_runtime
