#!/usr/bin/env python3
"""Per workload, ns/op of every implementation and its ratio to uefi-mm's, from
Google Benchmark's JSON output (make bench writes build/bench.json).

Rows are named BM_<workload>/<impl>[/<suffixes>] (bench/peers.h): the second
'/'-separated part is the implementation, the rest is the workload key. A ratio is
impl ns / baseline ns: x2.00 means the implementation takes twice as long as
uefi-mm. A workload without a uefi-mm row gets its ratios against --fallback
(glibc) instead, marked with '*'.

ns/op is real time per iteration; when a benchmark reports items_per_second
(state.SetItemsProcessed), 1e9 / items_per_second. With repetitions, --stat
(median by default, mean, min or max) is taken over the repetitions' ns/op.
Only when the JSON holds aggregates alone (--benchmark_report_aggregates_only)
is Google Benchmark's aggregate of that name used; its "min" (bench/peers.h's
helpers add it) is the minimum of every counter, so for items_per_second the
slowest repetition: the items per iteration are then taken from the median
aggregate and the time from the min one. Workloads are listed in
natural order (BM_order2 before BM_order10), whatever order they ran in.

    python3 bench/ratios.py build/bench.json [--baseline uefi-mm] [--stat median|mean|min]
                                             [--cpu] [--markdown]
"""
import argparse
import json
import math
import re
import signal
import statistics
import sys

KNOWN_IMPLS = ["uefi-mm", "glibc", "jemalloc", "mimalloc", "tcmalloc"]
# What Google Benchmark itself appends to a name: not implementations.
GBENCH_SUFFIXES = {"real_time", "manual_time", "process_time"}
IMPL_RE = re.compile(r"^[a-z][a-z0-9._+-]*$")
TO_NS = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}


def split_name(run_name):
    """(workload, impl) of BM_<workload>/<impl>[/...]; impl None if there is none."""
    parts = run_name.split("/")
    if len(parts) >= 2 and IMPL_RE.match(parts[1]) and parts[1] not in GBENCH_SUFFIXES:
        return "/".join([parts[0]] + parts[2:]), parts[1]
    return run_name, None


def ns_per_op(row, use_cpu):
    if row.get("error_occurred"):
        return None
    ips = row.get("items_per_second")
    if ips:
        return 1e9 / ips
    t = row["cpu_time" if use_cpu else "real_time"]
    return t * TO_NS.get(row.get("time_unit", "ns"), 1.0)


def natural_key(name):
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", name)]


STATS = {"median": statistics.median, "mean": statistics.fmean, "min": min, "max": max}


def aggregate_ns(rows, stat, use_cpu):
    """ns/op of the --stat aggregate row, or None."""
    row = rows.get(stat)
    if row is None:
        return None
    if stat == "min" and row.get("items_per_second"):
        # The min aggregate's items_per_second is the slowest repetition's rate:
        # its (fastest) time per iteration over the items per iteration.
        med = rows.get("median")
        if not med or not med.get("items_per_second"):
            return None
        key = "cpu_time"	# Google Benchmark's rates are per CPU second
        items = med["items_per_second"] * med[key] * TO_NS.get(med.get("time_unit", "ns"), 1.0) / 1e9
        return row[key] * TO_NS.get(row.get("time_unit", "ns"), 1.0) / items
    return ns_per_op(row, use_cpu)


def collect(data, use_cpu, stat):
    """{(workload, impl): ns} in first-appearance order, plus errors and others."""
    runs, aggs, errors = {}, {}, {}
    order = []
    for row in data.get("benchmarks", []):
        run_name = row.get("run_name", row["name"])
        if run_name not in order:
            order.append(run_name)
        if row.get("error_occurred"):
            errors[run_name] = row.get("error_message", "error")
            continue
        if row.get("run_type") == "aggregate":
            aggs.setdefault(run_name, {})[row.get("aggregate_name")] = row
        else:
            runs.setdefault(run_name, []).append(ns_per_op(row, use_cpu))
    result = {}
    for run_name in order:
        if runs.get(run_name):
            ns = STATS[stat](runs[run_name])
        else:
            ns = aggregate_ns(aggs.get(run_name, {}), stat, use_cpu)
        result[run_name] = ns
    return order, result, errors


def fmt_ns(ns):
    if ns is None:
        return "-"
    if ns >= 100:
        return "%.0f" % ns
    if ns >= 10:
        return "%.1f" % ns
    return "%.2f" % ns


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("json", help="Google Benchmark --benchmark_out JSON file")
    ap.add_argument("--baseline", default="uefi-mm", help="ratios are relative to this implementation")
    ap.add_argument("--fallback", default="glibc",
                    help="baseline for workloads without a --baseline row ('' for none)")
    ap.add_argument("--stat", default="median", choices=sorted(STATS),
                    help="statistic over the repetitions")
    ap.add_argument("--cpu", action="store_true", help="use CPU time instead of real time")
    ap.add_argument("--markdown", action="store_true", help="print a Markdown table")
    args = ap.parse_args()
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)	# | head

    with open(args.json) as f:
        data = json.load(f)
    order, ns, errors = collect(data, args.cpu, args.stat)

    workloads, impls, table, others = [], [], {}, []
    for run_name in order:
        workload, impl = split_name(run_name)
        if impl is None:
            others.append(run_name)
            continue
        if workload not in table:
            workloads.append(workload)
            table[workload] = {}
        if impl not in impls:
            impls.append(impl)
        table[workload][impl] = errors.get(run_name) and "error" or ns.get(run_name)
    workloads.sort(key=natural_key)
    known = [i for i in KNOWN_IMPLS if i in impls or i == args.baseline]
    impls = known + sorted(i for i in impls if i not in known)

    header = ["workload"] + ["%s ns" % i for i in impls]
    rows, logs, used_fallback = [], {i: [] for i in impls}, False
    for w in workloads:
        cells = table[w]
        base, mark = cells.get(args.baseline), ""
        if not isinstance(base, float) and args.fallback and isinstance(cells.get(args.fallback), float):
            base, mark, used_fallback = cells[args.fallback], "*", True
        row = [w]
        for i in impls:
            v = cells.get(i)
            if v is None:
                row.append("")
            elif not isinstance(v, float):
                row.append(str(v))
            elif v is base or i == args.baseline:
                row.append(fmt_ns(v))
            elif isinstance(base, float) and base > 0:
                row.append("%s (x%.2f%s)" % (fmt_ns(v), v / base, mark))
                if not mark and i != args.baseline:
                    logs[i].append(math.log(v / base))
            else:
                row.append(fmt_ns(v))
        rows.append(row)

    if not rows:
        print("ratios: no BM_<workload>/<impl> rows in %s" % args.json)
        return 0
    if args.markdown:
        print("| " + " | ".join(header) + " |")
        print("|" + "|".join(["---"] + ["--:"] * len(impls)) + "|")
        for r in rows:
            print("| " + " | ".join(c if c else "" for c in r) + " |")
    else:
        widths = [max(len(r[c]) for r in rows + [header]) for c in range(len(header))]
        line = lambda r: "  ".join(r[0].ljust(widths[0]) if c == 0 else r[c].rjust(widths[c])
                                   for c in range(len(r)))
        print(line(header))
        print(line(["-" * w for w in widths]))
        for r in rows:
            print(line(r))
    print()
    print("x = implementation time / %s time (>1: %s is faster)." % (args.baseline, args.baseline))
    if used_fallback:
        print("* no %s row for that workload: ratios against %s instead." % (args.baseline, args.fallback))
    geo = ["%s x%.2f over %d" % (i, math.exp(sum(l) / len(l)), len(l)) for i, l in logs.items() if l]
    if geo:
        print("Geometric mean vs %s: %s workloads." % (args.baseline, ", ".join(geo)))
    if others:
        print("Not compared (no /<impl> part): %s" % ", ".join(others))
    return 0


if __name__ == "__main__":
    sys.exit(main())
