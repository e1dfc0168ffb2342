"""What every task-set loader returns: the tasks that loaded, plus one line per problem.

A broken task (missing file, syntax error, unprepared checkout) never stops the others; a wrong
root (not a checkout at all) raises ``ConfigError`` because nothing could load from it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from agentpref.tasks.model import Task


@dataclass
class LoadResult:
    tasks: list[Task] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def extend(self, other: LoadResult) -> None:
        self.tasks.extend(other.tasks)
        self.problems.extend(other.problems)
