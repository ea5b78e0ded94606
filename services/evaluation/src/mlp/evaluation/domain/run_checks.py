"""What a run asks of its dataset before it starts: the columns its templates name must exist."""

from __future__ import annotations

from mlp.evaluation.domain.criteria import CriterionSnapshot
from mlp.evaluation.domain.criterion_configs import config_columns
from mlp.evaluation.domain.errors import InvalidInput
from mlp.evaluation.domain.runs import RunTarget
from mlp.evaluation.domain.templates import placeholders


def check_target(target: RunTarget) -> None:
    if target.source == "deployment":
        if not target.deployment:
            raise InvalidInput("a deployment run names its deployment", field="deployment")
        if not target.prompt_template:
            raise InvalidInput("a deployment run needs a prompt template", field="prompt_template")
    elif not target.predictions_column:
        raise InvalidInput("a predictions run names its predictions column", field="predictions_column")


def missing_columns(
    target: RunTarget, criteria: tuple[CriterionSnapshot, ...], columns: set[str]
) -> list[tuple[str, str]]:
    """(field at fault, column) for every column named but absent, in a stable order."""
    wanted: list[tuple[str, str]] = []
    if target.prompt_template:
        wanted += [("prompt_template", name) for name in sorted(placeholders(target.prompt_template))]
    if target.system_prompt:
        wanted += [("system_prompt", name) for name in sorted(placeholders(target.system_prompt))]
    if target.predictions_column:
        wanted.append(("predictions_column", target.predictions_column))
    for index, criterion in enumerate(criteria):
        config = criterion.parsed()
        wanted += [(f"criteria[{index}].config", name) for name in sorted(config_columns(config))]
    return [(field, name) for field, name in wanted if name not in columns]
