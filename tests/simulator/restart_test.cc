// A SIGKILLed agent_simulator restarted from its work dir: executors keep
// running (own process groups), resubscribe and resend what was not
// acknowledged; every update is recorded exactly once. Executors that do
// not come back have their tasks marked TASK_LOST (REASON_SLAVE_RESTARTED).
#include <signal.h>

#include <set>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/simulator/sim_test_util.h"

namespace executor_runtime {
namespace simtest {
namespace {

using ::testing::HasSubstr;
using List = std::map<std::string, ExecutorLine>;

std::string TaskState(const List& list, const std::string& task) {
  auto it = list.find("executor-1");
  if (it == list.end()) return "";
  auto t = it->second.tasks.find(task);
  return t == it->second.tasks.end() ? "" : t->second;
}

class RestartTest : public ::testing::Test {
 protected:
  std::vector<std::string> Flags(const std::string& reregistration) {
    return {"--executor=" + TestExecutor(), "--work_dir=" + (dir_ / "work"),
            "--subscription_backoff_max=50ms",
            "--reregistration_timeout=" + reregistration};
  }

  void Start(const std::string& reregistration = "5s") {
    std::string error;
    ASSERT_TRUE(sim_.Start(Flags(reregistration), &error)) << error;
  }

  void KillSimulator() {
    sim_.process().Kill(SIGKILL);
    ASSERT_EQ(sim_.process().Wait(absl::Seconds(10)), -SIGKILL);
  }

  ScratchDir dir_;
  SimulatorProcess sim_{dir_.path()};
};

TEST_F(RestartTest, EveryUpdateRecordedExactlyOnceAcrossASigkill) {
  Start();
  ASSERT_TRUE(sim_.WaitForList([](const List& list) {
    return list.count("executor-1") &&
           list.at("executor-1").fields.at("phase") == "subscribed";
  }));
  const int kUpdates = 40;
  ASSERT_EQ(sim_.Ctl({"launch", "--task=s1",
                      absl::StrCat("--data=stream:", kUpdates, ":15")})
                .exit_code,
            0);
  // Kill the simulator mid-stream.
  ASSERT_EQ(sim_.Ctl({"updates", "--count=8"}).exit_code, 0);
  const std::string pid = sim_.List().at("executor-1").fields.at("pid");
  KillSimulator();
  absl::SleepFor(absl::Milliseconds(150));  // the executor keeps sending
  Start();
  ASSERT_TRUE(sim_.WaitForList([](const List& list) {
    return TaskState(list, "s1") == "TASK_FINISHED";
  })) << sim_.Log();
  List list = sim_.List();
  EXPECT_EQ(list.at("executor-1").fields.at("pid"), pid);
  EXPECT_EQ(list.at("executor-1").fields.count("recovered"), 1u);

  std::vector<std::map<std::string, std::string>> updates = sim_.Updates();
  std::map<std::string, int> messages;
  std::set<std::string> uuids;
  int sequence = 0;
  for (auto& update : updates) {
    EXPECT_EQ(update["seq"], std::to_string(++sequence));
    EXPECT_TRUE(uuids.insert(update["uuid"]).second) << update["uuid"];
    ++messages[update["message"]];
  }
  EXPECT_EQ(messages["running"], 1);
  for (int i = 1; i <= kUpdates; ++i) {
    EXPECT_EQ(messages[absl::StrCat("update ", i)], 1) << "update " << i;
  }
  EXPECT_EQ(messages["stream done"], 1);
  EXPECT_EQ(updates.size(), static_cast<size_t>(kUpdates + 2));
  EXPECT_EQ(sim_.Stop(), 0);
}

TEST_F(RestartTest, TasksLaunchedBeforeTheRestartCanBeKilledAfterIt) {
  Start();
  ASSERT_TRUE(sim_.WaitForList([](const List& list) {
    return list.count("executor-1") &&
           list.at("executor-1").fields.at("phase") == "subscribed";
  }));
  ASSERT_EQ(sim_.Ctl({"launch", "--task=h1", "--data=hang"}).exit_code, 0);
  ASSERT_TRUE(sim_.WaitForList([](const List& list) {
    return TaskState(list, "h1") == "TASK_RUNNING";
  }));
  // Its only update is acknowledged: after the restart the executor does
  // not name h1 again, the agent must remember it.
  absl::SleepFor(absl::Milliseconds(100));
  KillSimulator();
  Start();
  ASSERT_TRUE(sim_.WaitForList([](const List& list) {
    return list.at("executor-1").fields.at("phase") == "subscribed";
  })) << sim_.Log();
  ASSERT_EQ(sim_.Ctl({"kill", "--task=h1"}).exit_code, 0);
  ASSERT_TRUE(sim_.WaitForList([](const List& list) {
    return TaskState(list, "h1") == "TASK_KILLED";
  })) << sim_.Log();
  EXPECT_EQ(sim_.List().at("executor-1").fields.at("phase"), "subscribed");
  EXPECT_EQ(sim_.Updates().size(), 2u);
  EXPECT_EQ(sim_.Stop(), 0);
}

TEST_F(RestartTest, TasksOfAnExecutorGoneDuringTheRestartAreLost) {
  Start();
  ASSERT_TRUE(sim_.WaitForList([](const List& list) {
    return list.count("executor-1") &&
           list.at("executor-1").fields.at("phase") == "subscribed";
  }));
  ASSERT_EQ(sim_.Ctl({"launch", "--task=h1", "--data=hang"}).exit_code, 0);
  ASSERT_TRUE(sim_.WaitForList([](const List& list) {
    return TaskState(list, "h1") == "TASK_RUNNING";
  }));
  List before = sim_.List();
  KillSimulator();
  sim_.KillExecutors(before);  // the executor dies while the agent is down
  const int pid = std::stoi(before.at("executor-1").fields.at("pid"));
  for (int i = 0; i < 500 && kill(pid, 0) == 0; ++i) {
    absl::SleepFor(absl::Milliseconds(10));  // reaped by whoever adopted it
  }
  Start();
  List after = sim_.List();
  EXPECT_EQ(after.at("executor-1").fields.at("phase"), "exited");
  EXPECT_EQ(after.at("executor-1").fields.at("exit"),
            "exited while the agent was down");
  EXPECT_EQ(TaskState(after, "h1"), "TASK_LOST");
  std::vector<std::map<std::string, std::string>> updates = sim_.Updates();
  ASSERT_EQ(updates.size(), 2u);
  EXPECT_EQ(updates[1]["reason"], "REASON_SLAVE_RESTARTED");
  EXPECT_EQ(updates[1]["source"], "SOURCE_SLAVE");
  EXPECT_EQ(sim_.Stop(), 0);
}

TEST_F(RestartTest, ExecutorThatDoesNotReregisterIsKilledAndItsTasksLost) {
  Start();
  ASSERT_TRUE(sim_.WaitForList([](const List& list) {
    return list.count("executor-1") &&
           list.at("executor-1").fields.at("phase") == "subscribed";
  }));
  ASSERT_EQ(sim_.Ctl({"launch", "--task=h1", "--data=hang"}).exit_code, 0);
  ASSERT_TRUE(sim_.WaitForList([](const List& list) {
    return TaskState(list, "h1") == "TASK_RUNNING";
  }));
  const int pid = std::stoi(sim_.List().at("executor-1").fields.at("pid"));
  KillSimulator();
  kill(-pid, SIGSTOP);  // alive, but cannot resubscribe
  Start("400ms");
  ASSERT_TRUE(sim_.WaitForList([](const List& list) {
    return list.at("executor-1").fields.at("phase") == "exited";
  })) << sim_.Log();
  List after = sim_.List();
  EXPECT_EQ(TaskState(after, "h1"), "TASK_LOST");
  EXPECT_THAT(after.at("executor-1").fields.at("exit"),
              HasSubstr("killed by the agent"));
  std::vector<std::map<std::string, std::string>> updates = sim_.Updates();
  ASSERT_EQ(updates.size(), 2u);
  EXPECT_EQ(updates[1]["reason"], "REASON_SLAVE_RESTARTED");
  EXPECT_EQ(sim_.Stop(), 0);
}

}  // namespace
}  // namespace simtest
}  // namespace executor_runtime
