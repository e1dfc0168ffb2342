"""Turn scored rollouts into training data: SFT set, trajectory pairs, step-level pairs.

    python build_data.py 'runs=[outputs/generate/A,outputs/generate/B]'
    python build_data.py runs=[...] scorer=discipline sft.min_score=0.9 trajectory_pairs.min_margin=0.3
    python build_data.py runs=[...] step_pairs.enabled=true step_pairs.alternatives=4 output_dir=outputs/data/pairs
"""

import hydra
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig

from agentpref.config import cli_errors, validate_config
from agentpref.data.build import BuildDataConfig, build_data, print_stats


@hydra.main(config_path="conf", config_name="build_data", version_base="1.3")
@cli_errors
def main(cfg: DictConfig) -> int:
    cfg.output_dir = HydraConfig.get().runtime.output_dir  # in a multirun: one subdir per job
    print_stats(build_data(validate_config(cfg, BuildDataConfig)))
    return 0


if __name__ == "__main__":
    main()
