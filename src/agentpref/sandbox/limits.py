"""Process sandbox for code that comes from a workspace (model-written code included).

Every run gets its own session / process group (killed as a whole on timeout and after exit, so no
child outlives the run), rlimits on CPU seconds, address space, processes and file size, a
scrubbed environment (no API keys or tokens leak into the sandbox), and a private network
namespace where the OS allows (``unshare(CLONE_NEWNET)``: root or user namespaces), writes only
inside the run's directory and no access to other processes' /proc entries (Landlock, Linux >=
5.13), and, as root, a pids cgroup per runner (``max_processes`` holds for root too, and every
member is killed after each run, daemons that left the process group included). What applied is
reported with each run, never assumed (docs/reliability.md).
"""

from __future__ import annotations

import functools
import os
from typing import NamedTuple

from pydantic import BaseModel, ConfigDict, Field

from agentpref.sandbox.isolation import (  # noqa: F401 - re-exported: the sandbox's public API
    ProcessCgroup,
    cgroup_parent,
    confine_filesystem,
    enter_sandbox,
    join_cgroup,
    kill_group,
    landlock_abi,
    network_isolation_available,
    scrubbed_env,
)


class SandboxFeatures(NamedTuple):
    """What this machine lets the sandbox enforce (each run also records what applied to it)."""

    network: bool  # private network namespace
    filesystem: bool  # Landlock: writes only in the run's directory, /proc closed
    process_limit: bool  # max_processes holds: a pids cgroup (root) or RLIMIT_NPROC (non-root)


@functools.lru_cache(maxsize=1)
def sandbox_features() -> SandboxFeatures:
    cgroup = os.geteuid() == 0 and cgroup_parent() is not None and os.access(cgroup_parent(), os.W_OK)
    return SandboxFeatures(network_isolation_available(), landlock_abi() > 0, cgroup or os.geteuid() != 0)


class Limits(BaseModel):
    """Resource limits of one sandboxed run (the ``sandbox`` config group)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    wall_timeout_s: float = Field(60.0, gt=0, description="whole run, then the process group is killed")
    per_test_timeout_s: float = Field(5.0, gt=0, description="pytest-timeout per test (signal method)")
    cpu_seconds: int = Field(60, gt=0)
    memory_mb: int = Field(2048, ge=256, description="address space (RLIMIT_AS)")
    max_processes: int = Field(256, ge=8, description="pids cgroup per runner (root), else RLIMIT_NPROC")
    file_size_mb: int = Field(32, ge=1)
    output_limit_chars: int = Field(12000, ge=500, description="captured output kept (head + tail)")
    network: bool = Field(False, description="allow network access (default: own empty netns)")
