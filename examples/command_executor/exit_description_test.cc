#include "examples/command_executor/exit_description.h"

#include <signal.h>
#include <sys/wait.h>

#include "gtest/gtest.h"

namespace executor_runtime {
namespace command_executor {
namespace {

// waitpid() status words, built the way Linux encodes them.
int Exited(int code) { return (code & 0xff) << 8; }
int Signaled(int signal) { return signal & 0x7f; }

TEST(ExitDescriptionTest, DescribesExitStatus) {
  ASSERT_TRUE(WIFEXITED(Exited(3)));
  EXPECT_EQ(DescribeWaitStatus(Exited(0)), "exited with status 0");
  EXPECT_EQ(DescribeWaitStatus(Exited(3)), "exited with status 3");
  EXPECT_EQ(DescribeWaitStatus(Exited(255)), "exited with status 255");
}

TEST(ExitDescriptionTest, DescribesSignals) {
  ASSERT_TRUE(WIFSIGNALED(Signaled(SIGKILL)));
  EXPECT_EQ(DescribeWaitStatus(Signaled(SIGKILL)),
            "terminated by signal SIGKILL");
  EXPECT_EQ(DescribeWaitStatus(Signaled(SIGTERM)),
            "terminated by signal SIGTERM");
  EXPECT_EQ(DescribeWaitStatus(Signaled(SIGSEGV) | 0x80),
            "terminated by signal SIGSEGV (core dumped)");
}

TEST(ExitDescriptionTest, NamesSignals) {
  EXPECT_EQ(SignalName(SIGINT), "SIGINT");
  EXPECT_EQ(SignalName(SIGUSR1), "SIGUSR1");
  EXPECT_EQ(SignalName(SIGRTMIN + 1), "signal " + std::to_string(SIGRTMIN + 1));
}

}  // namespace
}  // namespace command_executor
}  // namespace executor_runtime
