#include "util/uuid.h"

#include <set>

#include "gtest/gtest.h"

namespace executor_runtime {
namespace {

TEST(UuidTest, FreshUuidsAreValidVersion4AndDistinct) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    const std::string uuid = NewUuidBytes();
    ASSERT_TRUE(IsValidUuidBytes(uuid));
    EXPECT_EQ(static_cast<unsigned char>(uuid[6]) >> 4, 4);
    EXPECT_EQ(static_cast<unsigned char>(uuid[8]) >> 6, 2);
    EXPECT_TRUE(seen.insert(uuid).second);
  }
}

TEST(UuidTest, RejectsWrongLengths) {
  EXPECT_FALSE(IsValidUuidBytes(""));
  EXPECT_FALSE(IsValidUuidBytes(std::string(15, 'x')));
  EXPECT_FALSE(IsValidUuidBytes(std::string(17, 'x')));
}

TEST(UuidTest, FormatsAsText) {
  const std::string bytes("\x01\x23\x45\x67\x89\xab\xcd\xef\x01\x23\x45\x67\x89\xab\xcd\xef", 16);
  EXPECT_EQ(UuidToString(bytes), "01234567-89ab-cdef-0123-456789abcdef");
  EXPECT_EQ(UuidToString("ab"), "invalid-uuid:6162");
}

}  // namespace
}  // namespace executor_runtime
