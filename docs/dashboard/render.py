#!/usr/bin/python3
"""Draws the panels of the chart's Grafana dashboard from scrapes of the operator's /q/metrics.

    /usr/bin/python3 docs/dashboard/render.py SCRAPES.jsonl docs/dashboard/kubecrawl-dashboard.png

SCRAPES.jsonl holds one JSON object per scrape, {"t": <epoch seconds>, "text": <Prometheus text>}, as the e2e
suite's MetricsOnClusterTest records them during a crawl on the real control plane (e2e/target/metrics/). The panels,
their order, titles, units and queries are read from helm/kubecrawl/dashboards/kubecrawl.json, so the picture shows
the dashboard the chart ships, not a copy of it.

There is no Prometheus here to run the queries, so each query is evaluated by the few forms the dashboard uses:
``sum by (L) (M{...})``, ``sum by (L) (rate(M{...}[w]))``, and the ratio of two ``rate`` sums of a timer's
``_sum`` and ``_count``. The label matchers of the dashboard's variables ($namespace, $crawljob) select every series;
other equality matchers are applied. rate() is the increase between successive scrapes over their time: the series
are scraped every second or so, far more often than the dashboard's window, so it is the same curve, less smoothed.
A query in any other form fails the script, rather than draw something else.
"""

import json
import re
import sys
from collections import defaultdict
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

DASHBOARD = Path(__file__).resolve().parents[2] / "helm/kubecrawl/dashboards/kubecrawl.json"
SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)')
LABEL = re.compile(r'(\w+)="((?:[^"\\]|\\.)*)"')
SUM_BY = re.compile(r'^sum by \((\w+)\) \((rate\()?(\w+)(\{[^}]*\})?(\[\w+\]\))?\)$')
RATIO = re.compile(r'^(sum by \(\w+\) \(rate\(\w+\[\w+\]\)\)) / (sum by \(\w+\) \(rate\(\w+\[\w+\]\)\))$')


def parse(text):
    samples = {}
    for line in text.splitlines():
        if line.startswith("#") or not line.strip():
            continue
        match = SAMPLE.match(line)
        if match:
            name, labels, value = match.groups()
            samples[(name, tuple(sorted(LABEL.findall(labels or ""))))] = float(value)
    return samples


def matchers(text):
    """Equality matchers of a selector; the dashboard's =~ variables select everything."""
    return {} if not text else dict(re.findall(r'(\w+)="([^"]*)"', text))


def series(scrapes, metric, wanted, by, rate):
    """{group: [(t, value)]} of sum by (by) of metric (or of its rate)."""
    out = defaultdict(list)
    previous = None
    for t, samples in scrapes:
        groups = defaultdict(float)
        for (name, labels), value in samples.items():
            label_map = dict(labels)
            if name == metric and all(label_map.get(k) == v for k, v in wanted.items()):
                groups[(label_map.get(by, ""), labels)] += value
        if rate:
            if previous is not None and t > previous[0]:
                summed = defaultdict(float)
                for key, value in groups.items():
                    before = previous[1].get(key)
                    if before is not None and value >= before:
                        summed[key[0]] += (value - before) / (t - previous[0])
                for group, value in summed.items():
                    out[group].append((t, value))
            previous = (t, groups)
        else:
            summed = defaultdict(float)
            for key, value in groups.items():
                summed[key[0]] += value
            for group, value in summed.items():
                out[group].append((t, value))
    return out


def evaluate(expr, scrapes):
    ratio = RATIO.match(expr)
    if ratio:
        top, bottom = (evaluate(part, scrapes) for part in ratio.groups())
        out = {}
        for group, points in top.items():
            below = dict(bottom.get(group, []))
            out[group] = [(t, v / below[t]) for t, v in points if below.get(t)]
        return out
    match = SUM_BY.match(expr)
    if not match:
        raise SystemExit(f"render.py cannot evaluate {expr!r}: add its form or change the panel")
    by, rate, metric, selector, window = match.groups()
    if bool(rate) != bool(window):
        raise SystemExit(f"render.py cannot evaluate {expr!r}")
    return series(scrapes, metric, matchers(selector), by, bool(rate))


def main(scrapes_file, png):
    scrapes = []
    for line in Path(scrapes_file).read_text().splitlines():
        record = json.loads(line)
        scrapes.append((record["t"], parse(record["text"])))
    if not scrapes:
        raise SystemExit(f"no scrape in {scrapes_file}")
    start = scrapes[0][0]
    panels = json.loads(DASHBOARD.read_text())["panels"]
    columns = 2
    rows = (len(panels) + columns - 1) // columns
    figure, axes = plt.subplots(rows, columns, figsize=(13, 3.2 * rows), squeeze=False)
    for index, panel in enumerate(panels):
        ax = axes[index // columns][index % columns]
        target = panel["targets"][0]
        drawn = evaluate(target["expr"], scrapes)
        for group, points in sorted(drawn.items()):
            if points:
                ax.plot([t - start for t, _ in points], [v for _, v in points], label=group or "(all)")
        ax.set_title(panel["title"], fontsize=10)
        ax.set_xlabel("seconds since the first scrape", fontsize=8)
        ax.set_ylabel(panel["fieldConfig"]["defaults"].get("unit", ""), fontsize=8)
        ax.tick_params(labelsize=8)
        if drawn:
            ax.legend(fontsize=7, loc="upper left")
        else:
            ax.text(0.5, 0.5, "no series", ha="center", va="center", transform=ax.transAxes)
    for index in range(len(panels), rows * columns):
        axes[index // columns][index % columns].axis("off")
    figure.suptitle(f"Kubecrawl dashboard, drawn from {len(scrapes)} scrapes of one e2e crawl", fontsize=12)
    figure.tight_layout()
    figure.savefig(png, dpi=80)
    print(f"wrote {png}: {len(panels)} panels from {len(scrapes)} scrapes over {scrapes[-1][0] - start:.1f} s")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    main(sys.argv[1], sys.argv[2])
