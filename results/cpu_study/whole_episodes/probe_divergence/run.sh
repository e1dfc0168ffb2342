# The divergence-cut probe on seed 1 of the CPU study, run from the repo root (2026-12-02, commit 661918b).
export LD_PRELOAD=/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4 PYTHONHASHSEED=0 WANDB_MODE=offline
R=outputs/study/cpu_seed1   # the finished seed-1 study_cpu run dir
O=outputs/probe_div
date +%s > $O/start
.venv/bin/python build_data.py "runs=[$R/rollouts]" sft.enabled=false trajectory_pairs.top_k=3 trajectory_pairs.bottom_k=3 \
  trajectory_pairs.min_margin=0.05 trajectory_pairs.turns_after_divergence=1 model=smollm2_135m agent=compact logger=none \
  run_dir=$O/pairs_div1 || exit 1
cp $R/pairs/step_pairs.jsonl $O/pairs_div1/
.venv/bin/python train.py algo=dpo model=smollm2_135m data=$O/pairs_div1 init_from=$R/sft dpo.beta=0.1 trainer.max_steps=24 \
  global_batch_size=1 per_device_batch_size=1 dpo.warmup_steps=0 dpo.learning_rate=0.0001 dpo.lr_scheduler_type=constant \
  dpo.max_length=2048 ref_cache.enabled=false seed=1 logger=none run_dir=$O/dpo_div1 || exit 1
date +%s > $O/dpo_end
.venv/bin/python evaluate.py model=smollm2_135m tasks.per_program=2 samples_per_task=2 'ks=[1,2]' agent=compact agent.max_steps=8 \
  backend.batch_size=30 backend.max_new_tokens=256 backend=llamacpp seed=1 policy_from=$O/dpo_div1 compare_to=$R/eval_sft \
  'method="SFT+DPO (β=0.1), pairs cut 1 turn after divergence (seed 1)"' logger=none run_dir=$O/eval_div1 || exit 1
date +%s > $O/end
