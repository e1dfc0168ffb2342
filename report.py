"""Paper-style ablation tables and plots over evaluate.py runs (no model needed).

    python report.py 'runs=[outputs/eval/*]'
    python report.py 'runs=[outputs/eval/*]' baseline=base name=smollm2_ablation
    python report.py 'runs=[outputs/eval/a,outputs/eval/b]' 'metrics=[pass@1,loop_rate]' \
        out_dir=/tmp/r

Writes <out_dir>/<name>.md, .tex, .json, <name>_bars.png, (with two or more DPO β)
<name>_beta.png and (with a training run evaluated at two or more policy_step checkpoints)
<name>_curve.png; prints a one-line JSON summary.
"""

import shlex

import hydra
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig

from agentpref.config import cli_errors, validate_config
from agentpref.reporting.run import ReportConfig, make_report, print_summary


@hydra.main(config_path="conf", config_name="report", version_base="1.3")
@cli_errors
def main(cfg: DictConfig) -> int:
    overrides = HydraConfig.get().overrides.task
    command = " ".join(["python report.py", *(shlex.quote(o) for o in overrides)])
    print_summary(make_report(validate_config(cfg, ReportConfig), command))
    return 0


if __name__ == "__main__":
    main()
