"""One function from a ``tasks`` config to a list of tasks: the single entry every stage uses."""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

from agentpref.errors import ConfigError
from agentpref.sandbox.limits import Limits
from agentpref.tasks.config import (
    BugsInPyTasks,
    BuiltinTasks,
    QuixBugsTasks,
    SyntheticTasks,
    TaskSetConfig,
)
from agentpref.tasks.loading import LoadResult
from agentpref.tasks.model import load_tasks, save_tasks


def _root(path: str, key: str = "tasks.root") -> Path:
    root = Path(path).expanduser()
    if not root.is_dir():
        raise ConfigError(f"{key}={path} is not a directory: point it at the checkout")
    return root


def load_base(cfg: TaskSetConfig) -> LoadResult:
    split = dict(heldout_fraction=cfg.heldout_fraction, salt=cfg.split_salt, programs=cfg.programs)
    if isinstance(cfg, BuiltinTasks):
        from agentpref.tasks.corpus import CORPUS_DIR, load_builtin

        return load_builtin(_root(cfg.root) if cfg.root else CORPUS_DIR, **split)
    if isinstance(cfg, QuixBugsTasks):
        from agentpref.tasks.quixbugs import load_quixbugs

        return load_quixbugs(_root(cfg.root), **split)
    if isinstance(cfg, BugsInPyTasks):
        from agentpref.tasks.bugsinpy import load_bugsinpy

        return load_bugsinpy(_root(cfg.root), **split)
    raise TypeError(f"not a base task set: {cfg.kind}")


def synthetic_sources(cfg: SyntheticTasks) -> LoadResult:
    """The correct programs to mutate: the builtin corpus and/or QuixBugs' correct programs.

    ``programs`` names programs of any source (a name missing from every source is a problem)."""
    result = LoadResult()
    common = dict(heldout_fraction=cfg.heldout_fraction, split_salt=cfg.split_salt)
    for source in cfg.sources:
        if source == "builtin":
            result.extend(load_base(BuiltinTasks(**common)))
        else:
            if not cfg.quixbugs_root:
                raise ConfigError(
                    "tasks.sources includes quixbugs but tasks.quixbugs_root is not set: "
                    "add tasks.quixbugs_root=/path/to/QuixBugs"
                )
            result.extend(load_base(QuixBugsTasks(root=cfg.quixbugs_root, **common)))
    if cfg.programs:
        wanted = set(cfg.programs)
        result.tasks = [t for t in result.tasks if t.program.split(":", 1)[1] in wanted]
        found = {t.program.split(":", 1)[1] for t in result.tasks}
        result.problems += [
            f"synthetic: no source program named {name!r} in {cfg.sources}" for name in sorted(wanted - found)
        ]
    return result


def synthetic_cache_path(cfg: SyntheticTasks, sources: LoadResult) -> Path:
    """Cache file keyed by every knob that changes the output and by the source programs' content."""
    knobs = cfg.model_dump(exclude={"cache_dir", "split", "limit", "per_program"})
    content = sorted(t.content_hash() + t.program for t in sources.tasks)
    key = hashlib.sha256(json.dumps([knobs, content], sort_keys=True).encode()).hexdigest()[:12]
    return Path(cfg.cache_dir) / f"synthetic-seed{cfg.seed}-{key}.jsonl"


def build_synthetic(
    cfg: SyntheticTasks, limits: Limits, runner: str = "fork", workers: int = 2, progress: bool = True
) -> tuple[LoadResult, dict, Path]:
    """Synthesize and cache the task set; returns (tasks + problems, stats, cache path)."""
    from tqdm import tqdm

    from agentpref.tasks.synthesis import synthesize
    from agentpref.tasks.validate import Validator

    sources = synthetic_sources(cfg)
    path = synthetic_cache_path(cfg, sources)
    n_programs = len({t.program for t in sources.tasks})
    limits = limits.model_copy(update={"per_test_timeout_s": cfg.per_test_timeout_s})
    bar = tqdm(total=n_programs, desc="synthesize", unit="program", disable=not progress, file=sys.stderr)

    def on_program(program: str, kept: int) -> None:
        bar.update(1)
        bar.set_postfix_str(f"{program}: {kept} kept")

    with Validator(runner, limits, workers) as validator:
        tasks, stats = synthesize(
            sources.tasks,
            validator,
            seed=cfg.seed,
            mutants_per_program=cfg.mutants_per_program,
            max_attempts_per_program=cfg.max_attempts_per_program,
            n_mutations=cfg.n_mutations,
            operators=cfg.operators,
            on_program=on_program,
        )
    bar.close()
    save_tasks(tasks, path)
    stats_dict = stats.as_dict() | {"source_problems": sources.problems}
    path.with_suffix(".stats.json").write_text(json.dumps(stats_dict, indent=2))
    return LoadResult(tasks, sources.problems + stats.problems), stats_dict, path


def load_task_set(
    cfg: TaskSetConfig, limits: Limits | None = None, runner: str = "fork", workers: int = 2
) -> LoadResult:
    """Tasks of a config, filtered by split and limit. Synthetic sets load from their cache and
    are built first when the cache is missing."""
    if isinstance(cfg, SyntheticTasks):
        sources = synthetic_sources(cfg)
        path = synthetic_cache_path(cfg, sources)
        if path.exists():
            result = LoadResult(load_tasks(path), list(sources.problems))
        else:
            print(f"synthetic tasks not cached yet ({path}); synthesizing them now", file=sys.stderr)
            result = build_synthetic(cfg, limits or Limits(), runner, workers)[0]
    else:
        result = load_base(cfg)
    if cfg.split:
        result.tasks = [t for t in result.tasks if t.split == cfg.split]
    if cfg.per_program:
        seen: dict[str, int] = {}
        kept = []
        for t in result.tasks:
            seen[t.program] = seen.get(t.program, 0) + 1
            if seen[t.program] <= cfg.per_program:
                kept.append(t)
        result.tasks = kept
    if cfg.limit:
        result.tasks = result.tasks[: cfg.limit]
    return result
