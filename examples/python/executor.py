#!/usr/bin/python3
"""An executor in Python, speaking the runtime's gRPC contract directly.

It shows that the wire contract in api/ is language-neutral: this file uses
only Debian's python3-grpcio and python3-protobuf, and code generated from
the .proto files in api/ (generated on first use with grpc_tools if it is
not on the path already).

Behaviour: subscribes with the IDs from the Mesos environment; for each
launched task reports TASK_RUNNING, then TASK_FINISHED with the task's data
echoed in the status message; echoes framework messages back; answers KILL
with TASK_KILLED; on SHUTDOWN waits until every update was acknowledged,
closes the stream and exits 0. Every update carries a fresh UUID and is kept
until acknowledged. It does not reconnect: a broken stream exits 1.

Run it under the agent simulator like any other executor:
    agent_simulator --executor=examples/python/executor.py --tasks=5
"""

import os
import queue
import subprocess
import sys
import tempfile
import threading
import time
import uuid

REQUIRED_ENV = ("MESOS_FRAMEWORK_ID", "MESOS_EXECUTOR_ID", "MESOS_SLAVE_ID",
                "MESOS_AGENT_ENDPOINT")


def log(message):
    print("python-executor: " + message, file=sys.stderr, flush=True)


def import_protos():
    """Imports the generated modules, generating them first if needed."""
    try:
        from api.executor import agent_pb2_grpc, executor_pb2  # noqa: F401
        from api.mesos import mesos_pb2  # noqa: F401
    except ImportError:
        root = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
        out = os.path.join(tempfile.gettempdir(), "executor_runtime_python_protos")
        os.makedirs(out, exist_ok=True)
        protos = ["api/mesos/mesos.proto", "api/executor/executor.proto",
                  "api/executor/agent.proto"]
        result = subprocess.run(
            [sys.executable, "-m", "grpc_tools.protoc", "-I" + root,
             "--python_out=" + out, "--grpc_python_out=" + out] + protos,
            capture_output=True, text=True)
        if result.returncode != 0:
            sys.exit("python-executor: generating protos failed "
                     "(is python3-grpc-tools installed?): " + result.stderr)
        sys.path.insert(0, out)
    from api.executor import agent_pb2_grpc, executor_pb2
    from api.mesos import mesos_pb2
    return agent_pb2_grpc, executor_pb2, mesos_pb2


class PythonExecutor:
    def __init__(self, env, agent_pb2_grpc, executor_pb2, mesos_pb2):
        self.env = env
        self.pb = executor_pb2
        self.mesos = mesos_pb2
        self.stub_module = agent_pb2_grpc
        self.calls = queue.Queue()
        self.lock = threading.Lock()
        self.unacknowledged = {}  # uuid bytes -> task id
        self.all_acked = threading.Condition(self.lock)
        self.agent_id = env["MESOS_SLAVE_ID"]

    def new_call(self, call_type):
        call = self.pb.Call()
        call.executor_id.value = self.env["MESOS_EXECUTOR_ID"]
        call.framework_id.value = self.env["MESOS_FRAMEWORK_ID"]
        call.type = call_type
        return call

    def send_update(self, task_id, state, message=""):
        call = self.new_call(self.pb.Call.UPDATE)
        status = call.update.status
        status.task_id.value = task_id
        status.state = state
        status.source = self.mesos.TaskStatus.SOURCE_EXECUTOR
        status.executor_id.value = self.env["MESOS_EXECUTOR_ID"]
        status.slave_id.value = self.agent_id
        status.timestamp = time.time()
        status.uuid = uuid.uuid4().bytes
        if message:
            status.message = message
        with self.lock:
            self.unacknowledged[status.uuid] = task_id
        self.calls.put(call)

    def requests(self):
        while True:
            call = self.calls.get()
            if call is None:
                return
            yield call

    def drain(self, timeout):
        deadline = time.monotonic() + timeout
        with self.lock:
            while self.unacknowledged and time.monotonic() < deadline:
                self.all_acked.wait(deadline - time.monotonic())
            return len(self.unacknowledged)

    def run(self):
        import grpc
        endpoint = self.env["MESOS_AGENT_ENDPOINT"]
        channel = grpc.insecure_channel(endpoint)
        stub = self.stub_module.AgentStub(channel)
        metadata = []
        token = self.env.get("MESOS_EXECUTOR_AUTHENTICATION_TOKEN")
        if token:
            metadata.append(("authorization", "Bearer " + token))
        subscribe = self.new_call(self.pb.Call.SUBSCRIBE)
        subscribe.subscribe.SetInParent()
        self.calls.put(subscribe)
        events = stub.Connect(self.requests(), metadata=metadata)
        shutting_down = False
        try:
            for event in events:
                if event.type == self.pb.Event.SUBSCRIBED:
                    log("subscribed to " + endpoint)
                elif event.type == self.pb.Event.LAUNCH:
                    task = event.launch.task
                    self.send_update(task.task_id.value, self.mesos.TASK_RUNNING)
                    self.send_update(task.task_id.value, self.mesos.TASK_FINISHED,
                                     "python executor ran: " +
                                     task.data.decode("utf-8", "replace"))
                elif event.type == self.pb.Event.KILL:
                    self.send_update(event.kill.task_id.value, self.mesos.TASK_KILLED,
                                     "killed by the python executor")
                elif event.type == self.pb.Event.ACKNOWLEDGED:
                    acks = [event.acknowledged] + list(event.batched_acknowledgements)
                    with self.lock:
                        for ack in acks:
                            self.unacknowledged.pop(ack.uuid, None)
                        if not self.unacknowledged:
                            self.all_acked.notify_all()
                    if shutting_down and not self.unacknowledged:
                        break
                elif event.type == self.pb.Event.MESSAGE:
                    reply = self.new_call(self.pb.Call.MESSAGE)
                    reply.message.data = event.message.data
                    self.calls.put(reply)
                elif event.type == self.pb.Event.SHUTDOWN:
                    log("shutdown requested")
                    shutting_down = True
                    with self.lock:
                        if not self.unacknowledged:
                            break
                elif event.type == self.pb.Event.ERROR:
                    log("error from agent: " + event.error.message)
                    return 1
        except grpc.RpcError as error:
            log("stream failed: %s %s" % (error.code(), error.details()))
            return 1
        finally:
            self.calls.put(None)
        left = self.drain(5.0)
        if left:
            log("%d updates unacknowledged at exit" % left)
            return 1
        channel.close()
        return 0


def main():
    missing = [name for name in REQUIRED_ENV if not os.environ.get(name)]
    if missing:
        log("missing environment variable(s): " + ", ".join(missing))
        return 2
    env = dict(os.environ)
    os.environ.pop("MESOS_EXECUTOR_AUTHENTICATION_TOKEN", None)
    modules = import_protos()
    return PythonExecutor(env, *modules).run()


if __name__ == "__main__":
    sys.exit(main())
