"""The project's own bug corpus (``tasks=builtin``).

Each program lives in ``tasks/corpus/<program>/``:

    task.yaml            category, difficulty, description, editable files, visible tests, bugs
    <program files>      the correct program (single module or a package) = the reference fix
    tests/test_*.py      visible tests (part of the workspace the agent sees)
    hidden/<path>        hidden tests, placed at <path> in the workspace only for grading

A bug is one exact-text replacement in an editable file (``find`` must occur exactly once), so the
buggy version is derived from the correct one and the reference fix is the correct program.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from agentpref.errors import TaskError
from agentpref.tasks.loading import LoadResult
from agentpref.tasks.model import Task
from agentpref.tasks.splits import assign_split

CORPUS_DIR = Path(__file__).parent / "corpus"
CATEGORIES = (
    "sorting",
    "searching",
    "graphs",
    "strings",
    "dynamic_programming",
    "parsing",
    "numeric",
    "data_structures",
    "stateful",
    "packages",
)
SKIP_NAMES = {"__pycache__", ".pytest_cache"}


class BugSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(pattern=r"^[a-z0-9_]+$")
    description: str
    file: str
    find: str
    replace: str


class ProgramSpec(BaseModel):
    """Schema of ``task.yaml``: unknown keys are errors, so a typo never passes silently."""

    model_config = ConfigDict(extra="forbid")
    category: Literal[CATEGORIES]  # type: ignore[valid-type]
    difficulty: Literal["easy", "medium", "hard"]
    description: str
    editable: list[str]
    visible_tests: list[str]
    hidden_tests: list[str] = Field(default_factory=list, description="targets; default: all of hidden/")
    bugs: list[BugSpec] = Field(min_length=1)


def read_tree(root: Path, exclude_top: set[str] = frozenset()) -> dict[str, str]:
    """All text files under ``root`` as {relative posix path: content}."""
    files: dict[str, str] = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if rel.parts[0] in exclude_top or SKIP_NAMES & set(rel.parts) or not path.is_file():
            continue
        if path.suffix in {".pyc"}:
            continue
        files[rel.as_posix()] = path.read_text(encoding="utf-8")
    return files


def program_dirs(root: Path = CORPUS_DIR) -> list[Path]:
    return sorted(p for p in root.iterdir() if p.is_dir() and p.name not in SKIP_NAMES)


def apply_bug(task_id: str, files: dict[str, str], bug: BugSpec) -> str:
    if bug.file not in files:
        raise TaskError(task_id, f"bug file {bug.file!r} does not exist in the program")
    count = files[bug.file].count(bug.find)
    if count != 1:
        raise TaskError(task_id, f"bug 'find' text occurs {count} times in {bug.file}; it must occur exactly once")
    return files[bug.file].replace(bug.find, bug.replace)


def load_program(prog_dir: Path, heldout_fraction: float = 0.25, salt: str = "agentpref") -> list[Task]:
    """All tasks (one per bug) of one corpus program. Raises TaskError naming the problem."""
    name = prog_dir.name
    spec_path = prog_dir / "task.yaml"
    if not spec_path.is_file():
        raise TaskError(f"builtin/{name}", f"missing {spec_path.name}")
    try:
        spec = ProgramSpec.model_validate(yaml.safe_load(spec_path.read_text(encoding="utf-8")) or {})
    except (ValidationError, yaml.YAMLError) as exc:
        first = str(exc).replace("\n", " ")[:300]
        raise TaskError(f"builtin/{name}", f"invalid task.yaml: {first}") from exc
    files = read_tree(prog_dir, exclude_top={"task.yaml", "hidden"})
    hidden = read_tree(prog_dir / "hidden") if (prog_dir / "hidden").is_dir() else {}
    for rel in [*spec.editable, *(t.split("::")[0] for t in spec.visible_tests)]:
        if rel not in files:
            raise TaskError(f"builtin/{name}", f"{rel} is named in task.yaml but does not exist")
    program = f"builtin:{name}"
    split = assign_split(program, heldout_fraction, salt)
    tasks = []
    for bug in spec.bugs:
        task_id = f"builtin/{name}/{bug.id}"
        if bug.file not in spec.editable:
            raise TaskError(task_id, f"bug file {bug.file} is not editable")
        buggy = apply_bug(task_id, files, bug)
        tasks.append(
            Task(
                id=task_id,
                source="builtin",
                program=program,
                files={**files, bug.file: buggy},
                editable=spec.editable,
                visible_tests=spec.visible_tests,
                hidden_tests=hidden,
                hidden_test_targets=spec.hidden_tests or sorted(hidden),
                reference_fix={bug.file: files[bug.file]},
                split=split,
                category=spec.category,
                difficulty=spec.difficulty,
                description=spec.description.strip(),
                metadata={"bug": bug.id, "bug_description": bug.description},
            )
        )
    return tasks


def load_builtin(
    root: Path = CORPUS_DIR, heldout_fraction: float = 0.25, salt: str = "agentpref", programs: list[str] | None = None
) -> LoadResult:
    """Load every corpus program (or the named ones); malformed programs become problem lines."""
    result = LoadResult()
    dirs = [root / p for p in programs] if programs else program_dirs(root)
    for prog_dir in dirs:
        if not prog_dir.is_dir():
            result.problems.append(f"builtin/{prog_dir.name}: no such program in {root}")
            continue
        try:
            result.tasks.extend(load_program(prog_dir, heldout_fraction, salt))
        except TaskError as exc:
            result.problems.append(str(exc))
        except (OSError, UnicodeDecodeError) as exc:
            result.problems.append(f"builtin/{prog_dir.name}: unreadable file ({exc})")
    return result
