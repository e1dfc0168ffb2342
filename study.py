"""Run a whole study (generate -> build_data -> train -> evaluate -> report) from one preset.

python study.py experiment=study_scorer_weights params.rollouts=<generate run> params.sft=<sft run>
python study.py -m experiment=study_scorer_weights params.loops=0,1,3 ...   # offline sweep
wandb sweep sweeps/scorer_weights.yaml                                       # the W&B version
python study.py run_dir=outputs/study/<time>                                 # resume a study
"""

import hydra
from omegaconf import DictConfig

from agentpref.entrypoints import run_cli


@hydra.main(config_path="conf", config_name="study", version_base="1.3")
def main(cfg: DictConfig) -> None:
    run_cli("study", cfg)


if __name__ == "__main__":
    main()
