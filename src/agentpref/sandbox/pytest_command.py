"""The pytest command line of every sandboxed run, the same in both runner modes: lean (built-in
plugins a run never needs are off), per-test timeouts, and the outcome-report plugin."""

from __future__ import annotations

# Built-in pytest plugins a test run never needs; dropping them is part of the fast path.
LEAN_PLUGINS = (
    "cacheprovider",
    "pastebin",
    "junitxml",
    "doctest",
    "setuponly",
    "setupplan",
    "stepwise",
    "unraisableexception",
    "threadexception",
    "faulthandler",
)
# Plugins every run loads explicitly (autoload is off): per-test timeouts and the outcome report.
PLUGINS = ("pytest_timeout", "agentpref.sandbox.pytest_report")


def pytest_args(targets, per_test_timeout_s: float, maxfail: int | None) -> list[str]:
    """The pytest command line of every sandboxed run, identical in both runner modes."""
    args = ["-q", "--tb=short", "-o", "console_output_style=classic", "--rootdir=.", "--confcutdir=."]
    for plugin in LEAN_PLUGINS:
        args += ["-p", f"no:{plugin}"]
    for plugin in PLUGINS:
        args += ["-p", plugin]
    args += ["--timeout", f"{per_test_timeout_s:g}", "--timeout-method", "signal"]
    if maxfail:
        args.append(f"--maxfail={maxfail}")
    return [*args, *targets]
