"""Paper-style ablation tables and plots over evaluate.py runs (no model needed).

    python report.py 'runs=[outputs/eval/*]'
    python report.py 'runs=[outputs/eval/*]' baseline=base name=smollm2_ablation
    python report.py 'runs=[outputs/eval/a,outputs/eval/b]' 'metrics=[pass@1,loop_rate]' \
        out_dir=/tmp/r

Writes <out_dir>/<name>.md, .tex, .json, <name>_bars.png, (with two or more DPO β)
<name>_beta.png and (with a training run evaluated at two or more policy_step checkpoints)
<name>_curve.png; prints a one-line JSON summary.
"""

import hydra
from omegaconf import DictConfig

from agentpref.entrypoints import run_cli


@hydra.main(config_path="conf", config_name="report", version_base="1.3")
def main(cfg: DictConfig) -> None:
    run_cli("report", cfg)


if __name__ == "__main__":
    main()
