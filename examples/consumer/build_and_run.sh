#!/usr/bin/env bash
# Builds this consumer workspace (which pulls the runtime in with
# local_repository) and checks its binaries. Used by ../../test.sh.
set -euo pipefail
cd "$(dirname "$0")"
bazel build //... 2>&1 | tail -3
./bazel-bin/wire_check
# Without an agent's environment, both executors must fail clearly.
for executor in hello_executor legacy_hello_executor; do
  if output=$(env -i PATH=/usr/bin:/bin "./bazel-bin/$executor" 2>&1); then
    echo "$executor: expected a non-zero exit without MESOS_* variables" >&2
    exit 1
  fi
  grep -q "MESOS_" <<<"$output" || {
    echo "$executor: the error does not name the missing variable: $output" >&2
    exit 1
  }
  echo "consumer: $executor built and refused an empty environment clearly"
done
