// Control: a small client of the agent simulator's control service
// (simulator/control/control.proto) for the chaos tests, one per simulator
// incarnation. Every call has a deadline.
//
// Thread-safety: like a gRPC stub: calls may be made from several threads.
#ifndef TESTS_CHAOS_CHAOS_CONTROL_H_
#define TESTS_CHAOS_CHAOS_CONTROL_H_

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "api/mesos/mesos.pb.h"
#include "grpcpp/grpcpp.h"
#include "simulator/control/control.grpc.pb.h"
#include "tests/chaos/chaos_check.h"

namespace executor_runtime {
namespace chaos {

constexpr absl::Duration kRpcTimeout = absl::Seconds(10);

class Control {
 public:
  explicit Control(const std::string& target)
      : stub_(control::SimulatorControl::NewStub(
            grpc::CreateChannel(target, grpc::InsecureChannelCredentials()))) {}

  grpc::Status StartExecutor(const std::string& id, const std::string& path,
                             const std::string& log, pid_t* pid) {
    control::StartExecutorRequest request;
    request.set_executor_id(id);
    request.set_path(path);
    request.add_args("--log=" + log);
    control::ExecutorState state;
    Context context;
    grpc::Status status =
        stub_->StartExecutor(&context.context, request, &state);
    *pid = static_cast<pid_t>(state.pid());
    return status;
  }

  grpc::Status Launch(const std::string& executor,
                      const std::vector<std::string>& tasks,
                      const std::string& data) {
    control::LaunchTasksRequest request;
    request.set_executor_id(executor);
    for (const std::string& id : tasks) {
      mesos::TaskInfo* task = request.add_tasks();
      task->set_name(id);
      task->mutable_task_id()->set_value(id);
      task->mutable_slave_id()->set_value("");
      task->set_data(data);
    }
    control::LaunchTasksResponse response;
    Context context;
    return stub_->LaunchTasks(&context.context, request, &response);
  }

  grpc::Status List(control::ListResponse* list) {
    Context context;
    return stub_->List(&context.context, control::ListRequest(), list);
  }

  grpc::Status BreakStreams(const std::string& executor) {
    return Fault(control::FaultRequest::BREAK_STREAMS, executor);
  }

  grpc::Status Fault(control::FaultRequest::Kind kind,
                     const std::string& executor = "") {
    control::FaultRequest request;
    request.set_kind(kind);
    if (!executor.empty()) request.set_executor_id(executor);
    control::Empty empty;
    Context context;
    return stub_->InjectFault(&context.context, request, &empty);
  }

  grpc::Status Shutdown(const std::string& executor) {
    control::ShutdownExecutorRequest request;
    request.set_executor_id(executor);
    control::Empty empty;
    Context context;
    return stub_->ShutdownExecutor(&context.context, request, &empty);
  }

  grpc::Status Updates(std::vector<RecordedUpdate>* updates) {
    control::WatchUpdatesRequest request;
    request.set_after_sequence(0);
    request.set_follow(false);
    Context context(absl::Seconds(60));
    auto reader = stub_->WatchUpdates(&context.context, request);
    control::UpdateRecord record;
    while (reader->Read(&record)) {
      RecordedUpdate update;
      update.executor_id = record.executor_id();
      update.task_id = record.status().task_id().value();
      update.data = record.status().data();
      update.state = mesos::TaskState_Name(record.status().state());
      update.source =
          record.status().has_source()
              ? mesos::TaskStatus::Source_Name(record.status().source())
              : "(none)";
      update.uuid = record.status().uuid();
      updates->push_back(std::move(update));
    }
    return reader->Finish();
  }

  grpc::Status Stop() {
    control::StopRequest request;
    control::Empty empty;
    Context context;
    return stub_->Stop(&context.context, request, &empty);
  }

 private:
  struct Context {
    explicit Context(absl::Duration timeout = kRpcTimeout) {
      context.set_deadline(absl::ToChronoTime(absl::Now() + timeout));
    }
    grpc::ClientContext context;
  };
  std::unique_ptr<control::SimulatorControl::Stub> stub_;
};

}  // namespace chaos
}  // namespace executor_runtime

#endif  // TESTS_CHAOS_CHAOS_CONTROL_H_
