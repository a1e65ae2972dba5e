// agent_simulator: a simulated Mesos agent serving the Agent gRPC service
// to real executor processes, with a control service for frameworks and
// tests. See simulator/README.md for every flag and example.
//
//   agent_simulator --executor=PATH --tasks=N      # one-shot scenario
//   agent_simulator --serve --work_dir=DIR ...     # serve until stopped
#include <signal.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "simulator/tool/cli_flags.h"
#include "simulator/tool/one_shot.h"
#include "simulator/tool/simulator.h"

using executor_runtime::DurationFlag;

// ---- Mode ------------------------------------------------------------------
ABSL_FLAG(bool, serve, false,
          "Serve until stopped (control Stop, SIGINT or SIGTERM) instead of "
          "running the one-shot scenario.");
// ---- Executors -------------------------------------------------------------
ABSL_FLAG(std::string, executor, "",
          "Executor program to launch (one-shot: required; serve: launched "
          "at start and the default for StartExecutor).");
ABSL_FLAG(std::vector<std::string>, executor_arg, {},
          "An argument for the executor; repeat the flag for several.");
ABSL_FLAG(int, executors, 1, "Executor processes to launch.");
// ---- One-shot scenario -----------------------------------------------------
ABSL_FLAG(int, tasks, 1, "One-shot: tasks to launch (round robin).");
ABSL_FLAG(std::string, task_data, "", "One-shot: TaskInfo.data of every task.");
ABSL_FLAG(std::string, task_command, "",
          "One-shot: TaskInfo.command.value (a shell command) of every task, "
          "for command executors.");
ABSL_FLAG(bool, task_group, false,
          "One-shot: send each executor its tasks as one LAUNCH_GROUP.");
ABSL_FLAG(DurationFlag, timeout, DurationFlag(absl::Seconds(60)),
          "One-shot: give up waiting for subscriptions and terminal states "
          "after this long.");
ABSL_FLAG(std::string, progress, "auto",
          "One-shot progress lines on stderr: auto (if stderr is a "
          "terminal), always, never.");
ABSL_FLAG(DurationFlag, progress_interval, DurationFlag(absl::Seconds(1)),
          "One-shot: time between progress lines.");
ABSL_FLAG(bool, json, false, "One-shot: print the summary as JSON.");
// ---- Endpoints
// ---------------------------------------------------------------
ABSL_FLAG(std::string, listen, "",
          "Agent service on TCP host:port (port 0: any free port).");
ABSL_FLAG(std::string, agent_socket, "",
          "Agent service on this Unix socket path (mode 0600). Default, "
          "without --listen: <work_dir>/agent.sock or a private temp dir.");
ABSL_FLAG(std::string, control_listen, "", "Control service on TCP host:port.");
ABSL_FLAG(std::string, control_socket, "",
          "Control service on this Unix socket path (mode 0600). Default, "
          "without --control_listen: beside the default agent socket, "
          "control.sock.");
ABSL_FLAG(std::string, ready_file, "",
          "Once serving, write agent_endpoint=, control_endpoint=, agent_id= "
          "and pid= lines to this file (atomically).");
ABSL_FLAG(std::string, tls_cert, "", "PEM certificate: serve TLS.");
ABSL_FLAG(std::string, tls_key, "", "PEM private key for --tls_cert.");
ABSL_FLAG(std::string, tls_ca, "",
          "PEM CA file handed to executors (MESOS_EXECUTOR_TLS_CA_FILE); "
          "default --tls_cert.");
// ---- State
// -------------------------------------------------------------------
ABSL_FLAG(std::string, work_dir, "",
          "Checkpoint and sandboxes here (mode 0700); a restarted simulator "
          "recovers from it. Empty: no checkpoint, sandboxes in a temp dir "
          "removed at exit.");
ABSL_FLAG(bool, sync_checkpoint, false,
          "fdatasync every checkpoint record (survive power loss, slower).");
ABSL_FLAG(std::string, agent_id, "", "Agent ID (default: generated).");
ABSL_FLAG(std::string, framework_id, "simulated-framework", "Framework ID.");
// ---- Executor environment and timeouts
// ---------------------------------------
ABSL_FLAG(bool, authenticate, true,
          "Give each executor a random bearer token and refuse streams "
          "without it.");
ABSL_FLAG(bool, checkpoint, true,
          "MESOS_CHECKPOINT for executors: reconnect after a broken stream.");
ABSL_FLAG(DurationFlag, recovery_timeout, DurationFlag(absl::Minutes(15)),
          "MESOS_RECOVERY_TIMEOUT for executors.");
ABSL_FLAG(DurationFlag, subscription_backoff_max,
          DurationFlag(absl::Seconds(2)),
          "MESOS_SUBSCRIPTION_BACKOFF_MAX for executors.");
ABSL_FLAG(DurationFlag, executor_shutdown_grace_period,
          DurationFlag(absl::Seconds(5)),
          "MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD; the process group is killed "
          "this long (plus --shutdown_kill_margin) after SHUTDOWN.");
ABSL_FLAG(DurationFlag, shutdown_kill_margin, DurationFlag(absl::Seconds(1)),
          "Extra time after the grace period before the kill.");
ABSL_FLAG(DurationFlag, registration_timeout, DurationFlag(absl::Seconds(10)),
          "Kill an executor that has not subscribed after this long.");
ABSL_FLAG(DurationFlag, reregistration_timeout, DurationFlag(absl::Seconds(5)),
          "After a restart: executors that have not resubscribed after this "
          "long are killed and their tasks marked TASK_LOST.");
ABSL_FLAG(DurationFlag, heartbeat_interval, DurationFlag(absl::Seconds(5)),
          "HEARTBEAT events this often (0: none).");

namespace executor_runtime {
namespace {

constexpr int kExitFailed = 1;  // the scenario failed
constexpr int kExitUsage = 2;   // bad flags or bad input

std::atomic<bool> g_signalled{false};
std::atomic<Simulator*> g_simulator{nullptr};

// SIGINT/SIGTERM/SIGHUP are blocked in every thread and taken by this one.
void StartSignalThread() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::thread([set] {
    while (true) {
      int sig = 0;
      if (sigwait(&set, &sig) != 0) continue;
      g_signalled = true;
      Simulator* simulator = g_simulator.load();
      if (simulator != nullptr) simulator->RequestStop();
    }
  }).detach();
}

int Usage(const std::string& message) {
  std::cerr << "agent_simulator: " << message << "\n"
            << "Try agent_simulator --help." << std::endl;
  return kExitUsage;
}

absl::Status WriteReadyFile(const std::string& path, Simulator& simulator,
                            const std::string& agent_id) {
  const std::string temp = path + ".tmp";
  {
    std::ofstream out(temp, std::ios::trunc);
    out << "agent_endpoint=" << simulator.agent_endpoint() << "\n"
        << "control_endpoint=" << simulator.control_endpoint() << "\n"
        << "agent_id=" << agent_id << "\n"
        << "pid=" << getpid() << "\n";
    if (!out) {
      return absl::InvalidArgumentError(
          absl::StrCat("cannot write --ready_file ", path));
    }
  }
  if (rename(temp.c_str(), path.c_str()) != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot write --ready_file ", path));
  }
  return absl::OkStatus();
}

// Re-executes this program with the same flags (plus the TCP ports that
// were bound, so that executors find the agent where it was).
int Restart(std::vector<std::string> args, const std::string& agent_tcp,
            const std::string& control_tcp) {
  if (!agent_tcp.empty()) args.push_back("--listen=" + agent_tcp);
  if (!control_tcp.empty()) args.push_back("--control_listen=" + control_tcp);
  std::vector<char*> argv = ArgvPointers(args);
  std::cerr << "agent_simulator: restarting" << std::endl;
  execv("/proc/self/exe", argv.data());
  std::cerr << "agent_simulator: cannot restart: " << strerror(errno)
            << std::endl;
  return kExitFailed;
}

int Main(int argc, char** argv) {
  std::vector<std::string> original(argv, argv + argc);
  std::vector<std::string> args = NormalizeFlagNames(argc, argv);
  std::vector<char*> pointers = ArgvPointers(args);
  absl::SetProgramUsageMessage(
      "a simulated Mesos agent for gRPC executors.\n"
      "  one-shot: agent_simulator --executor=PATH --tasks=N [flags]\n"
      "  serve:    agent_simulator --serve [--executor=PATH] [flags]\n"
      "See simulator/README.md.");
  std::vector<char*> positional =
      absl::ParseCommandLine(static_cast<int>(args.size()), pointers.data());
  if (positional.size() > 1) {
    return Usage(absl::StrCat("unexpected argument '", positional[1],
                              "' (flags are --name=value)"));
  }
  const bool serve = absl::GetFlag(FLAGS_serve);
  const std::string progress = absl::GetFlag(FLAGS_progress);
  if (progress != "auto" && progress != "always" && progress != "never") {
    return Usage("--progress must be auto, always or never, not '" + progress +
                 "'");
  }
  const int executors = absl::GetFlag(FLAGS_executors);
  const int tasks = absl::GetFlag(FLAGS_tasks);
  if (executors < 0 || (!serve && executors < 1)) {
    return Usage("--executors must be at least 1");
  }
  if (tasks < 0) return Usage("--tasks must not be negative");
  const std::string executor = absl::GetFlag(FLAGS_executor);
  if (!serve && executor.empty()) {
    return Usage(
        "nothing to do: give --executor=PATH for a one-shot run, or --serve");
  }
  if (!executor.empty()) {
    struct stat st;
    if (stat(executor.c_str(), &st) != 0) {
      return Usage("--executor=" + executor + " does not exist");
    }
    if (!S_ISREG(st.st_mode) || access(executor.c_str(), X_OK) != 0) {
      return Usage("--executor=" + executor + " is not an executable file");
    }
  }

  SimulatorOptions options;
  options.agent_listen = absl::GetFlag(FLAGS_listen);
  options.agent_socket = absl::GetFlag(FLAGS_agent_socket);
  options.control_listen = absl::GetFlag(FLAGS_control_listen);
  options.control_socket = absl::GetFlag(FLAGS_control_socket);
  options.tls_cert = absl::GetFlag(FLAGS_tls_cert);
  options.tls_key = absl::GetFlag(FLAGS_tls_key);
  options.tls_ca = absl::GetFlag(FLAGS_tls_ca);
  options.work_dir = absl::GetFlag(FLAGS_work_dir);
  options.sync_checkpoint = absl::GetFlag(FLAGS_sync_checkpoint);
  options.agent_id = absl::GetFlag(FLAGS_agent_id);
  options.framework_id = absl::GetFlag(FLAGS_framework_id);
  options.executor_path = executor;
  options.executor_args = RepeatedFlagValues(args, "executor_arg");
  options.authenticate = absl::GetFlag(FLAGS_authenticate);
  options.executor_checkpoint = absl::GetFlag(FLAGS_checkpoint);
  options.recovery_timeout = absl::GetFlag(FLAGS_recovery_timeout).value;
  options.subscription_backoff_max =
      absl::GetFlag(FLAGS_subscription_backoff_max).value;
  options.shutdown_grace_period =
      absl::GetFlag(FLAGS_executor_shutdown_grace_period).value;
  options.shutdown_kill_margin =
      absl::GetFlag(FLAGS_shutdown_kill_margin).value;
  options.registration_timeout =
      absl::GetFlag(FLAGS_registration_timeout).value;
  options.reregistration_timeout =
      absl::GetFlag(FLAGS_reregistration_timeout).value;
  options.heartbeat_interval = absl::GetFlag(FLAGS_heartbeat_interval).value;
  options.allow_restart = serve;

  StartSignalThread();
  absl::StatusOr<std::unique_ptr<Simulator>> started =
      Simulator::Start(options);
  if (!started.ok()) {
    std::cerr << "agent_simulator: " << started.status().message() << std::endl;
    return kExitUsage;
  }
  std::unique_ptr<Simulator> simulator = *std::move(started);
  g_simulator = simulator.get();
  const std::string agent_id = simulator->List().agent_id();

  if (!serve) {
    if (simulator->recovered()) {
      g_simulator = nullptr;
      simulator->Shutdown(/*stop_executors=*/false);
      return Usage("--work_dir=" + options.work_dir +
                   " holds a checkpoint of an earlier run: recover it with "
                   "--serve, or use an empty work dir");
    }
    if (!absl::GetFlag(FLAGS_ready_file).empty()) {
      absl::Status written =
          WriteReadyFile(absl::GetFlag(FLAGS_ready_file), *simulator, agent_id);
      if (!written.ok())
        std::cerr << "agent_simulator: " << written.message() << std::endl;
    }
    OneShotOptions one_shot;
    one_shot.executors = executors;
    one_shot.tasks = tasks;
    one_shot.task_data = absl::GetFlag(FLAGS_task_data);
    one_shot.task_command = absl::GetFlag(FLAGS_task_command);
    one_shot.task_group = absl::GetFlag(FLAGS_task_group);
    one_shot.timeout = absl::GetFlag(FLAGS_timeout).value;
    one_shot.progress =
        progress == "always" || (progress == "auto" && isatty(STDERR_FILENO));
    one_shot.progress_interval = absl::GetFlag(FLAGS_progress_interval).value;
    Simulator* sim = simulator.get();
    OneShotSummary summary = RunOneShot(sim, one_shot, std::cerr, [sim] {
      // A signal, or a control Stop, ends the run early.
      return g_signalled.load() || sim->WaitForRequest(absl::ZeroDuration()) !=
                                       Simulator::Request::kNone;
    });
    g_simulator = nullptr;
    simulator->Shutdown(/*stop_executors=*/true);
    if (absl::GetFlag(FLAGS_json)) {
      std::cout << summary.Json() << std::endl;
    } else {
      std::cout << summary.Line() << std::endl;
    }
    if (!summary.ok) {
      std::cerr << "agent_simulator: " << summary.error << std::endl;
      return kExitFailed;
    }
    return 0;
  }

  // Serve mode. Executors from the flags start only on a fresh start: a
  // recovered simulator adopts the ones it had.
  if (!executor.empty() && !simulator->recovered()) {
    for (int i = 0; i < executors; ++i) {
      absl::StatusOr<control::ExecutorState> state =
          simulator->StartExecutor(control::StartExecutorRequest());
      if (!state.ok()) {
        std::cerr << "agent_simulator: cannot start executor: "
                  << state.status().message() << std::endl;
        g_simulator = nullptr;
        simulator->Shutdown(/*stop_executors=*/true);
        return kExitUsage;
      }
    }
  }
  if (!absl::GetFlag(FLAGS_ready_file).empty()) {
    absl::Status written =
        WriteReadyFile(absl::GetFlag(FLAGS_ready_file), *simulator, agent_id);
    if (!written.ok()) {
      std::cerr << "agent_simulator: " << written.message() << std::endl;
      g_simulator = nullptr;
      simulator->Shutdown(/*stop_executors=*/true);
      return kExitUsage;
    }
  }
  std::cout << "agent_simulator: agent " << agent_id
            << " serving agent=" << simulator->agent_endpoint()
            << " control=" << simulator->control_endpoint()
            << (simulator->recovered() ? " (recovered)" : "") << std::endl;
  Simulator::Request request = Simulator::Request::kNone;
  while (request == Simulator::Request::kNone) {
    request = simulator->WaitForRequest(absl::Seconds(1));
  }
  g_simulator = nullptr;
  if (request == Simulator::Request::kRestart) {
    const std::string agent_tcp = simulator->agent_tcp_address();
    const std::string control_tcp = simulator->control_tcp_address();
    simulator->Shutdown(/*stop_executors=*/false);
    simulator.reset();  // releases the work dir lock
    return Restart(original, agent_tcp, control_tcp);
  }
  simulator->Shutdown(request != Simulator::Request::kStopLeaveExecutors);
  std::cout << "agent_simulator: stopped, " << simulator->UpdateCount()
            << " updates recorded" << std::endl;
  return 0;
}

}  // namespace
}  // namespace executor_runtime

int main(int argc, char** argv) {
  // Debian's Abseil checks every mutex acquisition for lock-order cycles,
  // a cost production binaries do not pay.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  return executor_runtime::Main(argc, argv);
}
