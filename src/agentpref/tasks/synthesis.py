"""Synthetic tasks by AST mutation of correct programs (``tasks=synthetic``).

For each source program (the correct version of a builtin or QuixBugs task), candidate mutations
are enumerated (``mutations.py``), interleaved across operator classes and shuffled with a seeded
RNG, then tried in that order. A mutant becomes a task only when:

1. it parses, and its normalised AST differs from the original and from every earlier mutant
   (syntactic equivalents and duplicates are dropped);
2. the original passes its visible and hidden tests;
3. the mutant fails at least one *visible* test (a mutant no visible test catches is dropped as
   possibly equivalent). Mutants that hang are kept and marked ``hangs``.

Everything is deterministic for a seed: a few candidates are validated ahead on the worker pool,
but results are read in candidate order, so thread timing cannot change which mutants are chosen.
"""

from __future__ import annotations

import ast
import hashlib
import random
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, Future
from dataclasses import dataclass, field
from itertools import zip_longest

from agentpref.tasks.model import Task
from agentpref.tasks.mutations import OPERATOR_CLASSES, Mutation, apply_mutations, find_mutations
from agentpref.tasks.validate import Validator


@dataclass
class SynthesisStats:
    programs: int = 0
    candidates: int = 0
    tried: int = 0
    kept: int = 0
    hangs: int = 0
    dropped: Counter = field(default_factory=Counter)
    kept_by_operator: Counter = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "programs": self.programs,
            "candidates": self.candidates,
            "tried": self.tried,
            "kept": self.kept,
            "hangs": self.hangs,
            "dropped": dict(sorted(self.dropped.items())),
            "kept_by_operator": dict(sorted(self.kept_by_operator.items())),
            "problems": self.problems,
        }


def _normalised(files: dict[str, str], editable: Iterable[str]) -> tuple[str, ...] | None:
    try:
        return tuple(ast.dump(ast.parse(files[f])) for f in sorted(editable) if f.endswith(".py"))
    except SyntaxError:
        return None


def candidate_plan(template: Task, seed: int, operators: tuple[str, ...], n_mutations: int) -> list[list[Mutation]]:
    """The ordered list of mutation sets to try for one program (deterministic for a seed)."""
    original = template.fixed_files()
    sites: list[Mutation] = []
    for path in sorted(template.editable):
        if path.endswith(".py"):
            sites.extend(find_mutations(path, original[path], operators))
    rng = random.Random(f"{seed}:{template.program}")
    groups: dict[str, list[Mutation]] = {}
    for m in sites:
        groups.setdefault(m.operator, []).append(m)
    for ms in groups.values():
        rng.shuffle(ms)
    # Round-robin over operator classes, so plentiful ones (wrong_variable) do not crowd out rare ones.
    order = [m for batch in zip_longest(*(groups[k] for k in sorted(groups))) for m in batch if m]
    if n_mutations == 1:
        return [[m] for m in order]
    plans = []
    for i, first in enumerate(order):
        rest = [m for m in order[i + 1 :] if m.line != first.line]
        if len(rest) >= n_mutations - 1:
            plans.append([first, *rng.sample(rest, n_mutations - 1)])
    return plans


def mutant_task(template: Task, files: dict[str, str], muts: list[Mutation], seed: int) -> Task:
    original = template.fixed_files()
    changed = sorted({m.file for m in muts})
    digest = hashlib.sha256("".join(files[f] for f in changed).encode()).hexdigest()[:10]
    prog = template.program.replace(":", ".")
    ops = sorted({m.operator for m in muts})
    return Task(
        id=f"synthetic/{prog}/{'+'.join(ops)}-{digest}",
        source="synthetic",
        program=template.program,
        files=files,
        base_dir=template.base_dir,
        editable=template.editable,
        visible_tests=template.visible_tests,
        hidden_tests=template.hidden_tests,
        hidden_test_targets=template.hidden_test_targets,
        reference_fix={f: original[f] for f in changed},
        split=template.split,
        category=template.category,
        difficulty=template.difficulty,
        description=template.description,
        metadata={
            "base_source": template.source,
            "operators": ops,
            "n_mutations": len(muts),
            "seed": seed,
            "mutations": [
                {"file": m.file, "line": m.line, "operator": m.operator, "description": m.description} for m in muts
            ],
        },
    )


def synthesize(
    base_tasks: list[Task],
    validator: Validator,
    *,
    seed: int = 0,
    mutants_per_program: int = 20,
    max_attempts_per_program: int = 80,
    n_mutations: int = 1,
    operators: Iterable[str] = OPERATOR_CLASSES,
    on_program: Callable[[str, int], None] | None = None,
) -> tuple[list[Task], SynthesisStats]:
    """Mutants of every distinct program in ``base_tasks`` that pass the acceptance rules above."""
    operators = tuple(operators)
    unknown = set(operators) - set(OPERATOR_CLASSES)
    if unknown:
        raise ValueError(f"unknown mutation operators {sorted(unknown)}; choose from {', '.join(OPERATOR_CLASSES)}")
    if n_mutations < 1:
        raise ValueError("n_mutations must be >= 1")
    templates: dict[str, Task] = {}
    for task in base_tasks:
        templates.setdefault(task.program, task)
    stats = SynthesisStats(programs=len(templates))
    out: list[Task] = []
    pool = validator.pool
    programs = sorted(templates)
    # The originals' runs do not depend on each other: all of them at once, not one per program.
    references = dict(zip(programs, pool.map(validator.reference_ok, [templates[p] for p in programs])))
    for program in programs:
        template = templates[program]
        ok, reason = references[program]
        if not ok:
            stats.problems.append(f"{template.id}: original program skipped: {reason}")
            continue
        plans = candidate_plan(template, seed, operators, n_mutations)
        stats.candidates += len(plans)
        mutants = _distinct_mutants(template, plans, seed, stats)
        kept, tried = _first_failing(mutants, validator, pool, stats, mutants_per_program, max_attempts_per_program)
        stats.tried += tried
        for task in kept:
            stats.kept_by_operator.update(task.metadata["operators"])
            stats.hangs += bool(task.metadata.get("hangs"))
        stats.kept += len(kept)
        out.extend(kept)
        if on_program:
            on_program(program, len(kept))
    return out, stats


def _distinct_mutants(template: Task, plans: list[list[Mutation]], seed: int, stats: SynthesisStats) -> Iterator[Task]:
    """Mutant tasks in plan order, skipping overlapping, unparsable and equivalent mutants."""
    original = template.fixed_files()
    seen = {_normalised(original, template.editable)}
    for muts in plans:
        files = apply_mutations(original, muts)
        if files is None:
            stats.dropped["overlapping"] += 1
            continue
        norm = _normalised(files, template.editable)
        if norm is None:
            stats.dropped["syntax_error"] += 1
            continue
        if norm in seen:
            stats.dropped["equivalent_or_duplicate"] += 1
            continue
        seen.add(norm)
        yield mutant_task(template, files, muts, seed)


def _first_failing(
    mutants: Iterator[Task], validator: Validator, pool: Executor, stats: SynthesisStats, wanted: int, max_attempts: int
) -> tuple[list[Task], int]:
    """The first ``wanted`` mutants, in order, whose visible tests fail (each run stops at its
    first failure), trying at most ``max_attempts``. A few runs stay in flight so a worker never
    waits for a hanging sibling; results are read in order, so which mutants are kept and the
    count of tried ones do not depend on timing. Returns (kept, tried)."""
    in_flight: deque[tuple[Task, Future]] = deque()
    window = validator.workers * 2
    kept: list[Task] = []
    tried = 0
    exhausted = False
    while len(kept) < wanted and tried < max_attempts:
        while not exhausted and len(in_flight) < window and tried + len(in_flight) < max_attempts:
            task = next(mutants, None)
            if task is None:
                exhausted = True
            else:
                in_flight.append((task, pool.submit(validator.run_buggy, task)))
        if not in_flight:
            break
        task, future = in_flight.popleft()
        run_result = future.result()
        tried += 1
        if run_result.any_failed:
            meta = {**task.metadata, "hangs": run_result.hung, "buggy_summary": run_result.summary()}
            kept.append(task.model_copy(update={"metadata": meta}))
        else:
            stats.dropped["survived_visible_tests"] += 1
    for _, future in in_flight:  # speculative runs past the last one needed; running ones finish unread
        future.cancel()
    return kept, tried
