"""Process sandbox for code that comes from a workspace (model-written code included).

Every run gets its own session / process group (killed as a whole on timeout and after exit, so no
child outlives the run), rlimits on CPU seconds, address space, processes and file size, a
scrubbed environment (no API keys or tokens leak into the sandbox), and a private network
namespace where the OS allows (``unshare(CLONE_NEWNET)``: root or user namespaces). Whether the
network was really cut is reported with each run, never assumed.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from agentpref.tasks.isolation import (  # noqa: F401 - re-exported: the sandbox's public API
    enter_sandbox,
    kill_group,
    network_isolation_available,
    scrubbed_env,
)


class Limits(BaseModel):
    """Resource limits of one sandboxed run (the ``sandbox`` config group)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    wall_timeout_s: float = Field(60.0, gt=0, description="whole run, then the process group is killed")
    per_test_timeout_s: float = Field(5.0, gt=0, description="pytest-timeout per test (signal method)")
    cpu_seconds: int = Field(60, gt=0)
    memory_mb: int = Field(2048, ge=256, description="address space (RLIMIT_AS)")
    max_processes: int = Field(256, ge=8, description="RLIMIT_NPROC (not enforced for root)")
    file_size_mb: int = Field(32, ge=1)
    output_limit_chars: int = Field(12000, ge=500, description="captured output kept (head + tail)")
    network: bool = Field(False, description="allow network access (default: own empty netns)")
