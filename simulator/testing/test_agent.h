// Test helpers for AgentCore: a real gRPC server on 127.0.0.1:0 around an
// AgentCore (TestAgent), and a raw executor client on the generated stub
// (TestExecutor) that writes calls and reads events with a bounded deadline,
// so that no test can hang.
//
// Thread-safety: TestAgent is thread-safe as AgentCore is; a TestExecutor
// is used by one thread at a time.
#ifndef SIMULATOR_TESTING_TEST_AGENT_H_
#define SIMULATOR_TESTING_TEST_AGENT_H_

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include <memory>
#include <optional>
#include <string>

#include "absl/time/time.h"
#include "api/executor/agent.grpc.pb.h"
#include "api/executor/executor.pb.h"
#include "simulator/agent_core.h"

namespace executor_runtime {
namespace testing_support {

// Options for tests: agent "agent-1" on localhost, no heartbeats.
AgentOptions TestOptions();

// A spec for executor `executor_id` of framework `framework_id`.
ExecutorSpec TestSpec(const std::string& framework_id,
                      const std::string& executor_id,
                      const std::string& auth_token = "");

// Calls as a driver sends them, for executor `ref`.
mesos::executor::Call MakeSubscribeCall(const ExecutorRef& ref,
                                        bool batched_updates = true,
                                        bool batched_acks = true);
mesos::executor::Call MakeUpdateCall(const ExecutorRef& ref,
                                     const std::string& task_id,
                                     mesos::TaskState state,
                                     const std::string& uuid);
// A status as a driver sends it (source executor, executor_id, UUID).
mesos::TaskStatus MakeStatus(const ExecutorRef& ref, const std::string& task_id,
                             mesos::TaskState state, const std::string& uuid);

// A task "task <id>" with ID `id` on agent "agent-1".
mesos::TaskInfo MakeTask(const std::string& id);

// True if `ref` has a live, subscribed stream on `core`.
bool IsSubscribed(const AgentCore& core, const ExecutorRef& ref);

class TestAgent {
 public:
  explicit TestAgent(AgentOptions options = TestOptions());
  ~TestAgent();  // Shuts the server down (cancelling streams), then the core.

  AgentCore& core() { return *core_; }
  std::shared_ptr<grpc::Channel> NewChannel() const;
  int port() const { return port_; }

  // Declares executor "e1" of framework "f1" (or the given IDs).
  ExecutorRef AddExecutor(const std::string& framework_id = "f1",
                          const std::string& executor_id = "e1",
                          const std::string& auth_token = "");

 private:
  std::unique_ptr<AgentCore> core_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
};

class TestExecutor {
 public:
  // Opens a Connect stream; `auth_token` non-empty adds the bearer metadata.
  TestExecutor(const TestAgent& agent, ExecutorRef ref,
               const std::string& auth_token = "",
               absl::Duration deadline = absl::Seconds(20));
  ~TestExecutor();

  const ExecutorRef& ref() const { return ref_; }

  // Calls with this executor's IDs.
  mesos::executor::Call SubscribeCall(bool batched_updates = true,
                                      bool batched_acks = true) const {
    return MakeSubscribeCall(ref_, batched_updates, batched_acks);
  }
  mesos::executor::Call UpdateCall(const std::string& task_id,
                                   mesos::TaskState state,
                                   const std::string& uuid) const {
    return MakeUpdateCall(ref_, task_id, state, uuid);
  }
  mesos::executor::Call MessageCall(const std::string& data) const;
  mesos::executor::Call HeartbeatCall() const;
  mesos::TaskStatus Status(const std::string& task_id, mesos::TaskState state,
                           const std::string& uuid) const {
    return MakeStatus(ref_, task_id, state, uuid);
  }

  bool Write(const mesos::executor::Call& call);
  // The next event, or nullopt once the stream ended.
  std::optional<mesos::executor::Event> Read();
  // The next event that is not a HEARTBEAT.
  std::optional<mesos::executor::Event> ReadSkippingHeartbeats();
  // Writes SUBSCRIBE and returns the SUBSCRIBED event (nullopt if refused).
  std::optional<mesos::executor::Event> Subscribe(bool batched_updates = true,
                                                  bool batched_acks = true);
  // Reads until the stream ends, then returns its status.
  grpc::Status ReadToEnd();
  // Half-closes, reads until the end and returns the status.
  grpc::Status Close();
  void Cancel() { context_.TryCancel(); }

 private:
  ExecutorRef ref_;
  grpc::ClientContext context_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<mesos::executor::Agent::Stub> stub_;
  std::unique_ptr<
      grpc::ClientReaderWriter<mesos::executor::Call, mesos::executor::Event>>
      stream_;
  bool finished_ = false;
};

// A Connect stream on gRPC's generic stub, for what the typed stub refuses
// to send: calls missing proto2 required fields, or bytes that are no Call
// at all. One operation at a time, each bounded by the deadline.
class RawExecutor {
 public:
  explicit RawExecutor(const TestAgent& agent,
                       absl::Duration deadline = absl::Seconds(20));
  ~RawExecutor();

  bool WriteBytes(const std::string& bytes);
  // Serializes `call` partially (required fields may be missing).
  bool WriteCall(const mesos::executor::Call& call);
  std::optional<mesos::executor::Event> Read();
  grpc::Status ReadToEnd();

 private:
  // Waits for the one outstanding operation; its ok flag.
  bool Await();

  grpc::CompletionQueue cq_;
  grpc::ClientContext context_;
  grpc::GenericStub stub_;
  std::unique_ptr<grpc::GenericClientAsyncReaderWriter> call_;
  bool finished_ = false;
};

}  // namespace testing_support
}  // namespace executor_runtime

#endif  // SIMULATOR_TESTING_TEST_AGENT_H_
