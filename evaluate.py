"""Evaluate a policy on held-out tasks: K samples per task, every behaviour check, pass@k, CIs.

python evaluate.py                                           # the base model, heldout split
python evaluate.py policy_from=outputs/train/sft/<time>      # base + that run's adapter
python evaluate.py policy_from=<dpo run> compare_to=<sft eval run>   # paired difference, p-value
python evaluate.py samples_per_task=10 'ks=[1,5,10]' tasks=quixbugs tasks.root=<clone>
python evaluate.py run_dir=outputs/evaluate/<time>           # resume that evaluation
"""

import hydra
from omegaconf import DictConfig

from agentpref.entrypoints import run_cli


@hydra.main(config_path="conf", config_name="evaluate", version_base="1.3")
def main(cfg: DictConfig) -> None:
    run_cli("evaluate", cfg)


if __name__ == "__main__":
    main()
