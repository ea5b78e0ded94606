"""``make run``'s gateway: nginx with the cluster's routes in front of the services, or a clear
word when nginx is not installed."""

from __future__ import annotations

import socket
from contextlib import ExitStack

import httpx
import pytest

from mlp.devtools import runner


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_the_gateway_answers_on_its_port_until_the_platform_stops() -> None:
    port = free_port()
    services = {name: free_port() for name in ("identity", "registry", "evaluation", "billing")}
    with ExitStack() as started:
        lines = runner.start_gateway(services, port, started)
        assert httpx.get(f"http://127.0.0.1:{port}/gateway/healthz").status_code == 200
    assert f"base_url=http://127.0.0.1:{port}/v1" in "\n".join(lines)
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"http://127.0.0.1:{port}/gateway/healthz")


def test_without_nginx_make_run_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runner, "nginx_binary", lambda: None)
    with ExitStack() as started:
        lines = runner.start_gateway({"identity": 1}, free_port(), started)
    assert "nginx is not installed" in "\n".join(lines)
