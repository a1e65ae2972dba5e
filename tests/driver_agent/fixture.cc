#include "tests/driver_agent/fixture.h"

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"

namespace executor_runtime {
namespace driver_agent_test {

AgentOptions TestAgentOptions() {
  AgentOptions options;
  options.agent_info.set_hostname("localhost");
  options.agent_info.mutable_id()->set_value("agent-1");
  options.heartbeat_interval = absl::ZeroDuration();
  return options;
}

AgentServer::AgentServer(AgentOptions options, bool unix_socket,
                         std::shared_ptr<grpc::ServerCredentials> credentials)
    : core_(std::make_unique<AgentCore>(std::move(options))) {
  if (credentials == nullptr) credentials = grpc::InsecureServerCredentials();
  grpc::ServerBuilder builder;
  int port = 0;
  if (unix_socket) {
    static std::atomic<int> counter{0};
    const char* test_tmpdir = std::getenv("TEST_TMPDIR");
    std::string dir = test_tmpdir != nullptr ? test_tmpdir : "/tmp";
    // Socket paths are limited to 107 bytes; Bazel's TEST_TMPDIR can be
    // longer, then a private directory under /tmp serves.
    if (dir.size() > 80) {
      char private_dir[] = "/tmp/driver_agent_XXXXXX";
      if (mkdtemp(private_dir) == nullptr) std::abort();
      dir = private_dir;
    }
    endpoint_ = absl::StrCat("unix:", dir, "/agent-", getpid(), "-", counter++,
                             ".sock");
    builder.AddListeningPort(endpoint_, credentials);
  } else {
    builder.AddListeningPort("127.0.0.1:0", credentials, &port);
  }
  builder.RegisterService(core_->service());
  server_ = builder.BuildAndStart();
  if (server_ == nullptr) std::abort();
  if (!unix_socket) endpoint_ = absl::StrCat("127.0.0.1:", port);
}

AgentServer::~AgentServer() {
  server_->Shutdown(absl::ToChronoTime(absl::Now() + absl::Milliseconds(100)));
  server_->Wait();
  server_.reset();
  core_.reset();
}

ExecutorRef AgentServer::AddExecutor(const std::string& framework_id,
                                     const std::string& executor_id,
                                     const std::string& auth_token) {
  ExecutorSpec spec;
  spec.framework_info.set_user("tester");
  spec.framework_info.set_name("test framework");
  spec.framework_info.mutable_id()->set_value(framework_id);
  spec.framework_info.set_checkpoint(true);
  spec.executor_info.mutable_executor_id()->set_value(executor_id);
  spec.executor_info.mutable_framework_id()->set_value(framework_id);
  spec.executor_info.set_name("test executor " + executor_id);
  spec.auth_token = auth_token;
  if (!core_->AddExecutor(spec).ok()) std::abort();
  return ExecutorRef{framework_id, executor_id};
}

DriverOptions TestDriverOptions(const AgentServer& server,
                                const ExecutorRef& executor) {
  DriverOptions options;
  options.framework_id.set_value(executor.framework_id);
  options.executor_id.set_value(executor.executor_id);
  options.agent_id.set_value("agent-1");
  options.agent_endpoint = server.endpoint();
  options.checkpoint = true;
  options.recovery_timeout = absl::Seconds(20);
  options.subscription_backoff_initial = absl::Milliseconds(5);
  options.subscription_backoff_max = absl::Milliseconds(100);
  options.shutdown_grace_period = absl::Seconds(5);
  options.kill_process_group_on_shutdown = false;
  return options;
}

mesos::TaskInfo TestTask(const std::string& task_id) {
  mesos::TaskInfo task;
  task.set_name("task " + task_id);
  task.mutable_task_id()->set_value(task_id);
  task.mutable_slave_id()->set_value("agent-1");
  return task;
}

mesos::TaskStatus TestStatus(const std::string& task_id, mesos::TaskState state,
                             const std::string& message) {
  mesos::TaskStatus status;
  status.mutable_task_id()->set_value(task_id);
  status.set_state(state);
  if (!message.empty()) status.set_message(message);
  return status;
}

std::string TestDataPath(const std::string& name) {
  return absl::StrCat(std::getenv("TEST_SRCDIR"), "/",
                      std::getenv("TEST_WORKSPACE"),
                      "/tests/driver_agent/testdata/", name);
}

std::string ReadTestData(const std::string& name) {
  std::ifstream file(TestDataPath(name), std::ios::binary);
  std::ostringstream contents;
  contents << file.rdbuf();
  return contents.str();
}

// ---- RecordingExecutor ----------------------------------------------------

void RecordingExecutor::Enter(const std::string& name) {
  absl::MutexLock lock(&mu_);
  if (++active_ > 1) overlapped_ = true;
  calls_.push_back(name);
  ++generation_;
}

void RecordingExecutor::Leave() {
  absl::MutexLock lock(&mu_);
  --active_;
  ++generation_;
}

void RecordingExecutor::Subscribed(
    ExecutorDriver*, const mesos::executor::Event::Subscribed& subscribed,
    bool resubscribed) {
  Enter("subscribed");
  {
    absl::MutexLock lock(&mu_);
    subscribed_.push_back(subscribed);
    resubscribed_.push_back(resubscribed);
  }
  Leave();
}

void RecordingExecutor::Disconnected(ExecutorDriver* driver) {
  Enter("disconnected");
  {
    absl::MutexLock lock(&mu_);
    ++disconnections_;
  }
  if (on_disconnected) on_disconnected(driver);
  Leave();
}

void RecordingExecutor::Launch(ExecutorDriver* driver,
                               const mesos::TaskInfo& task) {
  Enter("launch");
  {
    absl::MutexLock lock(&mu_);
    launched_.push_back(task);
  }
  if (on_launch) on_launch(driver, task);
  Leave();
}

void RecordingExecutor::Kill(ExecutorDriver* driver,
                             const mesos::TaskID& task_id,
                             const mesos::KillPolicy& kill_policy) {
  Enter("kill");
  {
    absl::MutexLock lock(&mu_);
    killed_.push_back(task_id.value());
    kill_policies_.push_back(kill_policy);
  }
  if (on_kill) on_kill(driver, task_id);
  Leave();
}

void RecordingExecutor::Acknowledged(ExecutorDriver*,
                                     const mesos::TaskID& task_id,
                                     const std::string& uuid) {
  absl::MutexLock lock(&mu_);
  if (active_ > 0) overlapped_ = true;
  acks_.push_back(Ack{task_id.value(), uuid});
  ++generation_;
}

void RecordingExecutor::Message(ExecutorDriver*, const std::string& data) {
  Enter("message");
  {
    absl::MutexLock lock(&mu_);
    messages_.push_back(data);
  }
  Leave();
}

void RecordingExecutor::Shutdown(ExecutorDriver* driver) {
  Enter("shutdown");
  {
    absl::MutexLock lock(&mu_);
    ++shutdowns_;
  }
  if (on_shutdown) on_shutdown(driver);
  Leave();
}

void RecordingExecutor::Error(ExecutorDriver*, const std::string& message) {
  Enter("error");
  {
    absl::MutexLock lock(&mu_);
    errors_.push_back(message);
  }
  Leave();
}

bool RecordingExecutor::WaitFor(const std::function<bool()>& condition,
                                absl::Duration timeout) const {
  const absl::Time deadline = absl::Now() + timeout;
  while (true) {
    uint64_t seen;
    {
      absl::MutexLock lock(&mu_);
      seen = generation_;
    }
    if (condition()) return true;
    absl::MutexLock lock(&mu_);
    auto changed = [this, seen]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return generation_ != seen;
    };
    if (!mu_.AwaitWithDeadline(absl::Condition(&changed), deadline)) {
      mu_.Unlock();
      const bool holds = condition();
      mu_.Lock();
      return holds;
    }
  }
}

#define SNAPSHOT(type, name)             \
  type RecordingExecutor::name() const { \
    absl::MutexLock lock(&mu_);          \
    return name##_;                      \
  }
SNAPSHOT(std::vector<mesos::executor::Event::Subscribed>, subscribed)
SNAPSHOT(std::vector<bool>, resubscribed)
SNAPSHOT(std::vector<mesos::TaskInfo>, launched)
SNAPSHOT(std::vector<std::string>, killed)
SNAPSHOT(std::vector<mesos::KillPolicy>, kill_policies)
SNAPSHOT(std::vector<Ack>, acks)
SNAPSHOT(std::vector<std::string>, messages)
SNAPSHOT(std::vector<std::string>, errors)
SNAPSHOT(std::vector<std::string>, calls)
SNAPSHOT(int, disconnections)
SNAPSHOT(int, shutdowns)
SNAPSHOT(bool, overlapped)
#undef SNAPSHOT

}  // namespace driver_agent_test
}  // namespace executor_runtime
