// ControlBackend: what the control service needs from the simulator. The
// gRPC adapter (control_service.h) translates each RPC to one call here and
// absl::Status to grpc::Status; the agent simulator implements it.
//
// Thread-safety: implementations must be thread-safe; the service calls
// them from gRPC threads concurrently.
#ifndef SIMULATOR_CONTROL_CONTROL_BACKEND_H_
#define SIMULATOR_CONTROL_CONTROL_BACKEND_H_

#include <functional>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "simulator/control/control.pb.h"

namespace executor_runtime {

class ControlBackend {
 public:
  virtual ~ControlBackend() = default;

  virtual absl::StatusOr<control::ExecutorState> StartExecutor(
      const control::StartExecutorRequest& request) = 0;
  virtual absl::StatusOr<control::LaunchTasksResponse> LaunchTasks(
      const control::LaunchTasksRequest& request) = 0;
  virtual absl::Status KillTask(const control::KillTaskRequest& request) = 0;
  virtual absl::Status SendMessage(
      const control::SendMessageRequest& request) = 0;
  virtual absl::Status ShutdownExecutor(
      const control::ShutdownExecutorRequest& request) = 0;
  virtual control::ListResponse List() = 0;
  // Calls `emit` for each recorded update after request.after_sequence, in
  // order; with request.follow, waits for more until `emit` returns false
  // or `cancelled()` turns true (polled at least every 100ms). Returns OK
  // when the stream ended normally.
  virtual absl::Status WatchUpdates(
      const control::WatchUpdatesRequest& request,
      const std::function<bool(const control::UpdateRecord&)>& emit,
      const std::function<bool()>& cancelled) = 0;
  virtual absl::Status InjectFault(const control::FaultRequest& request) = 0;
  virtual absl::Status Stop(const control::StopRequest& request) = 0;
};

}  // namespace executor_runtime

#endif  // SIMULATOR_CONTROL_CONTROL_BACKEND_H_
