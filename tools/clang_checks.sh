#!/usr/bin/env bash
# Clang-only checks, in their own Bazel output base so they never evict the
# default (gcc) build:
#   1. -Wthread-safety -Werror over driver/, simulator/, agent_shim/: the
#      ABSL_GUARDED_BY annotations are checked by the compiler.
#   2. every libFuzzer target (cc_binary tagged "fuzzer"), run for
#      FUZZ_SECONDS (default 20) each from its seed corpus
#      (<package>/corpus/<target name>/, or <package>/corpus/).
# Exits non-zero on a warning, a build failure or a fuzzer finding.
set -euo pipefail
cd "$(dirname "$0")/.."

FUZZ_SECONDS="${FUZZ_SECONDS:-20}"
# One output base per checkout (an output base belongs to one workspace).
BAZEL=(bazel --output_base="$HOME/.cache/executor_runtime_clang/$(pwd | md5sum | cut -c1-12)")
STRICT_PACKAGES=(driver simulator agent_shim)
# No bazel-<dir> convenience links from this output base: they would point
# the default build's `//...` at a foreign execroot.
NO_LINKS=(--symlink_prefix=/)

targets=()
per_file=()
for package in "${STRICT_PACKAGES[@]}"; do
  if [ -f "$package/BUILD.bazel" ]; then
    targets+=("//$package/...")
    per_file+=("--per_file_copt=^$package/.*@-Werror")
  fi
done

if [ ${#targets[@]} -gt 0 ]; then
  echo "clang -Wthread-safety -Werror: ${targets[*]}"
  "${BAZEL[@]}" build "${NO_LINKS[@]}" --config=clang "${per_file[@]}" -- "${targets[@]}"
fi

# Every top-level package but Bazel's convenience links (bazel-<dir>), which
# a second output base's query would otherwise follow.
universe=""
for dir in */; do
  dir=${dir%/}
  case "$dir" in bazel-*) continue ;; esac
  [ -n "$(find "$dir" -name BUILD.bazel -print -quit)" ] || continue
  universe+="${universe:+ + }//$dir/..."
done
fuzzers=$("${BAZEL[@]}" query "attr(tags, '\bfuzzer\b', $universe)")
if [ -z "$fuzzers" ]; then
  echo "clang_checks: no fuzz targets found (query: $universe)" >&2
  exit 1
fi
# shellcheck disable=SC2086
"${BAZEL[@]}" build "${NO_LINKS[@]}" --config=fuzz $fuzzers
bin_dir=$("${BAZEL[@]}" info --config=fuzz bazel-bin 2>/dev/null)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for label in $fuzzers; do
  package=${label#//}; package=${package%%:*}
  name=${label##*:}
  corpus="$package/corpus/$name"
  [ -d "$corpus" ] || corpus="$package/corpus"
  # Run on a scratch copy so new inputs do not dirty the repository.
  mkdir -p "$work/$name"
  if [ -d "$corpus" ]; then cp -r "$corpus/." "$work/$name/"; fi
  echo "fuzz $label for ${FUZZ_SECONDS}s (corpus: $corpus)"
  artifacts="${TMPDIR:-/tmp}/fuzz-artifacts/$name"
  mkdir -p "$artifacts"
  (cd "$work" && "$bin_dir/$package/$name" -max_total_time="$FUZZ_SECONDS" \
      -artifact_prefix="$artifacts/" -print_final_stats=1 "$work/$name" \
      2>&1 | tail -12) || {
    echo "fuzzer $label found a crash; inputs are in $artifacts" >&2
    exit 1
  }
done
