// Test support for the driver-against-agent tests: an AgentCore behind a
// real gRPC server (TCP on 127.0.0.1:0 or a Unix socket under
// $TEST_TMPDIR), and an EventHandler that records every callback and lets a
// test wait for conditions on what it recorded.
//
// Thread-safety: AgentServer is thread-safe as AgentCore is.
// RecordingExecutor's accessors and Wait* are thread-safe; its hooks run on
// the driver's callback thread.
#ifndef TESTS_DRIVER_AGENT_FIXTURE_H_
#define TESTS_DRIVER_AGENT_FIXTURE_H_

#include <grpcpp/grpcpp.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "driver/driver_options.h"
#include "driver/event_handler.h"
#include "driver/executor_driver.h"
#include "simulator/agent_core.h"

namespace executor_runtime {
namespace driver_agent_test {

// Agent "agent-1" on localhost; heartbeats off unless a test turns them on.
AgentOptions TestAgentOptions();

class AgentServer {
 public:
  // With `credentials` (e.g. TLS) instead of insecure ones.
  explicit AgentServer(
      AgentOptions options = TestAgentOptions(), bool unix_socket = false,
      std::shared_ptr<grpc::ServerCredentials> credentials = nullptr);
  ~AgentServer();  // shuts the server down first, then the core

  AgentCore& core() { return *core_; }
  // The gRPC target a driver connects to.
  const std::string& endpoint() const { return endpoint_; }

  // Declares executor `executor_id` of framework `framework_id`.
  ExecutorRef AddExecutor(const std::string& framework_id = "f1",
                          const std::string& executor_id = "e1",
                          const std::string& auth_token = "");

 private:
  std::unique_ptr<AgentCore> core_;
  std::unique_ptr<grpc::Server> server_;
  std::string endpoint_;
};

// Options for a driver of `executor` on `server`: checkpointing on, short
// backoff, no process-group kill (in-process tests).
DriverOptions TestDriverOptions(const AgentServer& server,
                                const ExecutorRef& executor);

mesos::TaskInfo TestTask(const std::string& task_id);
// The contents of a file under tests/driver_agent/testdata.
std::string ReadTestData(const std::string& name);
// Its path.
std::string TestDataPath(const std::string& name);
mesos::TaskStatus TestStatus(const std::string& task_id, mesos::TaskState state,
                             const std::string& message = "");

struct Ack {
  std::string task_id;
  std::string uuid;
};

class RecordingExecutor : public EventHandler {
 public:
  // Hooks, run on the callback thread after the event was recorded. Set
  // them before Start().
  std::function<void(ExecutorDriver*, const mesos::TaskInfo&)> on_launch;
  std::function<void(ExecutorDriver*, const mesos::TaskID&)> on_kill;
  std::function<void(ExecutorDriver*)> on_shutdown;
  std::function<void(ExecutorDriver*)> on_disconnected;

  void Subscribed(ExecutorDriver* driver,
                  const mesos::executor::Event::Subscribed& subscribed,
                  bool resubscribed) override;
  void Disconnected(ExecutorDriver* driver) override;
  void Launch(ExecutorDriver* driver, const mesos::TaskInfo& task) override;
  void Kill(ExecutorDriver* driver, const mesos::TaskID& task_id,
            const mesos::KillPolicy& kill_policy) override;
  void Acknowledged(ExecutorDriver* driver, const mesos::TaskID& task_id,
                    const std::string& uuid) override;
  void Message(ExecutorDriver* driver, const std::string& data) override;
  void Shutdown(ExecutorDriver* driver) override;
  void Error(ExecutorDriver* driver, const std::string& message) override;

  // Waits until `condition` holds, re-checking it after every callback;
  // false on timeout. The condition may call the accessors below.
  bool WaitFor(const std::function<bool()>& condition,
               absl::Duration timeout = absl::Seconds(10)) const;
  bool WaitForSubscriptions(size_t n,
                            absl::Duration timeout = absl::Seconds(10)) const {
    return WaitFor([&] { return subscribed().size() >= n; }, timeout);
  }
  bool WaitForAcks(size_t n, absl::Duration timeout = absl::Seconds(10)) const {
    return WaitFor([&] { return acks().size() >= n; }, timeout);
  }

  // Snapshots.
  std::vector<mesos::executor::Event::Subscribed> subscribed() const;
  std::vector<bool> resubscribed() const;
  std::vector<mesos::TaskInfo> launched() const;
  std::vector<std::string> killed() const;
  std::vector<mesos::KillPolicy> kill_policies() const;
  std::vector<Ack> acks() const;
  std::vector<std::string> messages() const;
  std::vector<std::string> errors() const;
  // The order callbacks arrived in: "subscribed", "disconnected", ...
  std::vector<std::string> calls() const;
  int disconnections() const;
  int shutdowns() const;
  // True if two callbacks ever overlapped.
  bool overlapped() const;

 private:
  void Enter(const std::string& name);
  void Leave();

  mutable absl::Mutex mu_;
  uint64_t generation_ ABSL_GUARDED_BY(mu_) = 0;  // bumped by every callback
  int active_ ABSL_GUARDED_BY(mu_) = 0;
  bool overlapped_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::string> calls_ ABSL_GUARDED_BY(mu_);
  std::vector<mesos::executor::Event::Subscribed> subscribed_
      ABSL_GUARDED_BY(mu_);
  std::vector<bool> resubscribed_ ABSL_GUARDED_BY(mu_);
  std::vector<mesos::TaskInfo> launched_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> killed_ ABSL_GUARDED_BY(mu_);
  std::vector<mesos::KillPolicy> kill_policies_ ABSL_GUARDED_BY(mu_);
  std::vector<Ack> acks_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> messages_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> errors_ ABSL_GUARDED_BY(mu_);
  int disconnections_ ABSL_GUARDED_BY(mu_) = 0;
  int shutdowns_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace driver_agent_test
}  // namespace executor_runtime

#endif  // TESTS_DRIVER_AGENT_FIXTURE_H_
