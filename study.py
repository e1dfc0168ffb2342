"""Run a whole study (generate -> build_data -> train -> evaluate -> report) from one preset.

    python study.py experiment=study_scorer_weights params.rollouts=<generate run> params.sft=<sft run>
    python study.py -m experiment=study_scorer_weights params.loops=0,1,3 ...   # offline sweep
    wandb sweep sweeps/scorer_weights.yaml                                       # the W&B version
    python study.py run_dir=outputs/study/<time>                                 # resume a study
"""

import hydra
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig, OmegaConf

from agentpref.config import cli_errors, validate_config
from agentpref.study import StudyConfig, print_summary, run_study


@hydra.main(config_path="conf", config_name="study", version_base="1.3")
@cli_errors
def main(cfg: DictConfig) -> int:
    cfg.run_dir = HydraConfig.get().runtime.output_dir  # in a multirun: one subdir per job
    config = validate_config(cfg, StudyConfig)
    print_summary(run_study(config, OmegaConf.to_container(cfg, resolve=True)))
    return 0


if __name__ == "__main__":
    main()
