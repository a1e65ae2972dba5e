#!/usr/bin/env bash
# plot_throughput.py turns the report's throughput table into one bar per
# row, and refuses a report without one.
set -euo pipefail
script="$1"
report="$TEST_TMPDIR/BENCHMARKS.md"
cat >"$report" <<'MD'
## Throughput (acknowledged updates per second)

| Benchmark | Acked updates/s | p50 | p99 | vs raw naive | vs raw corked |
|---|---:|---:|---:|---:|---:|
| `BM_RawGrpcNaive/window:unbounded` | 73.0 k/s | 11.8 ms | 25.9 ms | 1.00x | 0.49x |
| `BM_DriverThroughput/window:unbounded/executors:1` | 1.2 M/s | 1 ms | 2 ms | 16.4x | 8x |

## Latency at a fixed offered load
| `BM_DriverLoad/offered:1k` | 1.0 k/s | 1 | 1 | 1 | 1 |
MD
python3 "$script" "$report" "$TEST_TMPDIR/out.svg"
bars=$(grep -c '<rect x=' "$TEST_TMPDIR/out.svg")
[ "$bars" -eq 2 ] || { echo "expected 2 bars, got $bars"; exit 1; }
grep -q '1,200.0k' "$TEST_TMPDIR/out.svg" || { echo "1.2 M/s not drawn as 1,200.0k"; exit 1; }
echo "## Nothing" >"$TEST_TMPDIR/empty.md"
if python3 "$script" "$TEST_TMPDIR/empty.md" "$TEST_TMPDIR/x.svg" 2>/dev/null; then
  echo "a report without a throughput table was accepted"; exit 1
fi
echo "plot_throughput: ok"
