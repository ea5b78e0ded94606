"""Issue "Registry, part 2": the inference proxy's overhead over calling the model server directly.

The test model server (libs/devtools, one uvicorn process), identity and registry run as real
processes on loopback; registry is called with an API key (verified by identity once, then
cached) and logs every call (batched writes to PostgreSQL with usage events in the outbox).
wrk (1 thread) measures req/s and p50/p99, plain and streaming (``stream: true``); the time to
first byte of streams comes from sequential httpx calls. Goal: added p50 <= 1 ms and
throughput >= 0.8x direct.

Two model servers, measured in the same run:
- one that answers at once: the worst case, where the proxy's own CPU is all there is to
  measure (16 connections for throughput, 1 for latency without queueing);
- one that behaves like a small model: 50 ms before the answer, 5 ms between streamed words
  (64 connections: many generations in flight, as a serving proxy sees them).
"""

from __future__ import annotations

import asyncio
import os
import statistics

import httpx
from harness import bench_database, server
from inference_setup import MESSAGES, first_byte_ms, insert_api_keys, insert_user_and_version, wrk_post

from mlp.devtools.processes import platform_env

IDENTITY, REGISTRY, MODEL, SLOW_MODEL = 19201, 19202, 19203, 19205  # 19204: platform_env's billing (not started)
MANY_KEYS = 2000
Case = tuple[str, dict[str, object], dict[str, str]]


def deploy(registry: str, session: dict[str, str], version_id: str, name: str, upstream: str) -> None:
    body = {"name": name, "kind": "openai-chat", "model_version_id": version_id, "upstream_url": f"{upstream}/v1"}
    created = httpx.post(f"{registry}/v1/deployments", json=body, headers=session)
    assert created.json()["status"] == "ready", created.text


def cases(direct: str, proxied: str, deployment: str, keyed: dict[str, str]) -> dict[str, Case]:
    plain_direct = {"model": "test-model", "messages": MESSAGES}
    plain_proxy = {"model": deployment, "messages": MESSAGES}
    return {
        "direct": (direct, plain_direct, {}),
        "proxy": (proxied, plain_proxy, keyed),
        "sdirect": (direct, {**plain_direct, "stream": True}, {}),
        "sproxy": (proxied, {**plain_proxy, "stream": True}, keyed),
    }


def rounds(measured: dict[str, Case], connections: int, seconds: int) -> dict[str, list[dict[str, float]]]:
    """Three interleaved rounds, so the machine's drift hits direct and proxied calls alike."""
    runs: dict[str, list[dict[str, float]]] = {name: [] for name in measured}
    for _ in range(3):
        for name, (url, body, headers) in measured.items():
            runs[name].append(wrk_post(url, body, headers, seconds=seconds, connections=connections))
    return runs


def report(title: str, seen: dict[str, list[dict[str, float]]]) -> None:
    def med(name: str, figure: str) -> float:
        return statistics.median(run[figure] for run in seen[name])

    for label, a, b in (("plain", "direct", "proxy"), ("stream", "sdirect", "sproxy")):
        print(
            f"{label:<6} {title} direct {med(a, 'rps'):6.0f} req/s p50 {med(a, 'p50'):6.2f} ms "
            f"p99 {med(a, 'p99'):6.2f} ms | registry {med(b, 'rps'):6.0f} req/s "
            f"p50 {med(b, 'p50'):6.2f} ms p99 {med(b, 'p99'):6.2f} ms | "
            f"ratio {med(b, 'rps') / med(a, 'rps'):.2f}, added p50 {med(b, 'p50') - med(a, 'p50'):.2f} ms"
        )


def main() -> None:
    with bench_database(["identity", "registry"]) as database_url:
        env = {
            **os.environ,
            **platform_env(database_url, base_port_offset=IDENTITY - 8001),
            "LOG_LEVEL": "WARNING",
            "REGISTRY_PORT": str(REGISTRY),
            "EGRESS_ALLOW": "127.0.0.0/8,::1",
            "IDENTITY_ENVIRONMENT": "development",
        }
        serve = ["mlp.common.runtime.cli", "serve"]
        model_server = ["mlp.devtools.model_server", "--port"]
        slow = [*model_server, str(SLOW_MODEL), "--latency", "0.05", "--chunk-delay", "0.005"]
        with (
            server([*model_server, str(MODEL)], MODEL, env, health="/v1/models") as model,
            server(slow, SLOW_MODEL, env, health="/v1/models") as slow_model,
            server([*serve, "identity", "--port", str(IDENTITY)], IDENTITY, env) as identity,
            server([*serve, "registry", "--port", str(REGISTRY)], REGISTRY, env) as registry,
        ):
            user_id, version_id = asyncio.run(insert_user_and_version(database_url))
            minted = httpx.post(
                f"{identity}/internal/v1/tokens",
                json={"user_id": str(user_id), "scopes": ["models:*"], "caller_scopes": ["models:*"]},
                headers={"authorization": f"Bearer {env['REGISTRY_SERVICE_CREDENTIAL']}"},
            )
            session = {"authorization": f"Bearer {minted.json()['token']}"}
            key, *many = asyncio.run(insert_api_keys(database_url, user_id, ("inference",), 1 + MANY_KEYS))
            keyed = {"authorization": f"Bearer {key}"}
            deploy(registry, session, str(version_id), "bench-chat", model)
            deploy(registry, session, str(version_id), "bench-chat-50ms", slow_model)
            proxied = f"{registry}/v1/chat/completions"
            fast = cases(f"{model}/v1/chat/completions", proxied, "bench-chat", keyed)
            realistic = cases(f"{slow_model}/v1/chat/completions", proxied, "bench-chat-50ms", keyed)
            wrk_post(*fast["proxy"], seconds=3)  # warm-up (key verified once, pools filled)
            throughput = rounds(fast, connections=16, seconds=4)
            latency = rounds(fast, connections=1, seconds=3)
            model_like = rounds(realistic, connections=64, seconds=4)
            url, body, _ = fast["proxy"]
            rotating = [wrk_post(url, body, {}, seconds=4, keys=many) for _ in range(3)]
            ttfb_direct = first_byte_ms(*fast["sdirect"])
            ttfb_proxy = first_byte_ms(*fast["sproxy"])
            logged = httpx.get(f"{registry}/v1/inference-requests", params={"limit": 1}, headers=session).json()
            assert logged["data"], "nothing logged"

    print("medians of 3 interleaved rounds; each server one uvicorn process; 2 cores shared with wrk and PostgreSQL")
    print("model server answering at once (the proxy's own cost):")
    report("wrk -c16 (throughput)", throughput)
    report("wrk -c1  (latency)   ", latency)
    print("model server answering in 50 ms, streams 5 ms a word:")
    report("wrk -c64 (throughput)", model_like)
    rotating_rps = statistics.median(run["rps"] for run in rotating)
    rotating_p50 = statistics.median(run["p50"] for run in rotating)
    print(
        f"plain  wrk -c16, {MANY_KEYS} API keys in turn (each verified by identity once per 3 s): "
        f"{rotating_rps:.0f} req/s p50 {rotating_p50:.2f} ms | one key "
        f"{statistics.median(run['rps'] for run in throughput['proxy']):.0f} req/s"
    )
    print(f"stream time to first byte (sequential, median): direct {ttfb_direct:.2f} ms, registry {ttfb_proxy:.2f} ms")


if __name__ == "__main__":
    main()
