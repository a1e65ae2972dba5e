#include "simulator/internal/bearer_token.h"

#include "gtest/gtest.h"

namespace executor_runtime {
namespace simulator_internal {
namespace {

TEST(ConstantTimeEqualsTest, ComparesContentsAndLengths) {
  EXPECT_TRUE(ConstantTimeEquals("secret", "secret"));
  EXPECT_TRUE(ConstantTimeEquals("", ""));
  EXPECT_FALSE(ConstantTimeEquals("secret", "secreT"));
  EXPECT_FALSE(ConstantTimeEquals("secret", "secret2"));
  EXPECT_FALSE(ConstantTimeEquals("secret2", "secret"));
  EXPECT_FALSE(ConstantTimeEquals("", "x"));
  EXPECT_FALSE(ConstantTimeEquals("x", ""));
  // A prefix repeated is not the token.
  EXPECT_FALSE(ConstantTimeEquals("ab", "abab"));
}

TEST(CheckBearerTokenTest, AcceptsOnlyTheRightBearerToken) {
  const char* who = "executor 'e1' of framework 'f1'";
  EXPECT_TRUE(CheckBearerToken("Bearer tok", "tok", who).ok());
  EXPECT_TRUE(CheckBearerToken("bearer tok", "tok", who).ok());

  absl::Status missing = CheckBearerToken(std::nullopt, "tok", who);
  EXPECT_EQ(missing.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(missing.message(),
            "executor 'e1' of framework 'f1' must present 'authorization: "
            "Bearer <token>' metadata");

  absl::Status basic = CheckBearerToken("Basic dG9rCg==", "tok", who);
  EXPECT_EQ(basic.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(basic.message(),
            "the 'authorization' metadata of executor 'e1' of framework 'f1' "
            "is not of the form 'Bearer <token>'");
  EXPECT_EQ(CheckBearerToken("Bearer ", "tok", who).code(),
            absl::StatusCode::kUnauthenticated);

  absl::Status wrong = CheckBearerToken("Bearer zq8x", "zq9x", who);
  EXPECT_EQ(wrong.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(wrong.message(),
            "wrong bearer token for executor 'e1' of framework 'f1'");
}

}  // namespace
}  // namespace simulator_internal
}  // namespace executor_runtime
