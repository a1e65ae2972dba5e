#!/usr/bin/env bash
# Builds this consumer workspace (which pulls the runtime in with
# local_repository) and runs its binaries. Used by ../../test.sh.
set -euo pipefail
cd "$(dirname "$0")"
bazel build //... 2>&1 | tail -3
./bazel-bin/wire_check
