"""One question at a time per key: concurrent callers share the first one's answer."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
A = TypeVar("A")


class InFlight(Generic[K, A]):
    """When a cached answer expires under load, 32 requests ask once, not 32 times; a waiter
    asks for itself when ``reask(answer, asked_with)`` says the shared answer is not its own."""

    def __init__(self) -> None:
        self._asked: dict[K, tuple[str, asyncio.Future[A]]] = {}

    def __contains__(self, key: K) -> bool:
        return key in self._asked

    async def ask(
        self,
        key: K,
        question: str,
        ask: Callable[[str], Awaitable[A]],
        reask: Callable[[A, str], bool],
    ) -> A:
        asked = self._asked.get(key)
        if asked is None:
            pending = asyncio.ensure_future(ask(question))
            self._asked[key] = (question, pending)
            pending.add_done_callback(lambda _: self._asked.pop(key, None))
            return await asyncio.shield(pending)
        answer = await asyncio.shield(asked[1])
        return await ask(question) if reask(answer, asked[0]) else answer
