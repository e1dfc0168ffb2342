"""results/REPORT.md: rebuilt by its command from committed files alone, with the tables' numbers."""

import re

import pytest

from agentpref.reporting import writeup
from agentpref.reporting.tables import difference_text, result_text


def test_report_md_is_up_to_date_with_the_committed_results(repo):
    assert writeup.build(repo) == (repo / "results" / "REPORT.md").read_text(), (
        "results/REPORT.md is stale: run `make report` and commit it"
    )


def _line(markdown: str, method: str) -> str:
    """``method``'s row in the first table of ``markdown``."""
    table = re.search(r"^\|.*?(?=\n\n|\Z)", markdown, flags=re.S | re.M).group(0)
    found = [line for line in table.splitlines() if re.match(rf"\| {re.escape(method)} +\|", line)]
    assert len(found) == 1, (method, found)
    return found[0]


@pytest.mark.parametrize(
    "table", [writeup.MAIN, writeup.MAIN_SYNTHETIC, writeup.SFT_RECIPE] + [t for _, t in writeup.ABLATIONS]
)
def test_every_number_of_the_report_is_in_the_table_report_py_wrote(repo, table):
    report = table.load(repo)
    results_md, _, differences_md = (repo / table.report).with_suffix(".md").read_text().partition("## Difference")
    for row in writeup._rows(report, table.rows):
        line = _line(results_md, row["method"])
        for metric in writeup._metrics(report, table.metrics):
            assert result_text(row["metrics"][metric.name], metric.fmt) in line, (row["method"], metric.name)
        comparison = (report.get("comparisons") or {}).get(row["method"])
        if comparison:
            line = _line(differences_md, row["method"])
            for metric in writeup._metrics(report, table.metrics):
                assert difference_text(comparison[metric.name], metric.fmt) in line, (row["method"], metric.name)


def test_a_missing_report_names_the_experiment_to_rerun(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(writeup, "REPO", tmp_path)
    assert writeup.main(["--out", str(tmp_path / "REPORT.md")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"error: {writeup.MAIN.report} is missing: re-run its report.py command (experiments/cpu_study)"]
