"""``tasks.py list|validate|synthesize``: inspect, check and build task sets."""

from __future__ import annotations

import json
import sys
import time
from collections import Counter
from pathlib import Path

from tqdm import tqdm

from agentpref.run_files import ValidationSummary
from agentpref.tasks.config import SyntheticTasks, TasksCommandConfig
from agentpref.tasks.registry import build_synthetic, load_task_set
from agentpref.tasks.validate import Validator

COMMANDS = ("list", "validate", "synthesize")


def _report_problems(problems: list[str]) -> None:
    for line in problems:
        print(f"problem: {line}", file=sys.stderr)


def cmd_list(cfg: TasksCommandConfig) -> int:
    result = load_task_set(cfg.tasks, cfg.sandbox, cfg.runner, cfg.workers)
    _report_problems(result.problems)
    for t in result.tasks:
        print(f"{t.id}\t{t.split}\t{t.category or '-'}\t{t.difficulty or '-'}")
    splits = Counter(t.split for t in result.tasks)
    print(
        json.dumps(
            {
                "tasks": len(result.tasks),
                "train": splits["train"],
                "heldout": splits["heldout"],
                "programs": len({t.program for t in result.tasks}),
                "problems": len(result.problems),
            }
        )
    )
    return 0


def cmd_validate(cfg: TasksCommandConfig) -> int:
    start = time.perf_counter()
    result = load_task_set(cfg.tasks, cfg.sandbox, cfg.runner, cfg.workers)
    _report_problems(result.problems)
    limits = cfg.sandbox
    if isinstance(cfg.tasks, SyntheticTasks):
        limits = limits.model_copy(update={"per_test_timeout_s": cfg.tasks.per_test_timeout_s})
    out_path = Path(cfg.run_dir) / "validation.jsonl"
    out_path.parent.mkdir(parents=True, exist_ok=True)
    bar = tqdm(total=len(result.tasks), desc="validate", unit="task", file=sys.stderr)
    invalid = 0
    hangs = 0
    with Validator(cfg.runner, limits, cfg.workers) as validator, out_path.open("w") as out:

        def on_result(res):
            nonlocal invalid, hangs
            out.write(res.model_dump_json() + "\n")
            out.flush()
            invalid += not res.valid
            hangs += res.hangs
            if not res.valid:
                tqdm.write(f"invalid: {res.task_id}: {res.reason}", file=sys.stderr)
            elif cfg.verbose:
                tqdm.write(f"ok: {res.task_id} (buggy: {res.buggy})", file=sys.stderr)
            bar.update(1)
            bar.set_postfix(invalid=invalid)

        validator.validate_all(result.tasks, on_result)
    bar.close()
    total_invalid = invalid + len(result.problems)
    summary = ValidationSummary(
        tasks=len(result.tasks) + len(result.problems),
        valid=len(result.tasks) - invalid,
        invalid=total_invalid,
        load_errors=len(result.problems),
        hangs=hangs,
        seconds=round(time.perf_counter() - start, 1),
    )
    summary.write(cfg.run_dir)
    print(summary.model_dump_json())
    return 1 if total_invalid else 0


def cmd_synthesize(cfg: TasksCommandConfig) -> int:
    if not isinstance(cfg.tasks, SyntheticTasks):
        print(f"error: synthesize needs tasks=synthetic (got tasks={cfg.tasks.kind})", file=sys.stderr)
        return 2
    start = time.perf_counter()
    result, stats, path = build_synthetic(cfg.tasks, cfg.sandbox, cfg.runner, cfg.workers)
    _report_problems(result.problems)
    splits = Counter(t.split for t in result.tasks)
    summary = {
        "tasks": len(result.tasks),
        "train": splits["train"],
        "heldout": splits["heldout"],
        "programs": stats["programs"],
        "tried": stats["tried"],
        "hangs": stats["hangs"],
        "dropped": stats["dropped"],
        "path": str(path),
        "seconds": round(time.perf_counter() - start, 1),
    }
    print(json.dumps(summary))
    return 0


def run(cfg: TasksCommandConfig) -> int:
    return {"list": cmd_list, "validate": cmd_validate, "synthesize": cmd_synthesize}[cfg.command](cfg)
