"""Run a policy over a task set and write rollouts (resumable, budgeted, shardable).

    python generate.py backend=oracle tasks=builtin
    python generate.py model=smollm2_135m backend=hf tasks=builtin tasks.limit=4 rollouts_per_task=2
    python generate.py model=qwen7b backend=openai backend.base_url=https://api.together.xyz/v1 \
        backend.api_key_env=TOGETHER_API_KEY budget.usd=2
    python generate.py run_dir=outputs/generate/2026-11-21/10-00-00      # resume that run
"""

import hydra
from omegaconf import DictConfig

from agentpref.entrypoints import run_cli


@hydra.main(config_path="conf", config_name="generate", version_base="1.3")
def main(cfg: DictConfig) -> None:
    run_cli("generate", cfg)


if __name__ == "__main__":
    main()
