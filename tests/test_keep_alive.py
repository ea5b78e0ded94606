"""Idle keep-alive connections: the gateway closes its upstream connections before uvicorn would.

uvicorn closes an idle connection after 5 s by default while nginx kept its upstream connections
60 s: a request sent on a connection uvicorn had just closed was a 502 (nginx does not retry a
POST). Services now keep idle connections longer (HTTP_KEEP_ALIVE_SECONDS) than the gateway's
upstream keepalive_timeout."""

from __future__ import annotations

import http.client
import re
import time
from urllib.parse import urlsplit

from mlp.common.runtime.settings import ServiceSettings
from mlp.devtools.gateway import GATEWAY_DIR

UVICORN_DEFAULT_KEEP_ALIVE = 5


def test_the_gateway_closes_idle_upstream_connections_before_the_services_do() -> None:
    for conf in ("nginx.conf", "nginx.local.conf"):
        timeouts = re.findall(r"^\s+keepalive_timeout (\d+)s;", (GATEWAY_DIR / conf).read_text(), re.MULTILINE)
        assert len(timeouts) == 4, f"{conf}: one per upstream"
        assert all(int(t) < ServiceSettings().http_keep_alive_seconds for t in timeouts), conf


def test_a_connection_idle_longer_than_uvicorns_default_is_still_served(platform: dict[str, str], gateway: str) -> None:
    service = urlsplit(platform["registry"])
    direct = http.client.HTTPConnection(service.hostname or "", service.port, timeout=10)
    through_gateway = http.client.HTTPConnection(urlsplit(gateway).hostname or "", urlsplit(gateway).port, timeout=10)
    try:
        for connection, first in ((direct, "/healthz"), (through_gateway, "/registry/schema/openapi.json")):
            connection.request("GET", first)
            assert connection.getresponse().read()
        time.sleep(UVICORN_DEFAULT_KEEP_ALIVE + 1)
        for connection, path in ((direct, "/v1/files"), (through_gateway, "/registry/v1/files")):
            socket_before = connection.sock
            connection.request("POST", path, body=b"{}", headers={"content-type": "application/json"})
            answer = connection.getresponse()
            answer.read()
            assert connection.sock is socket_before, "the idle connection was reused"
            assert answer.status == 401, (path, answer.status)  # the service's answer, not a 502
    finally:
        direct.close()
        through_gateway.close()
