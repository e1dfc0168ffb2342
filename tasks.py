"""List, validate and synthesize task sets.

python tasks.py list tasks=builtin
python tasks.py validate tasks=quixbugs tasks.root=/path/to/QuixBugs
python tasks.py synthesize tasks=synthetic tasks.seed=1 tasks.n_mutations=2
"""

import sys

import hydra
from omegaconf import DictConfig

from agentpref.entrypoints import run_cli
from agentpref.tasks.cli import COMMANDS


@hydra.main(config_path="conf", config_name="tasks_cli", version_base="1.3")
def main(cfg: DictConfig) -> None:
    run_cli("tasks_cli", cfg)


if __name__ == "__main__":
    first = sys.argv[1] if len(sys.argv) > 1 else ""
    if first in COMMANDS:  # `tasks.py validate ...` -> command=validate
        sys.argv[1] = f"command={first}"
    elif first and "=" not in first and not first.startswith("-"):
        print(f"error: unknown command {first!r}: use one of {', '.join(COMMANDS)}", file=sys.stderr)
        sys.exit(2)
    main()
