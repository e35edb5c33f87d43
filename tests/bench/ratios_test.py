#!/usr/bin/env python3
"""bench/ratios.py on Google Benchmark JSON made up here: which time a row gets
for each --stat, with and without the repetitions' own rows, for rows timed per
iteration and rows timed per item (state.SetItemsProcessed)."""
import json
import os
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
RATIOS = os.path.join(HERE, "..", "..", "bench", "ratios.py")

# Three repetitions of two rows: per iteration (cpu_time) and per item (1000
# items per iteration, so ns per item = cpu_time / 1000).
PAIR = {"BM_x_pair/uefi-mm": [7.0, 9.0, 12.0], "BM_x_pair/glibc": [14.0, 13.0, 30.0]}
BATCH = {"BM_x_batch/uefi-mm": [10000.0, 16000.0, 20000.0], "BM_x_batch/glibc": [30000.0, 15000.0, 60000.0]}


def iteration_rows():
    rows = []
    for name, times in PAIR.items():
        rows += [{"name": name, "run_name": name, "run_type": "iteration", "cpu_time": t, "real_time": t,
                  "time_unit": "ns"} for t in times]
    for name, times in BATCH.items():
        rows += [{"name": name, "run_name": name, "run_type": "iteration", "cpu_time": t, "real_time": t,
                  "time_unit": "ns", "items_per_second": 1000 / t * 1e9} for t in times]
    return rows


def aggregate_rows():
    """What Google Benchmark writes: each statistic applied to every field,
    rates included (so "min" holds the lowest rate: the slowest repetition)."""
    rows = []
    for table, per_item in ((PAIR, False), (BATCH, True)):
        for name, times in table.items():
            rates = [1000 / t * 1e9 for t in times]
            for agg, f in (("median", lambda v: sorted(v)[1]), ("mean", lambda v: sum(v) / len(v)), ("min", min)):
                row = {"name": name + "_" + agg, "run_name": name, "run_type": "aggregate",
                       "aggregate_name": agg, "cpu_time": f(times), "real_time": f(times), "time_unit": "ns"}
                if per_item:
                    row["items_per_second"] = f(rates)
                rows.append(row)
    return rows


def run(rows, *args):
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump({"benchmarks": rows}, f)
    try:
        out = subprocess.run([sys.executable, RATIOS, f.name, "--cpu", *args], capture_output=True, text=True,
                             check=True).stdout
    finally:
        os.unlink(f.name)
    table = {}
    for line in out.splitlines():
        parts = line.split()
        if parts and parts[0].startswith("BM_"):
            table[parts[0]] = (float(parts[1]), float(parts[2]))  # uefi-mm, glibc
    return table


class Ratios(unittest.TestCase):
    def test_min_is_the_fastest_repetition(self):
        t = run(iteration_rows(), "--stat", "min")
        self.assertEqual(t["BM_x_pair"], (7.0, 13.0))
        self.assertEqual(t["BM_x_batch"], (10.0, 15.0))

    def test_median_and_max(self):
        self.assertEqual(run(iteration_rows(), "--stat", "median")["BM_x_batch"], (16.0, 30.0))
        self.assertEqual(run(iteration_rows(), "--stat", "max")["BM_x_pair"], (12.0, 30.0))

    def test_aggregates_only_min_of_a_per_item_row_is_the_fastest(self):
        t = run(aggregate_rows(), "--stat", "min")
        self.assertEqual(t["BM_x_pair"], (7.0, 13.0))
        self.assertEqual(t["BM_x_batch"], (10.0, 15.0))

    def test_aggregates_only_median(self):
        self.assertEqual(run(aggregate_rows(), "--stat", "median")["BM_x_batch"], (16.0, 30.0))

    def test_unknown_stat_is_refused(self):
        with self.assertRaises(subprocess.CalledProcessError):
            run(iteration_rows(), "--stat", "p99")


if __name__ == "__main__":
    unittest.main()
