"""Process-level sandbox primitives: own session, rlimits, no network, scrubbed environment.

Kept free of heavy imports (no pydantic): the pytest fork server imports it, and every module the
server holds is inherited by each forked test run (and scanned when a traceback is formatted).
"""

from __future__ import annotations

import ctypes
import functools
import os
import resource
import signal

CLONE_NEWNET = 0x40000000
_SAFE_ENV_KEYS = ("PATH", "LANG", "LC_ALL", "TZ")


def _unshare_net() -> bool:
    libc = ctypes.CDLL(None, use_errno=True)
    return libc.unshare(CLONE_NEWNET) == 0


@functools.lru_cache(maxsize=1)
def network_isolation_available() -> bool:
    """Probe once (in a throwaway child) whether this OS lets us drop the network."""
    if not hasattr(os, "fork"):
        return False
    pid = os.fork()
    if pid == 0:  # pragma: no cover - child
        os._exit(0 if _unshare_net() else 1)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status) == 0


def drop_network() -> None:
    """Move the current process into an empty network namespace, where the OS allows it."""
    if network_isolation_available():
        _unshare_net()


def enter_sandbox(limits, *, network_dropped: bool = False) -> None:
    """Apply ``limits`` (a ``sandbox.Limits``, or anything with its attributes) to the current
    process. Call in the child, before running user code."""
    if not limits.network and not network_dropped:
        drop_network()
    mb = 1024 * 1024
    for res, value in (
        (resource.RLIMIT_CPU, limits.cpu_seconds),
        (resource.RLIMIT_AS, limits.memory_mb * mb),
        (resource.RLIMIT_NPROC, limits.max_processes),
        (resource.RLIMIT_FSIZE, limits.file_size_mb * mb),
        (resource.RLIMIT_CORE, 0),
    ):
        resource.setrlimit(res, (value, value))
    # SIGXFSZ would kill the run silently; let the write fail with an OSError instead.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)


def scrubbed_env(workdir: str, extra: dict[str, str] | None = None) -> dict[str, str]:
    """A minimal environment: nothing secret from the parent (API keys, tokens) gets in."""
    env = {k: os.environ[k] for k in _SAFE_ENV_KEYS if k in os.environ}
    env.setdefault("PATH", "/usr/local/bin:/usr/bin:/bin")
    env.update(
        HOME=workdir,
        TMPDIR=workdir,
        PYTHONHASHSEED="0",
        PYTHONDONTWRITEBYTECODE="1",
        PYTHONIOENCODING="utf-8",
        PYTEST_DISABLE_PLUGIN_AUTOLOAD="1",
        NO_COLOR="1",
    )
    env.update(extra or {})
    return env



def kill_group(pgid: int) -> None:
    """Kill a whole process group; quiet when it is already gone."""
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
