"""Train an adapter with SFT or DPO (TRL + PEFT) on build_data.py output.

python train.py algo=sft data=outputs/data/X
python train.py algo=dpo dpo.beta=0.1 data=outputs/data/Y init_from=outputs/train/sft/Z
python train.py model=qwen7b dpo.beta=0.1 data=...                    # DPO is the default algo
accelerate launch --config_file launch/accelerate/zero3.yaml train.py model=qwen7b data=...
python train.py -m dpo.beta=0.05,0.1,0.3 data=...                      # a beta sweep (ref cache)
"""

import hydra
from omegaconf import DictConfig

from agentpref.entrypoints import run_cli


@hydra.main(config_path="conf", config_name="train", version_base="1.3")
def main(cfg: DictConfig) -> None:
    run_cli("train", cfg)


if __name__ == "__main__":
    main()
