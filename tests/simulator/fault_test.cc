// Fault injection through agent_simulator_ctl: every fault kind, each
// checked by what a real executor does about it.
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

int Subscriptions(const List& list) {
  auto it = list.find("executor-1");
  if (it == list.end()) return -1;
  auto f = it->second.fields.find("subscriptions");
  return f == it->second.fields.end() ? -1 : std::stoi(f->second);
}

std::string Phase(const List& list) {
  auto it = list.find("executor-1");
  if (it == list.end()) return "";
  auto f = it->second.fields.find("phase");
  return f == it->second.fields.end() ? "" : f->second;
}

class FaultTest : public ::testing::Test {
 protected:
  void Start(std::vector<std::string> extra = {}) {
    extra.push_back("--executor=" + TestExecutor());
    extra.push_back("--subscription_backoff_max=50ms");
    std::string error;
    ASSERT_TRUE(sim_.Start(extra, &error)) << error;
    ASSERT_TRUE(WaitForSubscriptions(1)) << sim_.Log();
  }

  bool WaitForSubscriptions(int at_least) {
    return sim_.WaitForList([&](const List& list) {
      return Subscriptions(list) >= at_least && Phase(list) == "subscribed";
    });
  }

  void Ok(const std::vector<std::string>& args) {
    CommandResult result = sim_.Ctl(args);
    ASSERT_EQ(result.exit_code, 0) << result.out << result.err << sim_.Log();
  }

  ScratchDir dir_;
  SimulatorProcess sim_{dir_.path()};
};

TEST_F(FaultTest, BreakStreamsOneAndAll) {
  Start();
  Ok({"fault", "break-streams", "--executor=executor-1"});
  ASSERT_TRUE(WaitForSubscriptions(2));
  Ok({"fault", "break-streams"});
  ASSERT_TRUE(WaitForSubscriptions(3));
  CommandResult unknown =
      sim_.Ctl({"fault", "break-streams", "--executor=nobody"});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_THAT(unknown.err, HasSubstr("NOT_FOUND"));
  EXPECT_EQ(sim_.Stop(), 0);
}

TEST_F(FaultTest, StoppedHeartbeatsMakeTheExecutorReconnect) {
  // 250 ms: the driver gives up after 3 silent intervals (750 ms), which a
  // loaded CI machine (sanitizers, 2 cores) does not reach by accident.
  Start({"--heartbeat_interval=250ms"});
  Ok({"fault", "stop-heartbeats"});
  // Silence for a few intervals: the driver drops the stream and
  // resubscribes (repeatedly, while heartbeats stay off).
  ASSERT_TRUE(WaitForSubscriptions(3)) << sim_.Log();
  Ok({"fault", "resume-heartbeats"});
  // With heartbeats back, the stream stays up: no new subscription over
  // many intervals.
  const int settled = [&] {
    absl::SleepFor(absl::Milliseconds(1000));  // a reconnect may be under way
    return Subscriptions(sim_.List());
  }();
  absl::SleepFor(absl::Milliseconds(2000));  // 8 heartbeat intervals
  EXPECT_EQ(Subscriptions(sim_.List()), settled);
  EXPECT_EQ(sim_.Stop(), 0);
}

TEST_F(FaultTest, DroppedAcknowledgementsAreRetriedAfterReconnect) {
  Start();
  Ok({"fault", "drop-acks"});
  // "crash" exits once its TASK_RUNNING is acknowledged: with acks dropped
  // it stays alive although the update was recorded.
  Ok({"launch", "--task=c1", "--data=crash"});
  ASSERT_TRUE(sim_.WaitForList([](const List& list) {
    auto it = list.find("executor-1");
    return it != list.end() && it->second.tasks.count("c1") > 0 &&
           it->second.tasks.at("c1") == "TASK_RUNNING";
  }));
  absl::SleepFor(absl::Milliseconds(300));
  EXPECT_EQ(Phase(sim_.List()), "subscribed");
  // Back to normal; a reconnect makes the driver resend the update, which
  // is acknowledged (and not recorded twice): the executor crashes.
  Ok({"fault", "normal-acks"});
  Ok({"fault", "break-streams"});
  ASSERT_TRUE(sim_.WaitForList(
      [](const List& list) { return Phase(list) == "exited"; }));
  std::vector<std::map<std::string, std::string>> updates = sim_.Updates();
  ASSERT_EQ(updates.size(), 2u);  // RUNNING once, then the agent's FAILED
  EXPECT_EQ(updates[0]["state"], "TASK_RUNNING");
  EXPECT_EQ(updates[1]["state"], "TASK_FAILED");
  EXPECT_EQ(sim_.Stop(), 0);
}

TEST_F(FaultTest, DelayedAcknowledgements) {
  Start();
  CommandResult bad = sim_.Ctl({"fault", "delay-acks"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_THAT(bad.err, HasSubstr("positive duration"));
  Ok({"fault", "delay-acks", "--duration=600ms"});
  const absl::Time launched = absl::Now();
  Ok({"launch", "--task=c1", "--data=crash"});
  ASSERT_TRUE(sim_.WaitForList(
      [](const List& list) { return Phase(list) == "exited"; }));
  // The executor exits when TASK_RUNNING is acknowledged: not before the
  // delay.
  EXPECT_GE(absl::Now() - launched, absl::Milliseconds(600));
  EXPECT_EQ(sim_.Stop(), 0);
}

TEST_F(FaultTest, RefusedSubscriptions) {
  Start();
  CommandResult bad = sim_.Ctl({"fault", "refuse-subscriptions"});
  EXPECT_EQ(bad.exit_code, 1);
  Ok({"fault", "refuse-subscriptions", "--duration=800ms"});
  const absl::Time refused = absl::Now();
  Ok({"fault", "break-streams"});
  ASSERT_TRUE(WaitForSubscriptions(2));
  EXPECT_GE(absl::Now() - refused, absl::Milliseconds(800));
  EXPECT_EQ(sim_.Stop(), 0);
}

TEST_F(FaultTest, RestartRecoversFromTheWorkDir) {
  Start({"--work_dir=" + (dir_ / "work")});
  Ok({"launch", "--task=t1"});
  ASSERT_TRUE(sim_.WaitForList([](const List& list) {
    return list.at("executor-1").tasks.count("t1") &&
           list.at("executor-1").tasks.at("t1") == "TASK_FINISHED";
  }));
  const std::string pid = sim_.List().at("executor-1").fields.at("pid");
  Ok({"fault", "restart"});
  // The restarted simulator adopts the executor, which resubscribes.
  ASSERT_TRUE(sim_.WaitForList([&](const List& list) {
    auto it = list.find("executor-1");
    return it != list.end() && it->second.fields.count("recovered") &&
           it->second.fields.at("phase") == "subscribed";
  })) << sim_.Log();
  List list = sim_.List();
  EXPECT_EQ(list.at("executor-1").fields.at("pid"), pid);
  EXPECT_EQ(list.at("executor-1").tasks.at("t1"), "TASK_FINISHED");
  EXPECT_EQ(sim_.Updates().size(), 2u);
  Ok({"launch", "--task=t2"});
  ASSERT_TRUE(sim_.WaitForList([](const List& list) {
    return list.at("executor-1").tasks.count("t2") &&
           list.at("executor-1").tasks.at("t2") == "TASK_FINISHED";
  }));
  EXPECT_EQ(sim_.Updates().size(), 4u);
  EXPECT_THAT(sim_.Log(), HasSubstr("agent_simulator: restarting"));
  EXPECT_EQ(sim_.Stop(), 0);
}

TEST_F(FaultTest, RestartNeedsAWorkDir) {
  Start();
  CommandResult result = sim_.Ctl({"fault", "restart"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.err, HasSubstr("needs a checkpoint"));
  EXPECT_EQ(sim_.Stop(), 0);
}

}  // namespace
}  // namespace simtest
}  // namespace executor_runtime
