"""An OpenAI eval run's ``data_source`` as our run's data and target.

``jsonl``: rows from a file (``source.type = file_id``: an uploaded JSONL file or one of my
datasets), outputs already in the rows (the judged column). ``completions``: the rows' prompts
(``input_messages`` template) sent to ``model``, one of my deployments.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from mlp.evaluation.domain.errors import InvalidInput
from mlp.evaluation.domain.openai_graders import bounded_text, ours
from mlp.evaluation.domain.runs import RunTarget


@dataclass(frozen=True)
class RunSource:
    data_id: uuid.UUID
    target: RunTarget


def _source_id(data_source: dict[str, Any]) -> uuid.UUID:
    source = data_source.get("source")
    if not isinstance(source, dict) or source.get("type") != "file_id":
        raise InvalidInput("supported: a source of type file_id", field="data_source.source.type")
    try:
        return uuid.UUID(str(source.get("id")))
    except ValueError as exc:
        raise InvalidInput("not a file or dataset id", field="data_source.source.id") from exc


def _messages(data_source: dict[str, Any]) -> tuple[str | None, str]:
    """(system prompt, user prompt template) from a ``template`` of input messages."""
    messages = data_source.get("input_messages")
    if not isinstance(messages, dict) or messages.get("type") != "template":
        raise InvalidInput("supported: input_messages of type template", field="data_source.input_messages.type")
    system: list[str] = []
    user: list[str] = []
    for i, message in enumerate(messages.get("template") or []):
        content = message.get("content") if isinstance(message, dict) else None
        if not isinstance(content, str):
            raise InvalidInput("only text content is supported", field=f"data_source.input_messages.template[{i}]")
        (system if message.get("role") in ("system", "developer") else user).append(content)
    if not user:
        raise InvalidInput("needs at least one user message", field="data_source.input_messages.template")
    field = "data_source.input_messages.template"
    joined_system = "\n\n".join(system)
    system_prompt = ours(bounded_text(joined_system, field)) if joined_system else None
    return system_prompt, ours(bounded_text("\n\n".join(user), field))


def run_source(data_source: Any, judged: str) -> RunSource:
    """``judged``: what the eval's graders judge (``sample.output_text`` or an item field)."""
    if not isinstance(data_source, dict) or data_source.get("type") not in ("jsonl", "completions"):
        raise InvalidInput("supported: jsonl or completions", field="data_source.type")
    data_id = _source_id(data_source)
    if data_source["type"] == "jsonl":
        return RunSource(data_id, RunTarget("predictions", predictions_column=judged))
    model = data_source.get("model")
    if not isinstance(model, str) or not model:
        raise InvalidInput("required: one of your deployments", field="data_source.model")
    system, prompt = _messages(data_source)
    sampling = data_source.get("sampling_params") or {}
    max_tokens, temperature = sampling.get("max_completion_tokens"), sampling.get("temperature")
    if max_tokens is not None and (not isinstance(max_tokens, int) or not 1 <= max_tokens <= 131_072):
        raise InvalidInput("must be between 1 and 131072", field="data_source.sampling_params.max_completion_tokens")
    if temperature is not None and (not isinstance(temperature, int | float) or not 0 <= temperature <= 2):
        raise InvalidInput("must be between 0 and 2", field="data_source.sampling_params.temperature")
    target = RunTarget("deployment", model, prompt, system, None, max_tokens, temperature)
    return RunSource(data_id, target)
