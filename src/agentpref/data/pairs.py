"""Trajectory-level preference pairs: rollouts of one task from one policy, ranked by score.

Per task and policy, the top-k rollouts are paired with the bottom-k when their score margin is
at least ``min_margin`` (ties never pair). Format: TRL's conversational preference format,
``prompt`` = system + task message, ``chosen`` / ``rejected`` = the rest of each transcript.
Those continuations interleave assistant turns with environment messages (tool results,
protocol-error notes): ``chosen_loss_mask`` / ``rejected_loss_mask`` mark per message which are
the policy's own tokens, so the trainer keeps environment tokens out of the DPO log-ratio; the
chosen side's malformed turns are left out too (a better episode may still contain one). Turns
both sides share are moved into the prompt at tokenization (``tokenize_pair``).
"""

from __future__ import annotations

from collections import defaultdict
from itertools import product
from typing import Any, get_args

from pydantic import BaseModel, ConfigDict, Field, field_validator

from agentpref.agent.config import AgentConfig
from agentpref.agent.record import RolloutRecord
from agentpref.data.sft import TargetMode, render_messages
from agentpref.data.step_pairs import ActionKind, action_kind

DECISION_SIDES = ("*", *get_args(ActionKind), "end")


class TrajectoryPairsConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    enabled: bool = True
    top_k: int = Field(2, ge=1)
    bottom_k: int = Field(2, ge=1)
    min_margin: float = Field(0.2, gt=0, le=1)
    mask_chosen_errors: bool = Field(True, description="leave the chosen side's protocol-error turns out of the loss")
    turns_after_divergence: int | None = Field(
        None,
        ge=1,
        description="keep each side up to its N-th assistant turn from the first message where the two differ "
        "(the rest of the episode out of the pair); None: whole episodes",
    )
    skip_decisions: list[str] = Field(
        default_factory=list,
        description="pairs whose sides part on these decisions are left out: 'chosen_over_rejected' action kinds "
        "at the first differing turn (edit, explore, test, finish, protocol_error, * for any), e.g. '*_over_finish'",
    )

    @field_validator("skip_decisions")
    @classmethod
    def _known_kinds(cls, value: list[str]) -> list[str]:
        for entry in value:
            sides = entry.split("_over_")
            if len(sides) != 2 or not set(sides) <= set(DECISION_SIDES):
                raise ValueError(
                    f"{entry!r}: write 'chosen_over_rejected' with each side one of {', '.join(DECISION_SIDES)}"
                )
        return value

    def skips(self, decision: str) -> bool:
        chosen, rejected = decision.split("_over_")
        return any(
            a in ("*", chosen) and b in ("*", rejected)
            for a, b in (entry.split("_over_") for entry in self.skip_decisions)
        )


def policy_key(record: RolloutRecord) -> str:
    p = record.policy
    return f"{p.backend}:{p.model}:{p.adapter}:{sorted(p.sampling.items())}"


def loss_mask(record: RolloutRecord, skip_errors: bool) -> list[bool]:
    """Per message after the prompt: the policy's turns, without its protocol-error turns when
    ``skip_errors`` (the chosen side: DPO must not raise the likelihood of a malformed call)."""
    mask = [m["role"] == "assistant" for m in record.messages[2:]]
    if skip_errors:
        turns = [i for i, m in enumerate(record.messages[2:]) if m["role"] == "assistant"]
        for i, step in zip(turns, record.steps):
            mask[i] = mask[i] and step.protocol_error is None
    return mask


def decision(good: RolloutRecord, bad: RolloutRecord) -> str:
    """``chosen_over_rejected`` action kinds at the first assistant turn where the two episodes
    differ (``edit_over_finish``: the rejected side gave up where the chosen one edited; ``end``: that side had
    stopped)."""
    for i in range(max(len(good.steps), len(bad.steps))):
        a, b = (r.steps[i] if i < len(r.steps) else None for r in (good, bad))
        if a is None or b is None or a.raw_text != b.raw_text:
            return f"{action_kind(a) if a else 'end'}_over_{action_kind(b) if b else 'end'}"
    return "same_over_same"


def divergence_cut(
    chosen: list[dict[str, Any]],
    rejected: list[dict[str, Any]],
    turns: int,
    masks: tuple[list[bool], list[bool]] | None = None,
) -> tuple[int, int, int]:
    """(first differing message, messages kept of chosen, of rejected): each side up to its
    ``turns``-th trained assistant turn (``masks``: the sides' loss masks; default every assistant
    turn) from the first message where the sides differ. Long episodes otherwise lose their
    differing turns to ``dpo.max_length``, or keep only their openings."""
    same = [(a["role"], a.get("content")) == (b["role"], b.get("content")) for a, b in zip(chosen, rejected)]
    first = same.index(False) if False in same else len(same)
    masks = masks or ([m["role"] == "assistant" for m in chosen], [m["role"] == "assistant" for m in rejected])

    def end(side: list[dict[str, Any]], mask: list[bool]) -> int:
        later = [k for k in range(first, len(side)) if side[k]["role"] == "assistant" and mask[k]]
        return later[turns - 1] + 1 if len(later) >= turns else len(side)

    return first, end(chosen, masks[0]), end(rejected, masks[1])


def build_trajectory_pairs(
    records: list[RolloutRecord], cfg: TrajectoryPairsConfig, agent: AgentConfig, mode: TargetMode = "text_prompt"
) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """(pairs, counts): privileged rollouts never pair (they are not the policy's own samples)."""
    counts: dict[str, int] = defaultdict(int)
    groups: dict[tuple[str, str], list[RolloutRecord]] = defaultdict(list)
    for r in records:
        if r.policy.privileged:
            counts["privileged_skipped"] += 1
        elif r.score is None:
            counts["unscored"] += 1
        else:
            groups[(r.task_id, policy_key(r))].append(r)
    pairs = []
    for (task_id, _), group in sorted(groups.items()):
        if len(group) < 2:
            counts["groups_with_one_rollout"] += 1
            continue
        ranked = sorted(group, key=lambda r: (-r.score, r.sample_index))
        top, bottom = ranked[: cfg.top_k], ranked[::-1][: cfg.bottom_k]
        made = 0
        for good, bad in product(top, bottom):
            margin = good.score - bad.score
            if good is bad or margin < cfg.min_margin:
                counts["below_margin_or_tie"] += good is not bad
                continue
            parting = decision(good, bad)
            if cfg.skips(parting):
                counts["skipped_decision"] += 1
                continue
            prompt = render_messages(good, agent, mode)[:2]
            chosen, rejected = good.messages[2:], bad.messages[2:]
            chosen_mask, rejected_mask = loss_mask(good, cfg.mask_chosen_errors), loss_mask(bad, False)
            cut = {}
            if cfg.turns_after_divergence:
                first, keep_chosen, keep_rejected = divergence_cut(
                    chosen, rejected, cfg.turns_after_divergence, (chosen_mask, rejected_mask)
                )
                if not any(chosen_mask[first:]) or not any(rejected_mask[first:]):
                    counts["no_trained_turn_after_divergence"] += 1  # e.g. the chosen side's later turns all malformed
                    continue
                chosen, chosen_mask = chosen[:keep_chosen], chosen_mask[:keep_chosen]
                rejected, rejected_mask = rejected[:keep_rejected], rejected_mask[:keep_rejected]
                cut = {"divergence_message": first, "turns_after_divergence": cfg.turns_after_divergence}
            pairs.append(
                {
                    "prompt": prompt,
                    "chosen": chosen,
                    "rejected": rejected,
                    "chosen_loss_mask": chosen_mask,
                    "rejected_loss_mask": rejected_mask,
                    "metadata": cut
                    | {
                        "pair_kind": "trajectory",
                        "decision": parting,
                        "task_id": task_id,
                        "policy": policy_key(good),
                        "chosen_sample": good.sample_index,
                        "rejected_sample": bad.sample_index,
                        "chosen_run": good.run_id,
                        "rejected_run": bad.run_id,
                        "chosen_score": good.score,
                        "rejected_score": bad.score,
                        "margin": round(margin, 6),
                        "chosen_resolved": good.final.resolved,
                        "rejected_resolved": bad.final.resolved,
                    },
                }
            )
            made += 1
            counts[f"decision/{parting}"] += 1
        counts["tasks_with_pairs"] += made > 0
    return pairs, dict(counts)


FINISH_AT_ONCE = '<tool_call>{"name": "finish", "arguments": {"summary": "done"}}</tool_call>'


def finish_at_once_pairs(sft_rows: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(trajectory pairs, step pairs) for exercising DPO where a policy's own rollouts give none
    (an oracle or a random model): each demonstration (chosen) against finishing at once without a
    look (rejected), and its first turn against the same finish. Machinery checks, not training data."""
    finish = {"role": "assistant", "content": FINISH_AT_ONCE}
    trajectory, step = [], []
    for row in sft_rows:
        prompt, chosen = row["messages"][:2], row["messages"][2:]
        trajectory.append(
            {
                "prompt": prompt,
                "chosen": chosen,
                "rejected": [finish],
                "chosen_loss_mask": [m["role"] == "assistant" for m in chosen],
                "rejected_loss_mask": [True],
                "metadata": {"pair_kind": "trajectory"},
            }
        )
        step.append(
            {
                "prompt": prompt,
                "chosen": chosen[:1],
                "rejected": [finish],
                "metadata": {"pair_kind": "step", "state": "before_first_edit"},
            }
        )
    return trajectory, step
