"""Quick check of corpus programs while writing them:
``python -m agentpref.tasks.check_corpus [program ...]`` (all programs when none is named)."""

from __future__ import annotations

import sys

from agentpref.errors import TaskError
from agentpref.tasks.corpus import CORPUS_DIR, load_program, program_dirs
from agentpref.tasks.validate import Validator


def main(names: list[str]) -> int:
    dirs = [CORPUS_DIR / n for n in names] if names else program_dirs()
    failures = 0
    with Validator() as validator:
        for prog in dirs:
            try:
                tasks = load_program(prog)
            except TaskError as exc:
                print(f"INVALID {exc}")
                failures += 1
                continue
            for res in validator.validate_all(tasks):
                status = "ok     " if res.valid else "INVALID"
                print(f"{status} {res.task_id}  buggy: {res.buggy}  {res.reason}")
                failures += not res.valid
    print(f"{len(dirs)} programs, {failures} problems")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
