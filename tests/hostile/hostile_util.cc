#include "tests/hostile/hostile_util.h"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace executor_runtime {
namespace hostile_test {

using mesos::executor::Call;
using mesos::executor::Event;

AgentOptions QuietAgentOptions() {
  AgentOptions options;
  options.agent_info.set_hostname("localhost");
  options.agent_info.mutable_id()->set_value("agent-1");
  options.heartbeat_interval = absl::ZeroDuration();
  return options;
}

ExecutorSpec Spec(const std::string& framework_id,
                  const std::string& executor_id,
                  const std::string& auth_token) {
  ExecutorSpec spec;
  spec.framework_info.set_user("tester");
  spec.framework_info.set_name("hostile test framework");
  spec.framework_info.mutable_id()->set_value(framework_id);
  spec.executor_info.mutable_executor_id()->set_value(executor_id);
  spec.executor_info.mutable_framework_id()->set_value(framework_id);
  spec.auth_token = auth_token;
  return spec;
}

mesos::TaskInfo Task(const std::string& task_id) {
  mesos::TaskInfo task;
  task.set_name("task " + task_id);
  task.mutable_task_id()->set_value(task_id);
  task.mutable_slave_id()->set_value("agent-1");
  return task;
}

Call SubscribeCall(const ExecutorRef& ref, bool batched) {
  Call call;
  call.set_type(Call::SUBSCRIBE);
  call.mutable_executor_id()->set_value(ref.executor_id);
  call.mutable_framework_id()->set_value(ref.framework_id);
  auto* capabilities = call.mutable_subscribe()->mutable_capabilities();
  capabilities->set_batched_updates(batched);
  capabilities->set_batched_acknowledgements(batched);
  return call;
}

mesos::TaskStatus Status(const ExecutorRef& ref, const std::string& task_id,
                         mesos::TaskState state, const std::string& uuid) {
  mesos::TaskStatus status;
  status.mutable_task_id()->set_value(task_id);
  status.set_state(state);
  status.set_uuid(uuid);
  status.set_source(mesos::TaskStatus::SOURCE_EXECUTOR);
  status.mutable_executor_id()->set_value(ref.executor_id);
  status.mutable_slave_id()->set_value("agent-1");
  status.set_timestamp(absl::ToDoubleSeconds(absl::Now() - absl::UnixEpoch()));
  return status;
}

Call UpdateCall(const ExecutorRef& ref, const std::string& task_id,
                mesos::TaskState state, const std::string& uuid) {
  Call call;
  call.set_type(Call::UPDATE);
  call.mutable_executor_id()->set_value(ref.executor_id);
  call.mutable_framework_id()->set_value(ref.framework_id);
  *call.mutable_update()->mutable_status() = Status(ref, task_id, state, uuid);
  return call;
}

std::vector<std::pair<std::string, std::string>> AcksOf(const Event& event) {
  std::vector<std::pair<std::string, std::string>> acks;
  if (event.type() != Event::ACKNOWLEDGED) return acks;
  if (event.has_acknowledged()) {
    acks.emplace_back(event.acknowledged().task_id().value(),
                      event.acknowledged().uuid());
  }
  for (const Event::Acknowledged& ack : event.batched_acknowledgements()) {
    acks.emplace_back(ack.task_id().value(), ack.uuid());
  }
  return acks;
}

// ---- AgentHarness ---------------------------------------------------------

AgentHarness::AgentHarness(AgentOptions options, bool unix_socket,
                           int max_receive_message_size)
    : core_(std::make_unique<AgentCore>(std::move(options))) {
  grpc::ServerBuilder builder;
  if (max_receive_message_size > 0) {
    builder.SetMaxReceiveMessageSize(max_receive_message_size);
  }
  int port = 0;
  if (unix_socket) {
    // $TEST_TMPDIR is too long for a socket path (108 bytes at most).
    char dir[] = "/tmp/xrt-XXXXXX";
    if (mkdtemp(dir) == nullptr) std::abort();
    socket_dir_ = dir;
    endpoint_ = absl::StrCat("unix:", socket_dir_, "/agent.sock");
    builder.AddListeningPort(endpoint_, grpc::InsecureServerCredentials());
  } else {
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(),
                             &port);
  }
  builder.RegisterService(core_->service());
  server_ = builder.BuildAndStart();
  if (server_ == nullptr) std::abort();
  if (!unix_socket) endpoint_ = absl::StrCat("127.0.0.1:", port);
}

AgentHarness::~AgentHarness() {
  server_->Shutdown(absl::ToChronoTime(absl::Now() + absl::Milliseconds(200)));
  server_->Wait();
  server_.reset();
  core_.reset();
  if (!socket_dir_.empty()) {
    unlink((socket_dir_ + "/agent.sock").c_str());
    rmdir(socket_dir_.c_str());
  }
}

std::shared_ptr<grpc::Channel> AgentHarness::NewChannel(int index) const {
  grpc::ChannelArguments args;
  args.SetInt("xrt.hostile_test.channel_index", index);
  args.SetMaxReceiveMessageSize(-1);
  args.SetMaxSendMessageSize(-1);
  return grpc::CreateCustomChannel(endpoint_,
                                   grpc::InsecureChannelCredentials(), args);
}

ExecutorRef AgentHarness::Add(const std::string& framework_id,
                              const std::string& executor_id,
                              const std::string& auth_token) {
  absl::Status added =
      core_->AddExecutor(Spec(framework_id, executor_id, auth_token));
  if (!added.ok()) {
    std::fprintf(stderr, "AddExecutor: %s\n", added.ToString().c_str());
    std::abort();
  }
  return ExecutorRef{framework_id, executor_id};
}

// ---- RawStream ------------------------------------------------------------

RawStream::RawStream(const std::shared_ptr<grpc::Channel>& channel,
                     const std::string& auth_token, absl::Duration deadline,
                     std::optional<std::string> authorization)
    : stub_(mesos::executor::Agent::NewStub(channel)) {
  context_.set_deadline(absl::ToChronoTime(absl::Now() + deadline));
  if (authorization.has_value()) {
    context_.AddMetadata("authorization", *authorization);
  } else if (!auth_token.empty()) {
    context_.AddMetadata("authorization", "Bearer " + auth_token);
  }
  stream_ = stub_->Connect(&context_);
}

RawStream::~RawStream() {
  if (!status_.has_value()) {
    context_.TryCancel();
    Finish();
  }
}

bool RawStream::Write(const Call& call) { return stream_->Write(call); }

std::optional<Event> RawStream::Read() {
  Event event;
  if (!stream_->Read(&event)) return std::nullopt;
  return event;
}

std::optional<Event> RawStream::Subscribe(const ExecutorRef& ref,
                                          bool batched) {
  if (!Write(SubscribeCall(ref, batched))) return std::nullopt;
  std::optional<Event> event = Read();
  if (!event.has_value() || event->type() != Event::SUBSCRIBED) {
    return std::nullopt;
  }
  return event;
}

void RawStream::WritesDone() {
  if (writes_done_) return;
  writes_done_ = true;
  stream_->WritesDone();
}

grpc::Status RawStream::Finish() {
  if (status_.has_value()) return *status_;
  if (!writes_done_) {
    writes_done_ = true;
    stream_->WritesDone();
  }
  Event ignored;
  while (stream_->Read(&ignored)) {
  }
  status_ = stream_->Finish();
  return *status_;
}

// ---- Resources ------------------------------------------------------------

size_t OpenFdCount() {
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) return 0;
  size_t count = 0;
  while (dirent* entry = readdir(dir)) {
    if (entry->d_name[0] != '.') ++count;
  }
  closedir(dir);
  return count > 0 ? count - 1 : 0;  // Not the DIR's own descriptor.
}

size_t VmRssKib() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) {
      return static_cast<size_t>(std::strtoull(line.c_str() + 6, nullptr, 10));
    }
  }
  return 0;
}

size_t RaiseFdLimit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return 0;
  if (limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
    getrlimit(RLIMIT_NOFILE, &limit);
  }
  return static_cast<size_t>(limit.rlim_cur);
}

}  // namespace hostile_test
}  // namespace executor_runtime
