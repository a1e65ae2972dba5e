#include "driver/internal/agent_channel.h"

#include <algorithm>

namespace executor_runtime {
namespace driver_internal {
namespace {

int Millis(absl::Duration d, int floor) {
  return static_cast<int>(
      std::clamp<int64_t>(absl::ToInt64Milliseconds(d), floor, 1 << 30));
}

}  // namespace

grpc::ChannelArguments AgentChannelArguments(const DriverOptions& options) {
  grpc::ChannelArguments args;
  // Keepalive: ping every 20s, give up after 10s without an answer, also
  // while no call is active (between subscription attempts).
  args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, 20000);
  args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 10000);
  args.SetInt(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  args.SetInt(GRPC_ARG_HTTP2_MAX_PINGS_WITHOUT_DATA, 0);
  // Reconnect as eagerly as the driver resubscribes: gRPC's own defaults
  // (1s growing to 120s) would keep an executor away from a restarted agent
  // long after its subscription backoff said to try again.
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS,
              Millis(options.subscription_backoff_initial, 10));
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS,
              Millis(options.subscription_backoff_initial, 10));
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS,
              Millis(options.subscription_backoff_max, 10));
  // A connection of its own, not shared with other drivers in the process.
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  // Large SUBSCRIBEs (many unacknowledged updates) and batches.
  args.SetMaxReceiveMessageSize(-1);
  args.SetMaxSendMessageSize(-1);
  return args;
}

std::shared_ptr<grpc::Channel> CreateAgentChannel(
    const DriverOptions& options) {
  std::shared_ptr<grpc::ChannelCredentials> credentials;
  if (options.use_tls) {
    grpc::SslCredentialsOptions ssl;
    ssl.pem_root_certs = options.tls_root_certs_pem;
    credentials = grpc::SslCredentials(ssl);
  } else {
    credentials = grpc::InsecureChannelCredentials();
  }
  return grpc::CreateCustomChannel(options.agent_endpoint, credentials,
                                   AgentChannelArguments(options));
}

}  // namespace driver_internal
}  // namespace executor_runtime
