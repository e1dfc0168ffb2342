"""Config models of the agent and backend groups (conf/agent, conf/backend); the model group's
is in agentpref/models.py."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AgentConfig(_Strict):
    """How episodes are framed and bounded. The prompt texts are logged with every run."""

    system_prompt: str
    text_protocol: str = Field(description="appended for text models; {tools} = the tool schemas, one per line")
    task_prompt: str = Field(
        description="first user message; fields: {description} {bug_report} {editable} {test_command} {files}"
    )
    tools_in: Literal["auto", "prompt", "template"] = Field(
        "auto",
        description="where text models see the tool schemas: the chat template's tools= "
        "(auto: when the template uses them) or the system prompt",
    )
    tool_spec: Literal["schemas", "signatures"] = Field(
        "schemas",
        description="how {tools} shows the tools in the system prompt: JSON schemas, or one "
        "signature line each (a fifth of the tokens, for small models)",
    )
    edit_format: Literal["json", "block", "lines"] = Field(
        "json",
        description="how an edit carries code: JSON old/new, a SEARCH/REPLACE block after the "
        "JSON, or a line range with the new lines after the JSON (agent/protocol.py)",
    )
    line_numbers: bool | None = Field(
        None, description="read_file numbers its lines; null: exactly when edit_format=lines"
    )
    failures_shown: int = Field(
        5,
        ge=1,
        description="run_tests shows this many failures in full, then "
        "names the rest (fewer: shorter observations, more turns fit the context)",
    )
    reindent: bool = Field(
        False,
        description="lines format: an edit that breaks a .py file's compile as written but not "
        "shifted to the indentation of the code it replaces is applied shifted, and the observation says so",
    )
    show_bug_report: bool = True
    max_steps: int = Field(15, ge=1)
    max_context_tokens: int = Field(4096, ge=256, description="end the episode before a prompt exceeds this")
    observation_limit_chars: int = Field(4000, ge=200)

    @model_validator(mode="after")
    def _reindent_needs_lines(self) -> AgentConfig:
        if self.reindent and self.edit_format != "lines":
            raise ValueError("agent.reindent=true needs agent.edit_format=lines (line edits); set one or the other")
        return self

    @property
    def numbered(self) -> bool:
        return self.edit_format == "lines" if self.line_numbers is None else self.line_numbers


class HFBackend(_Strict):
    kind: Literal["hf"] = "hf"
    device: str = Field("auto", description="auto | cpu | cuda | cuda:N")
    batch_size: int = Field(8, ge=1, description="episodes advanced together by one generate call")
    reuse_kv_cache: bool = True
    solo_prefill_over: int | None = Field(
        32,
        ge=1,
        description="a row with more new prompt tokens than this is encoded on its own before the "
        "batched generate, so no row pads its prefill to the longest (needs reuse_kv_cache); "
        "null = every row's new tokens go through the batched generate",
    )
    merge_adapter: bool = Field(
        False,
        description="fold model.adapter's LoRA weights into the base weights "
        "at load (faster; outputs equal up to fp32 rounding)",
    )
    max_new_tokens: int = Field(256, ge=1)
    scheduler: Literal["lockstep", "continuous"] = Field(
        "lockstep",
        description="lockstep: one batched generate per round, every row decoded until the "
        "longest turn ends; continuous: a finished turn leaves the batch and another episode's next turn "
        "joins at the next decode step (needs reuse_kv_cache)",
    )
    tool_wait_steps: int = Field(
        2,
        ge=1,
        description="continuous: a turn's tool result is awaited this many "
        "decode steps after the turn ended (a fixed point: runs stay reproducible)",
    )
    row_attention: bool = Field(
        True,
        description="continuous on CPU: a decode step's attention reads each row's "
        "own keys, one call per row (false: one call over every slot, padded to the "
        "longest row; on a GPU it always is)",
    )
    stop_at_tool_call: bool = Field(True, description="end a turn right after </tool_call> (one call per turn)")
    cache_dir: str = Field("data/cache/models", description="converted checkpoints (GGUF fallback, tiny models)")


class OpenAIBackend(_Strict):
    kind: Literal["openai"] = "openai"
    base_url: str | None = Field(None, description="e.g. https://api.together.xyz/v1 or http://localhost:8000/v1")
    base_url_env: str = "OPENAI_BASE_URL"
    api_key_env: str = Field("OPENAI_API_KEY", description="environment variable that holds the key")
    max_concurrency: int = Field(8, ge=1, description="requests in flight at once")
    batch_size: int = Field(8, ge=1, description="episodes advanced together")
    max_retries: int = Field(5, ge=0)
    backoff_s: float = Field(1.0, ge=0, description="first retry delay; doubles per attempt")
    timeout_s: float = Field(120.0, gt=0)
    max_new_tokens: int = Field(512, ge=1)
    native_tools: bool = Field(True, description="native function calling; false: the text protocol")
    stop_at_tool_call: bool = Field(
        True, description="text protocol only: send stop=[</tool_call>] (re-appended to the returned text)"
    )


class LlamaCppBackend(_Strict):
    kind: Literal["llamacpp"] = "llamacpp"
    server: str | None = Field(
        "data/cache/llama.cpp/build/bin/llama-server",
        description="a llama-server binary to start (`make llama-server` builds it here); null: use base_url's server",
    )
    base_url: str = Field("http://127.0.0.1:8080", description="the server, when server=null")
    gguf: str | None = Field(
        None,
        description="the GGUF to serve; null: the model (adapter merged) converted "
        "once with convert_script and cached under cache_dir",
    )
    convert_script: str | None = Field(
        "data/cache/llama.cpp/convert_hf_to_gguf.py",
        description="llama.cpp's convert_hf_to_gguf.py (needs sentencepiece; `make llama-server` sets both up)",
    )
    outtype: Literal["f32", "f16", "bf16", "q8_0"] = "f32"
    threads: int = Field(2, ge=1)
    batch_size: int = Field(8, ge=1, description="episodes in flight = the server's slots (--parallel)")
    scheduler: Literal["lockstep", "continuous"] = Field(
        "continuous", description="continuous: a turn is sent as soon as its episode's tool result is in"
    )
    tool_wait_steps: int = Field(1, ge=1, description="continuous: completions to wait before a tool result is awaited")
    max_new_tokens: int = Field(256, ge=1)
    stop_at_tool_call: bool = Field(True, description="end a turn right after </tool_call> (one call per turn)")
    timeout_s: float = Field(600.0, gt=0)
    startup_s: float = Field(180.0, gt=0, description="how long the started server may take to load")
    cache_dir: str = Field("data/cache/models", description="converted checkpoints; GGUFs under llamacpp/")


class VLLMBackend(_Strict):
    kind: Literal["vllm"] = "vllm"
    batch_size: int = Field(64, ge=1)
    tensor_parallel_size: int = Field(1, ge=1)
    gpu_memory_utilization: float = Field(0.85, gt=0, le=1)
    max_new_tokens: int = Field(512, ge=1)
    stop_at_tool_call: bool = Field(True, description="end a turn right after </tool_call> (one call per turn)")
    enable_prefix_caching: bool = True
    max_lora_rank: int | None = Field(
        None, ge=1, description="at least this LoRA rank (null: the adapter's own r, rounded up to one vLLM accepts)"
    )
    max_loras: int = Field(1, ge=1, description="adapters in one batch (each policy uses one)")
    cache_dir: str = Field("data/cache/models", description="converted checkpoints (GGUF fallback, tiny models)")


class OracleBackend(_Strict):
    kind: Literal["oracle"] = "oracle"
    batch_size: int = Field(8, ge=1)
    perturb_rate: float = Field(
        0.0,
        ge=0,
        le=1,
        description="share of episodes with one deliberate mistake and the recovery after it (recovery demonstrations)",
    )
    perturb_kinds: list[
        Literal[
            "malformed_call",
            "wrong_path",
            "stale_edit",
            "wrong_edit",
            "wrong_place",
            "bad_indent",
            "stuck",
            "stuck_repeat",
        ]
    ] = Field(
        default_factory=lambda: ["malformed_call", "wrong_path", "stale_edit", "wrong_edit", "stuck"],
        min_length=1,
        description="drawn uniformly per perturbed episode (repeat a kind to weight it)",
    )
    perturb_seed: int = 0
    explain_fix: bool = Field(
        True,
        description="name the changed code in the edit turn's text (off: the "
        "failure quote and the line only; small models copied the code into loops)",
    )
    narrate: bool = Field(
        True,
        description="a sentence or two before each call (off: the call alone; the "
        "`evidence` check then finds no quoted failure)",
    )
    quote_line: bool = Field(
        False,
        description="the edit turn's text copies the lines it replaces, as "
        "read_file shows them, so the edit is that quote with one change",
    )


BackendConfig = Annotated[
    HFBackend | OpenAIBackend | LlamaCppBackend | VLLMBackend | OracleBackend, Field(discriminator="kind")
]


class SamplingConfig(_Strict):
    temperature: float = Field(0.7, ge=0, description="0 = greedy (top_p and top_k then do nothing)")
    top_p: float = Field(1.0, gt=0, le=1)
    top_k: int = Field(0, ge=0, description="sample among the k likeliest tokens; 0 = off")

    @property
    def greedy(self) -> bool:
        return self.temperature == 0
