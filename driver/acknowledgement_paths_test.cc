// The driver reads ACKNOWLEDGED events in two ways (driver/internal/
// ack_wire_parser.h): straight from the wire bytes when they have the plain
// shape the agent core sends, through protobuf otherwise. This checks,
// against a scripted fake agent over real gRPC, that both reach the handler
// the same way: every acknowledgement of ours once, in order, strays and
// duplicates dropped, and the driver's bookkeeping updated.
#include <grpcpp/grpcpp.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "api/executor/agent.grpc.pb.h"
#include "driver/executor_driver.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace executor_runtime {
namespace {

using mesos::executor::Call;
using mesos::executor::Event;
using ::testing::ElementsAre;

// Answers SUBSCRIBE with SUBSCRIBED, records the updates it receives and
// sends whatever events the test asks for. Never acknowledges by itself.
class ScriptedAgent final : public mesos::executor::Agent::Service {
 public:
  ScriptedAgent() {
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(),
                             &port_);
    builder.RegisterService(this);
    server_ = builder.BuildAndStart();
  }
  ~ScriptedAgent() override {
    server_->Shutdown(
        absl::ToChronoTime(absl::Now() + absl::Milliseconds(100)));
    server_->Wait();
  }

  std::string endpoint() const { return absl::StrCat("127.0.0.1:", port_); }

  grpc::Status Connect(grpc::ServerContext* context,
                       grpc::ServerReaderWriter<Event, Call>* stream) override {
    {
      absl::MutexLock lock(&mu_);
      stream_ = stream;
    }
    Call call;
    while (stream->Read(&call)) {
      absl::MutexLock lock(&mu_);
      if (call.type() == Call::SUBSCRIBE) {
        Event event;
        event.set_type(Event::SUBSCRIBED);
        Event::Subscribed* subscribed = event.mutable_subscribed();
        subscribed->mutable_executor_info()->mutable_executor_id()->set_value(
            "e1");
        subscribed->mutable_framework_info()->set_user("u");
        subscribed->mutable_framework_info()->set_name("n");
        subscribed->mutable_agent_info()->set_hostname("h");
        subscribed->mutable_capabilities()->set_batched_updates(true);
        subscribed->mutable_capabilities()->set_batched_acknowledgements(true);
        stream->Write(event);
      } else if (call.type() == Call::UPDATE) {
        updates_.push_back(call.update().status());
        for (const Call::Update& update : call.batched_updates()) {
          updates_.push_back(update.status());
        }
      }
    }
    absl::MutexLock lock(&mu_);
    stream_ = nullptr;
    return grpc::Status::OK;
  }

  bool Send(const Event& event) {
    absl::MutexLock lock(&mu_);
    return stream_ != nullptr && stream_->Write(event);
  }

  // Waits until `count` updates arrived; returns them in order.
  std::vector<mesos::TaskStatus> WaitForUpdates(size_t count) {
    absl::MutexLock lock(&mu_);
    auto arrived = [this, count]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return updates_.size() >= count;
    };
    mu_.AwaitWithTimeout(absl::Condition(&arrived), absl::Seconds(10));
    return updates_;
  }

 private:
  absl::Mutex mu_;
  grpc::ServerReaderWriter<Event, Call>* stream_ ABSL_GUARDED_BY(mu_) =
      nullptr;
  std::vector<mesos::TaskStatus> updates_ ABSL_GUARDED_BY(mu_);
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
};

// Records subscriptions and acknowledgements (task ID, UUID).
class AckRecorder : public EventHandler {
 public:
  void Subscribed(ExecutorDriver*, const Event::Subscribed&, bool) override {
    absl::MutexLock lock(&mu_);
    subscribed_ = true;
  }
  void Launch(ExecutorDriver*, const mesos::TaskInfo&) override {}
  void Kill(ExecutorDriver*, const mesos::TaskID&,
            const mesos::KillPolicy&) override {}
  void Shutdown(ExecutorDriver*) override {}
  void Acknowledged(ExecutorDriver*, const mesos::TaskID& task_id,
                    const std::string& uuid) override {
    absl::MutexLock lock(&mu_);
    acks_.push_back(task_id.value() + "/" + uuid);
  }

  bool WaitForSubscribed() {
    absl::MutexLock lock(&mu_);
    return mu_.AwaitWithTimeout(absl::Condition(&subscribed_),
                                absl::Seconds(10));
  }
  // Waits until `count` acknowledgements arrived; returns them.
  std::vector<std::string> WaitForAcks(size_t count) {
    absl::MutexLock lock(&mu_);
    auto arrived = [this, count]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return acks_.size() >= count;
    };
    mu_.AwaitWithTimeout(absl::Condition(&arrived), absl::Seconds(10));
    return acks_;
  }

 private:
  absl::Mutex mu_;
  bool subscribed_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::string> acks_ ABSL_GUARDED_BY(mu_);
};

std::string Key(const mesos::TaskStatus& status) {
  return status.task_id().value() + "/" + status.uuid();
}

void AddAck(Event* event, const mesos::TaskStatus& status) {
  Event::Acknowledged* ack = event->has_acknowledged()
                                 ? event->add_batched_acknowledgements()
                                 : event->mutable_acknowledged();
  *ack->mutable_task_id() = status.task_id();
  ack->set_uuid(status.uuid());
}

TEST(AcknowledgementPathsTest, PlainAndOddShapedEventsAreAppliedAlike) {
  ScriptedAgent agent;
  AckRecorder handler;
  DriverOptions options;
  options.framework_id.set_value("f1");
  options.executor_id.set_value("e1");
  options.agent_id.set_value("agent-1");
  options.agent_endpoint = agent.endpoint();
  options.kill_process_group_on_shutdown = false;
  ExecutorDriver driver(&handler, options);
  ASSERT_TRUE(driver.Start().ok());
  ASSERT_TRUE(handler.WaitForSubscribed());

  for (int i = 0; i < 5; ++i) {
    mesos::TaskStatus status;
    status.mutable_task_id()->set_value(i % 2 == 0 ? "task-a" : "b");
    status.set_state(mesos::TASK_RUNNING);
    ASSERT_TRUE(driver.SendStatusUpdate(status).ok());
  }
  const std::vector<mesos::TaskStatus> sent = agent.WaitForUpdates(5);
  ASSERT_EQ(sent.size(), 5u);

  // Plain shape, read from the bytes: two of ours and a stray.
  Event plain;
  plain.set_type(Event::ACKNOWLEDGED);
  AddAck(&plain, sent[0]);
  mesos::TaskStatus stray = sent[1];
  stray.set_uuid(std::string(16, 's'));
  AddAck(&plain, stray);
  AddAck(&plain, sent[1]);
  ASSERT_TRUE(agent.Send(plain));
  EXPECT_THAT(handler.WaitForAcks(2),
              ElementsAre(Key(sent[0]), Key(sent[1])));

  // An unknown field makes the driver parse it with protobuf: one of ours,
  // a duplicate of an acknowledged one, then another of ours.
  Event odd;
  odd.set_type(Event::ACKNOWLEDGED);
  AddAck(&odd, sent[2]);
  AddAck(&odd, sent[0]);
  AddAck(&odd, sent[3]);
  odd.GetReflection()->MutableUnknownFields(&odd)->AddVarint(1000, 7);
  ASSERT_TRUE(agent.Send(odd));
  EXPECT_THAT(handler.WaitForAcks(4),
              ElementsAre(Key(sent[0]), Key(sent[1]), Key(sent[2]),
                          Key(sent[3])));

  // Only strays: nothing reaches the handler; then the last one, plain.
  Event strays;
  strays.set_type(Event::ACKNOWLEDGED);
  AddAck(&strays, stray);
  ASSERT_TRUE(agent.Send(strays));
  Event last;
  last.set_type(Event::ACKNOWLEDGED);
  AddAck(&last, sent[4]);
  ASSERT_TRUE(agent.Send(last));
  EXPECT_THAT(handler.WaitForAcks(5),
              ElementsAre(Key(sent[0]), Key(sent[1]), Key(sent[2]),
                          Key(sent[3]), Key(sent[4])));

  const DriverStats stats = driver.stats();
  EXPECT_EQ(stats.updates_acknowledged, 5u);
  EXPECT_EQ(stats.unacknowledged, 0u);
  ASSERT_TRUE(driver.Stop().ok());
  EXPECT_EQ(handler.WaitForAcks(5).size(), 5u);
}

}  // namespace
}  // namespace executor_runtime
