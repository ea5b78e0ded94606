"""Which metrics a caller may report: the platform's own, or a user's in the ``custom.`` namespace.

Platform metrics (the contract's, plus any billing is configured to know ahead of the contract)
bill what the platform's services did, so only a service credential may report them. A user's
credential reports only metrics of its own namespace, ``custom.<name>``: they bill nothing until a
price book names them, and no name of that namespace is a platform metric.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mlp.billing.domain.usage import EventRejected

CUSTOM_PREFIX = "custom."
_CUSTOM = re.compile(r"^custom(\.[a-z0-9_]+)+$")
MAX_METRIC_LENGTH = 64


def is_custom(metric: str) -> bool:
    return metric.startswith(CUSTOM_PREFIX)


@dataclass(frozen=True, slots=True)
class MetricCatalogue:
    platform: frozenset[str]

    def __post_init__(self) -> None:
        if any(is_custom(m) for m in self.platform):
            raise ValueError(f"a platform metric never starts with {CUSTOM_PREFIX!r}")

    def priceable(self, metric: str) -> bool:
        """A price book may name a platform metric or any well-formed custom one."""
        return metric in self.platform or self.custom_name(metric)

    @staticmethod
    def custom_name(metric: str) -> bool:
        return len(metric) <= MAX_METRIC_LENGTH and _CUSTOM.match(metric) is not None

    def check(self, metric: object, by_service: bool) -> str:
        """``metric`` if this kind of caller may report it; else :class:`EventRejected` (422), or
        ``PermissionError`` (403) for a platform metric reported with a user's credential."""
        if not isinstance(metric, str):
            raise EventRejected("metric", "metric is a string")
        if by_service:
            if metric not in self.platform:
                raise EventRejected("metric", f"unknown metric {metric!r}")
            return metric
        if metric in self.platform:
            raise PermissionError(f"{metric} is a platform metric: only the platform's services report it")
        if not self.custom_name(metric):
            raise EventRejected("metric", f"a user's metric is named custom.<name> (a-z, 0-9, _), not {metric!r}")
        return metric
