#!/usr/bin/env python3
"""Draws docs/images/benchmarks.svg from BenchmarkDotNet's JSON reports (benchmarks/results/results/*-full-compressed.json).

Each benchmark class becomes a panel of horizontal bars: mean time relative to the hand-written HttpClient (or
HttpClient engine) baseline of its group, and allocated bytes in the label. Standard library only.
Usage: python3 benchmarks/chart.py [RESULTS_DIR] [OUTPUT_SVG]
"""
import glob
import json
import os
import sys
from xml.sax.saxutils import escape

results = sys.argv[1] if len(sys.argv) > 1 else "benchmarks/results/results"
output = sys.argv[2] if len(sys.argv) > 2 else "docs/images/benchmarks.svg"

COLORS = {"TypedHttp": "#2b7bb9", "Refit": "#c05621", "floor": "#a3a3a3", "HttpClient": "#6b7280"}


def who(name):
    for key in COLORS:
        if key.lower() in name.lower():
            return key
    return "HttpClient"


def group_of(bench):
    title = bench["Method"]
    # CallOverhead methods are named Library_Operation; others compare libraries on one operation.
    if "_" in title:
        return title.split("_", 1)[1]
    params = bench.get("Parameters") or ""
    if params.startswith("Generator="):
        return bench.get("MethodTitle", title).strip("'")
    for word in ("sequential", "concurrent", "chunked"):
        if word in bench.get("MethodTitle", "").lower():
            return (params.split("=", 1)[1] + ", " if params else "") + word
    return title


panels = []
for path in sorted(glob.glob(os.path.join(results, "*-report-full-compressed.json"))):
    data = json.load(open(path))
    groups = {}
    for b in data["Benchmarks"]:
        label = b.get("MethodTitle", b["Method"]).strip("'")
        if b.get("Parameters"):
            label = b["Parameters"].split("=", 1)[1] + ": " + label
        groups.setdefault(group_of(b), []).append((label, b["Statistics"]["Mean"], b["Memory"]["BytesAllocatedPerOperation"]))
    panels.append((data["Title"].split("-")[0].replace("TypedHttp.Benchmarks.", ""), groups))

row_h, width, label_w = 22, 960, 360
height = 40 + sum(30 + sum(len(v) * row_h + 10 for v in g.values()) for _, g in panels)
svg = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" font-size="12">',
       '<rect width="100%" height="100%" fill="white"/>',
       '<text x="10" y="22" font-size="15" font-weight="bold">TypedHttp benchmarks: mean time, longest bar = slowest of its group</text>']
y = 40
for title, groups in panels:
    svg.append(f'<text x="10" y="{y + 16}" font-size="14" font-weight="bold">{escape(title)}</text>')
    y += 30
    for group, rows in groups.items():
        slowest = max(r[1] for r in rows)
        for label, mean, alloc in rows:
            bar = (width - label_w - 170) * mean / slowest
            unit = f"{mean / 1e6:.2f} ms" if mean >= 1e6 else f"{mean / 1e3:.2f} us"
            svg.append(f'<text x="10" y="{y + 15}">{escape(label)}</text>')
            svg.append(f'<rect x="{label_w}" y="{y + 3}" width="{bar:.1f}" height="{row_h - 6}" fill="{COLORS[who(label)]}"/>')
            svg.append(f'<text x="{label_w + bar + 4:.1f}" y="{y + 15}" font-size="11">{unit}, {alloc / 1024:.1f} KB</text>')
            y += row_h
        y += 10
svg.append("</svg>")
os.makedirs(os.path.dirname(output), exist_ok=True)
open(output, "w").write("\n".join(svg))
print(f"wrote {output}")
