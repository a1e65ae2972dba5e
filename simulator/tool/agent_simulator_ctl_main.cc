// agent_simulator_ctl: the command-line client of agent_simulator's control
// service. See simulator/README.md.
//
//   agent_simulator_ctl --server=unix:/tmp/sim/control.sock list
//   agent_simulator_ctl --server=... launch --executor=executor-1 --count=3
//   agent_simulator_ctl --server=... fault break-streams
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "grpcpp/grpcpp.h"
#include "simulator/control/control.grpc.pb.h"
#include "simulator/tool/cli_flags.h"
#include "util/uuid.h"

using executor_runtime::DurationFlag;

ABSL_FLAG(std::string, server, "",
          "Control endpoint of the simulator: unix:/path or host:port "
          "(default: $AGENT_SIMULATOR_CONTROL).");
ABSL_FLAG(std::string, tls_ca, "",
          "PEM CA certificates: connect with TLS (for a simulator started "
          "with --tls_cert).");
ABSL_FLAG(std::string, tls_server_name, "",
          "With --tls_ca: the name to check the certificate against, if not "
          "the host in --server.");
ABSL_FLAG(DurationFlag, timeout, DurationFlag(absl::Seconds(10)),
          "Deadline of each call (for updates --follow and wait: how long to "
          "wait in all).");
ABSL_FLAG(std::string, executor, "",
          "Executor ID (may be left out when the simulator runs one "
          "executor).");
ABSL_FLAG(std::vector<std::string>, task, {},
          "Task ID; repeat the flag for several.");
ABSL_FLAG(int, count, 0,
          "launch/launch-group: tasks to generate (IDs <prefix>1..N). "
          "updates: stop after this many. wait: terminal tasks to await.");
ABSL_FLAG(std::string, prefix, "task-", "Prefix of generated task IDs.");
ABSL_FLAG(std::string, data, "", "launch: TaskInfo.data; message: the data.");
ABSL_FLAG(std::string, command, "",
          "launch: TaskInfo.command.value (shell command).");
ABSL_FLAG(DurationFlag, grace, DurationFlag(),
          "kill: KillPolicy grace period (unset: none).");
ABSL_FLAG(std::string, path, "", "start-executor: executor program.");
ABSL_FLAG(std::vector<std::string>, arg, {},
          "start-executor: an executor argument; repeat for several.");
ABSL_FLAG(uint64_t, after, 0, "updates: only those with sequence > after.");
ABSL_FLAG(bool, follow, false, "updates: keep streaming new updates.");
ABSL_FLAG(DurationFlag, duration, DurationFlag(),
          "fault delay-acks / refuse-subscriptions: how long.");
ABSL_FLAG(bool, leave_executors, false,
          "stop: leave executors running (a later simulator on the same "
          "--work_dir adopts them).");

namespace executor_runtime {
namespace {

constexpr int kExitFailed = 1;
constexpr int kExitUsage = 2;

int Usage(const std::string& message) {
  std::cerr << "agent_simulator_ctl: " << message << "\n"
            << "Try agent_simulator_ctl --help." << std::endl;
  return kExitUsage;
}

int Failed(const grpc::Status& status) {
  static const char* kNames[] = {"OK",
                                 "CANCELLED",
                                 "UNKNOWN",
                                 "INVALID_ARGUMENT",
                                 "DEADLINE_EXCEEDED",
                                 "NOT_FOUND",
                                 "ALREADY_EXISTS",
                                 "PERMISSION_DENIED",
                                 "RESOURCE_EXHAUSTED",
                                 "FAILED_PRECONDITION",
                                 "ABORTED",
                                 "OUT_OF_RANGE",
                                 "UNIMPLEMENTED",
                                 "INTERNAL",
                                 "UNAVAILABLE",
                                 "DATA_LOSS",
                                 "UNAUTHENTICATED"};
  int code = status.error_code();
  std::cerr << "agent_simulator_ctl: "
            << (code >= 0 && code <= 16 ? kNames[code] : "ERROR") << ": "
            << status.error_message() << std::endl;
  return kExitFailed;
}

std::string StateName(mesos::TaskState state) {
  return mesos::TaskState_Name(state);
}

std::string Describe(const control::UpdateRecord& update) {
  const mesos::TaskStatus& status = update.status();
  std::string line = absl::StrCat(
      "update seq=", update.sequence(), " executor=", update.executor_id(),
      " task=", status.task_id().value(), " state=", StateName(status.state()),
      " source=", mesos::TaskStatus::Source_Name(status.source()));
  if (status.has_reason()) {
    absl::StrAppend(
        &line, " reason=", mesos::TaskStatus::Reason_Name(status.reason()));
  }
  absl::StrAppend(&line, " uuid=", UuidToString(status.uuid()));
  if (status.has_message()) {
    absl::StrAppend(&line, " message=\"", absl::CEscape(status.message()),
                    "\"");
  }
  return line;
}

class Client {
 public:
  explicit Client(std::shared_ptr<grpc::Channel> channel)
      : stub_(control::SimulatorControl::NewStub(channel)),
        timeout_(absl::GetFlag(FLAGS_timeout).value) {}

  void Deadline(grpc::ClientContext* context) {
    context->set_deadline(absl::ToChronoTime(absl::Now() + timeout_));
  }

  int Run(const std::string& command, const std::vector<std::string>& rest) {
    if (command == "list") return List();
    if (command == "start-executor") return StartExecutor();
    if (command == "launch") return Launch(false);
    if (command == "launch-group") return Launch(true);
    if (command == "kill") return Kill();
    if (command == "message") return Message();
    if (command == "shutdown") return Shutdown();
    if (command == "updates") return Updates();
    if (command == "wait") return Wait();
    if (command == "fault") return Fault(rest);
    if (command == "stop") return Stop();
    return Usage("unknown command '" + command + "'");
  }

 private:
  int List() {
    grpc::ClientContext context;
    Deadline(&context);
    control::ListResponse response;
    grpc::Status status =
        stub_->List(&context, control::ListRequest(), &response);
    if (!status.ok()) return Failed(status);
    std::cout << "agent " << response.agent_id()
              << " endpoint=" << response.agent_endpoint()
              << " updates=" << response.updates_recorded() << "\n";
    for (const control::ExecutorState& executor : response.executors()) {
      std::cout << "executor " << executor.executor_id()
                << " pid=" << executor.pid() << " phase=" << executor.phase()
                << " subscriptions=" << executor.subscriptions()
                << " tasks=" << executor.tasks_size()
                << (executor.recovered() ? " recovered" : "");
      if (executor.has_exit_description()) {
        std::cout << " exit=\"" << executor.exit_description() << "\"";
      }
      std::cout << " sandbox=" << executor.sandbox_directory() << "\n";
      for (const control::TaskState& task : executor.tasks()) {
        std::cout << "  task " << task.task_id() << " state="
                  << (task.has_state() ? StateName(task.state()) : "none")
                  << "\n";
      }
    }
    std::cout << std::flush;
    return 0;
  }

  int StartExecutor() {
    control::StartExecutorRequest request;
    if (!absl::GetFlag(FLAGS_path).empty()) {
      request.set_path(absl::GetFlag(FLAGS_path));
    }
    for (const std::string& arg : args_arg) request.add_args(arg);
    if (!absl::GetFlag(FLAGS_executor).empty()) {
      request.set_executor_id(absl::GetFlag(FLAGS_executor));
    }
    grpc::ClientContext context;
    Deadline(&context);
    control::ExecutorState response;
    grpc::Status status = stub_->StartExecutor(&context, request, &response);
    if (!status.ok()) return Failed(status);
    std::cout << "started " << response.executor_id()
              << " pid=" << response.pid()
              << " sandbox=" << response.sandbox_directory() << std::endl;
    return 0;
  }

  int Launch(bool group) {
    control::LaunchTasksRequest request;
    request.set_executor_id(absl::GetFlag(FLAGS_executor));
    request.set_as_group(group);
    std::vector<std::string> ids = task_ids;
    for (int i = 1; i <= absl::GetFlag(FLAGS_count); ++i) {
      ids.push_back(absl::StrCat(absl::GetFlag(FLAGS_prefix), i));
    }
    if (ids.empty()) return Usage("launch needs --task=ID or --count=N");
    for (const std::string& id : ids) {
      mesos::TaskInfo* task = request.add_tasks();
      task->mutable_task_id()->set_value(id);
      task->set_name(id);
      // Required by proto2; the simulator puts its own agent ID here.
      task->mutable_slave_id()->set_value("");
      if (!absl::GetFlag(FLAGS_data).empty())
        task->set_data(absl::GetFlag(FLAGS_data));
      if (!absl::GetFlag(FLAGS_command).empty()) {
        task->mutable_command()->set_value(absl::GetFlag(FLAGS_command));
        task->mutable_command()->set_shell(true);
      }
    }
    grpc::ClientContext context;
    Deadline(&context);
    control::LaunchTasksResponse response;
    grpc::Status status = stub_->LaunchTasks(&context, request, &response);
    if (!status.ok()) return Failed(status);
    std::cout << "launched " << absl::StrJoin(response.task_ids(), " ")
              << std::endl;
    return 0;
  }

  int Kill() {
    if (task_ids.empty()) return Usage("kill needs --task=ID");
    for (const std::string& id : task_ids) {
      control::KillTaskRequest request;
      request.set_executor_id(absl::GetFlag(FLAGS_executor));
      request.set_task_id(id);
      absl::Duration grace = absl::GetFlag(FLAGS_grace).value;
      if (grace > absl::ZeroDuration()) {
        request.set_grace_period_seconds(absl::ToDoubleSeconds(grace));
      }
      if (int failed =
              Call(&control::SimulatorControl::Stub::KillTask, request))
        return failed;
      std::cout << "kill sent for " << id << std::endl;
    }
    return 0;
  }

  // One unary control call with the usual deadline; 0, or the exit code of
  // the failure (printed).
  template <typename Request>
  int Call(grpc::Status (control::SimulatorControl::Stub::*method)(
               grpc::ClientContext*, const Request&, control::Empty*),
           const Request& request) {
    grpc::ClientContext context;
    Deadline(&context);
    control::Empty response;
    grpc::Status status = (stub_.get()->*method)(&context, request, &response);
    return status.ok() ? 0 : Failed(status);
  }

  int Message() {
    control::SendMessageRequest request;
    request.set_executor_id(absl::GetFlag(FLAGS_executor));
    request.set_data(absl::GetFlag(FLAGS_data));
    if (int failed =
            Call(&control::SimulatorControl::Stub::SendMessage, request))
      return failed;
    std::cout << "message sent" << std::endl;
    return 0;
  }

  int Shutdown() {
    control::ShutdownExecutorRequest request;
    request.set_executor_id(absl::GetFlag(FLAGS_executor));
    if (int failed =
            Call(&control::SimulatorControl::Stub::ShutdownExecutor, request))
      return failed;
    std::cout << "shutdown sent" << std::endl;
    return 0;
  }

  int Updates() {
    control::WatchUpdatesRequest request;
    request.set_after_sequence(absl::GetFlag(FLAGS_after));
    const int count = absl::GetFlag(FLAGS_count);
    request.set_follow(absl::GetFlag(FLAGS_follow) || count > 0);
    grpc::ClientContext context;
    Deadline(&context);
    auto reader = stub_->WatchUpdates(&context, request);
    control::UpdateRecord record;
    int seen = 0;
    while (reader->Read(&record)) {
      std::cout << Describe(record) << std::endl;
      if (count > 0 && ++seen >= count) {
        context.TryCancel();
        reader->Finish().ok();
        return 0;
      }
    }
    grpc::Status status = reader->Finish();
    if (count > 0) {
      std::cerr << "agent_simulator_ctl: saw " << seen << " of " << count
                << " updates before the deadline" << std::endl;
      return kExitFailed;
    }
    // With --follow the deadline ends the stream: that is the normal end.
    if (status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED &&
        request.follow()) {
      return 0;
    }
    if (!status.ok()) return Failed(status);
    return 0;
  }

  // Waits until --count tasks are terminal (or every task, if 0).
  int Wait() {
    const absl::Time deadline = absl::Now() + timeout_;
    const int want = absl::GetFlag(FLAGS_count);
    while (true) {
      grpc::ClientContext context;
      Deadline(&context);
      control::ListResponse response;
      grpc::Status status =
          stub_->List(&context, control::ListRequest(), &response);
      if (!status.ok()) return Failed(status);
      int tasks = 0, terminal = 0;
      for (const control::ExecutorState& executor : response.executors()) {
        for (const control::TaskState& task : executor.tasks()) {
          ++tasks;
          if (task.terminal()) ++terminal;
        }
      }
      if ((want > 0 && terminal >= want) ||
          (want == 0 && tasks > 0 && terminal == tasks)) {
        std::cout << "terminal " << terminal << " of " << tasks << std::endl;
        return 0;
      }
      if (absl::Now() > deadline) {
        std::cerr << "agent_simulator_ctl: " << terminal << " of " << tasks
                  << " tasks terminal at the deadline" << std::endl;
        return kExitFailed;
      }
      absl::SleepFor(absl::Milliseconds(50));
    }
  }

  int Fault(const std::vector<std::string>& rest) {
    static const std::map<std::string, control::FaultRequest::Kind> kKinds = {
        {"break-streams", control::FaultRequest::BREAK_STREAMS},
        {"stop-heartbeats", control::FaultRequest::STOP_HEARTBEATS},
        {"resume-heartbeats", control::FaultRequest::RESUME_HEARTBEATS},
        {"drop-acks", control::FaultRequest::DROP_ACKS},
        {"delay-acks", control::FaultRequest::DELAY_ACKS},
        {"normal-acks", control::FaultRequest::NORMAL_ACKS},
        {"refuse-subscriptions", control::FaultRequest::REFUSE_SUBSCRIPTIONS},
        {"restart", control::FaultRequest::RESTART},
    };
    if (rest.size() != 1 || kKinds.count(rest[0]) == 0) {
      return Usage(
          "fault needs one of: break-streams, stop-heartbeats, "
          "resume-heartbeats, drop-acks, delay-acks, normal-acks, "
          "refuse-subscriptions, restart");
    }
    control::FaultRequest request;
    request.set_kind(kKinds.at(rest[0]));
    request.set_executor_id(absl::GetFlag(FLAGS_executor));
    request.set_duration_seconds(
        absl::ToDoubleSeconds(absl::GetFlag(FLAGS_duration).value));
    if (int failed =
            Call(&control::SimulatorControl::Stub::InjectFault, request))
      return failed;
    std::cout << "fault " << rest[0] << " injected" << std::endl;
    return 0;
  }

  int Stop() {
    control::StopRequest request;
    request.set_leave_executors(absl::GetFlag(FLAGS_leave_executors));
    if (int failed = Call(&control::SimulatorControl::Stub::Stop, request))
      return failed;
    std::cout << "stop requested" << std::endl;
    return 0;
  }

  std::unique_ptr<control::SimulatorControl::Stub> stub_;
  const absl::Duration timeout_;

 public:
  std::vector<std::string> task_ids;
  std::vector<std::string> args_arg;
};

int Main(int argc, char** argv) {
  std::vector<std::string> args = NormalizeFlagNames(argc, argv);
  std::vector<char*> pointers = ArgvPointers(args);
  absl::SetProgramUsageMessage(
      "control client of agent_simulator.\n"
      "  agent_simulator_ctl --server=ENDPOINT COMMAND [flags]\n"
      "Commands: list, start-executor, launch, launch-group, kill, message,\n"
      "  shutdown, updates, wait, fault KIND, stop. See "
      "simulator/README.md.");
  std::vector<char*> positional =
      absl::ParseCommandLine(static_cast<int>(args.size()), pointers.data());
  if (positional.size() < 2) return Usage("no command given");
  const std::string command = positional[1];
  std::vector<std::string> rest(positional.begin() + 2, positional.end());
  if (command != "fault" && !rest.empty()) {
    return Usage("unexpected argument '" + rest[0] + "' after " + command);
  }
  std::string server = absl::GetFlag(FLAGS_server);
  if (server.empty()) {
    const char* env = getenv("AGENT_SIMULATOR_CONTROL");
    if (env != nullptr) server = env;
  }
  if (server.empty()) {
    return Usage("no --server (or $AGENT_SIMULATOR_CONTROL) given");
  }
  std::shared_ptr<grpc::ChannelCredentials> credentials =
      grpc::InsecureChannelCredentials();
  grpc::ChannelArguments channel_args;
  const std::string ca = absl::GetFlag(FLAGS_tls_ca);
  if (!ca.empty()) {
    FILE* file = fopen(ca.c_str(), "rb");
    if (file == nullptr) return Usage("cannot read --tls_ca=" + ca);
    std::string pem;
    char buffer[4096];
    size_t n;
    while ((n = fread(buffer, 1, sizeof(buffer), file)) > 0)
      pem.append(buffer, n);
    fclose(file);
    grpc::SslCredentialsOptions ssl;
    ssl.pem_root_certs = pem;
    credentials = grpc::SslCredentials(ssl);
    if (!absl::GetFlag(FLAGS_tls_server_name).empty()) {
      channel_args.SetSslTargetNameOverride(
          absl::GetFlag(FLAGS_tls_server_name));
    }
  }
  Client client(grpc::CreateCustomChannel(server, credentials, channel_args));
  client.task_ids = RepeatedFlagValues(args, "task");
  client.args_arg = RepeatedFlagValues(args, "arg");
  return client.Run(command, rest);
}

}  // namespace
}  // namespace executor_runtime

int main(int argc, char** argv) { return executor_runtime::Main(argc, argv); }
