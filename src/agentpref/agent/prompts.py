"""How a local model is prompted: where a text model sees the tool schemas, and the token ids of
a conversation (shared by the hf, vLLM and llama.cpp policies)."""

from __future__ import annotations

import re
from typing import Any

from agentpref.agent.episode import PromptMode


def template_uses_tools(template: str | None) -> bool:
    """Whether a Jinja chat template reads the ``tools`` variable."""
    if not template:
        return False
    try:
        import jinja2
        from jinja2 import meta

        return "tools" in meta.find_undeclared_variables(jinja2.Environment().parse(template))
    except Exception:  # custom tags ({% generation %}) the plain environment does not know
        return re.search(r"\btools\b", template) is not None


def text_prompt_mode(tools_in: str, template: str | None) -> PromptMode:
    """Where a text model sees the tool schemas: the chat template's ``tools=`` when asked for, or
    (``auto``) when the template reads them; otherwise rendered into the system prompt."""
    if tools_in == "template" or (tools_in == "auto" and template_uses_tools(template)):
        return "text_template"
    return "text_prompt"


def render_prompt_ids(tokenizer: Any, messages: list[dict[str, Any]], tools: list[dict] | None) -> list[int]:
    """The token ids a local model is prompted with: the chat template's text (``tools=`` only in
    ``text_template`` mode), tokenised without special tokens added (the template has them)."""
    text = tokenizer.apply_chat_template(
        messages, add_generation_prompt=True, tokenize=False, **({"tools": tools} if tools is not None else {})
    )
    return tokenizer(text, add_special_tokens=False)["input_ids"]
