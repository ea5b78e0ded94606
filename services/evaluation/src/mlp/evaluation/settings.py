"""evaluation's settings, read from ``EVALUATION_*`` (then unprefixed) environment variables."""

from __future__ import annotations

from mlp.common.runtime.settings import ServiceSettings, load_settings


class EvaluationSettings(ServiceSettings, frozen=True, kw_only=True):
    port: int = 8003


def evaluation_settings() -> EvaluationSettings:
    return load_settings(EvaluationSettings, "evaluation")
