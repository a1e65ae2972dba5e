// Every field number and enum value the Mesos facts list, checked through
// the descriptors of our generated code: renumbering or renaming a field of
// the wire contract fails here. (Byte-level encodings are in
// wire_bytes_test.cc.)
#include <string>
#include <vector>

#include "api/executor/executor.pb.h"
#include "api/mesos/internal/messages.pb.h"
#include "api/mesos/mesos.pb.h"
#include "google/protobuf/descriptor.h"
#include "gtest/gtest.h"

namespace {

using google::protobuf::Descriptor;
using google::protobuf::DescriptorPool;
using google::protobuf::EnumDescriptor;
using google::protobuf::FieldDescriptor;

struct FieldFact {
  const char* message;  // full protobuf name
  const char* field;
  int number;
};

// Straight from reference/mesos-executor-facts.md.
const FieldFact kFieldFacts[] = {
    {"mesos.FrameworkID", "value", 1},
    {"mesos.SlaveID", "value", 1},
    {"mesos.ExecutorID", "value", 1},
    {"mesos.TaskID", "value", 1},
    {"mesos.OfferID", "value", 1},
    {"mesos.ContainerID", "value", 1},
    {"mesos.ContainerID", "parent", 2},
    {"mesos.TaskStatus", "task_id", 1},
    {"mesos.TaskStatus", "state", 2},
    {"mesos.TaskStatus", "data", 3},
    {"mesos.TaskStatus", "message", 4},
    {"mesos.TaskStatus", "slave_id", 5},
    {"mesos.TaskStatus", "timestamp", 6},
    {"mesos.TaskStatus", "executor_id", 7},
    {"mesos.TaskStatus", "healthy", 8},
    {"mesos.TaskStatus", "source", 9},
    {"mesos.TaskStatus", "reason", 10},
    {"mesos.TaskStatus", "uuid", 11},
    {"mesos.TaskStatus", "labels", 12},
    {"mesos.TaskStatus", "container_status", 13},
    {"mesos.TaskStatus", "unreachable_time", 14},
    {"mesos.TaskStatus", "check_status", 15},
    {"mesos.TaskInfo", "name", 1},
    {"mesos.TaskInfo", "task_id", 2},
    {"mesos.TaskInfo", "slave_id", 3},
    {"mesos.TaskInfo", "resources", 4},
    {"mesos.TaskInfo", "executor", 5},
    {"mesos.TaskInfo", "data", 6},
    {"mesos.TaskInfo", "command", 7},
    {"mesos.TaskInfo", "labels", 10},
    {"mesos.TaskInfo", "kill_policy", 12},
    {"mesos.TaskInfo", "max_completion_time", 14},
    {"mesos.TaskGroupInfo", "tasks", 1},
    {"mesos.ExecutorInfo", "executor_id", 1},
    {"mesos.ExecutorInfo", "data", 4},
    {"mesos.ExecutorInfo", "resources", 5},
    {"mesos.ExecutorInfo", "command", 7},
    {"mesos.ExecutorInfo", "framework_id", 8},
    {"mesos.ExecutorInfo", "name", 9},
    {"mesos.ExecutorInfo", "shutdown_grace_period", 13},
    {"mesos.ExecutorInfo", "labels", 14},
    {"mesos.ExecutorInfo", "type", 15},
    {"mesos.FrameworkInfo", "user", 1},
    {"mesos.FrameworkInfo", "name", 2},
    {"mesos.FrameworkInfo", "id", 3},
    {"mesos.FrameworkInfo", "failover_timeout", 4},
    {"mesos.FrameworkInfo", "checkpoint", 5},
    {"mesos.FrameworkInfo", "role", 6},
    {"mesos.FrameworkInfo", "hostname", 7},
    {"mesos.FrameworkInfo", "principal", 8},
    {"mesos.FrameworkInfo", "webui_url", 9},
    {"mesos.FrameworkInfo", "capabilities", 10},
    {"mesos.FrameworkInfo", "labels", 11},
    {"mesos.FrameworkInfo", "roles", 12},
    {"mesos.SlaveInfo", "hostname", 1},
    {"mesos.SlaveInfo", "resources", 3},
    {"mesos.SlaveInfo", "attributes", 5},
    {"mesos.SlaveInfo", "id", 6},
    {"mesos.SlaveInfo", "checkpoint", 7},
    {"mesos.SlaveInfo", "port", 8},
    {"mesos.CommandInfo", "uris", 1},
    {"mesos.CommandInfo", "environment", 2},
    {"mesos.CommandInfo", "value", 3},
    {"mesos.CommandInfo", "user", 5},
    {"mesos.CommandInfo", "shell", 6},
    {"mesos.CommandInfo", "arguments", 7},
    {"mesos.Environment", "variables", 1},
    {"mesos.Environment.Variable", "name", 1},
    {"mesos.Environment.Variable", "value", 2},
    {"mesos.Environment.Variable", "type", 3},
    {"mesos.Resource", "name", 1},
    {"mesos.Resource", "type", 2},
    {"mesos.Resource", "scalar", 3},
    {"mesos.Resource", "ranges", 4},
    {"mesos.Resource", "set", 5},
    {"mesos.Resource", "role", 6},
    {"mesos.Value.Scalar", "value", 1},
    {"mesos.KillPolicy", "grace_period", 1},
    {"mesos.DurationInfo", "nanoseconds", 1},
    {"mesos.Labels", "labels", 1},
    {"mesos.Label", "key", 1},
    {"mesos.Label", "value", 2},
    // Legacy executor messages.
    {"mesos.internal.RegisterExecutorMessage", "framework_id", 1},
    {"mesos.internal.RegisterExecutorMessage", "executor_id", 2},
    {"mesos.internal.ExecutorRegisteredMessage", "executor_info", 2},
    {"mesos.internal.ExecutorRegisteredMessage", "framework_id", 3},
    {"mesos.internal.ExecutorRegisteredMessage", "framework_info", 4},
    {"mesos.internal.ExecutorRegisteredMessage", "slave_id", 5},
    {"mesos.internal.ExecutorRegisteredMessage", "slave_info", 6},
    {"mesos.internal.ReconnectExecutorMessage", "slave_id", 1},
    {"mesos.internal.ReregisterExecutorMessage", "executor_id", 1},
    {"mesos.internal.ReregisterExecutorMessage", "framework_id", 2},
    {"mesos.internal.ReregisterExecutorMessage", "tasks", 3},
    {"mesos.internal.ReregisterExecutorMessage", "updates", 4},
    {"mesos.internal.ExecutorReregisteredMessage", "slave_id", 1},
    {"mesos.internal.ExecutorReregisteredMessage", "slave_info", 2},
    {"mesos.internal.RunTaskMessage", "framework_id", 1},
    {"mesos.internal.RunTaskMessage", "framework", 2},
    {"mesos.internal.RunTaskMessage", "pid", 3},
    {"mesos.internal.RunTaskMessage", "task", 4},
    {"mesos.internal.RunTaskMessage", "launch_executor", 6},
    {"mesos.internal.KillTaskMessage", "framework_id", 1},
    {"mesos.internal.KillTaskMessage", "task_id", 2},
    {"mesos.internal.KillTaskMessage", "kill_policy", 3},
    {"mesos.internal.StatusUpdate", "framework_id", 1},
    {"mesos.internal.StatusUpdate", "executor_id", 2},
    {"mesos.internal.StatusUpdate", "slave_id", 3},
    {"mesos.internal.StatusUpdate", "status", 4},
    {"mesos.internal.StatusUpdate", "timestamp", 5},
    {"mesos.internal.StatusUpdate", "uuid", 6},
    {"mesos.internal.StatusUpdate", "latest_state", 7},
    {"mesos.internal.StatusUpdateMessage", "update", 1},
    {"mesos.internal.StatusUpdateMessage", "pid", 2},
    {"mesos.internal.StatusUpdateAcknowledgementMessage", "slave_id", 1},
    {"mesos.internal.StatusUpdateAcknowledgementMessage", "framework_id", 2},
    {"mesos.internal.StatusUpdateAcknowledgementMessage", "task_id", 3},
    {"mesos.internal.StatusUpdateAcknowledgementMessage", "uuid", 4},
    {"mesos.internal.FrameworkToExecutorMessage", "slave_id", 1},
    {"mesos.internal.FrameworkToExecutorMessage", "framework_id", 2},
    {"mesos.internal.FrameworkToExecutorMessage", "executor_id", 3},
    {"mesos.internal.FrameworkToExecutorMessage", "data", 4},
    {"mesos.internal.ExecutorToFrameworkMessage", "slave_id", 1},
    {"mesos.internal.ExecutorToFrameworkMessage", "framework_id", 2},
    {"mesos.internal.ExecutorToFrameworkMessage", "executor_id", 3},
    {"mesos.internal.ExecutorToFrameworkMessage", "data", 4},
    {"mesos.internal.ShutdownExecutorMessage", "executor_id", 1},
    {"mesos.internal.ShutdownExecutorMessage", "framework_id", 2},
    // v1 executor Call/Event.
    {"mesos.executor.Event", "type", 1},
    {"mesos.executor.Event", "subscribed", 2},
    {"mesos.executor.Event", "acknowledged", 3},
    {"mesos.executor.Event", "launch", 4},
    {"mesos.executor.Event", "kill", 5},
    {"mesos.executor.Event", "message", 6},
    {"mesos.executor.Event", "error", 7},
    {"mesos.executor.Event", "launch_group", 8},
    {"mesos.executor.Event.Subscribed", "executor_info", 1},
    {"mesos.executor.Event.Subscribed", "framework_info", 2},
    {"mesos.executor.Event.Subscribed", "agent_info", 3},
    {"mesos.executor.Event.Subscribed", "container_id", 4},
    {"mesos.executor.Event.Launch", "task", 1},
    {"mesos.executor.Event.LaunchGroup", "task_group", 1},
    {"mesos.executor.Event.Kill", "task_id", 1},
    {"mesos.executor.Event.Kill", "kill_policy", 2},
    {"mesos.executor.Event.Acknowledged", "task_id", 1},
    {"mesos.executor.Event.Acknowledged", "uuid", 2},
    {"mesos.executor.Event.Message", "data", 1},
    {"mesos.executor.Event.Error", "message", 1},
    {"mesos.executor.Call", "executor_id", 1},
    {"mesos.executor.Call", "framework_id", 2},
    {"mesos.executor.Call", "type", 3},
    {"mesos.executor.Call", "subscribe", 4},
    {"mesos.executor.Call", "update", 5},
    {"mesos.executor.Call", "message", 6},
    {"mesos.executor.Call.Subscribe", "unacknowledged_tasks", 1},
    {"mesos.executor.Call.Subscribe", "unacknowledged_updates", 2},
    {"mesos.executor.Call.Update", "status", 1},
    {"mesos.executor.Call.Message", "data", 2},
    // Our extensions: numbers >= 100, documented in docs/PROTOCOL.md.
    {"mesos.executor.Call", "batched_updates", 100},
    {"mesos.executor.Call", "acknowledgements_received", 101},
    {"mesos.executor.Call.Subscribe", "capabilities", 100},
    {"mesos.executor.Event", "batched_acknowledgements", 100},
    {"mesos.executor.Event.Subscribed", "heartbeat_interval_seconds", 100},
    {"mesos.executor.Event.Subscribed", "capabilities", 101},
};

TEST(FieldNumbersTest, EveryFactMatchesTheGeneratedDescriptors) {
  // Touch each file so its descriptors are in the generated pool.
  mesos::TaskStatus().GetDescriptor();
  mesos::internal::StatusUpdate().GetDescriptor();
  mesos::executor::Call().GetDescriptor();
  const DescriptorPool* pool = DescriptorPool::generated_pool();
  for (const FieldFact& fact : kFieldFacts) {
    const Descriptor* message = pool->FindMessageTypeByName(fact.message);
    ASSERT_NE(message, nullptr) << "missing message " << fact.message;
    const FieldDescriptor* field = message->FindFieldByName(fact.field);
    ASSERT_NE(field, nullptr) << fact.message << " has no field " << fact.field;
    EXPECT_EQ(field->number(), fact.number) << fact.message << "." << fact.field;
  }
}

TEST(FieldNumbersTest, ProtoFilesAreProto2) {
  for (const google::protobuf::Descriptor* d :
       {mesos::TaskStatus::descriptor(),
        mesos::internal::StatusUpdate::descriptor(),
        mesos::executor::Call::descriptor()}) {
    EXPECT_EQ(d->file()->syntax(), google::protobuf::FileDescriptor::SYNTAX_PROTO2)
        << d->file()->name();
  }
}

TEST(FieldNumbersTest, RequiredFieldsAreRequiredAsInMesos) {
  EXPECT_TRUE(mesos::TaskStatus::descriptor()->FindFieldByName("task_id")->is_required());
  EXPECT_TRUE(mesos::TaskStatus::descriptor()->FindFieldByName("state")->is_required());
  EXPECT_TRUE(mesos::TaskInfo::descriptor()->FindFieldByName("slave_id")->is_required());
  EXPECT_TRUE(mesos::executor::Call::descriptor()->FindFieldByName("executor_id")->is_required());
  EXPECT_TRUE(mesos::executor::Call::descriptor()->FindFieldByName("framework_id")->is_required());
}

struct EnumFact {
  const char* value;  // full name of the enum value
  int number;
};

const EnumFact kEnumFacts[] = {
    {"mesos.DRIVER_NOT_STARTED", 1},
    {"mesos.DRIVER_RUNNING", 2},
    {"mesos.DRIVER_ABORTED", 3},
    {"mesos.DRIVER_STOPPED", 4},
    {"mesos.TASK_STAGING", 6},
    {"mesos.TASK_STARTING", 0},
    {"mesos.TASK_RUNNING", 1},
    {"mesos.TASK_KILLING", 8},
    {"mesos.TASK_FINISHED", 2},
    {"mesos.TASK_FAILED", 3},
    {"mesos.TASK_KILLED", 4},
    {"mesos.TASK_ERROR", 7},
    {"mesos.TASK_LOST", 5},
    {"mesos.TASK_DROPPED", 9},
    {"mesos.TASK_UNREACHABLE", 10},
    {"mesos.TASK_GONE", 11},
    {"mesos.TASK_GONE_BY_OPERATOR", 12},
    {"mesos.TASK_UNKNOWN", 13},
    {"mesos.TaskStatus.SOURCE_MASTER", 0},
    {"mesos.TaskStatus.SOURCE_SLAVE", 1},
    {"mesos.TaskStatus.SOURCE_EXECUTOR", 2},
    {"mesos.TaskStatus.REASON_COMMAND_EXECUTOR_FAILED", 0},
    {"mesos.TaskStatus.REASON_EXECUTOR_TERMINATED", 1},
    {"mesos.TaskStatus.REASON_SLAVE_RESTARTED", 12},
    {"mesos.TaskStatus.REASON_TASK_INVALID", 14},
    {"mesos.TaskStatus.REASON_CONTAINER_LAUNCH_FAILED", 21},
    {"mesos.TaskStatus.REASON_TASK_HEALTH_CHECK_STATUS_UPDATED", 29},
    {"mesos.TaskStatus.REASON_TASK_KILLED_DURING_LAUNCH", 30},
    {"mesos.ExecutorInfo.UNKNOWN", 0},
    {"mesos.ExecutorInfo.DEFAULT", 1},
    {"mesos.ExecutorInfo.CUSTOM", 2},
    {"mesos.Value.SCALAR", 0},
    {"mesos.Value.RANGES", 1},
    {"mesos.Value.SET", 2},
    {"mesos.Value.TEXT", 3},
    {"mesos.executor.Event.UNKNOWN", 0},
    {"mesos.executor.Event.SUBSCRIBED", 1},
    {"mesos.executor.Event.LAUNCH", 2},
    {"mesos.executor.Event.KILL", 3},
    {"mesos.executor.Event.ACKNOWLEDGED", 4},
    {"mesos.executor.Event.MESSAGE", 5},
    {"mesos.executor.Event.ERROR", 6},
    {"mesos.executor.Event.SHUTDOWN", 7},
    {"mesos.executor.Event.LAUNCH_GROUP", 8},
    {"mesos.executor.Event.HEARTBEAT", 9},
    {"mesos.executor.Call.UNKNOWN", 0},
    {"mesos.executor.Call.SUBSCRIBE", 1},
    {"mesos.executor.Call.UPDATE", 2},
    {"mesos.executor.Call.MESSAGE", 3},
    {"mesos.executor.Call.HEARTBEAT", 4},
};

TEST(FieldNumbersTest, EveryEnumValueMatchesMesos) {
  const DescriptorPool* pool = DescriptorPool::generated_pool();
  for (const EnumFact& fact : kEnumFacts) {
    const auto* value = pool->FindEnumValueByName(fact.value);
    ASSERT_NE(value, nullptr) << "missing enum value " << fact.value;
    EXPECT_EQ(value->number(), fact.number) << fact.value;
  }
}

}  // namespace
