"""Score the rollouts of a generate.py run with the behaviour checks (no model needed).

    python score.py run_dir=outputs/generate/2026-11-21/10-00-00
    python score.py run_dir=... scorer=discipline scorer.weights.loops=3
    python score.py run_dir=... scorer=functional output=/tmp/scored.jsonl

Writes <run_dir>/scored.jsonl (the records with `checks` and `score` filled), never touching
rollouts.jsonl, and prints a one-line JSON summary. See docs/scoring.md.
"""

import hydra
from omegaconf import DictConfig

from agentpref.entrypoints import run_cli


@hydra.main(config_path="conf", config_name="score", version_base="1.3")
def main(cfg: DictConfig) -> None:
    run_cli("score", cfg)


if __name__ == "__main__":
    main()
