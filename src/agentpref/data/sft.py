"""SFT examples: oracle demonstrations and rejection-sampled rollouts above a score threshold.

TRL conversational format: ``messages`` (system, user, then assistant turns with their tool /
protocol-error observations) plus ``metadata``. Only assistant turns are trained: the training
stage renders a chat template with generation markers (``assistant_only_loss``), so tool and user
messages stay context. The system message is re-rendered for the *target* model's prompt mode, so
demonstrations from an API policy (native calls) teach a local model the text protocol.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from agentpref.agent.config import AgentConfig
from agentpref.agent.episode import system_message
from agentpref.agent.protocol import tool_schemas
from agentpref.agent.record import RolloutRecord

TargetMode = Literal["text_prompt", "text_template"]


class SFTConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    enabled: bool = True
    min_score: float = Field(0.8, ge=0, le=1, description="rejection sampling: keep rollouts scoring at least this")
    require_resolved: bool = True
    include_privileged: bool = Field(True, description="oracle demonstrations (marked privileged in metadata)")
    allow_protocol_errors: bool = Field(False, description="keep rollouts with malformed turns (they teach errors)")
    include_recovery: bool = Field(
        True,
        description="recovery demonstrations: episodes with deliberate "
        "mistakes (perturbed turns, masked out of the loss) and the recovery "
        "after them, or a clean stop when stuck; kept when finished, whatever "
        "their score",
    )
    max_per_task: int = Field(4, ge=1)


def render_messages(record: RolloutRecord, agent: AgentConfig, mode: TargetMode) -> list[dict[str, Any]]:
    """The record's transcript with the system message of the target prompt mode."""
    messages = [dict(m) for m in record.messages]
    messages[0] = {"role": "system", "content": system_message(agent, mode)}
    return messages


def _unmasked_errors(record: RolloutRecord) -> int:
    """Protocol errors in turns that would be trained (perturbed turns are masked out)."""
    return sum(s.protocol_error is not None and not s.perturbed for s in record.steps)


def sft_loss_mask(record: RolloutRecord) -> list[bool]:
    """Per message: assistant turns are trained unless perturbed (system, user, tool: never)."""
    mask = [False] * (len(record.messages) - 2 * len(record.steps))
    for step in record.steps:
        mask += [not step.perturbed, False]
    return mask[: len(record.messages)]


def record_metadata(record: RolloutRecord) -> dict[str, Any]:
    return {
        "task_id": record.task_id,
        "task_source": record.task_source,
        "run_id": record.run_id,
        "sample_index": record.sample_index,
        "score": record.score,
        "resolved": record.final.resolved,
        "privileged": record.policy.privileged,
        "policy": f"{record.policy.backend}:{record.policy.model}",
        "steps": len(record.steps),
        "perturbed_steps": record.perturbed_steps,
    }


def build_sft(
    records: list[RolloutRecord], cfg: SFTConfig, agent: AgentConfig, mode: TargetMode = "text_prompt"
) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """(examples, counts of why records were dropped). Best-scoring rollouts first per task."""
    dropped: dict[str, int] = defaultdict(int)
    by_task: dict[str, list[RolloutRecord]] = defaultdict(list)
    for r in records:
        if r.score is None:
            dropped["unscored"] += 1
        elif r.policy.privileged and not cfg.include_privileged:
            dropped["privileged"] += 1
        elif r.perturbed_steps and not cfg.include_recovery:
            dropped["recovery"] += 1
        elif r.score < cfg.min_score and not r.perturbed_steps:
            dropped["below_min_score"] += 1
        elif r.perturbed_steps and r.end_reason != "finished":
            dropped["recovery_unfinished"] += 1
        elif cfg.require_resolved and not r.final.resolved and not r.perturbed_steps:
            dropped["unresolved"] += 1
        elif _unmasked_errors(r) and not cfg.allow_protocol_errors:
            dropped["protocol_errors"] += 1
        else:
            by_task[r.task_id].append(r)
    examples = []
    for task_id in sorted(by_task):
        ranked = sorted(by_task[task_id], key=lambda r: (-r.score, r.run_id, r.sample_index))
        dropped["over_max_per_task"] += max(0, len(ranked) - cfg.max_per_task)
        for r in ranked[: cfg.max_per_task]:
            example: dict[str, Any] = {
                "messages": render_messages(r, agent, mode),
                "metadata": record_metadata(r) | {"kind": "sft"},
            }
            if r.perturbed_steps:
                example["loss_mask"] = sft_loss_mask(r)
            if mode == "text_template":
                example["tools"] = tool_schemas(agent.edit_format)
            examples.append(example)
    return examples, dict(dropped)
