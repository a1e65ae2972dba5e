#!/usr/bin/env bash
# Runs //bench:agent_memory with a few executors so that it cannot rot: it
# must succeed and write JSON with a positive RSS for each count.
set -euo pipefail
tool="$1"
out="${TEST_TMPDIR:-$(mktemp -d)}/agent_memory.json"
"$tool" --executors=1,10 --json_out="$out"
for n in 1 10; do
  if ! grep -Eq "\"executors\": $n, \"rss_base_kib\": [1-9][0-9]*, \"rss_declared_kib\": [1-9][0-9]*, \"rss_connected_kib\": [1-9]" "$out"; then
    echo "FAIL: no positive figures for $n executors in $out:" >&2
    cat "$out" >&2
    exit 1
  fi
done
if "$tool" --executors=0 2>/dev/null; then
  echo "FAIL: --executors=0 was accepted" >&2
  exit 1
fi
echo "PASS"
