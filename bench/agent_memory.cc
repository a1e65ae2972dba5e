// //bench:agent_memory: the agent's resident memory per connected executor.
//
// For each N in --executors, starts a fresh agent (an AgentCore behind a
// gRPC server on 127.0.0.1) in a child process - this same binary, exec'd
// with --serve_agent - and reads the child's VmRSS from /proc three times:
// with the server up, after declaring N executors (AddExecutor), and after N
// executors connected and subscribed, each over its own TCP connection (a
// plain Agent.Connect stream: SUBSCRIBE, then SUBSCRIBED read). The client
// side lives in this process, so its memory is not counted.
//
// For example (one command line):
//   bazel run -c opt //bench:agent_memory --
//       --executors=1,100,1000 --json_out=/tmp/agent_memory.json
//
// Prints one line per N and, with --json_out, writes the figures as JSON
// (read by bench/make_report.py).
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "api/executor/agent.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "simulator/agent_core.h"

namespace executor_runtime {
namespace bench {
namespace {

using mesos::executor::Call;
using mesos::executor::Event;

constexpr char kFrameworkId[] = "memory-framework";

std::string ExecutorName(int i) { return absl::StrCat("executor-", i); }

void RaiseFileLimit() {
  struct rlimit limit;
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 &&
      limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
}

// VmRSS of `pid` in KiB, or -1.
long ResidentKib(pid_t pid) {
  std::ifstream status(absl::StrCat("/proc/", pid, "/status"));
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) {
      return std::strtol(line.c_str() + 6, nullptr, 10);
    }
  }
  return -1;
}

bool ReadLine(FILE* in, std::string* line) {
  char buffer[256];
  if (std::fgets(buffer, sizeof(buffer), in) == nullptr) return false;
  *line = buffer;
  while (!line->empty() && (line->back() == '\n')) line->pop_back();
  return true;
}

// ---- The child: an agent that declares executors on command ---------------
//
// Protocol on stdin/stdout, one line each: it prints "port <P>" once
// serving; "declare" -> declares N executors, prints "declared"; "quit" (or
// end of input) -> exits.
int ServeAgent(int executors) {
  RaiseFileLimit();
  AgentOptions options;
  options.agent_info.set_hostname("localhost");
  options.agent_info.mutable_id()->set_value("memory-agent");
  AgentCore agent(options);
  int port = 0;
  grpc::ServerBuilder builder;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(),
                           &port);
  builder.RegisterService(agent.service());
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || port == 0) {
    std::fprintf(stderr, "agent_memory: the agent could not listen\n");
    return 1;
  }
  std::printf("port %d\n", port);
  std::fflush(stdout);
  std::string command;
  while (ReadLine(stdin, &command) && command != "quit") {
    if (command != "declare") continue;
    for (int i = 0; i < executors; ++i) {
      ExecutorSpec spec;
      spec.framework_info.set_user("bench");
      spec.framework_info.set_name("bench");
      spec.framework_info.mutable_id()->set_value(kFrameworkId);
      spec.executor_info.mutable_executor_id()->set_value(ExecutorName(i));
      spec.executor_info.mutable_framework_id()->set_value(kFrameworkId);
      absl::Status status = agent.AddExecutor(spec);
      if (!status.ok()) {
        std::fprintf(stderr, "agent_memory: AddExecutor: %s\n",
                     status.ToString().c_str());
        return 1;
      }
    }
    std::printf("declared\n");
    std::fflush(stdout);
  }
  server->Shutdown(std::chrono::system_clock::now());
  return 0;
}

// ---- The parent ---------------------------------------------------------

struct Child {
  pid_t pid = -1;
  FILE* to = nullptr;
  FILE* from = nullptr;
};

bool SpawnAgent(int executors, Child* child) {
  int to_child[2], from_child[2];
  if (pipe(to_child) != 0 || pipe(from_child) != 0) return false;
  const std::string arg = absl::StrCat("--serve_agent=", executors);
  pid_t pid = fork();
  if (pid < 0) return false;
  if (pid == 0) {
    dup2(to_child[0], 0);
    dup2(from_child[1], 1);
    close(to_child[0]);
    close(to_child[1]);
    close(from_child[0]);
    close(from_child[1]);
    execl("/proc/self/exe", "agent_memory", arg.c_str(),
          static_cast<char*>(nullptr));
    _exit(127);
  }
  close(to_child[0]);
  close(from_child[1]);
  child->pid = pid;
  child->to = fdopen(to_child[1], "w");
  child->from = fdopen(from_child[0], "r");
  return true;
}

// One subscribed executor connection (its own channel and TCP connection).
struct Connection {
  std::shared_ptr<grpc::Channel> channel;
  std::unique_ptr<mesos::executor::Agent::Stub> stub;
  grpc::ClientContext context;
  std::unique_ptr<grpc::ClientReaderWriter<Call, Event>> stream;
};

bool Subscribe(const std::string& target, int i, Connection* c) {
  grpc::ChannelArguments arguments;
  arguments.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  c->channel = grpc::CreateCustomChannel(
      target, grpc::InsecureChannelCredentials(), arguments);
  c->stub = mesos::executor::Agent::NewStub(c->channel);
  c->stream = c->stub->Connect(&c->context);
  Call call;
  call.set_type(Call::SUBSCRIBE);
  call.mutable_framework_id()->set_value(kFrameworkId);
  call.mutable_executor_id()->set_value(ExecutorName(i));
  call.mutable_subscribe();
  Event event;
  if (!c->stream->Write(call)) return false;
  while (c->stream->Read(&event)) {
    if (event.type() == Event::SUBSCRIBED) return true;
  }
  return false;
}

struct Result {
  int executors;
  long base, declared, connected;
};

bool Measure(int executors, Result* result) {
  Child child;
  if (!SpawnAgent(executors, &child)) return false;
  std::string line;
  int port = 0;
  if (!ReadLine(child.from, &line) || line.rfind("port ", 0) != 0 ||
      !absl::SimpleAtoi(line.substr(5), &port)) {
    std::fprintf(stderr, "agent_memory: the agent did not start\n");
    return false;
  }
  absl::SleepFor(absl::Milliseconds(200));
  result->executors = executors;
  result->base = ResidentKib(child.pid);
  std::fprintf(child.to, "declare\n");
  std::fflush(child.to);
  if (!ReadLine(child.from, &line) || line != "declared") return false;
  absl::SleepFor(absl::Milliseconds(100));
  result->declared = ResidentKib(child.pid);

  const std::string target = absl::StrCat("127.0.0.1:", port);
  std::vector<std::unique_ptr<Connection>> connections;
  for (int i = 0; i < executors; ++i) {
    connections.push_back(std::make_unique<Connection>());
    if (!Subscribe(target, i, connections.back().get())) {
      std::fprintf(stderr, "agent_memory: executor %d did not subscribe\n", i);
      return false;
    }
  }
  absl::SleepFor(absl::Milliseconds(300));
  result->connected = ResidentKib(child.pid);

  std::fprintf(child.to, "quit\n");
  std::fflush(child.to);
  for (auto& c : connections) c->context.TryCancel();
  connections.clear();
  int status = 0;
  waitpid(child.pid, &status, 0);
  std::fclose(child.to);
  std::fclose(child.from);
  return true;
}

int Main(int argc, char** argv) {
  std::vector<int> counts = {1, 100, 1000};
  std::string json_out;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    int n = 0;
    if (arg.rfind("--serve_agent=", 0) == 0 &&
        absl::SimpleAtoi(arg.substr(14), &n)) {
      return ServeAgent(n);
    } else if (arg.rfind("--executors=", 0) == 0) {
      counts.clear();
      for (absl::string_view part : absl::StrSplit(arg.substr(12), ',')) {
        if (!absl::SimpleAtoi(part, &n) || n < 1) {
          std::fprintf(stderr, "agent_memory: bad --executors value '%s'\n",
                       std::string(part).c_str());
          return 2;
        }
        counts.push_back(n);
      }
    } else if (arg.rfind("--json_out=", 0) == 0) {
      json_out = arg.substr(11);
    } else {
      std::fprintf(stderr,
                   "agent_memory: unknown argument '%s' (flags: "
                   "--executors=1,100,1000 --json_out=PATH)\n",
                   arg.c_str());
      return 2;
    }
  }
  RaiseFileLimit();
  signal(SIGPIPE, SIG_IGN);

  std::vector<Result> results;
  for (int n : counts) {
    Result r;
    if (!Measure(n, &r)) {
      std::fprintf(stderr, "agent_memory: measuring %d executors failed\n", n);
      return 1;
    }
    std::printf(
        "%5d executors: agent RSS %ld KiB -> %ld KiB declared -> %ld KiB "
        "connected: %.1f KiB per executor (%.1f KiB per connection only)\n",
        n, r.base, r.declared, r.connected, double(r.connected - r.base) / n,
        double(r.connected - r.declared) / n);
    results.push_back(r);
  }
  if (!json_out.empty()) {
    std::ofstream out(json_out);
    out << "{\"description\": \"A fresh agent (AgentCore + gRPC server) in "
           "its own process; VmRSS with the server up, after declaring N "
           "executors, and after N executors subscribed, each over its own "
           "TCP connection (idle after SUBSCRIBED). Per executor = (after "
           "connecting - before declaring) / N.\", \"results\": [";
    for (size_t i = 0; i < results.size(); ++i) {
      const Result& r = results[i];
      out << (i ? ", " : "") << "{\"executors\": " << r.executors
          << ", \"rss_base_kib\": " << r.base
          << ", \"rss_declared_kib\": " << r.declared
          << ", \"rss_connected_kib\": " << r.connected
          << ", \"per_executor_kib\": "
          << double(r.connected - r.base) / r.executors
          << ", \"per_connection_kib\": "
          << double(r.connected - r.declared) / r.executors << "}";
    }
    out << "]}\n";
  }
  return 0;
}

}  // namespace
}  // namespace bench
}  // namespace executor_runtime

int main(int argc, char** argv) {
  return executor_runtime::bench::Main(argc, argv);
}
