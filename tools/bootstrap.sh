#!/usr/bin/env bash
# Installs the Debian packages this project builds and tests with.
#
# Idempotent and fast when everything is present: it asks dpkg which
# packages are missing and runs apt-get (update, then install) only for
# those. Needs root (or sudo) only when something is missing.
set -euo pipefail

PACKAGES=(
  # Build: Bazel 4 (offline, Debian's) and the C++ toolchain.
  bazel-bootstrap bazel-rules-java g++ pkg-config
  # Libraries: gRPC, protobuf, Abseil, GoogleTest, Google Benchmark.
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  libabsl-dev libgtest-dev libgmock-dev libbenchmark-dev
  # Clang: thread-safety analysis, libFuzzer, sanitizers.
  clang-14 libclang-rt-14-dev
  # The Python example executor (Debian's gRPC for Python).
  python3 python3-grpcio python3-protobuf python3-grpc-tools
  # Used by the scripts and tests: process tools, timeouts, test certificates.
  procps coreutils openssl
)

missing=()
for package in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null; then
    SUDO="sudo"
  else
    echo "bootstrap: missing packages (${missing[*]}) and not root; run as root or install them." >&2
    exit 1
  fi
fi

echo "bootstrap: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
echo "bootstrap: done"
