"""Turn scored rollouts into training data: SFT set, trajectory pairs, step-level pairs.

python build_data.py 'runs=[outputs/generate/A,outputs/generate/B]'
python build_data.py runs=[...] scorer=discipline sft.min_score=0.9 trajectory_pairs.min_margin=0.3
python build_data.py runs=[...] step_pairs.enabled=true step_pairs.alternatives=4 output_dir=outputs/data/pairs
"""

import hydra
from omegaconf import DictConfig

from agentpref.entrypoints import run_cli


@hydra.main(config_path="conf", config_name="build_data", version_base="1.3")
def main(cfg: DictConfig) -> None:
    run_cli("build_data", cfg)


if __name__ == "__main__":
    main()
