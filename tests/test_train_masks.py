"""Policy-token masks: SFT labels and the DPO log-ratio see only the policy's own tokens."""

import math

import pytest
import torch

CONVERSATION = [
    {"role": "system", "content": "You fix bugs."},
    {"role": "user", "content": "Fix add()."},
    {"role": "assistant", "content": "ACTION-ONE read the file"},
    {"role": "tool", "content": "OBSERVATION def add(a, b): return a - b"},
    {"role": "assistant", "content": "ACTION-TWO edit it"},
    {"role": "tool", "content": "OBSERVATION edited"},
]


@pytest.fixture(scope="module")
def tiny(repo):
    from omegaconf import OmegaConf
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from agentpref.models import ModelConfig, resolve_checkpoint

    model_cfg = ModelConfig(**OmegaConf.to_container(OmegaConf.load(repo / "conf/model/tiny_random.yaml")))
    path = resolve_checkpoint(model_cfg, repo / "data/cache/models")
    tok = AutoTokenizer.from_pretrained(path)
    return path, tok, AutoModelForCausalLM


def masked_text(tok, ids, mask):
    return tok.decode([i for i, m in zip(ids, mask) if m])


def test_sft_mask_covers_exactly_the_assistant_turns(tiny):
    from agentpref.training.tokenize import render, tokenize_sft

    _, tok, _ = tiny
    out = tokenize_sft(tok, CONVERSATION)
    assert out["input_ids"] == tok(render(tok, CONVERSATION), add_special_tokens=False)["input_ids"]
    assert (
        masked_text(tok, out["input_ids"], out["assistant_masks"])
        == "ACTION-ONE read the file<|im_end|>ACTION-TWO edit it<|im_end|>"
    )
    unmasked = tok.decode([i for i, m in zip(out["input_ids"], out["assistant_masks"]) if not m])
    assert "OBSERVATION" in unmasked and "Fix add()" in unmasked and "<|im_start|>assistant\n" in unmasked


def test_sft_labels_through_trl_are_minus_100_off_the_assistant_turns(tiny, tmp_path):
    """TRL's own label building from ``assistant_masks``: the labels the loss sees."""
    from datasets import Dataset
    from trl import SFTConfig

    from agentpref.training.tokenize import tokenize_sft
    from agentpref.training.trainers import AgentSFTTrainer

    path, tok, auto = tiny
    example = tokenize_sft(tok, CONVERSATION)
    args = SFTConfig(
        output_dir=str(tmp_path),
        report_to="none",
        use_cpu=True,
        bf16=False,
        activation_checkpointing=False,
        max_length=4096,
    )
    trainer = AgentSFTTrainer(
        model=auto.from_pretrained(path), args=args, train_dataset=Dataset.from_list([example]), processing_class=tok
    )
    row = trainer.train_dataset[0]
    trained = [label for label in row["labels"] if label != -100]
    assert tok.decode(trained) == "ACTION-ONE read the file<|im_end|>ACTION-TWO edit it<|im_end|>"
    assert all((label == -100) != bool(m) for label, m in zip(row["labels"], example["assistant_masks"]))


def test_template_that_rewrites_history_is_refused(tiny):
    from agentpref.errors import DataError
    from agentpref.training.tokenize import tokenize_sft

    _, tok, _ = tiny
    tok = tok.__class__.from_pretrained(tok.name_or_path)
    # A template that drops every assistant turn but the last (like templates that strip old reasoning).
    tok.chat_template = (
        "{% for m in messages %}{% if m.role != 'assistant' or loop.last %}"
        "<|im_start|>{{ m.role }}\n{{ m.content }}<|im_end|>\n{% endif %}{% endfor %}"
        "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
    )
    with pytest.raises(DataError, match="chat_template"):
        tokenize_sft(tok, CONVERSATION[:5])


def test_pair_masks_keep_tool_observations_out(tiny):
    from agentpref.training.tokenize import tokenize_pair

    _, tok, _ = tiny
    prompt, chosen = CONVERSATION[:2], CONVERSATION[2:5]
    rejected = [{"role": "assistant", "content": "GIVE-UP finish now"}]
    out = tokenize_pair(tok, prompt, chosen, rejected)
    assert tok.decode(out["prompt_ids"]).endswith("<|im_start|>assistant\n")
    assert (
        masked_text(tok, out["chosen_ids"], out["chosen_mask"])
        == "ACTION-ONE read the file<|im_end|>ACTION-TWO edit it<|im_end|>"
    )
    assert "OBSERVATION" in tok.decode(out["chosen_ids"])  # still context, just not trained
    assert masked_text(tok, out["rejected_ids"], out["rejected_mask"]) == "GIVE-UP finish now<|im_end|>"
    # A per-message mask from the data wins: train only the second assistant turn.
    out = tokenize_pair(tok, prompt, chosen, rejected, chosen_loss_mask=[False, False, True])
    assert masked_text(tok, out["chosen_ids"], out["chosen_mask"]) == "ACTION-TWO edit it<|im_end|>"


def sequence_logps(model, ids: list[int], trained: list[int]) -> float:
    """Sum of log p(token | prefix) over the trained positions, computed by hand."""
    with torch.no_grad():
        logits = model(torch.tensor([ids])).logits[0].float()
    logp = torch.log_softmax(logits[:-1], dim=-1)
    return sum(logp[t - 1, ids[t]].item() for t in range(1, len(ids)) if trained[t])


def test_masked_dpo_loss_matches_a_hand_computed_example(tiny, tmp_path):
    """TRL's DPO loss through ``PolicyMaskCollator`` equals -log sigmoid(beta * margin) with every
    log-prob summed by hand over the assistant tokens only; TRL's unmasked loss differs."""
    from datasets import Dataset
    from peft import LoraConfig
    from trl import DPOConfig

    from agentpref.training.tokenize import tokenize_pair
    from agentpref.training.trainers import AgentDPOTrainer, PolicyMaskCollator

    path, tok, auto = tiny
    torch.manual_seed(0)
    pair = tokenize_pair(tok, CONVERSATION[:2], CONVERSATION[2:5], [{"role": "assistant", "content": "GIVE-UP now"}])
    beta = 0.3
    args = DPOConfig(
        output_dir=str(tmp_path),
        report_to="none",
        use_cpu=True,
        bf16=False,
        beta=beta,
        activation_checkpointing=False,
        max_length=4096,
        precompute_ref_log_probs=False,
    )
    collator = PolicyMaskCollator(pad_token_id=tok.pad_token_id, max_length=4096)
    trainer = AgentDPOTrainer(
        model=auto.from_pretrained(path),
        args=args,
        train_dataset=Dataset.from_list([pair]),
        processing_class=tok,
        data_collator=collator,
        peft_config=LoraConfig(r=4, lora_alpha=8, target_modules="all-linear"),
    )
    model = trainer.model  # the reference is this model with its adapter disabled
    with torch.no_grad():  # LoRA B starts at zero (policy == reference); move it so the ratio is not 0
        for name, p in model.named_parameters():
            if "lora_B" in name:
                p.normal_(0, 0.5)
    model.eval()
    batch = collator([pair])
    with torch.no_grad():
        loss = trainer.compute_loss(trainer.model, batch).item()

    def logps(side: str, masked: bool) -> tuple[float, float]:
        ids = pair["prompt_ids"] + pair[f"{side}_ids"]
        if masked:
            trained = [0] * len(pair["prompt_ids"]) + pair[f"{side}_mask"]
        else:
            trained = [0] * len(pair["prompt_ids"]) + [1] * len(pair[f"{side}_ids"])
        policy = sequence_logps(model, ids, trained)
        with model.disable_adapter():
            reference = sequence_logps(model, ids, trained)
        return policy, reference

    (pc, rc), (pr, rr) = logps("chosen", True), logps("rejected", True)
    expected = -math.log(1 / (1 + math.exp(-beta * ((pc - rc) - (pr - rr)))))
    assert loss == pytest.approx(expected, rel=1e-4, abs=1e-5)

    (pc_all, rc_all), (pr_all, rr_all) = logps("chosen", False), logps("rejected", False)
    unmasked = -math.log(1 / (1 + math.exp(-beta * ((pc_all - rc_all) - (pr_all - rr_all)))))
    assert abs(unmasked - expected) > 1e-3  # the tool observation's tokens would have moved the loss
    trl_batch = dict(
        batch,
        completion_mask=torch.tensor(
            [
                [0] * len(pair["prompt_ids"])
                + [1] * len(pair["chosen_ids"])
                + [0] * (batch["input_ids"].shape[1] - len(pair["prompt_ids"]) - len(pair["chosen_ids"])),
                [0] * len(pair["prompt_ids"])
                + [1] * len(pair["rejected_ids"])
                + [0] * (batch["input_ids"].shape[1] - len(pair["prompt_ids"]) - len(pair["rejected_ids"])),
            ]
        ),
    )
    with torch.no_grad():
        assert trainer.compute_loss(trainer.model, trl_batch).item() == pytest.approx(unmasked, rel=1e-4, abs=1e-5)


def test_sft_loss_mask_leaves_perturbed_turns_out(tiny):
    """Recovery demonstrations: a per-message loss mask drops a turn from the labels."""
    from agentpref.errors import DataError
    from agentpref.training.tokenize import tokenize_sft

    _, tok, _ = tiny
    out = tokenize_sft(tok, CONVERSATION, loss_mask=[False, False, False, False, True, False])
    assert masked_text(tok, out["input_ids"], out["assistant_masks"]) == "ACTION-TWO edit it<|im_end|>"
    assert out["input_ids"] == tokenize_sft(tok, CONVERSATION)["input_ids"]
    with pytest.raises(DataError, match="loss_mask has 2 entries for 6 messages"):
        tokenize_sft(tok, CONVERSATION, loss_mask=[True, True])


def test_a_shared_opening_moves_into_the_prompt_and_truncation_is_counted(tiny):
    """Turns both sides share cancel in the DPO margin: they become prompt, the sequences stay
    the same, and truncation_check says which pairs max_length leaves without a difference."""
    from agentpref.training.tokenize import keeps_a_difference, tokenize_pair, truncation_check

    _, tok, _ = tiny
    prompt, chosen = CONVERSATION[:2], CONVERSATION[2:5]
    rejected = [*CONVERSATION[2:4], {"role": "assistant", "content": "GIVE-UP now"}]
    out = tokenize_pair(tok, prompt, chosen, rejected)
    assert "ACTION-ONE" in tok.decode(out["prompt_ids"]) and "OBSERVATION def add" in tok.decode(out["prompt_ids"])
    assert masked_text(tok, out["chosen_ids"], out["chosen_mask"]) == "ACTION-TWO edit it<|im_end|>"
    assert masked_text(tok, out["rejected_ids"], out["rejected_mask"]) == "GIVE-UP now<|im_end|>"
    whole = tokenize_pair(tok, prompt, chosen, [{"role": "assistant", "content": "GIVE-UP now"}])
    assert out["prompt_ids"] + out["chosen_ids"] == whole["prompt_ids"] + whole["chosen_ids"]
    n = len(out["prompt_ids"])
    assert truncation_check([out], None) == {"pairs": 1, "truncated": 0, "difference_lost": 0}
    assert truncation_check([out], n + 2) == {"pairs": 1, "truncated": 1, "difference_lost": 0}
    assert truncation_check([out], n) == {"pairs": 1, "truncated": 1, "difference_lost": 1}
    # the trainer drops exactly the pairs that lost their difference
    assert keeps_a_difference(out, n + 2) and not keeps_a_difference(out, n)
    rejected_first = {**out, "rejected_mask": [0, 0] + out["rejected_mask"][2:]}
    assert not keeps_a_difference(rejected_first, n + 2) and keeps_a_difference(rejected_first, n + 2, masked=False)
