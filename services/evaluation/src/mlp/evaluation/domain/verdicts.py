"""What a criterion says of one row's output."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Verdict:
    passed: bool
    score: float | None = None
    """In [0, 1] for similarity; the judge's score or 1/0 for a label; None where meaningless."""
    label: str | None = None
    error: str | None = None
    """Why the criterion could not judge (a regex timeout, a judge failure); then ``passed`` is False."""
    judge_tokens: int = 0

    @classmethod
    def failed(cls, error: str, judge_tokens: int = 0) -> Verdict:
        return cls(passed=False, error=error, judge_tokens=judge_tokens)

    @classmethod
    def of(cls, passed: bool, score: float | None = None) -> Verdict:
        return cls(passed=passed, score=score if score is not None else (1.0 if passed else 0.0))
