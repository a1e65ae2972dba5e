// The gRPC channel a driver talks to its agent over: TCP ("host:port") or
// a Unix socket ("unix:/path"), TLS when asked, keepalive on (so that a
// half-open connection is noticed even without heartbeats), and reconnect
// backoff kept as short as the driver's own subscription backoff.
//
// Thread-safety: a pure function, safe to call concurrently.
#ifndef DRIVER_INTERNAL_AGENT_CHANNEL_H_
#define DRIVER_INTERNAL_AGENT_CHANNEL_H_

#include <grpcpp/grpcpp.h>

#include <memory>

#include "driver/driver_options.h"

namespace executor_runtime {
namespace driver_internal {

// The channel arguments CreateAgentChannel uses (exposed for tests).
grpc::ChannelArguments AgentChannelArguments(const DriverOptions& options);

std::shared_ptr<grpc::Channel> CreateAgentChannel(const DriverOptions& options);

}  // namespace driver_internal
}  // namespace executor_runtime

#endif  // DRIVER_INTERNAL_AGENT_CHANNEL_H_
