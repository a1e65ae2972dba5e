#include "util/byte_buffer_flattener.h"

#include <grpcpp/support/byte_buffer.h>
#include <grpcpp/support/slice.h>

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace executor_runtime {
namespace {

grpc::ByteBuffer BufferOf(const std::vector<std::string>& pieces) {
  std::vector<grpc::Slice> slices;
  for (const std::string& piece : pieces) slices.emplace_back(piece);
  return grpc::ByteBuffer(slices.data(), slices.size());
}

TEST(ByteBufferFlattenerTest, SingleSliceIsViewedAndOutlivesTheBuffer) {
  ByteBufferFlattener flattener;
  grpc::ByteBuffer buffer = BufferOf({"one slice"});
  absl::string_view bytes;
  ASSERT_TRUE(flattener.Flatten(buffer, &bytes));
  buffer.Clear();
  EXPECT_EQ(bytes, "one slice");
}

TEST(ByteBufferFlattenerTest, JoinsSlicesAndReusesItsBuffer) {
  ByteBufferFlattener flattener;
  absl::string_view bytes;
  ASSERT_TRUE(flattener.Flatten(BufferOf({"ab", "", "cde", "f"}), &bytes));
  EXPECT_EQ(bytes, "abcdef");
  ASSERT_TRUE(flattener.Flatten(BufferOf({"x", "y"}), &bytes));
  EXPECT_EQ(bytes, "xy");
  ASSERT_TRUE(flattener.Flatten(BufferOf({"single"}), &bytes));
  EXPECT_EQ(bytes, "single");
  ASSERT_TRUE(flattener.Flatten(BufferOf({}), &bytes));  // no slices
  EXPECT_EQ(bytes, "");
  // A buffer that never held a message cannot be read.
  EXPECT_FALSE(flattener.Flatten(grpc::ByteBuffer(), &bytes));
}

TEST(ByteBufferFlattenerTest, ABigJoinedCopyIsNotKeptForever) {
  ByteBufferFlattener flattener;
  absl::string_view bytes;
  const std::string big(200 * 1024, 'x');
  ASSERT_TRUE(flattener.Flatten(BufferOf({big, big}), &bytes));
  EXPECT_EQ(bytes.size(), 2 * big.size());
  ASSERT_TRUE(flattener.Flatten(BufferOf({"a", "b"}), &bytes));
  EXPECT_EQ(bytes, "ab");
}

}  // namespace
}  // namespace executor_runtime
