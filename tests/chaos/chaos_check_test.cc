// The soak's verdict must catch each kind of failure it claims to count.
#include "tests/chaos/chaos_check.h"

#include "gtest/gtest.h"

namespace executor_runtime {
namespace chaos {
namespace {

RecordedUpdate Update(const std::string& task, const std::string& seq,
                      const std::string& uuid,
                      const std::string& source = "SOURCE_EXECUTOR") {
  RecordedUpdate update;
  update.executor_id = "e1";
  update.task_id = task;
  update.data = seq;
  update.state = "TASK_RUNNING";
  update.source = source;
  update.uuid = uuid;
  return update;
}

std::map<std::string, ExecutorLog> Logs(const std::string& text) {
  return {{"e1", ParseExecutorLog(text)}};
}

constexpr char kLog[] =
    "sent t1 1 TASK_RUNNING\n"
    "refused t1 2 RESOURCE_EXHAUSTED: full\n"
    "sent t1 2 TASK_RUNNING\n"
    "sent t1 3 TASK_FINISHED\n"
    "stats subscriptions=3 disconnections=2\n"
    "stop ok OK\n"
    "end\n";

TEST(ChaosCheckTest, ParsesALog) {
  ExecutorLog log = ParseExecutorLog(std::string(kLog) + "gave-up t2 7\n");
  EXPECT_TRUE(log.complete);
  EXPECT_TRUE(log.stop_ok);
  EXPECT_EQ(log.sent["t1"], (std::vector<int>{1, 2, 3}));
  EXPECT_EQ(log.sent_states["t1"].back(), "TASK_FINISHED");
  EXPECT_EQ(log.refused, 1);
  EXPECT_EQ(log.stats["subscriptions"], 3);
  EXPECT_EQ(log.stats["disconnections"], 2);
  EXPECT_EQ(log.notes, std::vector<std::string>{"gave-up t2 7"});
  EXPECT_FALSE(ParseExecutorLog("sent t1 1 TASK_RUNNING\n").complete);
  EXPECT_FALSE(
      ParseExecutorLog("stop failed DEADLINE_EXCEEDED\nend\n").stop_ok);
}

TEST(ChaosCheckTest, AllRecordedOnceInOrderIsOk) {
  Verdict verdict = Compare(
      Logs(kLog),
      {Update("t1", "1", "a"), Update("t1", "2", "b"), Update("t1", "3", "c")});
  EXPECT_TRUE(verdict.ok());
  EXPECT_EQ(verdict.sent, 3);
  EXPECT_EQ(verdict.recorded, 3);
  EXPECT_TRUE(verdict.problems.empty());
}

TEST(ChaosCheckTest, CountsLoss) {
  Verdict verdict =
      Compare(Logs(kLog), {Update("t1", "1", "a"), Update("t1", "3", "c")});
  EXPECT_FALSE(verdict.ok());
  EXPECT_EQ(verdict.lost, 1);
  ASSERT_EQ(verdict.problems.size(), 1u);
  EXPECT_EQ(verdict.problems[0], "lost e1/t1 seq 2");
}

TEST(ChaosCheckTest, CountsDuplicatesBySeqAndByUuid) {
  Verdict verdict =
      Compare(Logs(kLog), {Update("t1", "1", "a"), Update("t1", "1", "x"),
                           Update("t1", "2", "b"), Update("t1", "3", "b")});
  EXPECT_FALSE(verdict.ok());
  EXPECT_EQ(verdict.duplicates, 1);
  EXPECT_EQ(verdict.duplicate_uuids, 1);
  EXPECT_EQ(verdict.lost, 0);
}

TEST(ChaosCheckTest, CountsReordering) {
  Verdict verdict = Compare(
      Logs(kLog),
      {Update("t1", "2", "b"), Update("t1", "1", "a"), Update("t1", "3", "c")});
  EXPECT_FALSE(verdict.ok());
  EXPECT_EQ(verdict.out_of_order, 1);
}

TEST(ChaosCheckTest, CountsUnexpectedAndAgentGeneratedUpdates) {
  Verdict verdict =
      Compare(Logs(kLog), {Update("t1", "1", "a"), Update("t1", "2", "b"),
                           Update("t1", "3", "c"), Update("t1", "4", "d"),
                           Update("t9", "1", "e"), Update("t1", "", "f"),
                           Update("t1", "", "g", "SOURCE_SLAVE")});
  EXPECT_FALSE(verdict.ok());
  EXPECT_EQ(verdict.unexpected, 3);  // seq 4, task t9, unparsable data
  EXPECT_EQ(verdict.agent_generated, 1);
}

}  // namespace
}  // namespace chaos
}  // namespace executor_runtime
