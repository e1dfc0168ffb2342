"""Token masks for agent transcripts: which tokens are the policy's own.

An agent transcript interleaves assistant turns with tool observations and protocol-error notes.
Only the assistant turns were produced by the policy, so only they may carry SFT labels or enter
the DPO log-ratio. Chat templates of the models used here (SmolLM2, Qwen) have no
``{% generation %}`` markers, so the masks are derived from the template itself: each trained
message's characters lie between the rendering of the conversation before it (with the generation
prompt, which the policy never writes) and the rendering up to it, cut after its end-of-turn token.
Tokens are assigned to messages by their character offsets in the single rendering of the whole
conversation, so BPE merges across boundaries cannot shift a mask. A template that re-renders
earlier turns (e.g. one that strips old reasoning) is refused with a one-line error.
"""

from __future__ import annotations

from typing import Any

from agentpref.errors import DataError


def render(
    tokenizer: Any, messages: list[dict[str, Any]], tools: list[dict] | None = None, *, generation_prompt: bool = False
) -> str:
    return tokenizer.apply_chat_template(messages, tools=tools, tokenize=False, add_generation_prompt=generation_prompt)


def policy_spans(
    tokenizer: Any, messages: list[dict[str, Any]], trained: list[bool], tools: list[dict] | None = None
) -> tuple[str, list[tuple[int, int]]]:
    """(the rendered conversation, character spans of the trained messages' own text)."""
    if len(trained) != len(messages):
        raise DataError(f"loss mask has {len(trained)} entries for {len(messages)} messages")
    full = render(tokenizer, messages, tools)
    eos = tokenizer.eos_token or ""
    spans = []
    for k, flag in enumerate(trained):
        if not flag:
            continue
        before = render(tokenizer, messages[:k], tools, generation_prompt=True) if k else ""
        upto = render(tokenizer, messages[: k + 1], tools)
        if not (upto.startswith(before) and full.startswith(upto)):
            raise DataError(
                f"the chat template does not render message {k} ({messages[k]['role']}) as a prefix of the "
                "whole conversation, so its tokens cannot be located; set model.chat_template to a "
                "template that renders earlier turns unchanged"
            )
        start, end = len(before), len(upto)
        cut = full.rfind(eos, start, end) if eos else -1
        spans.append((start, cut + len(eos) if cut >= 0 else end))
    return full, spans


def token_mask(offsets: list[tuple[int, int]], spans: list[tuple[int, int]]) -> list[int]:
    """1 for tokens that start inside a span (spans sorted, non-overlapping)."""
    mask, j = [], 0
    for start, end in offsets:
        while j < len(spans) and start >= spans[j][1]:
            j += 1
        inside = j < len(spans) and spans[j][0] <= start < spans[j][1] and end > start
        mask.append(int(inside))
    return mask


def encode(tokenizer: Any, text: str) -> tuple[list[int], list[tuple[int, int]]]:
    enc = tokenizer(text, add_special_tokens=False, return_offsets_mapping=True)
    return list(enc["input_ids"]), [tuple(o) for o in enc["offset_mapping"]]


def tokenize_sft(
    tokenizer: Any, messages: list[dict[str, Any]], tools: list[dict] | None = None, loss_mask: list[bool] | None = None
) -> dict[str, list[int]]:
    """``input_ids`` + ``assistant_masks`` (TRL's own column: labels are -100 where it is 0).
    ``loss_mask``: per message, which assistant turns are trained (perturbed turns of recovery
    demonstrations are not); None = every assistant turn."""
    trained = [m["role"] == "assistant" for m in messages]
    if loss_mask is not None:
        if len(loss_mask) != len(messages):
            raise DataError(f"loss_mask has {len(loss_mask)} entries for {len(messages)} messages")
        trained = [t and bool(k) for t, k in zip(trained, loss_mask, strict=True)]
    text, spans = policy_spans(tokenizer, messages, trained, tools)
    ids, offsets = encode(tokenizer, text)
    mask = token_mask(offsets, spans)
    if not any(mask):
        raise DataError("an SFT example has no assistant tokens; rebuild the data with build_data.py")
    return {"input_ids": ids, "assistant_masks": mask}


def tokenize_pair(
    tokenizer: Any,
    prompt: list[dict[str, Any]],
    chosen: list[dict[str, Any]],
    rejected: list[dict[str, Any]],
    chosen_loss_mask: list[bool] | None = None,
    rejected_loss_mask: list[bool] | None = None,
    tools: list[dict] | None = None,
) -> dict[str, list[int]]:
    """TRL's pre-tokenized preference columns plus per-token policy masks of each completion.

    ``prompt_ids`` end with the generation prompt; ``chosen_ids``/``rejected_ids`` are everything
    after it; ``chosen_mask``/``rejected_mask`` are 1 on the policy's own tokens (assistant turns
    unless the pair's per-message loss masks say otherwise) and 0 on tool observations.
    """
    prompt_text = render(tokenizer, prompt, tools, generation_prompt=True)
    out: dict[str, list[int]] = {}
    prompts = []
    for name, completion, per_message in (
        ("chosen", chosen, chosen_loss_mask),
        ("rejected", rejected, rejected_loss_mask),
    ):
        if per_message is None:
            per_message = [m["role"] == "assistant" for m in completion]
        text, spans = policy_spans(tokenizer, prompt + completion, [False] * len(prompt) + list(per_message), tools)
        if not text.startswith(prompt_text):
            raise DataError(
                "the chat template renders the prompt differently inside the conversation; "
                "set model.chat_template to one that renders earlier turns unchanged"
            )
        ids, offsets = encode(tokenizer, text)
        mask = token_mask(offsets, spans)
        cut = sum(1 for _, end in offsets if end <= len(prompt_text))
        prompts.append(ids[:cut])
        out[f"{name}_ids"], out[f"{name}_mask"] = ids[cut:], mask[cut:]
        if not any(out[f"{name}_mask"]):
            raise DataError(f"a preference pair's {name} side has no policy tokens; rebuild it with build_data.py")
    if prompts[0] != prompts[1]:  # a token merged across the prompt boundary on one side only
        n = next(i for i, (a, b) in enumerate(zip(prompts[0] + [None], prompts[1] + [None])) if a != b)
        for side, p in zip(("chosen", "rejected"), prompts):
            out[f"{side}_ids"] = p[n:] + out[f"{side}_ids"]
            out[f"{side}_mask"] = [0] * (len(p) - n) + out[f"{side}_mask"]
        prompts[0] = prompts[0][:n]
    # Turns both sides share (a trajectory pair's common opening) add the same log-ratio to both
    # sides, so they cancel in the DPO margin: moved into the prompt, they stop taking
    # max_length from the turns that differ. Each side keeps at least one token.
    c, r = out["chosen_ids"], out["rejected_ids"]
    shared = next((i for i, (a, b) in enumerate(zip(c, r)) if a != b), min(len(c), len(r)))
    shared = min(shared, len(c) - 1, len(r) - 1)
    if shared > 0:
        prompts[0] = prompts[0] + c[:shared]
        for side in ("chosen", "rejected"):
            out[f"{side}_ids"] = out[f"{side}_ids"][shared:]
            out[f"{side}_mask"] = out[f"{side}_mask"][shared:]
    out["prompt_ids"] = prompts[0]
    return out


def keeps_a_difference(row: dict[str, Any], max_length: int, masked: bool = True) -> bool:
    """Does a tokenized pair keep a trained token on both sides once cut to ``max_length``
    (keep_start)? Without masking, any completion token counts."""
    room = max_length - len(row["prompt_ids"])
    if room <= 0:
        return False
    if not masked:
        return True
    return any(row["chosen_mask"][:room]) and any(row["rejected_mask"][:room])


def truncation_check(rows: list[dict[str, list[int]]], max_length: int | None, masked: bool = True) -> dict[str, int]:
    """How many tokenized pairs TRL cuts at ``max_length`` (keep_start), and how many of them keep
    no trained token on one side (``keeps_a_difference``): the trainer drops those."""
    counts = {"pairs": len(rows), "truncated": 0, "difference_lost": 0}
    if max_length is None:
        return counts
    for row in rows:
        room = max_length - len(row["prompt_ids"])
        if room < max(len(row["chosen_ids"]), len(row["rejected_ids"])):
            counts["truncated"] += 1
        if not keeps_a_difference(row, max_length, masked):
            counts["difference_lost"] += 1
    return counts
