"""Errors that end a command with one clear line instead of a traceback."""


class AgentprefError(Exception):
    """Base for user-facing errors: the message names the problem and the fix."""


class ConfigError(AgentprefError):
    """A config key, value or path is wrong."""


class TaskError(AgentprefError):
    """A task (or a task directory / checkout) is malformed; ``task`` names which one."""

    def __init__(self, task: str, problem: str):
        super().__init__(f"{task}: {problem}")
        self.task = task
        self.problem = problem


class DataError(AgentprefError):
    """A data file (tasks, rollouts) has a line that does not validate."""


class StorageError(AgentprefError):
    """Writing a result failed (disk full, quota, read-only mount); what was saved is named."""
