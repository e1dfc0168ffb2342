"""Helpers of the sandbox tests: write a workspace, and find processes a run may have left."""

import os
import textwrap
import time


def write(root, files):
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(textwrap.dedent(text))
    return root


def alive(pid: int) -> bool:
    """True while ``pid`` runs; a zombie (killed, not yet reaped by init) counts as dead."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def running(token: str, wait_s: float = 5.0) -> list[int]:
    """Live pids whose command line carries ``token``, after ``wait_s`` for kills to land. Runs
    cannot write pid files outside their workspace, so processes are found by what they run."""
    deadline = time.monotonic() + wait_s
    while True:
        found = []
        for p in filter(str.isdigit, os.listdir("/proc")):
            try:
                with open(f"/proc/{p}/cmdline", "rb") as fh:
                    if token.encode() in fh.read() and alive(int(p)):
                        found.append(int(p))
            except OSError:
                pass
        if not found or time.monotonic() > deadline:
            return found
        time.sleep(0.05)
