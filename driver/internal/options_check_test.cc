#include "driver/internal/options_check.h"

#include <functional>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace executor_runtime {
namespace driver_internal {
namespace {

using ::testing::HasSubstr;

DriverOptions Good() {
  DriverOptions options;
  options.framework_id.set_value("fw");
  options.executor_id.set_value("ex");
  options.agent_id.set_value("agent");
  options.agent_endpoint = "127.0.0.1:1";
  return options;
}

TEST(CheckDriverOptionsTest, AcceptsCompleteOptions) {
  EXPECT_TRUE(CheckDriverOptions(Good()).ok());
  DriverOptions unix_socket = Good();
  unix_socket.agent_endpoint = "unix:/tmp/x.sock";
  EXPECT_TRUE(CheckDriverOptions(unix_socket).ok());
}

TEST(CheckDriverOptionsTest, RefusesWhatCannotWorkNamingTheOption) {
  struct Case {
    std::function<void(DriverOptions*)> mutate;
    const char* expected;
  };
  const std::vector<Case> cases = {
      {[](DriverOptions* o) { o->agent_endpoint.clear(); },
       "agent_endpoint is empty"},
      {[](DriverOptions* o) { o->agent_endpoint = "unix:"; }, "no socket path"},
      {[](DriverOptions* o) { o->framework_id.clear_value(); }, "framework_id"},
      {[](DriverOptions* o) { o->executor_id.clear_value(); }, "executor_id"},
      {[](DriverOptions* o) { o->agent_id.clear_value(); }, "agent_id"},
      {[](DriverOptions* o) { o->max_unacknowledged_updates = 0; },
       "max_unacknowledged_updates"},
      {[](DriverOptions* o) { o->missed_heartbeats_before_disconnect = 0; },
       "missed_heartbeats_before_disconnect"},
      {[](DriverOptions* o) { o->recovery_timeout = -absl::Seconds(1); },
       "recovery_timeout"},
      {[](DriverOptions* o) { o->send_timeout = -absl::Seconds(1); },
       "send_timeout"},
      {[](DriverOptions* o) { o->shutdown_grace_period = -absl::Seconds(1); },
       "shutdown_grace_period"},
  };
  for (const Case& c : cases) {
    DriverOptions options = Good();
    c.mutate(&options);
    absl::Status status = CheckDriverOptions(options);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << c.expected;
    EXPECT_THAT(status.message(), HasSubstr(c.expected));
  }
}

}  // namespace
}  // namespace driver_internal
}  // namespace executor_runtime
