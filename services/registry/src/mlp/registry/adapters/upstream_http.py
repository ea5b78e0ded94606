"""Calls to model servers over HTTP: one pooled ``httpx.AsyncClient`` per upstream origin, bodies as bytes.

Errors carry no URL or credential (they reach callers); the upstream's own answers, errors
included, are passed back untouched for the API to map.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from urllib.parse import urlsplit

import httpx

from mlp.registry.application.serving_ports import UpstreamReply, UpstreamTarget
from mlp.registry.application.upstream_errors import UpstreamTimeout, UpstreamUnavailable

JSON = "application/json"


def _timeout(target: UpstreamTarget) -> httpx.Timeout:
    return httpx.Timeout(target.timeouts.read_seconds, connect=target.timeouts.connect_seconds)


def _headers(target: UpstreamTarget, accept: str = JSON) -> dict[str, str]:
    headers = {"content-type": JSON, "accept": accept}
    if target.credential:
        headers["authorization"] = f"Bearer {target.credential}"
    return headers


def _translate(exc: httpx.HTTPError) -> Exception:
    if isinstance(exc, httpx.TimeoutException):
        return UpstreamTimeout("the model server did not answer in time")
    return UpstreamUnavailable("the model server could not be reached")


class HttpUpstreamStream:
    def __init__(self, response: httpx.Response, first_byte_ms: float) -> None:
        self._response = response
        self.status_code = response.status_code
        self.content_type = response.headers.get("content-type", "text/event-stream")
        self.first_byte_ms = first_byte_ms

    async def chunks(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self._response.aiter_raw():
                yield chunk
        except httpx.HTTPError as exc:
            raise _translate(exc) from None

    async def read(self) -> bytes:
        try:
            return await self._response.aread()
        except httpx.HTTPError as exc:
            raise _translate(exc) from None

    async def aclose(self) -> None:
        await self._response.aclose()


class HttpUpstreamClient:
    def __init__(self, max_connections_per_upstream: int = 200) -> None:
        self._limits = httpx.Limits(
            max_connections=max_connections_per_upstream, max_keepalive_connections=max_connections_per_upstream
        )
        self._clients: dict[str, httpx.AsyncClient] = {}

    def client_for(self, url: str) -> httpx.AsyncClient:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        client = self._clients.get(origin)
        if client is None:
            client = self._clients[origin] = httpx.AsyncClient(limits=self._limits, follow_redirects=False)
        return client

    async def call(self, target: UpstreamTarget, path: str, body: bytes) -> UpstreamReply:
        url = target.url + path
        started = time.perf_counter()
        try:
            response = await self.client_for(url).post(
                url, content=body, headers=_headers(target), timeout=_timeout(target)
            )
        except httpx.HTTPError as exc:
            raise _translate(exc) from None
        return UpstreamReply(
            response.status_code,
            response.content,
            response.headers.get("content-type", JSON),
            (time.perf_counter() - started) * 1000,
        )

    async def open_stream(self, target: UpstreamTarget, path: str, body: bytes) -> HttpUpstreamStream:
        url = target.url + path
        client = self.client_for(url)
        request = client.build_request(
            "POST", url, content=body, headers=_headers(target, "text/event-stream"), timeout=_timeout(target)
        )
        started = time.perf_counter()
        try:
            response = await client.send(request, stream=True)
        except httpx.HTTPError as exc:
            raise _translate(exc) from None
        return HttpUpstreamStream(response, (time.perf_counter() - started) * 1000)

    async def get(self, target: UpstreamTarget, path: str) -> int:
        """Status of a GET (probes); raises like ``call``."""
        url = target.url + path
        try:
            response = await self.client_for(url).get(url, headers=_headers(target), timeout=_timeout(target))
        except httpx.HTTPError as exc:
            raise _translate(exc) from None
        return response.status_code

    async def aclose(self) -> None:
        for client in self._clients.values():
            await client.aclose()
        self._clients.clear()
