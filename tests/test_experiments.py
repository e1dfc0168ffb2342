"""experiments/: one folder per study preset and the reverse, each README with its sections and
commands that compose."""

import re
import shlex
from pathlib import Path

import pytest

FOLDERS = sorted(p.parent.name for p in (Path(__file__).parents[1] / "experiments").glob("*/README.md"))
SECTIONS = ("**Question.**", "**Design", "**Command", "**Wall time.**", "**Results.**", "**Status.**")


def commands(readme: str) -> list[list[str]]:
    """The ``python <script>.py ...`` commands of a README's bash blocks, as argument lists."""
    found = []
    for block in re.findall(r"```bash\n(.*?)```", readme, flags=re.S):
        for line in block.replace("\\\n", " ").splitlines():
            if line.startswith("python "):
                found.append(shlex.split(line, comments=True)[1:])
    return found


def study_folders(repo):
    return {p.parent.name: p.read_text() for p in sorted((repo / "experiments").glob("*/README.md"))}


def test_every_study_preset_has_its_folder_and_every_folder_its_preset(repo):
    presets = {p.stem for p in (repo / "conf" / "experiment").glob("study_*.yaml")}
    named = {}
    for folder, readme in study_folders(repo).items():
        studies = {
            a.partition("=")[2]
            for c in commands(readme)
            if c[0] == "study.py"
            for a in c
            if a.startswith("experiment=")
        }
        assert len(studies) == 1, f"experiments/{folder}/README.md runs {studies or 'no study'}: one preset per folder"
        named[studies.pop()] = folder
        for section in SECTIONS:
            assert section in readme, f"experiments/{folder}/README.md has no {section} section"
    assert set(named) == presets, (sorted(presets - set(named)), sorted(set(named) - presets))
    index = (repo / "experiments" / "README.md").read_text()
    assert all(f"[{folder}/]({folder}/)" in index and f"`{preset}`" in index for preset, folder in named.items())


@pytest.mark.parametrize("folder", FOLDERS)
def test_the_commands_of_a_study_readme_compose(repo, folder):
    from agentpref.entrypoints import ENTRY_POINTS, compose, validate

    runs = commands((repo / "experiments" / folder / "README.md").read_text())
    assert runs, folder
    for args in runs:
        entry = args[0].removesuffix(".py")
        assert entry in ENTRY_POINTS, args
        cfg = compose(entry, ["logger=none", *args[1:]] if ENTRY_POINTS[entry].logged else args[1:])
        if entry == "study":
            study = validate("study", cfg)
            for name, stage in study.stages.items():  # every stage composes for its own entry point
                assert compose(stage.entry, stage.overrides), (folder, name)
