#include "examples/command_executor/launch_plan.h"

#include <unistd.h>

#include <algorithm>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace executor_runtime {
namespace command_executor {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

PlanOptions Options() {
  PlanOptions options;
  options.task_id = "t1";
  options.directory = "/sandbox/tasks/t1";
  options.base_environment = {{"PATH", "/usr/bin:/bin"},
                              {"HOME", "/root"},
                              {"MESOS_SANDBOX", "/sandbox"}};
  return options;
}

mesos::CommandInfo Shell(const std::string& value) {
  mesos::CommandInfo command;
  command.set_value(value);
  return command;
}

TEST(LaunchPlanTest, ShellCommandRunsUnderBinSh) {
  absl::StatusOr<LaunchPlan> plan = PlanLaunch(Shell("echo hi"), Options());
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(plan->program, "/bin/sh");
  EXPECT_THAT(plan->argv, ElementsAre("sh", "-c", "echo hi"));
  EXPECT_EQ(plan->directory, "/sandbox/tasks/t1");
  EXPECT_EQ(plan->stdout_path(), "/sandbox/tasks/t1/stdout");
  EXPECT_EQ(plan->stderr_path(), "/sandbox/tasks/t1/stderr");
  EXPECT_FALSE(plan->user.has_value());
  EXPECT_THAT(plan->warnings, IsEmpty());
}

TEST(LaunchPlanTest, ArgvCommandSearchesPathAndUsesArgumentsAsArgv) {
  mesos::CommandInfo command;
  command.set_shell(false);
  command.set_value("printf");
  command.add_arguments("printf");
  command.add_arguments("%s");
  command.add_arguments("a b");
  absl::StatusOr<LaunchPlan> plan = PlanLaunch(command, Options());
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_TRUE(plan->program == "/usr/bin/printf" ||
              plan->program == "/bin/printf")
      << plan->program;
  EXPECT_THAT(plan->argv, ElementsAre("printf", "%s", "a b"));
}

TEST(LaunchPlanTest, ArgvCommandWithoutArgumentsGetsValueAsArgv0) {
  mesos::CommandInfo command;
  command.set_shell(false);
  command.set_value("/bin/true");
  absl::StatusOr<LaunchPlan> plan = PlanLaunch(command, Options());
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(plan->program, "/bin/true");
  EXPECT_THAT(plan->argv, ElementsAre("/bin/true"));
}

TEST(LaunchPlanTest, ProgramNotInPathIsNotFound) {
  mesos::CommandInfo command;
  command.set_shell(false);
  command.set_value("no-such-program-xyz");
  absl::StatusOr<LaunchPlan> plan = PlanLaunch(command, Options());
  EXPECT_EQ(plan.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(plan.status().message(), HasSubstr("no-such-program-xyz"));
  EXPECT_THAT(plan.status().message(), HasSubstr("PATH=/usr/bin:/bin"));
}

TEST(LaunchPlanTest, EnvironmentLayersBaseSandboxAndCommandVariables) {
  mesos::CommandInfo command = Shell("env");
  auto* variable = command.mutable_environment()->add_variables();
  variable->set_name("FOO");
  variable->set_value("bar");
  variable = command.mutable_environment()->add_variables();
  variable->set_name("HOME");
  variable->set_value("/home/task");
  absl::StatusOr<LaunchPlan> plan = PlanLaunch(command, Options());
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_THAT(plan->env, Contains("FOO=bar"));
  EXPECT_THAT(plan->env, Contains("HOME=/home/task"));
  EXPECT_THAT(plan->env, Not(Contains("HOME=/root")));
  EXPECT_THAT(plan->env, Contains("PATH=/usr/bin:/bin"));
  EXPECT_THAT(plan->env, Contains("MESOS_SANDBOX=/sandbox/tasks/t1"));
}

TEST(LaunchPlanTest, RejectsBadCommands) {
  EXPECT_EQ(PlanLaunch(Shell(""), Options()).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(PlanLaunch(mesos::CommandInfo(), Options()).status().code(),
            absl::StatusCode::kInvalidArgument);

  mesos::CommandInfo secret = Shell("true");
  auto* variable = secret.mutable_environment()->add_variables();
  variable->set_name("TOKEN");
  variable->set_type(mesos::Environment::Variable::SECRET);
  absl::Status status = PlanLaunch(secret, Options()).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("TOKEN"));

  mesos::CommandInfo unnamed = Shell("true");
  unnamed.mutable_environment()->add_variables()->set_name("");
  EXPECT_EQ(PlanLaunch(unnamed, Options()).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(LaunchPlanTest, UserIgnoredWithWarningUnlessHonoured) {
  mesos::CommandInfo command = Shell("true");
  command.set_user("nobody");
  absl::StatusOr<LaunchPlan> plan = PlanLaunch(command, Options());
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_FALSE(plan->user.has_value());
  ASSERT_EQ(plan->warnings.size(), 1);
  EXPECT_THAT(plan->warnings[0], HasSubstr("'nobody' ignored"));
}

TEST(LaunchPlanTest, HonouredUserIsLookedUp) {
  mesos::CommandInfo command = Shell("true");
  command.set_user("nobody");
  PlanOptions options = Options();
  options.honor_user = true;
  absl::StatusOr<LaunchPlan> plan = PlanLaunch(command, options);
  ASSERT_TRUE(plan.ok()) << plan.status();
  ASSERT_TRUE(plan->user.has_value());
  EXPECT_EQ(plan->user->name, "nobody");
  EXPECT_NE(plan->user->uid, 0u);
  EXPECT_THAT(plan->user->groups, Contains(plan->user->gid));
  EXPECT_THAT(plan->warnings, IsEmpty());
}

TEST(LaunchPlanTest, UnknownHonouredUserIsNotFound) {
  mesos::CommandInfo command = Shell("true");
  command.set_user("no-such-user-xyz");
  PlanOptions options = Options();
  options.honor_user = true;
  absl::Status status = PlanLaunch(command, options).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(status.message(),
            "CommandInfo.user 'no-such-user-xyz' does not exist");
}

TEST(LaunchPlanTest, UrisAreReportedAsIgnored) {
  mesos::CommandInfo command = Shell("true");
  command.add_uris()->set_value("http://example.com/x.tgz");
  absl::StatusOr<LaunchPlan> plan = PlanLaunch(command, Options());
  ASSERT_TRUE(plan.ok()) << plan.status();
  ASSERT_EQ(plan->warnings.size(), 1);
  EXPECT_THAT(plan->warnings[0], HasSubstr("uris ignored"));
}

TEST(LaunchPlanTest, TaskIdsMustNameADirectory) {
  EXPECT_TRUE(ValidateTaskIdForPath("task-1.a_b").ok());
  EXPECT_FALSE(ValidateTaskIdForPath("").ok());
  EXPECT_FALSE(ValidateTaskIdForPath(".").ok());
  EXPECT_FALSE(ValidateTaskIdForPath("..").ok());
  EXPECT_FALSE(ValidateTaskIdForPath("a/b").ok());
  EXPECT_FALSE(ValidateTaskIdForPath("a\nb").ok());
}

}  // namespace
}  // namespace command_executor
}  // namespace executor_runtime
