"""Task validation: the reference fix passes visible + hidden tests, the buggy version fails at
least one visible test. Runs tasks on a pool of sandboxed runners (one fork server per worker),
and caches reference runs by content so mutants of one program share one reference run."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import PurePosixPath

from pydantic import BaseModel

from agentpref.sandbox.limits import Limits
from agentpref.sandbox.runner import Mode, TestRun, TestRunner
from agentpref.tasks.model import Task


class TaskValidation(BaseModel):
    task_id: str
    valid: bool
    reason: str = ""
    buggy: str = ""
    hangs: bool = False
    seconds: float = 0.0


def shadowed_stdlib_modules(task: Task) -> list[str]:
    """Top-level workspace modules that would shadow the standard library (and break pytest)."""
    tops = {PurePosixPath(p).parts[0].removesuffix(".py") for p in task.files if p.endswith(".py")}
    return sorted(t for t in tops if t in sys.stdlib_module_names)


class Validator:
    def __init__(self, mode: Mode = "fork", limits: Limits | None = None, workers: int = 2):
        self.mode, self.limits, self.workers = mode, limits or Limits(), max(1, workers)
        self._local = threading.local()
        self._runners: list[TestRunner] = []
        self._cache: dict[str, tuple[bool, str]] = {}
        self._cache_lock = threading.Lock()
        self.pool = ThreadPoolExecutor(self.workers, thread_name_prefix="validator")

    def _runner(self) -> TestRunner:
        if not hasattr(self._local, "runner"):
            self._local.runner = TestRunner(self.mode, self.limits)
            self._runners.append(self._local.runner)
        return self._local.runner

    def reference_ok(self, task: Task) -> tuple[bool, str]:
        """(ok, reason) for the fixed version on visible and hidden tests; cached by content."""
        key = Task.content_hash(task.model_copy(update={"files": task.fixed_files()}))
        with self._cache_lock:
            if key in self._cache:
                return self._cache[key]
        runner = self._runner()
        result = (True, "")
        checks: list[tuple[str, TestRun]] = [("visible", runner.run_task(task, fixed=True))]
        if task.hidden_test_targets:
            checks.append(("hidden", runner.run_task(task, fixed=True, hidden=True)))
        for name, run in checks:
            if not run.all_passed:
                bad = [o for o in run.outcomes if o.outcome != "passed"] + run.collection_errors
                detail = f"{bad[0].nodeid}: {bad[0].outcome}" if bad else "no tests collected"
                result = (False, f"reference fix does not pass the {name} tests ({run.summary()}; {detail})")
                break
        with self._cache_lock:
            self._cache[key] = result
        return result

    def run_buggy(self, task: Task) -> TestRun:
        """The buggy version's visible tests, stopping at the first failure (hangs cost one timeout)."""
        return self._runner().run_task(task, maxfail=1)

    def validate(self, task: Task) -> TaskValidation:
        start = time.perf_counter()
        shadow = shadowed_stdlib_modules(task)
        if shadow:
            return TaskValidation(
                task_id=task.id,
                valid=False,
                reason=f"workspace modules {shadow} shadow the standard library; rename them",
            )
        ok, reason = self.reference_ok(task)
        if not ok:
            return TaskValidation(task_id=task.id, valid=False, reason=reason, seconds=time.perf_counter() - start)
        buggy = self.run_buggy(task)
        valid = buggy.any_failed
        return TaskValidation(
            task_id=task.id,
            valid=valid,
            buggy=buggy.summary(),
            hangs=buggy.hung,
            reason="" if valid else "buggy version passes every visible test",
            seconds=round(time.perf_counter() - start, 4),
        )

    def validate_all(
        self, tasks: Iterable[Task], on_result: Callable[[TaskValidation], None] | None = None
    ) -> list[TaskValidation]:
        def one(task: Task) -> TaskValidation:
            try:
                res = self.validate(task)
            except Exception as exc:  # noqa: BLE001 - one broken task must not stop the rest
                res = TaskValidation(task_id=task.id, valid=False, reason=f"{type(exc).__name__}: {exc}")
            if on_result:
                on_result(res)
            return res

        return list(self.pool.map(one, tasks))

    def close(self) -> None:
        self.pool.shutdown()
        for runner in self._runners:
            runner.close()

    def __enter__(self) -> Validator:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
