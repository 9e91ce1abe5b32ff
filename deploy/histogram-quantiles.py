#!/usr/bin/env python3
"""Quantiles of Cairn's latency histograms over a window, from two /metrics scrapes.

    curl -s http://127.0.0.1:7410/metrics > before.txt
    ... run the load ...
    curl -s http://127.0.0.1:7410/metrics > after.txt
    deploy/histogram-quantiles.py before.txt after.txt [more before/after pairs ...]

Every pair is one node's scrapes; the bucket counts of all pairs are added up, so several
nodes give the cluster's figures. Prints, per histogram family (summed over its labels), the
number of observations in the window and p50/p90/p99, each interpolated linearly inside its
bucket as Prometheus's histogram_quantile() does.
"""

import re
import sys
from collections import defaultdict

BUCKET = re.compile(r'^(\w+)_bucket\{(.*)\} (\S+)$')
LE = re.compile(r'le="([^"]+)"')


def buckets(path):
    """{family: {upper bound: cumulative count}}, summed over every other label."""
    found = defaultdict(lambda: defaultdict(float))
    with open(path) as scrape:
        for line in scrape:
            match = BUCKET.match(line.strip())
            if not match:
                continue
            family, labels, value = match.groups()
            le = LE.search(labels)
            if le is None:
                continue
            bound = float('inf') if le.group(1) == '+Inf' else float(le.group(1))
            found[family][bound] += float(value)
    return found


def quantile(q, cumulative):
    """histogram_quantile(q) over sorted (bound, cumulative count) pairs."""
    total = cumulative[-1][1]
    if total <= 0:
        return None
    rank = q * total
    lower, below = 0.0, 0.0
    for bound, count in cumulative:
        if count >= rank:
            if bound == float('inf'):
                return lower
            inside = count - below
            return lower + (bound - lower) * ((rank - below) / inside if inside else 1.0)
        lower, below = bound, count
    return lower


def main(paths):
    if len(paths) < 2 or len(paths) % 2:
        sys.exit(__doc__)
    window = defaultdict(lambda: defaultdict(float))
    for before_path, after_path in zip(paths[0::2], paths[1::2]):
        before, after = buckets(before_path), buckets(after_path)
        for family, counts in after.items():
            for bound, count in counts.items():
                window[family][bound] += count - before.get(family, {}).get(bound, 0.0)
    print(f"{'histogram':<48} {'count':>10} {'p50 ms':>9} {'p90 ms':>9} {'p99 ms':>9}")
    for family in sorted(window):
        cumulative = sorted(window[family].items())
        if not cumulative or cumulative[-1][1] <= 0:
            continue
        figures = [quantile(q, cumulative) for q in (0.5, 0.9, 0.99)]
        shown = ' '.join(f"{f * 1000:>9.3f}" for f in figures)
        print(f"{family:<48} {int(cumulative[-1][1]):>10} {shown}")


if __name__ == '__main__':
    main(sys.argv[1:])
