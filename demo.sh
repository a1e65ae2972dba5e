#!/usr/bin/env bash
# The main job: installs what is missing, builds, then runs a workload on the
# agent simulator and shows its progress live:
#   - a few hundred short shell tasks through the command executor
#     (examples/command_executor, on the runtime's driver API), spread over
#     several executor processes;
#   - tasks for an unchanged legacy executor (examples/legacy, written only
#     against <mesos/executor.hpp>).
# Ends with a summary table and where the sandboxes and logs are.
#
# Options:
#   --tasks=N          shell tasks for the command executors (default 300)
#   --executors=M      command executor processes (default 3)
#   --legacy-tasks=K   tasks for the legacy executor (default 100)
#   --timeout=SECONDS  give up after this long (default 180)
#   --dir=DIR          where the run's work dirs go (default /tmp/executor-runtime-demo)
# Ctrl-C stops everything: no process is left behind.
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$(pwd)

TASKS=300
EXECUTORS=3
LEGACY_TASKS=100
TIMEOUT=180
BASE_DIR=/tmp/executor-runtime-demo
for arg in "$@"; do
  case "$arg" in
    --tasks=*) TASKS="${arg#*=}" ;;
    --executors=*) EXECUTORS="${arg#*=}" ;;
    --legacy-tasks=*) LEGACY_TASKS="${arg#*=}" ;;
    --timeout=*) TIMEOUT="${arg#*=}" ;;
    --dir=*) BASE_DIR="${arg#*=}" ;;
    -h|--help) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "demo.sh: unknown option '$arg' (try --help)" >&2; exit 2 ;;
  esac
done
for value in "$TASKS" "$EXECUTORS" "$LEGACY_TASKS" "$TIMEOUT"; do
  [[ "$value" =~ ^[0-9]+$ ]] || { echo "demo.sh: '$value' is not a whole number" >&2; exit 2; }
done
[ "$EXECUTORS" -ge 1 ] || { echo "demo.sh: --executors must be at least 1" >&2; exit 2; }

say() { printf '\033[1m%s\033[0m\n' "$*"; }

say "1/3 checking the Debian packages"
tools/bootstrap.sh

say "2/3 building the simulator and the example executors"
TARGETS=(//simulator/tool:agent_simulator //examples/command_executor:command_executor
         //examples/legacy:sleeping_executor)
if ! bazel build "${TARGETS[@]}" >/tmp/executor-runtime-demo-build.log 2>&1; then
  tail -30 /tmp/executor-runtime-demo-build.log
  echo "demo.sh: the build failed (full log: /tmp/executor-runtime-demo-build.log)" >&2
  exit 1
fi
BIN=$(bazel info bazel-bin 2>/dev/null)
SIMULATOR="$BIN/simulator/tool/agent_simulator"
COMMAND_EXECUTOR="$BIN/examples/command_executor/command_executor"
LEGACY_EXECUTOR="$BIN/examples/legacy/sleeping_executor"

RUN_DIR="$BASE_DIR/$(date +%Y%m%d-%H%M%S)"
mkdir -p "$RUN_DIR"
PIDS=()

# Each simulator runs in its own session; its executors and their tasks stay
# in that session (they only change process group), so one pkill per
# session removes everything, also after Ctrl-C.
cleanup() {
  trap - INT TERM EXIT
  for pid in "${PIDS[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  sleep 0.3
  for pid in "${PIDS[@]}"; do
    pkill -KILL -s "$pid" 2>/dev/null || true
  done
}
trap 'cleanup; echo; echo "demo.sh: interrupted; everything it started was stopped." >&2; exit 130' INT TERM
trap cleanup EXIT

start_simulator() {  # name, then agent_simulator flags
  local name="$1"; shift
  setsid "$SIMULATOR" --work_dir="$RUN_DIR/$name" --progress=always \
    --progress_interval=250ms --json --timeout="${TIMEOUT}s" "$@" \
    >"$RUN_DIR/$name.summary.json" 2>"$RUN_DIR/$name.log" &
  PIDS+=($!)
}

say "3/3 running: $TASKS shell tasks on $EXECUTORS command executors, $LEGACY_TASKS tasks on a legacy executor"
echo "    work dirs, sandboxes and logs: $RUN_DIR"
START=$(date +%s.%N)
start_simulator command --executor="$COMMAND_EXECUTOR" --executors="$EXECUTORS" \
  --tasks="$TASKS" --task_command='sleep 0.$(($$ % 9 + 1)); echo "hello from $(basename "$PWD")"'
start_simulator legacy --executor="$LEGACY_EXECUTOR" --executors=1 \
  --tasks="$LEGACY_TASKS" --task_data=300

# progress: last "progress:" line of a simulator, as "launched/running/finished/updates/s".
progress_of() {
  local line
  line=$(grep '^progress:' "$RUN_DIR/$1.log" 2>/dev/null | tail -1 || true)
  if [ -z "$line" ]; then
    if [ -s "$RUN_DIR/$1.summary.json" ]; then echo "done"; else echo "starting"; fi
    return
  fi
  sed -E 's/.*tasks=([0-9]+) launched=([0-9]+) running=([0-9]+) finished=([0-9]+) terminal=([0-9]+) updates=([0-9]+) updates\/s=([0-9]+).*/launched \2\/\1  running \3  finished \4  updates \6 (\7\/s)/' <<<"$line"
}

TTY=0; [ -t 1 ] && TTY=1
last_print=0
while :; do
  alive=0
  for pid in "${PIDS[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
  line=$(printf 'command: %s | legacy: %s' "$(progress_of command)" "$(progress_of legacy)")
  if [ "$TTY" -eq 1 ]; then
    printf '\r\033[K  %s' "$line"
  elif [ $(( $(date +%s) - last_print )) -ge 2 ] || [ "$alive" -eq 0 ]; then
    echo "  $line"; last_print=$(date +%s)
  fi
  [ "$alive" -eq 1 ] || break
  sleep 0.25
done
[ "$TTY" -eq 1 ] && echo
STATUS=0
for pid in "${PIDS[@]}"; do wait "$pid" || STATUS=1; done
ELAPSED=$(python3 -c "import time; print(f'{time.time() - $START:.1f}')")

python3 - "$RUN_DIR" "$ELAPSED" <<'PY'
import json, os, sys
run_dir, elapsed = sys.argv[1], sys.argv[2]
rows = []
for name, label in (("command", "command executor (driver API)"),
                    ("legacy", "legacy executor (mesos/executor.hpp)")):
    path = os.path.join(run_dir, name + ".summary.json")
    try:
        with open(path) as f:
            s = json.loads(f.read().strip().splitlines()[-1])
    except (OSError, ValueError, IndexError):
        s = {"error": "no summary (see %s.log)" % name}
    rows.append((label, s))
print()
print("%-38s %6s %9s %7s %7s %5s %8s %9s %s" % ("executor", "tasks", "finished", "failed",
      "killed", "lost", "updates", "exited", "result"))
for label, s in rows:
    ok = s.get("ok", False)
    print("%-38s %6s %9s %7s %7s %5s %8s %9s %s" % (
        label, s.get("tasks", "-"), s.get("finished", "-"), s.get("failed", "-"),
        s.get("killed", "-"), s.get("lost", "-"), s.get("updates", "-"),
        "%s/%s" % (s.get("executors_exited", "-"), s.get("executors", "-")),
        "ok" if ok else "FAILED: " + s.get("error", "")))
total_updates = sum(s.get("updates", 0) for _, s in rows)
print()
print("%d status updates recorded, each once, in %ss." % (total_updates, elapsed))
PY
echo
echo "Where to look:"
echo "  simulator logs:     $RUN_DIR/command.log, $RUN_DIR/legacy.log"
echo "  executor sandboxes: $RUN_DIR/<command|legacy>/sandboxes/<executor>/runs/<n>/ (stdout, stderr)"
echo "  task sandboxes:     $RUN_DIR/command/sandboxes/<executor>/runs/<n>/tasks/<task>/ (stdout, stderr)"
first_task=$(find "$RUN_DIR/command/sandboxes" -path '*/tasks/*/stdout' 2>/dev/null | head -1 || true)
if [ -n "$first_task" ]; then
  echo "  a task's output:    $first_task: $(cat "$first_task")"
fi
echo "  checkpoints:        $RUN_DIR/<command|legacy>/checkpoint.log"
exit "$STATUS"
