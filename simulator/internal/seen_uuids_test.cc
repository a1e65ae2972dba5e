#include "simulator/internal/seen_uuids.h"

#include <string>

#include "gtest/gtest.h"
#include "util/uuid.h"

namespace executor_runtime {
namespace simulator_internal {
namespace {

TEST(SeenUuidsTest, InsertTellsNewFromSeen) {
  SeenUuids seen;
  const UuidKey a = UuidKey::Of(NewUuidBytes());
  const UuidKey b = UuidKey::Of(NewUuidBytes());
  EXPECT_TRUE(seen.Insert(a, 0));
  EXPECT_FALSE(seen.Insert(a, 0));
  EXPECT_TRUE(seen.Insert(b, 0));
  EXPECT_EQ(seen.size(), 2u);
  seen.Erase(a);
  EXPECT_TRUE(seen.Insert(a, 0));
}

TEST(SeenUuidsTest, ForgetBeforeDropsOnlyOlderGenerations) {
  SeenUuids seen;
  const UuidKey old = UuidKey::Of(NewUuidBytes());
  const UuidKey relisted = UuidKey::Of(NewUuidBytes());
  const UuidKey recent = UuidKey::Of(NewUuidBytes());
  seen.Insert(old, 0);
  seen.Insert(relisted, 0);
  seen.Insert(relisted, 2);  // Seen again later: raised to generation 2.
  seen.Insert(recent, 1);
  seen.ForgetBefore(0);  // Nothing is below 0.
  EXPECT_EQ(seen.size(), 3u);
  seen.ForgetBefore(1);
  EXPECT_EQ(seen.size(), 2u);
  EXPECT_TRUE(seen.Insert(old, 1));  // Forgotten: new again.
  EXPECT_FALSE(seen.Insert(relisted, 1));
  EXPECT_FALSE(seen.Insert(recent, 1));
  // A lower generation never lowers a UUID's own.
  seen.ForgetBefore(2);
  EXPECT_EQ(seen.size(), 1u);
  EXPECT_FALSE(seen.Insert(relisted, 2));
}

TEST(SeenUuidsTest, MemoryIsGivenBackAfterAPrune) {
  SeenUuids seen;
  for (int i = 0; i < 100000; ++i) seen.Insert(UuidKey::Of(NewUuidBytes()), 0);
  EXPECT_EQ(seen.size(), 100000u);
  seen.Insert(UuidKey::Of(NewUuidBytes()), 1);
  EXPECT_GE(seen.capacity(), 100000u);
  seen.ForgetBefore(1);
  EXPECT_EQ(seen.size(), 1u);
  EXPECT_LT(seen.capacity(), 100u);
}

}  // namespace
}  // namespace simulator_internal
}  // namespace executor_runtime
