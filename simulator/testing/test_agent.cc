#include "simulator/testing/test_agent.h"

#include <optional>
#include <utility>

#include "absl/time/clock.h"
#include "util/uuid.h"

namespace executor_runtime {
namespace testing_support {

using mesos::executor::Call;
using mesos::executor::Event;

Call MakeSubscribeCall(const ExecutorRef& ref, bool batched_updates,
                       bool batched_acks) {
  Call call;
  call.mutable_executor_id()->set_value(ref.executor_id);
  call.mutable_framework_id()->set_value(ref.framework_id);
  call.set_type(Call::SUBSCRIBE);
  auto* capabilities = call.mutable_subscribe()->mutable_capabilities();
  capabilities->set_batched_updates(batched_updates);
  capabilities->set_batched_acknowledgements(batched_acks);
  return call;
}

mesos::TaskStatus MakeStatus(const ExecutorRef& ref, const std::string& task_id,
                             mesos::TaskState state, const std::string& uuid) {
  mesos::TaskStatus status;
  status.mutable_task_id()->set_value(task_id);
  status.set_state(state);
  status.set_source(mesos::TaskStatus::SOURCE_EXECUTOR);
  status.mutable_executor_id()->set_value(ref.executor_id);
  status.set_uuid(uuid);
  return status;
}

Call MakeUpdateCall(const ExecutorRef& ref, const std::string& task_id,
                    mesos::TaskState state, const std::string& uuid) {
  Call call;
  call.mutable_executor_id()->set_value(ref.executor_id);
  call.mutable_framework_id()->set_value(ref.framework_id);
  call.set_type(Call::UPDATE);
  *call.mutable_update()->mutable_status() =
      MakeStatus(ref, task_id, state, uuid);
  return call;
}

AgentOptions TestOptions() {
  AgentOptions options;
  options.agent_info.set_hostname("localhost");
  options.agent_info.mutable_id()->set_value("agent-1");
  options.heartbeat_interval = absl::ZeroDuration();
  return options;
}

mesos::TaskInfo MakeTask(const std::string& id) {
  mesos::TaskInfo task;
  task.set_name("task " + id);
  task.mutable_task_id()->set_value(id);
  task.mutable_slave_id()->set_value("agent-1");
  return task;
}

bool IsSubscribed(const AgentCore& core, const ExecutorRef& ref) {
  std::optional<ExecutorView> view = core.Executor(ref);
  return view.has_value() && view->subscribed;
}

ExecutorSpec TestSpec(const std::string& framework_id,
                      const std::string& executor_id,
                      const std::string& auth_token) {
  ExecutorSpec spec;
  spec.framework_info.set_user("tester");
  spec.framework_info.set_name("test framework");
  spec.framework_info.mutable_id()->set_value(framework_id);
  spec.executor_info.mutable_executor_id()->set_value(executor_id);
  spec.executor_info.set_name("test executor " + executor_id);
  spec.auth_token = auth_token;
  return spec;
}

TestAgent::TestAgent(AgentOptions options)
    : core_(std::make_unique<AgentCore>(std::move(options))) {
  grpc::ServerBuilder builder;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(),
                           &port_);
  builder.RegisterService(core_->service());
  server_ = builder.BuildAndStart();
}

TestAgent::~TestAgent() {
  server_->Shutdown(absl::ToChronoTime(absl::Now() + absl::Milliseconds(100)));
  server_->Wait();
  server_.reset();
  core_.reset();
}

std::shared_ptr<grpc::Channel> TestAgent::NewChannel() const {
  // A channel of its own per executor: each gets its own HTTP/2 connection.
  grpc::ChannelArguments args;
  args.SetInt("grpc.use_local_subchannel_pool", 1);
  return grpc::CreateCustomChannel("127.0.0.1:" + std::to_string(port_),
                                   grpc::InsecureChannelCredentials(), args);
}

ExecutorRef TestAgent::AddExecutor(const std::string& framework_id,
                                   const std::string& executor_id,
                                   const std::string& auth_token) {
  absl::Status status =
      core_->AddExecutor(TestSpec(framework_id, executor_id, auth_token));
  if (!status.ok()) std::abort();
  return ExecutorRef{framework_id, executor_id};
}

TestExecutor::TestExecutor(const TestAgent& agent, ExecutorRef ref,
                           const std::string& auth_token,
                           absl::Duration deadline)
    : ref_(std::move(ref)),
      channel_(agent.NewChannel()),
      stub_(mesos::executor::Agent::NewStub(channel_)) {
  context_.set_deadline(absl::ToChronoTime(absl::Now() + deadline));
  if (!auth_token.empty()) {
    context_.AddMetadata("authorization", "Bearer " + auth_token);
  }
  stream_ = stub_->Connect(&context_);
}

TestExecutor::~TestExecutor() {
  if (!finished_) {
    context_.TryCancel();
    stream_->Finish();
  }
}

Call TestExecutor::MessageCall(const std::string& data) const {
  Call call;
  call.mutable_executor_id()->set_value(ref_.executor_id);
  call.mutable_framework_id()->set_value(ref_.framework_id);
  call.set_type(Call::MESSAGE);
  call.mutable_message()->set_data(data);
  return call;
}

Call TestExecutor::HeartbeatCall() const {
  Call call;
  call.mutable_executor_id()->set_value(ref_.executor_id);
  call.mutable_framework_id()->set_value(ref_.framework_id);
  call.set_type(Call::HEARTBEAT);
  return call;
}

bool TestExecutor::Write(const Call& call) { return stream_->Write(call); }

std::optional<Event> TestExecutor::Read() {
  Event event;
  if (!stream_->Read(&event)) return std::nullopt;
  return event;
}

std::optional<Event> TestExecutor::ReadSkippingHeartbeats() {
  while (true) {
    std::optional<Event> event = Read();
    if (!event.has_value() || event->type() != Event::HEARTBEAT) return event;
  }
}

std::optional<Event> TestExecutor::Subscribe(bool batched_updates,
                                             bool batched_acks) {
  if (!Write(SubscribeCall(batched_updates, batched_acks))) return std::nullopt;
  std::optional<Event> event = ReadSkippingHeartbeats();
  if (!event.has_value() || event->type() != Event::SUBSCRIBED) {
    return std::nullopt;
  }
  return event;
}

grpc::Status TestExecutor::ReadToEnd() {
  Event event;
  while (stream_->Read(&event)) {
  }
  finished_ = true;
  return stream_->Finish();
}

grpc::Status TestExecutor::Close() {
  stream_->WritesDone();
  return ReadToEnd();
}

RawExecutor::RawExecutor(const TestAgent& agent, absl::Duration deadline)
    : stub_(agent.NewChannel()) {
  context_.set_deadline(absl::ToChronoTime(absl::Now() + deadline));
  call_ = stub_.PrepareCall(&context_, "/mesos.executor.Agent/Connect", &cq_);
  call_->StartCall(this);
  Await();
}

RawExecutor::~RawExecutor() {
  if (!finished_) {
    context_.TryCancel();
    grpc::Status status;
    call_->Finish(&status, this);
    Await();
  }
  cq_.Shutdown();
  void* tag;
  bool ok;
  while (cq_.Next(&tag, &ok)) {
  }
}

bool RawExecutor::Await() {
  void* tag = nullptr;
  bool ok = false;
  if (!cq_.Next(&tag, &ok)) return false;
  return ok;
}

bool RawExecutor::WriteBytes(const std::string& bytes) {
  grpc::Slice slice(bytes.data(), bytes.size());
  grpc::ByteBuffer buffer(&slice, 1);
  call_->Write(buffer, this);
  return Await();
}

bool RawExecutor::WriteCall(const Call& call) {
  return WriteBytes(call.SerializePartialAsString());
}

std::optional<Event> RawExecutor::Read() {
  grpc::ByteBuffer buffer;
  call_->Read(&buffer, this);
  if (!Await()) return std::nullopt;
  std::vector<grpc::Slice> slices;
  if (!buffer.Dump(&slices).ok()) return std::nullopt;
  std::string bytes;
  for (const grpc::Slice& slice : slices) {
    bytes.append(reinterpret_cast<const char*>(slice.begin()), slice.size());
  }
  Event event;
  if (!event.ParseFromString(bytes)) return std::nullopt;
  return event;
}

grpc::Status RawExecutor::ReadToEnd() {
  while (Read().has_value()) {
  }
  grpc::Status status;
  call_->Finish(&status, this);
  Await();
  finished_ = true;
  return status;
}

}  // namespace testing_support
}  // namespace executor_runtime
