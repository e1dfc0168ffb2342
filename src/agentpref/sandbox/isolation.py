"""Process-level sandbox primitives: own session, rlimits, no network, scrubbed environment,
writes confined to the run's directory and /proc closed (Landlock), a per-run process cgroup.

Kept free of heavy imports (no pydantic): the pytest fork server imports it, and every module the
server holds is inherited by each forked test run (and scanned when a traceback is formatted).
"""

from __future__ import annotations

import ctypes
import functools
import os
import resource
import signal
import struct

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


# ---- Landlock: the kernel's unprivileged filesystem sandbox (Linux >= 5.13) ---------------------
_SYS_CREATE_RULESET, _SYS_ADD_RULE, _SYS_RESTRICT_SELF = 444, 445, 446
_PR_SET_NO_NEW_PRIVS = 38
_RULE_PATH_BENEATH = 1
_EXECUTE, _WRITE_FILE, _READ_FILE, _READ_DIR = 1 << 0, 1 << 1, 1 << 2, 1 << 3
_READ = _EXECUTE | _READ_FILE | _READ_DIR
# every filesystem right of ABI 1..5 (REFER v2, TRUNCATE v3, IOCTL_DEV v5); masked by the ABI
_ALL_BY_ABI = {1: (1 << 13) - 1, 2: (1 << 14) - 1, 3: (1 << 15) - 1, 4: (1 << 15) - 1}
_ALL_V5 = (1 << 16) - 1


def _libc():
    return ctypes.CDLL(None, use_errno=True)


@functools.lru_cache(maxsize=1)
def landlock_abi() -> int:
    """Landlock ABI version of this kernel, 0 when unavailable."""
    if not hasattr(os, "fork"):
        return 0
    version = _libc().syscall(_SYS_CREATE_RULESET, None, ctypes.c_size_t(0), ctypes.c_uint32(1))
    return max(int(version), 0)


def _all_rights(abi: int) -> int:
    return _ALL_BY_ABI.get(abi, _ALL_V5)


def _add_rule(libc, ruleset: int, path: str, rights: int, handled: int) -> None:
    rights &= handled
    try:
        fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
    except OSError:
        return  # nothing there: nothing to allow
    try:
        if not os.path.isdir(path):  # files take file rights only
            rights &= _EXECUTE | _WRITE_FILE | _READ_FILE | (1 << 14) | (1 << 15)
        attr = struct.pack("=Qi", rights, fd)  # struct landlock_path_beneath_attr (packed)
        buf = ctypes.create_string_buffer(attr, len(attr))
        if libc.syscall(_SYS_ADD_RULE, ruleset, _RULE_PATH_BENEATH, buf, ctypes.c_uint32(0)) != 0:
            raise OSError(ctypes.get_errno(), f"landlock_add_rule({path})")
    finally:
        os.close(fd)


def confine_filesystem(writable: list[str]) -> bool:
    """Allow writes only beneath ``writable`` (and to /dev/null), reads and execution everywhere
    except /proc (other processes' environments hold the user's API keys; /proc/self stays). For
    this process and everything it starts; irreversible. False when the kernel has no Landlock."""
    abi = landlock_abi()
    if abi == 0:
        return False
    libc = _libc()
    handled = _all_rights(abi)
    attr = struct.pack("=Q", handled)
    buf = ctypes.create_string_buffer(attr, len(attr))
    ruleset = libc.syscall(_SYS_CREATE_RULESET, buf, ctypes.c_size_t(len(attr)), ctypes.c_uint32(0))
    if ruleset < 0:
        raise OSError(ctypes.get_errno(), "landlock_create_ruleset")
    try:
        for entry in sorted(os.listdir("/")):
            if entry != "proc":
                _add_rule(libc, ruleset, "/" + entry, _READ, handled)
        for path in ("/proc/self", "/proc/cpuinfo", "/proc/meminfo", "/proc/stat", "/proc/sys/kernel"):
            _add_rule(libc, ruleset, os.path.realpath(path), _READ_FILE | _READ_DIR, handled)
        _add_rule(libc, ruleset, "/dev/null", _READ_FILE | _WRITE_FILE | (1 << 14) | (1 << 15), handled)
        for path in writable:
            _add_rule(libc, ruleset, path, handled, handled)
        if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(NO_NEW_PRIVS)")
        if libc.syscall(_SYS_RESTRICT_SELF, ruleset, ctypes.c_uint32(0)) != 0:
            raise OSError(ctypes.get_errno(), "landlock_restrict_self")
    finally:
        os.close(ruleset)
    return True


# ---- a cgroup per run: a process limit root cannot bypass, and a kill that setsid cannot dodge --
_CGROUP_V1 = "/sys/fs/cgroup/pids"
_CGROUP_V2 = "/sys/fs/cgroup"


def cgroup_parent() -> str | None:
    if os.path.isfile(os.path.join(_CGROUP_V1, "cgroup.procs")):
        return _CGROUP_V1
    controllers = os.path.join(_CGROUP_V2, "cgroup.subtree_control")
    try:
        with open(controllers) as fh:
            return _CGROUP_V2 if "pids" in fh.read().split() else None
    except OSError:
        return None


class ProcessCgroup:
    """A pids cgroup for one runner: ``pids.max`` processes, and every member killed after each
    run (daemons that left the process group included). ``path`` is None where this process may
    not create cgroups (not root, no pids controller): the run then says its processes were not
    limited by it."""

    def __init__(self, name: str, max_processes: int):
        self.path: str | None = None
        parent = cgroup_parent()
        if parent is None:
            return
        path = os.path.join(parent, name)
        try:
            os.makedirs(path, exist_ok=True)
            with open(os.path.join(path, "pids.max"), "w") as fh:
                fh.write(str(max_processes))
        except OSError:
            self._remove(path)
            return
        self.path = path

    def procs_file(self) -> str | None:
        return os.path.join(self.path, "cgroup.procs") if self.path else None

    def members(self) -> list[int]:
        if not self.path:
            return []
        try:
            with open(os.path.join(self.path, "cgroup.procs")) as fh:
                return [int(x) for x in fh.read().split()]
        except OSError:
            return []

    def kill_all(self, rounds: int = 100) -> None:
        """SIGKILL every member until none is left (a member forking meanwhile is caught next round)."""
        for _ in range(rounds):
            pids = self.members()
            if not pids:
                return
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            try:
                os.waitpid(-1, os.WNOHANG)  # reap any that were our own children
            except ChildProcessError:
                pass

    def close(self) -> None:
        if self.path:
            self.kill_all()
            self._remove(self.path)
            self.path = None

    @staticmethod
    def _remove(path: str) -> None:
        try:
            os.rmdir(path)
        except OSError:
            pass


def join_cgroup(procs_file: str | None) -> None:
    """Move the calling process (and so all it starts) into a run's cgroup."""
    if procs_file:
        with open(procs_file, "w") as fh:
            fh.write(str(os.getpid()))
