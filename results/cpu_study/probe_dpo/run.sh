# DPO-stage probes on seed 0 of the CPU study, run from the repo root (2026-12-02): the seed's own pairs
# and SFT adapter, DPO as the study's except for one knob per probe, evaluated like the study's rows.
#   order: the data order (train seed 1 instead of 0): how far two DPO runs on the same pairs differ
#   batch4: global batch 4 (gradient accumulation), 12 steps: 48 pairs seen instead of 24, each step an average of 4
#   rpo: DPO plus the NLL of the chosen side (TRL's loss_type [sigmoid, sft], weights 1 and 1)
export LD_PRELOAD=/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4 PYTHONHASHSEED=0 WANDB_MODE=offline
R=${R:-outputs/study/cpu_seed0}   # the finished seed-0 study_cpu run dir
O=outputs/probe_dpo
PY=${PY:-.venv/bin/python}
DPO="algo=dpo model=smollm2_135m data=$R/pairs init_from=$R/sft dpo.beta=0.1 per_device_batch_size=1 dpo.warmup_steps=0
  dpo.learning_rate=0.0001 dpo.lr_scheduler_type=constant dpo.max_length=2048 ref_cache.enabled=false logger=none"
EVAL="model=smollm2_135m tasks.per_program=2 samples_per_task=2 ks=[1,2] agent=compact agent.max_steps=8 backend.batch_size=30
  backend.max_new_tokens=256 backend=llamacpp seed=0 compare_to=$R/eval_sft logger=none"
probe() {  # name, label, DPO overrides...
  local name=$1 label=$2; shift 2
  [ -f $O/eval_$name/summary.json ] && return 0
  $PY train.py $DPO "$@" run_dir=$O/dpo_$name || exit 1
  $PY evaluate.py $EVAL policy_from=$O/dpo_$name "method='$label'" run_dir=$O/eval_$name || exit 1
  mkdir -p results/cpu_study/probe_dpo/$name && cp $O/dpo_$name/train.json $O/eval_$name/summary.json \
    $O/eval_$name/generation.json results/cpu_study/probe_dpo/$name/
}
probe order "SFT+DPO (β=0.1), data order 1" trainer.max_steps=24 global_batch_size=1 seed=1
probe batch4 "SFT+DPO (β=0.1), batch 4 x 12 steps" trainer.max_steps=12 global_batch_size=4 seed=0
probe rpo "SFT+DPO (β=0.1) + chosen NLL" trainer.max_steps=24 global_batch_size=1 seed=0 'dpo.loss_type=[sigmoid,sft]' '+dpo.loss_weights=[1.0,1.0]'
