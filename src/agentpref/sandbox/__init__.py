"""The sandboxed test runner: model-written code runs here and nowhere else.

``runner.TestRunner`` runs pytest on a copy of a workspace (fork server or fresh subprocess),
``limits.Limits`` says what a run may use, ``isolation`` enforces it (session, rlimits, network
namespace, Landlock, cgroup), ``forkserver`` keeps pytest warm, ``pytest_command`` and
``pytest_warm_start`` are its pytest command line and start-up reuse, ``pytest_report`` the plugin
that reports outcomes.
"""
