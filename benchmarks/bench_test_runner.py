"""Fork-server test runs vs a fresh `python -m pytest` subprocess, side by side in one process.

Every builtin task is run in both modes on its buggy and its fixed version (visible tests, all
tests, no early stop), alternating modes run by run so both see the same machine load. Optional
synthetic mutants that hang are added so timeouts are compared too. Prints per-mode medians, the
ratio, and whether every per-test outcome matched; ends with one JSON line.

    python benchmarks/bench_test_runner.py [--programs N] [--hanging N]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

from agentpref.sandbox.limits import Limits
from agentpref.sandbox.runner import TestRunner
from agentpref.tasks.corpus import load_builtin
from agentpref.tasks.model import load_tasks


def hanging_mutants(limit: int) -> list:
    paths = sorted(Path("data/cache/synthetic").glob("synthetic-*.jsonl"))
    if not paths or limit <= 0:
        return []
    return [t for t in load_tasks(paths[-1]) if t.metadata.get("hangs")][:limit]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--programs", type=int, default=0, help="only the first N programs (0 = all)")
    ap.add_argument("--hanging", type=int, default=5, help="hanging synthetic mutants to add, if cached")
    ap.add_argument("--per-test-timeout", type=float, default=1.0)
    args = ap.parse_args()

    tasks = load_builtin().tasks
    if args.programs:
        keep = sorted({t.program for t in tasks})[: args.programs]
        tasks = [t for t in tasks if t.program in keep]
    tasks += hanging_mutants(args.hanging)
    limits = Limits(per_test_timeout_s=args.per_test_timeout, wall_timeout_s=60)
    times = {"subprocess": [], "fork": []}
    paired: list[float] = []  # per-run ratio subprocess / fork, same task and version
    mismatches, runs, tests = [], 0, 0
    with TestRunner("subprocess", limits) as slow, TestRunner("fork", limits) as fast:
        t0 = time.perf_counter()
        fast.run_task(tasks[0], fixed=True)  # start the server outside the timed runs
        startup = time.perf_counter() - t0
        for i, task in enumerate(tasks):
            for fixed in (False, True):
                order = (slow, fast) if (i + fixed) % 2 else (fast, slow)
                results = {}
                for runner in order:
                    res = runner.run_task(task, fixed=fixed)
                    results[runner.mode] = res
                    if not any(o.outcome == "timeout" for o in res.outcomes):
                        times[runner.mode].append(res.duration_s)
                runs += 1
                tests += len(results["fork"].outcomes)
                if not (results["fork"].hung or results["subprocess"].hung):
                    paired.append(results["subprocess"].duration_s / results["fork"].duration_s)
                if results["fork"].outcome_map() != results["subprocess"].outcome_map():
                    mismatches.append(f"{task.id} ({'fixed' if fixed else 'buggy'})")
            print(f"\r{i + 1}/{len(tasks)} tasks", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    med = {k: statistics.median(v) for k, v in times.items()}
    speedup = med["subprocess"] / med["fork"]
    paired_median = statistics.median(paired)
    print(f"runs per mode: {runs} ({tests} test outcomes each); fork server start-up {startup:.2f} s")
    print(f"median per run: subprocess {med['subprocess'] * 1000:.1f} ms, fork {med['fork'] * 1000:.1f} ms")
    print(
        f"speedup of the median run (median of per-run subprocess/fork ratios, same task and "
        f"version, hung runs excluded): {paired_median:.2f}x; ratio of the medians: {speedup:.2f}x"
    )
    print(f"identical per-test outcomes: {not mismatches}" + (f" (mismatches: {mismatches})" if mismatches else ""))
    print(
        json.dumps(
            {
                "runs": runs,
                "tests": tests,
                "median_ms_subprocess": round(med["subprocess"] * 1000, 1),
                "median_ms_fork": round(med["fork"] * 1000, 1),
                "speedup": round(paired_median, 2),
                "ratio_of_medians": round(speedup, 2),
                "identical": not mismatches,
                "mismatches": len(mismatches),
            }
        )
    )
    return 0 if not mismatches else 1


if __name__ == "__main__":
    sys.exit(main())
