#!/usr/bin/env python3
"""Draws the throughput table of docs/BENCHMARKS.md as an SVG bar chart.

    python3 bench/plot_throughput.py docs/BENCHMARKS.md docs/throughput.svg

Reads the rows of the "Throughput" table (benchmark, acked updates/s) and
writes a horizontal bar chart with the raw gRPC baselines in grey and the
runtime in blue. Standard library only; bench/run.sh calls it after
writing the report.
"""

import html
import re
import sys

ROW = re.compile(r"^\| `(?P<name>BM_[^`]+)` \| (?P<value>[\d.]+) (?P<unit>[kM]?)/s \|")
SCALE = {"": 1.0, "k": 1e3, "M": 1e6}


def read_rows(markdown):
    rows = []
    in_throughput = False
    for line in markdown.splitlines():
        if line.startswith("## "):
            in_throughput = line.startswith("## Throughput")
            continue
        match = ROW.match(line) if in_throughput else None
        if match:
            value = float(match["value"]) * SCALE[match["unit"]]
            rows.append((match["name"], value))
    return rows


def svg(rows):
    bar_height, gap, label_width, chart_width = 18, 6, 380, 420
    top = 40
    height = top + len(rows) * (bar_height + gap) + 30
    peak = max(value for _, value in rows)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{label_width + chart_width + 90}" '
        f'height="{height}" font-family="sans-serif" font-size="12">',
        '<rect width="100%" height="100%" fill="white"/>',
        f'<text x="10" y="22" font-size="15" font-weight="bold">'
        'Acknowledged status updates per second (docs/BENCHMARKS.md)</text>',
    ]
    for i, (name, value) in enumerate(rows):
        y = top + i * (bar_height + gap)
        width = max(1.0, chart_width * value / peak)
        colour = "#9e9e9e" if name.startswith("BM_Raw") else "#1f77b4"
        out.append(f'<text x="{label_width - 6}" y="{y + 13}" text-anchor="end">'
                   f'{html.escape(name)}</text>')
        out.append(f'<rect x="{label_width}" y="{y}" width="{width:.1f}" '
                   f'height="{bar_height}" fill="{colour}"/>')
        out.append(f'<text x="{label_width + width + 4:.1f}" y="{y + 13}">'
                   f'{value / 1e3:,.1f}k</text>')
    out.append(f'<text x="10" y="{height - 8}" fill="#555">grey: raw gRPC baselines; '
               'blue: this runtime (driver + agent core), same run</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def main(argv):
    if len(argv) != 3:
        sys.exit("usage: plot_throughput.py BENCHMARKS.md OUT.svg")
    with open(argv[1], encoding="utf-8") as f:
        rows = read_rows(f.read())
    if not rows:
        sys.exit(f"plot_throughput.py: no throughput rows found in {argv[1]}")
    with open(argv[2], "w", encoding="utf-8") as f:
        f.write(svg(rows))
    print(f"wrote {argv[2]} ({len(rows)} bars)")


if __name__ == "__main__":
    main(sys.argv)
