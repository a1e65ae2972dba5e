// DriverOptions: everything an ExecutorDriver needs to know before start().
//
// Executors launched by an agent build them from the environment the agent
// gave them (FromEnvironment); tests and embedders may fill them in by hand.
//
//   absl::StatusOr<DriverOptions> options = DriverOptions::FromEnvironment();
//   if (!options.ok()) { /* the message names the variable and the problem */ }
//
// Thread-safety: a plain value type; not synchronized.
#ifndef DRIVER_DRIVER_OPTIONS_H_
#define DRIVER_DRIVER_OPTIONS_H_

#include <cstddef>
#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "api/mesos/mesos.pb.h"

namespace executor_runtime {

struct DriverOptions {
  // ---- Identity and endpoint (required) ----------------------------------

  mesos::FrameworkID framework_id;  // MESOS_FRAMEWORK_ID
  mesos::ExecutorID executor_id;    // MESOS_EXECUTOR_ID
  mesos::SlaveID agent_id;          // MESOS_SLAVE_ID or MESOS_AGENT_ID
  // gRPC target of the agent: "host:port" or "unix:/path/to/socket".
  std::string agent_endpoint;  // MESOS_AGENT_ENDPOINT

  // ---- Environment the agent gives (optional) ----------------------------

  std::string sandbox_directory;  // MESOS_SANDBOX, else MESOS_DIRECTORY
  // With checkpointing the driver reconnects after a broken stream until
  // recovery_timeout; without it a broken stream means shutdown. The first
  // subscription, too, must succeed within recovery_timeout of Start().
  // clang-format off
  bool checkpoint = false;                                  // MESOS_CHECKPOINT
  absl::Duration recovery_timeout = absl::Minutes(15);      // MESOS_RECOVERY_TIMEOUT
  absl::Duration subscription_backoff_max = absl::Seconds(2);  // MESOS_SUBSCRIPTION_BACKOFF_MAX
  absl::Duration shutdown_grace_period = absl::Seconds(5);  // MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD
  // clang-format on
  // Sent as "authorization: Bearer <token>" on the stream.
  // FromEnvironment() erases the variable once read.
  std::string auth_token;  // MESOS_EXECUTOR_AUTHENTICATION_TOKEN

  // TLS: when set, the channel uses TLS with these PEM root certificates.
  // MESOS_EXECUTOR_TLS_CA_FILE names a PEM file to read them from.
  bool use_tls = false;
  std::string tls_root_certs_pem;

  // ---- Tuning (not from the environment) ---------------------------------

  // At most this many status updates accepted but not yet acknowledged;
  // SendStatusUpdate() waits up to send_timeout for room, then fails with
  // RESOURCE_EXHAUSTED. Nothing is ever dropped silently.
  size_t max_unacknowledged_updates = 1 << 16;
  absl::Duration send_timeout = absl::Seconds(10);
  // At most this many updates on the wire awaiting acknowledgement
  // (0 = unbounded, limited only by max_unacknowledged_updates).
  size_t max_in_flight_updates = 0;
  // The stream counts as broken after this many heartbeat intervals (as the
  // agent advertised in SUBSCRIBED) pass without any event from the agent.
  // The driver also sends a HEARTBEAT call every interval while idle.
  int missed_heartbeats_before_disconnect = 3;
  // Kill the whole process group if the process is still alive
  // shutdown_grace_period after SHUTDOWN. Off for in-process tests.
  bool kill_process_group_on_shutdown = true;
  // Initial delay between subscription attempts (jittered, doubling up to
  // subscription_backoff_max).
  absl::Duration subscription_backoff_initial = absl::Milliseconds(10);
  // Offer batched updates/acknowledgements at subscription.
  bool enable_batching = true;

  // Reads the Mesos-style environment of this process. Missing required
  // variables or malformed values give INVALID_ARGUMENT naming the variable.
  static absl::StatusOr<DriverOptions> FromEnvironment();
  // The same from an explicit map (nothing is erased from it).
  static absl::StatusOr<DriverOptions> FromEnvironment(
      const std::map<std::string, std::string>& environment);
};

}  // namespace executor_runtime

#endif  // DRIVER_DRIVER_OPTIONS_H_
