"""Whose token figures bill a call: a trusted provider's own, or the platform's count.

A deployment's upstream is whatever URL its user gave, often a server the user runs: the
``usage`` it reports is a number the user controls. So the platform counts the billed tokens
itself (``TokenCounter``, from the request and the answer) unless the upstream is a trusted
provider (``REGISTRY_TRUSTED_UPSTREAM_HOSTS``: host names the operator vouches for, such as
``api.openai.com``, reached over HTTPS; none by default) that reported its usage. Either way the
upstream's own figures are logged beside the billed ones. Counting happens in a thread when the
log is flushed, never on a request's path (a stream's text is only collected as it passes).
``predict`` (http-json) calls have no tokens to count: they are billed per call.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from urllib.parse import urlsplit

from mlp.registry.application.metering_ports import TokenCounter
from mlp.registry.application.token_texts import output_tokens, prompt_tokens
from mlp.registry.domain.inference import Endpoint, InferenceRecord

Tokens = tuple[int | None, int | None]
NOT_BILLED_BY_TOKENS: Tokens = (None, None)


@dataclass(frozen=True)
class ToCount:
    """What the platform counts for one call once it is logged: the request, and the JSON answer
    or the text a stream generated."""

    endpoint: Endpoint
    request: bytes
    answer: bytes = b""
    streamed: str | None = None

    @property
    def size(self) -> int:
        return len(self.request) + len(self.answer) + len(self.streamed or "")


class UpstreamTrust:
    def __init__(self, hosts: Iterable[str] = (), max_entries: int = 10_000) -> None:
        self._hosts = frozenset(host.strip().lower().rstrip(".") for host in hosts if host.strip())
        self._max_entries = max_entries
        self._seen: dict[str, bool] = {}

    def trusts(self, url: str) -> bool:
        known = self._seen.get(url)
        if known is None:
            parts = urlsplit(url)
            known = parts.scheme == "https" and (parts.hostname or "").rstrip(".") in self._hosts
            if len(self._seen) >= self._max_entries:
                self._seen.clear()
            self._seen[url] = known
        return known


class CallMeter:
    """Decides, as a call is logged, what bills it: (billed tokens, what is left to count)."""

    def __init__(self, trust: UpstreamTrust | None = None) -> None:
        self._trust = trust or UpstreamTrust()

    def billed(
        self, url: str, endpoint: Endpoint, reported: Tokens, request: bytes, answer: bytes, streamed: str | None
    ) -> tuple[Tokens, ToCount | None]:
        if endpoint == "predict":
            return NOT_BILLED_BY_TOKENS, None
        if reported[0] is not None and self._trust.trusts(url):
            return reported, None
        return NOT_BILLED_BY_TOKENS, ToCount(endpoint, request, answer, streamed)


class TokenMeter:
    """Fills in a logged call's billed tokens from the platform's count (CPU: run it in a thread)."""

    def __init__(self, counter: TokenCounter) -> None:
        self._count = counter.count

    def settle(self, record: InferenceRecord, pending: ToCount) -> InferenceRecord:
        endpoint = pending.endpoint
        prompt = prompt_tokens(endpoint, pending.request, self._count)
        if pending.streamed is not None:
            output = self._count(pending.streamed)
        else:
            output = output_tokens(endpoint, pending.answer, self._count)
        return replace(record, prompt_tokens=prompt, completion_tokens=output)
