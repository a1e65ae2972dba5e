#!/usr/bin/env bash
# Installs what is missing, builds everything and runs the whole test suite:
#   1. bazel test //...               (gcc, the default build)
#   2. ./demo.sh on a small workload, and the consumer workspace
#      (examples/consumer uses this repository as an external one)
#   3. bazel test --config=asan //...  (AddressSanitizer + UBSan)
#   4. clang -Wthread-safety -Werror build of driver/, simulator/, agent_shim/
#   5. libFuzzer targets, briefly each (clang)
# Options: --quick runs only 1 and 2. Extra arguments after -- go to every
# `bazel test` (e.g. ./test.sh --quick -- --test_filter=Foo.*).
# The last line is "N passed, N failed" over all stages.
set -uo pipefail
cd "$(dirname "$0")"

QUICK=0
EXTRA=()
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) QUICK=1 ;;
    --) shift; EXTRA=("$@"); break ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "test.sh: unknown option '$1' (try --help)" >&2; exit 2 ;;
  esac
  shift
done

tools/bootstrap.sh || { echo "test.sh: installing the build dependencies failed" >&2; exit 1; }

PASSED=0
FAILED=0
FAILED_STAGES=()
LOG_DIR="${TMPDIR:-/tmp}/executor_runtime_test_logs"
mkdir -p "$LOG_DIR"

stage() { echo; echo "=== $*"; }

# Runs `bazel test` with the given arguments; adds its counts to the totals.
run_bazel_tests() {
  local name="$1"; shift
  local log="$LOG_DIR/$name.log"
  "$@" 2>&1 | tee "$log" | grep -E "^(//|FAIL|ERROR|Executed|INFO: Build completed)" 
  local rc=${PIPESTATUS[0]}
  local passed failed
  passed=$(grep -cE "^//.* (PASSED|\(cached\) PASSED)" "$log")
  failed=$(grep -cE "^//.* (FAILED|TIMEOUT|NO STATUS|FAILED TO BUILD)" "$log")
  if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi  # a build error
  PASSED=$((PASSED + passed))
  FAILED=$((FAILED + failed))
  if [ "$rc" -ne 0 ]; then FAILED_STAGES+=("$name (log: $log)"); fi
}

# Runs a command that is one test; counts it.
run_check() {
  local name="$1"; shift
  local log="$LOG_DIR/$name.log"
  if "$@" >"$log" 2>&1; then
    PASSED=$((PASSED + 1)); echo "PASS $name"
  else
    FAILED=$((FAILED + 1)); FAILED_STAGES+=("$name (log: $log)")
    echo "FAIL $name"; tail -30 "$log"
  fi
}

stage "bazel test //... (gcc)"
run_bazel_tests default bazel test //... "${EXTRA[@]}"

stage "demo: ./demo.sh on a small workload"
run_check demo ./demo.sh --tasks=40 --executors=2 --legacy-tasks=10 --dir="$LOG_DIR/demo"

if [ -f examples/consumer/WORKSPACE ]; then
  stage "consumer workspace (this repository as an external dependency)"
  run_check consumer examples/consumer/build_and_run.sh
fi

if [ "$QUICK" -eq 0 ]; then
  stage "bazel test --config=asan //... (AddressSanitizer + UBSan)"
  run_bazel_tests asan bazel test --config=asan //... "${EXTRA[@]}"

  if [ -x tools/clang_checks.sh ]; then
    stage "clang: -Wthread-safety -Werror, and libFuzzer targets"
    run_check clang_checks tools/clang_checks.sh
  fi
fi

echo
if [ ${#FAILED_STAGES[@]} -gt 0 ]; then
  echo "Failed: ${FAILED_STAGES[*]}"
fi
echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ] && [ ${#FAILED_STAGES[@]} -eq 0 ]
