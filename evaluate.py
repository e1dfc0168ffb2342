"""Evaluate a policy on held-out tasks: K samples per task, every behaviour check, pass@k, CIs.

    python evaluate.py                                           # the base model, heldout split
    python evaluate.py policy_from=outputs/train/sft/<time>      # base + that run's adapter
    python evaluate.py policy_from=<dpo run> compare_to=<sft eval run>   # paired difference, p-value
    python evaluate.py samples_per_task=10 'ks=[1,5,10]' tasks=quixbugs tasks.root=<clone>
    python evaluate.py run_dir=outputs/evaluate/<time>           # resume that evaluation
"""

import hydra
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig, OmegaConf

from agentpref.config import cli_errors, validate_config
from agentpref.evaluation.run import EvalConfig, print_summary, run_evaluation


@hydra.main(config_path="conf", config_name="evaluate", version_base="1.3")
@cli_errors
def main(cfg: DictConfig) -> int:
    cfg.run_dir = HydraConfig.get().runtime.output_dir  # in a multirun: one subdir per job
    config = validate_config(cfg, EvalConfig)
    summary = run_evaluation(config, OmegaConf.to_container(cfg, resolve=True))
    print_summary(summary)
    return 0


if __name__ == "__main__":
    main()
