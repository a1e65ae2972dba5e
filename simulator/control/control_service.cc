#include "simulator/control/control_service.h"

#include <string>

namespace executor_runtime {

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()),
                      std::string(status.message()));
}

absl::Status FromGrpcStatus(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                      status.error_message());
}

namespace {

template <typename T>
grpc::Status Answer(absl::StatusOr<T> result, T* response) {
  if (!result.ok()) return ToGrpcStatus(result.status());
  *response = *std::move(result);
  return grpc::Status::OK;
}

}  // namespace

grpc::Status ControlService::StartExecutor(
    grpc::ServerContext*, const control::StartExecutorRequest* request,
    control::ExecutorState* response) {
  return Answer(backend_->StartExecutor(*request), response);
}

grpc::Status ControlService::LaunchTasks(
    grpc::ServerContext*, const control::LaunchTasksRequest* request,
    control::LaunchTasksResponse* response) {
  return Answer(backend_->LaunchTasks(*request), response);
}

grpc::Status ControlService::KillTask(grpc::ServerContext*,
                                      const control::KillTaskRequest* request,
                                      control::Empty*) {
  return ToGrpcStatus(backend_->KillTask(*request));
}

grpc::Status ControlService::SendMessage(
    grpc::ServerContext*, const control::SendMessageRequest* request,
    control::Empty*) {
  return ToGrpcStatus(backend_->SendMessage(*request));
}

grpc::Status ControlService::ShutdownExecutor(
    grpc::ServerContext*, const control::ShutdownExecutorRequest* request,
    control::Empty*) {
  return ToGrpcStatus(backend_->ShutdownExecutor(*request));
}

grpc::Status ControlService::List(grpc::ServerContext*,
                                  const control::ListRequest*,
                                  control::ListResponse* response) {
  *response = backend_->List();
  return grpc::Status::OK;
}

grpc::Status ControlService::WatchUpdates(
    grpc::ServerContext* context, const control::WatchUpdatesRequest* request,
    grpc::ServerWriter<control::UpdateRecord>* writer) {
  return ToGrpcStatus(backend_->WatchUpdates(
      *request,
      [writer](const control::UpdateRecord& record) {
        return writer->Write(record);
      },
      [context] { return context->IsCancelled(); }));
}

grpc::Status ControlService::InjectFault(grpc::ServerContext*,
                                         const control::FaultRequest* request,
                                         control::Empty*) {
  return ToGrpcStatus(backend_->InjectFault(*request));
}

grpc::Status ControlService::Stop(grpc::ServerContext*,
                                  const control::StopRequest* request,
                                  control::Empty*) {
  return ToGrpcStatus(backend_->Stop(*request));
}

}  // namespace executor_runtime
