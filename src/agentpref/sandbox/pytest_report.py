"""pytest plugin loaded into every sandboxed test run (``-p agentpref.sandbox.pytest_report``).

It appends one JSON line per event to the file named by ``AGENTPREF_PYTEST_REPORT`` and flushes
each line, so a run killed half-way (hang, crash) still leaves the outcomes it reached. Per test it
writes the call phase, and setup/teardown only when they did not pass (durations are the call's).
"""

from __future__ import annotations

import json
import os

_fh = None


def _emit(record: dict) -> None:
    if _fh is not None:
        _fh.write(json.dumps(record) + "\n")
        _fh.flush()


def pytest_configure(config):
    global _fh
    path = os.environ.get("AGENTPREF_PYTEST_REPORT")
    _fh = open(path, "a", encoding="utf-8") if path else None  # noqa: SIM115


def pytest_unconfigure(config):
    global _fh
    if _fh is not None:
        _fh.close()
        _fh = None


def pytest_collectreport(report):
    if report.failed:
        _emit({"event": "collect_error", "nodeid": report.nodeid, "message": report.longreprtext})


def pytest_collection_finish(session):
    _emit({"event": "collected", "nodeids": [item.nodeid for item in session.items]})


def pytest_runtest_logreport(report):
    if report.when != "call" and report.passed:
        return  # a passing setup/teardown adds nothing: the outcome is decided by the call phase
    message = report.longreprtext if report.failed else ""
    if report.skipped and isinstance(report.longrepr, tuple):
        message = str(report.longrepr[2])
    _emit(
        {
            "event": "phase",
            "nodeid": report.nodeid,
            "when": report.when,
            "outcome": report.outcome,
            "duration": report.duration,
            "message": message,
        }
    )
