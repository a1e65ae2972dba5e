#!/usr/bin/env bash
# The main job: installs what is missing, builds, and runs a workload.
set -euo pipefail
cd "$(dirname "$0")"
tools/bootstrap.sh
bazel build //... 2>&1 | tail -1
echo "built: the wire contract (api/), util/."
