"""Run a policy over a task set and write rollouts (resumable, budgeted, shardable).

    python generate.py backend=oracle tasks=builtin
    python generate.py model=smollm2_135m backend=hf tasks=builtin tasks.limit=4 rollouts_per_task=2
    python generate.py model=qwen7b backend=openai backend.base_url=https://api.together.xyz/v1 \
        backend.api_key_env=TOGETHER_API_KEY budget.usd=2
    python generate.py run_dir=outputs/generate/2026-11-21/10-00-00      # resume that run
"""

import hydra
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig, OmegaConf

from agentpref.agent.generation import GenerateConfig, print_summary, run_generation
from agentpref.config import cli_errors, validate_config


@hydra.main(config_path="conf", config_name="generate", version_base="1.3")
@cli_errors
def main(cfg: DictConfig) -> int:
    # The job's output dir is the run dir (in a multirun: one subdir per job).
    cfg.run_dir = HydraConfig.get().runtime.output_dir
    config = validate_config(cfg, GenerateConfig)
    summary = run_generation(config, OmegaConf.to_container(cfg, resolve=True))
    print_summary(summary)
    return 0


if __name__ == "__main__":
    main()
