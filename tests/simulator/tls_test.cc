// agent_simulator with TLS on both services: executors (told the CA in
// MESOS_EXECUTOR_TLS_CA_FILE) and agent_simulator_ctl (--tls_ca) connect;
// a plaintext client is refused; a missing key file is a clear error.
#include <fstream>
#include <string>
#include <vector>

#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/simulator/sim_test_util.h"

namespace executor_runtime {
namespace simtest {
namespace {

using ::testing::HasSubstr;

class TlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    CommandResult made = RunCommand(
        {"/usr/bin/openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
         "-keyout", key_, "-out", cert_, "-days", "1", "-subj", "/CN=localhost",
         "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"});
    ASSERT_EQ(made.exit_code, 0) << made.err;
  }

  ScratchDir dir_;
  const std::string cert_ = dir_ / "cert.pem";
  const std::string key_ = dir_ / "key.pem";
};

TEST_F(TlsTest, OneShotOverTlsOnTcpAndUnixSockets) {
  for (const std::string& listen :
       std::vector<std::string>{"--listen=127.0.0.1:0", "--listen="}) {
    CommandResult result =
        RunCommand({SimulatorBinary(), "--executor=" + TestExecutor(),
                    "--tasks=2", "--tls_cert=" + cert_, "--tls_key=" + key_,
                    "--tls_ca=" + cert_, listen});
    EXPECT_EQ(result.exit_code, 0) << listen << ": " << result.err;
    EXPECT_EQ(result.out,
              "summary: tasks=2 finished=2 failed=0 killed=0 lost=0 "
              "updates=4\n");
  }
}

TEST_F(TlsTest, ControlClientNeedsTheCa) {
  SimulatorProcess sim(dir_.path());
  std::string error;
  ASSERT_TRUE(sim.Start({"--tls_cert=" + cert_, "--tls_key=" + key_}, &error))
      << error;
  const std::string server = "--server=unix:" + sim.control_socket();
  CommandResult plain =
      RunCommand({CtlBinary(), server, "--timeout=2s", "list"});
  EXPECT_EQ(plain.exit_code, 1);
  EXPECT_THAT(plain.err, HasSubstr("UNAVAILABLE"));
  CommandResult secure =
      RunCommand({CtlBinary(), server, "--tls_ca=" + cert_, "list"});
  EXPECT_EQ(secure.exit_code, 0) << secure.err;
  EXPECT_THAT(secure.out, HasSubstr("agent simulated-agent-"));
  EXPECT_EQ(
      RunCommand({CtlBinary(), server, "--tls_ca=" + cert_, "stop"}).exit_code,
      0);
  EXPECT_EQ(sim.process().Wait(absl::Seconds(20)), 0);
}

TEST_F(TlsTest, ControlOverTcpWithServerNameOverride) {
  Process sim;
  const std::string ready = dir_ / "ready";
  ASSERT_TRUE(sim.Start(
      {SimulatorBinary(), "--serve", "--tls_cert=" + cert_, "--tls_key=" + key_,
       "--control_listen=127.0.0.1:0", "--ready_file=" + ready},
      dir_ / "out", dir_ / "err"));
  std::string endpoint;
  for (int i = 0; i < 2000 && endpoint.empty(); ++i) {
    std::ifstream in(ready);
    std::string line;
    while (std::getline(in, line)) {
      if (line.rfind("control_endpoint=", 0) == 0) endpoint = line.substr(17);
    }
    if (endpoint.empty()) absl::SleepFor(absl::Milliseconds(10));
  }
  ASSERT_FALSE(endpoint.empty());
  CommandResult list =
      RunCommand({CtlBinary(), "--server=" + endpoint, "--tls_ca=" + cert_,
                  "--tls_server_name=localhost", "list"});
  EXPECT_EQ(list.exit_code, 0) << list.err;
  CommandResult wrong = RunCommand(
      {CtlBinary(), "--server=" + endpoint, "--tls_ca=" + cert_,
       "--tls_server_name=elsewhere.example", "--timeout=2s", "list"});
  EXPECT_EQ(wrong.exit_code, 1);
  EXPECT_EQ(RunCommand({CtlBinary(), "--server=" + endpoint,
                        "--tls_ca=" + cert_, "stop"})
                .exit_code,
            0);
  EXPECT_EQ(sim.Wait(absl::Seconds(20)), 0);
}

TEST_F(TlsTest, MissingKeyIsAClearError) {
  CommandResult result =
      RunCommand({SimulatorBinary(), "--serve", "--tls_cert=" + cert_,
                  "--tls_key=" + (dir_ / "missing.pem")});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err, HasSubstr("cannot read TLS key file"));
  result = RunCommand({SimulatorBinary(), "--serve", "--tls_cert=" + cert_});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err, HasSubstr("TLS needs both --tls_cert and --tls_key"));
}

}  // namespace
}  // namespace simtest
}  // namespace executor_runtime
