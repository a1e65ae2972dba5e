#include "simulator/tool/cli_flags.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace executor_runtime {
namespace {

std::vector<std::string> Normalize(std::vector<std::string> args) {
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  return NormalizeFlagNames(static_cast<int>(argv.size()), argv.data());
}

TEST(CliFlagsTest, DashesInFlagNamesBecomeUnderscores) {
  EXPECT_EQ(
      Normalize({"prog", "--task-data=a-b", "--executor-arg", "-x", "list",
                 "--", "--not-a-flag"}),
      (std::vector<std::string>{"prog", "--task_data=a-b", "--executor_arg",
                                "-x", "list", "--", "--not-a-flag"}));
}

TEST(CliFlagsTest, RepeatedValuesInOrder) {
  std::vector<std::string> args = {"prog", "--arg=a", "--other=1", "--arg",
                                   "b",    "-arg=c",  "--",        "--arg=d"};
  EXPECT_EQ(RepeatedFlagValues(args, "arg"),
            (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_TRUE(RepeatedFlagValues(args, "missing").empty());
}

TEST(CliFlagsTest, DurationsInAbslAndMesosFormats) {
  DurationFlag flag;
  std::string error;
  ASSERT_TRUE(AbslParseFlag("1.5s", &flag, &error));
  EXPECT_EQ(flag.value, absl::Milliseconds(1500));
  ASSERT_TRUE(AbslParseFlag("2mins", &flag, &error));
  EXPECT_EQ(flag.value, absl::Minutes(2));
  ASSERT_TRUE(AbslParseFlag("250ms", &flag, &error));
  EXPECT_EQ(flag.value, absl::Milliseconds(250));
  EXPECT_FALSE(AbslParseFlag("soon", &flag, &error));
  EXPECT_NE(error.find("'soon' is not a duration"), std::string::npos);
  EXPECT_EQ(AbslUnparseFlag(DurationFlag(absl::Seconds(5))), "5s");
}

}  // namespace
}  // namespace executor_runtime
