"""One episode: the transcript, the step loop's bookkeeping, and the final grading.

Policies never touch the workspace: they return ``PolicyOutput``s; ``Episode.apply`` parses the
turn (text protocol or native call), runs the tool, appends the observation and records the step.
"""

from __future__ import annotations

import hashlib
import json
import time
from typing import Any, Literal

from pydantic import BaseModel, Field

from agentpref.agent.config import AgentConfig
from agentpref.agent.protocol import (
    EDIT_TOOLS,
    Action,
    ProtocolError,
    parse_native_call,
    parse_text_turn,
    protocol_error_observation,
    tool_schemas,
    tool_signatures,
)
from agentpref.agent.record import (
    Cost,
    EndReason,
    FinalState,
    PolicyInfo,
    RolloutRecord,
    StepRecord,
)
from agentpref.agent.tools import TestSummary, Workspace
from agentpref.models import Prices

PromptMode = Literal["text_prompt", "text_template", "native"]


class NativeCall(BaseModel):
    name: str
    arguments: str  # JSON text, as the API returns it
    call_id: str | None = None


class PolicyOutput(BaseModel):
    """One generated turn. ``native_calls`` is None for text models, a list for API models."""

    text: str = ""
    native_calls: list[NativeCall] | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0
    latency_s: float = 0.0
    error: str | None = Field(None, description="the policy failed (API error after retries)")
    perturbed: bool = Field(False, description="a deliberate mistake (the oracle's recovery demonstrations)")


def system_message(agent: AgentConfig, mode: PromptMode) -> str:
    if mode != "text_prompt":
        return agent.system_prompt.strip()
    if agent.tool_spec == "signatures":
        tools = "\n".join(tool_signatures(agent.edit_format))
    else:
        tools = "\n".join(json.dumps(t["function"], ensure_ascii=False) for t in tool_schemas(agent.edit_format))
    return agent.system_prompt.strip() + "\n\n" + agent.text_protocol.strip().replace("{tools}", tools)


def task_message(agent: AgentConfig, workspace: Workspace) -> str:
    task = workspace.task
    bug = task.metadata.get("bug_description") if agent.show_bug_report else None
    files = workspace.tool_list_files(".").text
    return (
        agent.task_prompt.strip()
        .format(
            description=task.description.strip() or "(no description)",
            bug_report=f"Reported problem: {bug}" if bug else "",
            editable=", ".join(task.editable),
            test_command=task.test_command,
            files=files,
        )
        .replace("\n\n\n", "\n\n")
    )


def prompt_hash(system: str, chat_template: str | None, edit_format: str = "json", line_numbers: bool = False) -> str:
    """What a transcript's tokens depend on besides the task: rollouts of different framings, edit
    formats or read_file layouts never share a run dir."""
    blob = json.dumps([system, tool_schemas(edit_format), chat_template], sort_keys=True)
    if (edit_format, line_numbers) != ("json", False):  # the default keeps its earlier hashes
        blob += f"{edit_format}:{line_numbers}"
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def native_raw_text(
    text: str, calls: list[NativeCall], parsed: Action | ProtocolError, edit_format: str = "json"
) -> str:
    """A native turn written in the text protocol, so every transcript reads the same."""
    prose = text.strip() + "\n" if text.strip() else ""
    if isinstance(parsed, Action):
        return prose + parsed.render(edit_format)
    return prose + "".join(
        f'<tool_call>{{"name": {json.dumps(c.name)}, "arguments": {c.arguments or "{}"}}}</tool_call>' for c in calls
    )


class Episode:
    """State of one (task, sample) episode while it runs."""

    def __init__(self, workspace: Workspace, *, sample_index: int, seed: int, agent: AgentConfig, mode: PromptMode):
        self.workspace, self.task = workspace, workspace.task
        self.sample_index, self.seed, self.agent, self.mode = sample_index, seed, agent, mode
        self.system = system_message(agent, mode)
        self.messages: list[dict[str, Any]] = [
            {"role": "system", "content": self.system},
            {"role": "user", "content": task_message(agent, workspace)},
        ]
        self.steps: list[StepRecord] = []
        self.end_reason: EndReason | None = None
        self.policy_error: str | None = None
        self.policy_state: dict[str, Any] = {}  # per-episode scratch of the policy (KV cache, ...)
        workspace.line_numbers, workspace.failures_shown = agent.numbered, agent.failures_shown
        workspace.reindent = agent.reindent
        self.started = time.perf_counter()

    @property
    def example_path(self) -> str:
        """A file of this workspace for the example call of a protocol-error observation."""
        return sorted(self.task.editable)[0] if self.task.editable else "."

    @property
    def key(self) -> tuple[str, int]:
        return (self.task.id, self.sample_index)

    @property
    def done(self) -> bool:
        return self.end_reason is not None

    def end(self, reason: EndReason) -> None:
        if self.end_reason is None:
            self.end_reason = reason

    def apply(self, out: PolicyOutput) -> StepRecord | None:
        """Parse and execute one turn; ends the episode on finish, a policy error or max steps."""
        if out.error is not None:
            self.end("policy_error")
            self.policy_error = out.error
            return None
        parsed: Action | ProtocolError
        if out.native_calls is None:
            raw = out.text
            parsed = parse_text_turn(raw, self.agent.edit_format)
        else:
            if len(out.native_calls) == 1:
                c = out.native_calls[0]
                parsed = parse_native_call(c.name, c.arguments, c.call_id, self.agent.edit_format)
            elif not out.native_calls:
                parsed = ProtocolError(kind="no_tool_call", message="the reply called no tool")
            else:
                parsed = ProtocolError(
                    kind="multiple_tool_calls",
                    message=f"{len(out.native_calls)} tool "
                    "calls in one turn; make one call, read its result, then the next",
                )
            raw = native_raw_text(out.text, out.native_calls, parsed, self.agent.edit_format)
        step = StepRecord(
            index=len(self.steps),
            raw_text=raw,
            observation="",
            prompt_tokens=out.prompt_tokens,
            completion_tokens=out.completion_tokens,
            latency_s=round(out.latency_s, 4),
            perturbed=out.perturbed,
        )
        self.messages.append({"role": "assistant", "content": raw})
        if isinstance(parsed, ProtocolError):
            step.protocol_error = parsed
            step.observation = protocol_error_observation(parsed, self.example_path)
            self.messages.append({"role": "user", "content": step.observation})
        else:
            step.action = parsed
            is_edit = parsed.name in EDIT_TOOLS
            before = self.workspace.editable_text(parsed.arguments.get("path")) if is_edit else None
            obs = self.workspace.execute(parsed)
            step.observation, step.tool_ok, step.tool_error = obs.text, obs.ok, obs.error
            step.tests, step.tool_latency_s = obs.tests, obs.latency_s
            if obs.ok and is_edit:
                step.edited = self.workspace.resolve(parsed.arguments["path"])[0]
                step.localized = self.workspace.edit_localized(step.edited, before[1] if before else "")
            self.messages.append({"role": "tool", "content": obs.text})
            if obs.done:
                self.end("finished")
        self.steps.append(step)
        if not self.done and len(self.steps) >= self.agent.max_steps:
            self.end("max_steps")
        return step

    @property
    def cost_tokens(self) -> tuple[int, int]:
        return (sum(s.prompt_tokens for s in self.steps), sum(s.completion_tokens for s in self.steps))

    def grade(self) -> FinalState:
        """Run visible and hidden tests on the final workspace (hidden only for grading)."""
        ws, task = self.workspace, self.task
        visible = TestSummary.of(ws.run_tests(task.visible_tests))
        hidden = None
        if task.hidden_test_targets:
            hidden = TestSummary.of(ws.run_tests(task.hidden_test_targets, hidden=True))
        resolved = visible.all_passed and (hidden is None or hidden.all_passed)
        return FinalState(
            diff=ws.diff(), files_touched=list(ws.touched), visible=visible, hidden=hidden, resolved=resolved
        )

    def to_record(
        self, *, run_id: str, policy: PolicyInfo, prompt_hash: str, prices: Prices, final: FinalState
    ) -> RolloutRecord:
        prompt_tokens, completion_tokens = self.cost_tokens
        return RolloutRecord(
            run_id=run_id,
            task_id=self.task.id,
            task_source=self.task.source,
            task_program=self.task.program,
            split=self.task.split,
            sample_index=self.sample_index,
            seed=self.seed,
            policy=policy,
            task_editable=list(self.task.editable),
            reference_diff_lines=self.workspace.reference_diff_lines(),
            prompt_hash=prompt_hash,
            messages=self.messages,
            steps=self.steps,
            end_reason=self.end_reason or "max_steps",
            final=final,
            cost=Cost(
                prompt_tokens=prompt_tokens,
                completion_tokens=completion_tokens,
                usd=round(prices.usd(prompt_tokens, completion_tokens), 8),
            ),
            duration_s=round(time.perf_counter() - self.started, 3),
        )
