// ControlService: the SimulatorControl gRPC service over a ControlBackend.
//
//   ControlService service(&simulator);
//   builder.RegisterService(&service);
//
// Thread-safety: thread-safe; the backend must outlive the service, and the
// gRPC server must be shut down before either is destroyed.
#ifndef SIMULATOR_CONTROL_CONTROL_SERVICE_H_
#define SIMULATOR_CONTROL_CONTROL_SERVICE_H_

#include "absl/status/status.h"
#include "grpcpp/grpcpp.h"
#include "simulator/control/control.grpc.pb.h"
#include "simulator/control/control_backend.h"

namespace executor_runtime {

// absl::Status -> grpc::Status with the same code and message.
grpc::Status ToGrpcStatus(const absl::Status& status);
// grpc::Status -> absl::Status with the same code and message.
absl::Status FromGrpcStatus(const grpc::Status& status);

class ControlService final : public control::SimulatorControl::Service {
 public:
  explicit ControlService(ControlBackend* backend) : backend_(backend) {}

  grpc::Status StartExecutor(grpc::ServerContext* context,
                             const control::StartExecutorRequest* request,
                             control::ExecutorState* response) override;
  grpc::Status LaunchTasks(grpc::ServerContext* context,
                           const control::LaunchTasksRequest* request,
                           control::LaunchTasksResponse* response) override;
  grpc::Status KillTask(grpc::ServerContext* context,
                        const control::KillTaskRequest* request,
                        control::Empty* response) override;
  grpc::Status SendMessage(grpc::ServerContext* context,
                           const control::SendMessageRequest* request,
                           control::Empty* response) override;
  grpc::Status ShutdownExecutor(grpc::ServerContext* context,
                                const control::ShutdownExecutorRequest* request,
                                control::Empty* response) override;
  grpc::Status List(grpc::ServerContext* context,
                    const control::ListRequest* request,
                    control::ListResponse* response) override;
  grpc::Status WatchUpdates(
      grpc::ServerContext* context, const control::WatchUpdatesRequest* request,
      grpc::ServerWriter<control::UpdateRecord>* writer) override;
  grpc::Status InjectFault(grpc::ServerContext* context,
                           const control::FaultRequest* request,
                           control::Empty* response) override;
  grpc::Status Stop(grpc::ServerContext* context,
                    const control::StopRequest* request,
                    control::Empty* response) override;

 private:
  ControlBackend* const backend_;
};

}  // namespace executor_runtime

#endif  // SIMULATOR_CONTROL_CONTROL_SERVICE_H_
