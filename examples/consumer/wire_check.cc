// Builds a status update Call with the runtime's wire contract and prints
// its size: proof that the external repository's protos build and link.
#include <iostream>

#include "api/executor/executor.pb.h"

int main() {
  mesos::executor::Call call;
  call.mutable_executor_id()->set_value("consumer-executor");
  call.mutable_framework_id()->set_value("consumer-framework");
  call.set_type(mesos::executor::Call::UPDATE);
  mesos::TaskStatus* status = call.mutable_update()->mutable_status();
  status->mutable_task_id()->set_value("task-1");
  status->set_state(mesos::TASK_RUNNING);
  if (!call.IsInitialized()) {
    std::cerr << "call is missing required fields\n";
    return 1;
  }
  std::cout << "consumer: built an UPDATE call of " << call.ByteSizeLong()
            << " bytes\n";
  return 0;
}
