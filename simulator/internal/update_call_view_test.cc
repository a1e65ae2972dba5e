#include "simulator/internal/update_call_view.h"

#include <string>

#include "api/executor/executor.pb.h"
#include "gtest/gtest.h"
#include "simulator/internal/call_validation.h"
#include "util/uuid.h"

namespace executor_runtime {
namespace simulator_internal {
namespace {

using mesos::executor::Call;

void FillStatus(const std::string& task, const std::string& uuid,
                mesos::TaskState state, mesos::TaskStatus* status) {
  status->mutable_task_id()->set_value(task);
  status->set_state(state);
  status->set_source(mesos::TaskStatus::SOURCE_EXECUTOR);
  status->set_uuid(uuid);
}

// What the driver sends: stamped statuses, some batched.
Call DriverUpdate(int batched) {
  Call call;
  call.mutable_executor_id()->set_value("e1");
  call.mutable_framework_id()->set_value("f1");
  call.set_type(Call::UPDATE);
  mesos::TaskStatus* first = call.mutable_update()->mutable_status();
  FillStatus("t0", NewUuidBytes(), mesos::TASK_RUNNING, first);
  first->mutable_executor_id()->set_value("e1");
  first->mutable_slave_id()->set_value("agent-1");
  first->set_timestamp(1.5);
  first->set_message("started");
  first->set_data("\x01\x02");
  first->set_healthy(true);
  first->set_reason(mesos::TaskStatus::REASON_TASK_UNKNOWN);
  for (int i = 0; i < batched; ++i) {
    FillStatus("t" + std::to_string(i + 1), NewUuidBytes(),
               mesos::TASK_FINISHED,
               call.add_batched_updates()->mutable_status());
  }
  return call;
}

bool Read(const Call& call, UpdateCallView* view) {
  return ReadUpdateCall(call.SerializePartialAsString(), view);
}

TEST(UpdateCallViewTest, ReadsADriverCallInPlace) {
  const Call call = DriverUpdate(3);
  const std::string bytes = call.SerializeAsString();
  UpdateCallView view;
  ASSERT_TRUE(ReadUpdateCall(bytes, &view));
  EXPECT_EQ(view.executor_id, "e1");
  EXPECT_EQ(view.framework_id, "f1");
  ASSERT_EQ(view.updates.size(), 4u);
  for (size_t i = 0; i < view.updates.size(); ++i) {
    const mesos::TaskStatus& expected =
        i == 0 ? call.update().status() : call.batched_updates(i - 1).status();
    const UpdateView& update = view.updates[i];
    EXPECT_EQ(update.task_id, expected.task_id().value());
    EXPECT_EQ(update.uuid, expected.uuid());
    EXPECT_EQ(update.state, expected.state());
    EXPECT_EQ(update.status_bytes, expected.SerializeAsString());
    // Views into the call's own bytes, not copies.
    EXPECT_GE(update.status_bytes.data(), bytes.data());
    EXPECT_LE(update.status_bytes.data() + update.status_bytes.size(),
              bytes.data() + bytes.size());
  }
}

TEST(UpdateCallViewTest, TheUpdateFieldComesFirstWhereverItIsOnTheWire) {
  Call batched_only = DriverUpdate(2);
  Call first_only;
  *first_only.mutable_update() = batched_only.update();
  batched_only.clear_update();
  // Batched updates, then the type, IDs and `update` field.
  const std::string bytes = batched_only.SerializePartialAsString() +
                            first_only.SerializePartialAsString();
  UpdateCallView view;
  ASSERT_TRUE(ReadUpdateCall(bytes, &view));
  ASSERT_EQ(view.updates.size(), 3u);
  EXPECT_EQ(view.updates[0].task_id, "t0");
  EXPECT_EQ(view.updates[1].task_id, "t1");
  EXPECT_EQ(view.updates[2].task_id, "t2");
}

// Each case: the fast path declines, and says nothing about validity; the
// slow path (ValidateCallShape) gives the verdict.
TEST(UpdateCallViewTest, DeclinesWhatItDoesNotCheckOrWhatIsInvalid) {
  struct Case {
    const char* name;
    void (*mutate)(Call*);
    bool valid;  // What ValidateCallShape says.
  };
  const Case cases[] = {
      {"labels", [](Call* c) {
         auto* label = c->mutable_update()->mutable_status()->mutable_labels()
                           ->add_labels();
         label->set_key("k");
       }, true},
      {"container status", [](Call* c) {
         c->mutable_update()->mutable_status()->mutable_container_status()
             ->set_executor_pid(7);
       }, true},
      {"not UPDATE", [](Call* c) { c->set_type(Call::HEARTBEAT); }, false},
      {"no update", [](Call* c) { c->clear_update(); }, false},
      {"no framework", [](Call* c) { c->clear_framework_id(); }, false},
      {"empty executor", [](Call* c) {
         c->mutable_executor_id()->set_value("");
       }, false},
      {"short uuid", [](Call* c) {
         c->mutable_update()->mutable_status()->set_uuid("abc");
       }, false},
      {"no uuid", [](Call* c) {
         c->mutable_batched_updates(0)->mutable_status()->clear_uuid();
       }, false},
      {"staging", [](Call* c) {
         c->mutable_update()->mutable_status()->set_state(mesos::TASK_STAGING);
       }, false},
      {"no source", [](Call* c) {
         c->mutable_batched_updates(1)->mutable_status()->clear_source();
       }, false},
      {"agent source", [](Call* c) {
         c->mutable_update()->mutable_status()->set_source(
             mesos::TaskStatus::SOURCE_SLAVE);
       }, false},
      {"other executor", [](Call* c) {
         c->mutable_update()->mutable_status()->mutable_executor_id()
             ->set_value("e2");
       }, false},
      {"empty task", [](Call* c) {
         c->mutable_update()->mutable_status()->mutable_task_id()->set_value(
             "");
       }, false},
      {"foreign payload", [](Call* c) {
         c->mutable_message()->set_data("x");
       }, false},
      {"id without value", [](Call* c) {
         c->mutable_update()->mutable_status()->mutable_slave_id()
             ->clear_value();
       }, false},
  };
  for (const Case& test : cases) {
    Call call = DriverUpdate(2);
    test.mutate(&call);
    UpdateCallView view;
    EXPECT_FALSE(Read(call, &view)) << test.name;
    EXPECT_EQ(ValidateCallShape(call).ok(), test.valid) << test.name;
  }
}

TEST(UpdateCallViewTest, DeclinesOddWireShapes) {
  const std::string bytes = DriverUpdate(1).SerializeAsString();
  UpdateCallView view;
  ASSERT_TRUE(ReadUpdateCall(bytes, &view));
  // Every truncation: taken only if it is still a valid call (cut at the
  // end of a field: here, without its batched update).
  int taken = 0;
  for (size_t length = 0; length < bytes.size(); ++length) {
    const std::string prefix = bytes.substr(0, length);
    if (!ReadUpdateCall(prefix, &view)) continue;
    ++taken;
    Call parsed;
    ASSERT_TRUE(parsed.ParseFromString(prefix)) << length;
    EXPECT_TRUE(ValidateCallShape(parsed).ok()) << length;
    EXPECT_EQ(view.updates.size(), 1u + parsed.batched_updates_size());
  }
  EXPECT_EQ(taken, 1);
  // An unknown field (number 50, varint 1) at the end.
  EXPECT_FALSE(ReadUpdateCall(bytes + std::string("\x90\x03\x01", 3), &view));
  // The type field twice: protobuf keeps the last; the fast path declines.
  EXPECT_FALSE(ReadUpdateCall(bytes + std::string("\x18\x02", 2), &view));
  // A TaskState value this build does not know (99).
  Call call;
  call.mutable_executor_id()->set_value("e1");
  call.mutable_framework_id()->set_value("f1");
  call.set_type(Call::UPDATE);
  mesos::TaskStatus status;
  FillStatus("t", NewUuidBytes(), mesos::TASK_RUNNING, &status);
  std::string status_bytes = status.SerializeAsString();
  status_bytes.append("\x10\x63", 2);  // state = 99, after the valid one
  std::string update_bytes = std::string("\x0a", 1) +
                             static_cast<char>(status_bytes.size()) +
                             status_bytes;
  const std::string with_unknown_state =
      call.SerializePartialAsString() + std::string("\x2a", 1) +
      static_cast<char>(update_bytes.size()) + update_bytes;
  EXPECT_FALSE(ReadUpdateCall(with_unknown_state, &view));
  EXPECT_FALSE(ReadUpdateCall("", &view));
}

TEST(UpdateCallViewTest, ViewOfParsedUpdateSerializes) {
  const Call call = DriverUpdate(0);
  std::string bytes;
  const UpdateView view = ViewOfParsedUpdate(call.update().status(), &bytes);
  EXPECT_EQ(view.status_bytes, call.update().status().SerializeAsString());
  EXPECT_EQ(view.task_id, "t0");
  EXPECT_EQ(view.uuid, call.update().status().uuid());
  EXPECT_EQ(view.state, mesos::TASK_RUNNING);
}

}  // namespace
}  // namespace simulator_internal
}  // namespace executor_runtime
