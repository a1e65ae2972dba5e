// Test support for the hostile-executor and load tests: an AgentCore behind
// a real gRPC server (TCP on 127.0.0.1:0 or a Unix socket in a private
// directory under /tmp), calls as an executor would write them, a raw
// Connect stream on the generated stub (so that a test can misbehave in ways
// a driver never would), and readings of this process's resources.
//
// Thread-safety: AgentHarness is thread-safe as AgentCore is. A RawStream
// may be written by one thread while another reads it (gRPC allows one
// writer and one reader at a time); Finish() only after both stopped.
#ifndef TESTS_HOSTILE_HOSTILE_UTIL_H_
#define TESTS_HOSTILE_HOSTILE_UTIL_H_

#include <grpcpp/grpcpp.h>

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/time/time.h"
#include "api/executor/agent.grpc.pb.h"
#include "api/executor/executor.pb.h"
#include "simulator/agent_core.h"

namespace executor_runtime {
namespace hostile_test {

// Agent "agent-1" on localhost, heartbeats off.
AgentOptions QuietAgentOptions();

// An executor spec (framework `framework_id`, executor `executor_id`).
ExecutorSpec Spec(const std::string& framework_id,
                  const std::string& executor_id,
                  const std::string& auth_token = "");

// A task to Launch.
mesos::TaskInfo Task(const std::string& task_id);

// Calls as a well-behaved executor `ref` writes them.
mesos::executor::Call SubscribeCall(const ExecutorRef& ref,
                                    bool batched = true);
mesos::TaskStatus Status(const ExecutorRef& ref, const std::string& task_id,
                         mesos::TaskState state, const std::string& uuid);
mesos::executor::Call UpdateCall(const ExecutorRef& ref,
                                 const std::string& task_id,
                                 mesos::TaskState state,
                                 const std::string& uuid);

// (task ID, UUID) of every acknowledgement an ACKNOWLEDGED event carries
// (batched or not); empty for other events.
std::vector<std::pair<std::string, std::string>> AcksOf(
    const mesos::executor::Event& event);

class AgentHarness {
 public:
  // `max_receive_message_size` > 0 raises (or lowers) gRPC's receive limit
  // on the server, as an embedder may; 0 keeps gRPC's default (4 MiB).
  explicit AgentHarness(AgentOptions options = QuietAgentOptions(),
                        bool unix_socket = false,
                        int max_receive_message_size = 0);
  ~AgentHarness();  // Shuts the server down, then destroys the core.

  AgentCore& core() { return *core_; }
  // The gRPC target ("127.0.0.1:PORT" or "unix:/tmp/xrt-XXXXXX/agent.sock").
  const std::string& endpoint() const { return endpoint_; }
  // A channel of its own (its own connection: `index` makes the channel
  // arguments differ, so gRPC does not share the subchannel).
  std::shared_ptr<grpc::Channel> NewChannel(int index = 0) const;

  // Declares an executor; aborts the test process if the core refuses.
  ExecutorRef Add(const std::string& framework_id,
                  const std::string& executor_id,
                  const std::string& auth_token = "");

 private:
  std::unique_ptr<AgentCore> core_;
  std::unique_ptr<grpc::Server> server_;
  std::string endpoint_;
  std::string socket_dir_;  // Removed by the destructor.
};

// One Connect stream on the typed stub, bounded by a deadline.
class RawStream {
 public:
  // `auth_token` non-empty sends "authorization: Bearer <auth_token>";
  // `authorization` (if set) is sent verbatim instead.
  RawStream(const std::shared_ptr<grpc::Channel>& channel,
            const std::string& auth_token = "",
            absl::Duration deadline = absl::Seconds(20),
            std::optional<std::string> authorization = std::nullopt);
  ~RawStream();

  bool Write(const mesos::executor::Call& call);
  // The next event, or nullopt once the stream ended.
  std::optional<mesos::executor::Event> Read();
  // Writes SUBSCRIBE for `ref`; the SUBSCRIBED event or nullopt.
  std::optional<mesos::executor::Event> Subscribe(const ExecutorRef& ref,
                                                  bool batched = true);
  // Half-closes: no more calls (the agent then ends the stream).
  void WritesDone();
  // Half-closes (if not yet), reads to the end, returns the final status.
  grpc::Status Finish();

 private:
  grpc::ClientContext context_;
  std::unique_ptr<mesos::executor::Agent::Stub> stub_;
  std::unique_ptr<
      grpc::ClientReaderWriter<mesos::executor::Call, mesos::executor::Event>>
      stream_;
  bool writes_done_ = false;
  std::optional<grpc::Status> status_;
};

// Open file descriptors of this process (entries of /proc/self/fd).
size_t OpenFdCount();
// Resident set size of this process, in KiB (VmRSS of /proc/self/status).
size_t VmRssKib();
// Raises RLIMIT_NOFILE's soft limit to its hard limit; the new soft limit.
size_t RaiseFdLimit();

}  // namespace hostile_test
}  // namespace executor_runtime

#endif  // TESTS_HOSTILE_HOSTILE_UTIL_H_
