"""End-to-end check of the gateway's routes and forward auth against stand-in services.

Starts a fake identity (answers /v1/auth/verify by the Authorization it gets) and three fake
services that echo what reached them, all on free loopback ports, then a real nginx with
nginx.local.conf and the shared gateway.*.conf (ports rewritten), and checks what a client and
each upstream see. Standard library only; needs the `nginx` binary with auth_request (Debian's).

    python3 deploy/gateway/smoke_test.py

Exits non-zero when a check fails. Everything it starts is stopped before it returns.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
SERVICES = {"identity": 8001, "registry": 8002, "evaluation": 8003, "billing": 8004}
PROBLEM = "application/problem+json"
EDGE = "127.0.0.2"

GATEWAY_CREDENTIAL = re.findall(r'X-Service-Credential "([^"]+)"', (HERE / "gateway.credential.conf").read_text())[0]
"""The credential the gateway sends; the fake identity, like identity with IDENTITY_SERVICE_CREDENTIALS
listing it, mints platform tokens for it only."""
THREE_PER_MINUTE = "mlp_threeperminute"

seen: dict[str, list[dict[str, Any]]] = {name: [] for name in SERVICES}
verify_calls: list[dict[str, Any]] = []
quota_used: dict[str, int] = {}
identity_knows_gateway = [True]
ports: dict[str, int] = {}


def _problem(status: int, code: str, detail: str) -> bytes:
    body = {"type": f"urn:mlp:problem:{code}", "title": code, "status": status, "detail": detail}
    return json.dumps(body).encode()


def make_handler(service: str) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # quiet
            pass

        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                body = self._read_chunked()
            else:
                body = self.rfile.read(length) if length else b""
            record = {"method": self.command, "path": self.path, "headers": dict(self.headers.items()), "body": body}
            if service == "identity" and self.path == "/v1/auth/verify":
                verify_calls.append(record)
                self._verify()
                return
            seen[service].append(record)
            refused = self._check_raw_credential()
            if refused:
                self._send(refused, _problem(refused, "refused", "by identity"), {"Content-Type": PROBLEM})
                return
            if self.path.startswith("/v1/chat/completions"):
                self._stream()
                return
            payload = json.dumps({"service": service, "path": self.path}).encode()
            self._send(200, payload, {"Content-Type": "application/json", "X-Request-ID": "from-upstream"})

        do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _handle

        def _check_raw_credential(self) -> int:
            """What a service does with a credential that is not a platform token: asks identity,
            which counts the call against the key's quota (0: let through)."""
            auth = self.headers.get("Authorization", "")
            if service == "identity" or not auth.startswith("mlp_"):
                return 0
            conn = http.client.HTTPConnection("127.0.0.1", ports["identity"], timeout=5)
            try:
                conn.request("POST", "/v1/auth/verify", headers={"Authorization": auth, "Prefer": "return=minimal"})
                status = conn.getresponse().status
            finally:
                conn.close()
            return 0 if status == 200 else status

        def _read_chunked(self) -> bytes:
            data = b""
            while True:
                size = int(self.rfile.readline().strip(), 16)
                if size == 0:
                    self.rfile.readline()
                    return data
                data += self.rfile.read(size)
                self.rfile.readline()

        def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _stream(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for event in (b'data: {"delta":"hel"}\n\n', b'data: {"delta":"lo"}\n\n', b"data: [DONE]\n\n"):
                self.wfile.write(f"{len(event):x}\r\n".encode() + event + b"\r\n")
                self.wfile.flush()
            self.wfile.write(b"0\r\n\r\n")

        def _verify(self) -> None:
            auth = self.headers.get("Authorization", "")
            if auth == THREE_PER_MINUTE:
                quota_used[auth] = quota_used.get(auth, 0) + 1
                auth = "Bearer good" if quota_used[auth] <= 3 else "Bearer limited"
            if auth in ("Bearer good", "mlp_goodkey"):
                mints = self.headers.get("X-Service-Credential") == GATEWAY_CREDENTIAL and identity_knows_gateway[0]
                token = "jwt-u1" if mints and "return=minimal" not in self.headers.get("Prefer", "") else ""
                body = json.dumps({"principal": {"user_id": "u1"}, "platform_token": token, "expires_in": 300})
                headers = {
                    "Content-Type": "application/json",
                    "X-RateLimit-Limit": "100",
                    "X-RateLimit-Remaining": "99",
                    "X-RateLimit-Reset": "60",
                }
                self._send(200, body.encode(), {**headers, "x-platform-token": token} if token else headers)
            elif auth == "Bearer limited":
                self._send(
                    429,
                    _problem(429, "quota-exceeded", "60 requests per minute"),
                    {
                        "Content-Type": PROBLEM,
                        "Retry-After": "7",
                        "X-RateLimit-Limit": "60",
                        "X-RateLimit-Remaining": "0",
                        "X-RateLimit-Reset": "7",
                    },
                )
            elif auth == "Bearer forbidden":
                self._send(
                    403,
                    _problem(403, "forbidden", "key lacks scope registry:write"),
                    {"Content-Type": PROBLEM, "WWW-Authenticate": 'Bearer error="insufficient_scope"'},
                )
            elif auth == "Bearer broken":
                self._send(500, _problem(500, "internal-error", "boom"), {"Content-Type": PROBLEM})
            else:
                self._send(
                    401,
                    _problem(401, "invalid-credential", "unknown API key"),
                    {
                        "Content-Type": PROBLEM,
                        "WWW-Authenticate": 'Bearer realm="mlp"',
                    },
                )

    return Handler


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler]) -> None:
        super().__init__(address, handler)
        self.connections: list[socket.socket] = []

    def process_request(self, request: Any, client_address: Any) -> None:
        self.connections.append(request)
        super().process_request(request, client_address)

    def go_down(self) -> None:
        """Stop listening and cut the keep-alive connections nginx holds: a server that went away."""
        self.shutdown()
        self.server_close()
        for connection in self.connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError | OSError):  # nginx closing keep-alive connections
            super().handle_error(request, client_address)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def request(
    port: int,
    method: str,
    path: str,
    headers: dict[str, str] | None = None,
    body: bytes | None = None,
    source: str = "127.0.0.1",
) -> tuple[int, dict[str, str], bytes]:
    """One request on a new connection from ``source`` (any 127.x address: a client, or the edge)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10, source_address=(source, 0))
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        headers = {k.lower(): v for k, v in response.getheaders()}
        names = [k.lower() for k, _ in response.getheaders()]
        headers["_duplicates"] = ",".join(sorted({n for n in names if names.count(n) > 1}))
        return response.status, headers, response.read()
    finally:
        conn.close()


def main() -> int:
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).exists():
        print("nginx not found: apt-get install -y nginx", file=sys.stderr)
        return 2
    servers = []
    for name in SERVICES:
        server = QuietServer(("127.0.0.1", 0), make_handler(name))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        ports[name] = server.server_address[1]
    gateway_port = free_port()

    prefix = Path(tempfile.mkdtemp(prefix="mlp-gateway-smoke-"))
    prefix.chmod(0o755)  # nginx workers (nobody when started as root) write temp files here
    conf_dir = prefix / "conf"
    conf_dir.mkdir()
    for src in HERE.glob("gateway.*.conf"):
        shutil.copy(src, conf_dir / src.name)
    conf = (HERE / "nginx.local.conf").read_text()
    for name, port in SERVICES.items():
        conf = conf.replace(f"127.0.0.1:{port};", f"127.0.0.1:{ports[name]};")
    conf = conf.replace("listen 127.0.0.1:8080;", f"listen 127.0.0.1:{gateway_port};")
    # 127.0.0.2 plays the trusted edge (a load balancer), as gateway.edge.conf configures it in Kubernetes
    edge = (HERE / "gateway.edge.conf").read_text().replace("set_real_ip_from 10.0.0.0/8;", f"set_real_ip_from {EDGE};")
    (conf_dir / "gateway.edge.conf").write_text(edge)
    conf = conf.replace("include gateway.http.conf;", "include gateway.http.conf;\n    include gateway.edge.conf;")
    (conf_dir / "nginx.conf").write_text(conf)

    proc = subprocess.Popen(  # noqa: S603
        [nginx, "-e", "stderr", "-p", str(prefix), "-c", str(conf_dir / "nginx.conf"), "-g", "daemon off;"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    results: list[tuple[str, bool, str]] = []
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                request(gateway_port, "GET", "/gateway/healthz")
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    output = proc.stdout.read().decode() if proc.stdout else ""
                    print(f"nginx did not start:\n{output}", file=sys.stderr)
                    return 1
                time.sleep(0.05)
        run_checks(gateway_port, results, prefix / "access.log")
        servers[2].go_down()  # evaluation goes away
        status, headers, body = request(gateway_port, "GET", "/v1/evals", {"Authorization": "Bearer good"})
        ok = (status, headers.get("content-type")) == (502, PROBLEM) and b"bad-gateway" in body
        results.append(("service_down_is_502_problem", ok, f"got {status} {body[:200]!r}"))
        servers[0].go_down()  # identity goes away
        status, _, body = request(gateway_port, "GET", "/registry/v1/models", {"Authorization": "Bearer good"})
        ok = status == 503 and json.loads(body)["type"] == "urn:mlp:problem:auth-unavailable"
        results.append(("identity_down_is_503", ok, f"got {status} {body[:200]!r}"))
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        for server in (servers[1], servers[3]):
            server.shutdown()
            server.server_close()
        errors = (prefix / "error.log").read_text() if (prefix / "error.log").exists() else ""
        shutil.rmtree(prefix, ignore_errors=True)

    unexpected = [line for line in errors.splitlines() if "unexpected status" in line]
    results.append(("no_auth_request_errors_logged", not unexpected, "; ".join(unexpected[:3])))
    failed = [r for r in results if not r[1]]
    for name, ok, why in results:
        print(f"{'ok  ' if ok else 'FAIL'} {name}{'' if ok else ': ' + why}")
    if failed and errors:
        print("--- nginx error.log ---\n" + errors[-4000:])
    print(f"gateway: {len(results) - len(failed)} passed, {len(failed)} failed")
    return 1 if failed else 0


def run_checks(port: int, results: list[tuple[str, bool, str]], access_log: Path) -> None:
    def check(name: str, fn: Callable[[], None]) -> None:
        for store in seen.values():
            store.clear()
        verify_calls.clear()
        try:
            fn()
            results.append((name, True, ""))
        except Exception as exc:  # an assertion, or an answer that is not what was expected at all
            results.append((name, False, f"{type(exc).__name__}: {exc}"))

    def eq(actual: Any, expected: Any, what: str) -> None:
        assert actual == expected, f"{what}: expected {expected!r}, got {actual!r}"

    def protected_route_gets_platform_token() -> None:
        status, headers, body = request(port, "GET", "/registry/v1/models?limit=5", {"Authorization": "mlp_goodkey"})
        eq(status, 200, "status")
        eq(json.loads(body)["path"], "/v1/models?limit=5", "upstream path (prefix stripped)")
        upstream = seen["registry"][0]["headers"]
        eq(upstream.get("Authorization"), "Bearer jwt-u1", "Authorization sent upstream")
        eq(upstream.get("X-Forwarded-Prefix"), "/registry", "X-Forwarded-Prefix")
        eq(len(verify_calls), 1, "verify calls")
        call = verify_calls[0]
        eq(call["method"], "POST", "verify method")
        eq(call["body"], b"", "verify body")
        eq(call["headers"].get("Authorization"), "mlp_goodkey", "credential sent to identity")
        credential = call["headers"].get("X-Service-Credential", "")
        assert credential.startswith("mlpsvc_gateway_"), f"the gateway's own credential to identity: {credential!r}"
        eq(call["headers"].get("X-Original-URI"), "/registry/v1/models?limit=5", "X-Original-URI")
        rid = headers.get("x-request-id", "")
        assert re.fullmatch(r"[0-9a-f]{32}", rid), f"generated request id {rid!r}"
        eq(upstream.get("X-Request-ID"), rid, "request id upstream")
        eq(call["headers"].get("X-Request-ID"), rid, "request id to identity")
        eq(headers["_duplicates"], "", "headers sent twice")
        eq(headers.get("x-ratelimit-remaining"), "99", "quota header passed to client")
        assert "x-platform-token" not in headers, "platform token leaked to client"

    def client_request_id_is_kept() -> None:
        status, headers, _ = request(
            port,
            "POST",
            "/evaluation/v1/runs",
            {"Authorization": "Bearer good", "X-Request-ID": "trace-1234-abcd"},
            b"{}",
        )
        eq(status, 200, "status")
        eq(headers.get("x-request-id"), "trace-1234-abcd", "request id echoed")
        eq(seen["evaluation"][0]["headers"].get("X-Request-ID"), "trace-1234-abcd", "request id upstream")
        eq(seen["evaluation"][0]["body"], b"{}", "body upstream")

    def bad_request_id_is_replaced() -> None:
        _, headers, _ = request(
            port, "GET", "/billing/v1/invoices", {"Authorization": "Bearer good", "X-Request-ID": 'a b"c'}
        )
        assert re.fullmatch(r"[0-9a-f]{32}", headers.get("x-request-id", "")), headers.get("x-request-id")

    def client_cannot_smuggle_platform_token() -> None:
        request(port, "GET", "/billing/v1/invoices", {"Authorization": "Bearer good", "X-Platform-Token": "forged"})
        assert "X-Platform-Token" not in seen["billing"][0]["headers"], seen["billing"][0]["headers"]

    def unauthenticated_gets_identity_problem() -> None:
        status, headers, body = request(
            port, "POST", "/registry/v1/files", {"Authorization": "Bearer nope"}, b"x" * 50000
        )
        eq(status, 401, "status")
        eq(headers.get("content-type"), PROBLEM, "content type")
        eq(json.loads(body)["type"], "urn:mlp:problem:invalid-credential", "identity's problem type")
        eq(headers.get("www-authenticate"), 'Bearer realm="mlp"', "WWW-Authenticate")
        eq(headers["_duplicates"], "", "headers sent twice")
        assert re.fullmatch(r"[0-9a-f]{32}", headers.get("x-request-id", "")), "request id on 401"
        eq(seen["registry"], [], "upstream reached")

    def forged_client_address_is_replaced() -> None:
        forged = {"X-Forwarded-For": "203.0.113.66", "X-Real-IP": "203.0.113.66"}
        request(port, "POST", "/identity/v1/auth/sign-in", forged, b"{}")
        request(port, "GET", "/billing/v1/invoices", {"Authorization": "Bearer good", **forged})
        for what, headers in [
            ("sign-in at identity", seen["identity"][0]["headers"]),
            ("forward-auth verify", verify_calls[0]["headers"]),
            ("protected upstream", seen["billing"][0]["headers"]),
        ]:
            eq(headers.get("X-Forwarded-For"), "127.0.0.1", f"X-Forwarded-For of {what}")
            eq(headers.get("X-Real-IP"), "127.0.0.1", f"X-Real-IP of {what}")

    def metrics_are_never_routed() -> None:
        for path in ("/registry/metrics", "/identity/metrics", "/billing//metrics", "/metrics"):
            status, _, _ = request(port, "GET", path, {"Authorization": "Bearer good"})
            eq(status, 404, f"status of {path}")
        eq([r for records in seen.values() for r in records], [], "upstream reached")

    def missing_credential_is_401() -> None:
        status, _, body = request(port, "GET", "/v1/models")
        eq(status, 401, "status")
        eq(json.loads(body)["status"], 401, "problem body")

    def forbidden_gets_identity_problem() -> None:
        status, headers, body = request(port, "DELETE", "/registry/v1/models/m1", {"Authorization": "Bearer forbidden"})
        eq(status, 403, "status")
        eq(headers["_duplicates"], "", "headers sent twice")
        eq(json.loads(body)["detail"], "key lacks scope registry:write", "identity's detail")
        eq(headers.get("www-authenticate"), 'Bearer error="insufficient_scope"', "WWW-Authenticate")
        eq(seen["registry"], [], "upstream reached")

    def throttled_gets_429_with_headers() -> None:
        status, headers, body = request(
            port, "POST", "/v1/chat/completions", {"Authorization": "Bearer limited"}, b"{}"
        )
        eq(status, 429, "status")
        eq(headers.get("content-type"), PROBLEM, "content type")
        eq(json.loads(body)["type"], "urn:mlp:problem:quota-exceeded", "problem type")
        eq(headers.get("retry-after"), "7", "Retry-After")
        eq(headers.get("x-ratelimit-remaining"), "0", "X-RateLimit-Remaining")
        eq(headers["_duplicates"], "", "headers sent twice")
        eq(len(verify_calls), 1, "identity asked once")
        eq(seen["registry"], [], "upstream reached")

    def identity_failure_is_503() -> None:
        status, _, body = request(port, "GET", "/evaluation/v1/runs", {"Authorization": "Bearer broken"})
        eq(status, 503, "status")
        eq(json.loads(body)["type"], "urn:mlp:problem:auth-unavailable", "problem type")

    def internal_paths_are_never_routed() -> None:
        for path in (
            "/internal/v1/tokens",
            "/identity/internal/v1/tokens",
            "/registry/internal",
            "/billing/INTERNAL/x",
            "/registry//internal/x",
            "/registry/%69nternal/x",
            "/registry/v1/../internal/x",
            "/evaluation/internal/x",
        ):
            status, _, _ = request(port, "POST", path, {"Authorization": "Bearer good"})
            eq(status, 404, f"status of {path}")
        eq(verify_calls, [], "identity asked")
        eq(sum(len(v) for v in seen.values()), 0, "upstream reached")

    def identity_sign_in_is_public() -> None:
        status, _, body = request(
            port, "POST", "/identity/v1/auth/session", {"Authorization": "Bearer firebase-id-token"}, b"{}"
        )
        eq(status, 200, "status")
        eq(json.loads(body)["path"], "/v1/auth/session", "upstream path")
        eq(seen["identity"][0]["headers"].get("Authorization"), "Bearer firebase-id-token", "credential untouched")
        eq(verify_calls, [], "forward auth on a public path")
        status, _, body = request(port, "GET", "/identity/.well-known/jwks.json")
        eq((status, json.loads(body)["path"]), (200, "/.well-known/jwks.json"), "JWKS")

    def identity_private_routes_need_auth() -> None:
        status, _, _ = request(port, "GET", "/identity/v1/api-keys")
        eq(status, 401, "status")
        status, _, body = request(port, "GET", "/identity/v1/api-keys", {"Authorization": "Bearer good"})
        eq((status, json.loads(body)["path"]), (200, "/v1/api-keys"), "with a credential")

    def stripe_webhook_is_public_and_raw() -> None:
        raw = b'{"id":"evt_1",  "type":"invoice.paid"}\n'
        status, _, _ = request(
            port,
            "POST",
            "/billing/v1/stripe/webhook",
            {"Stripe-Signature": "t=1,v1=abc", "Content-Type": "application/json"},
            raw,
        )
        eq(status, 200, "status")
        got = seen["billing"][0]
        eq((got["path"], got["body"]), ("/v1/stripe/webhook", raw), "raw body upstream")
        eq(got["headers"].get("Stripe-Signature"), "t=1,v1=abc", "signature header")
        eq(verify_calls, [], "forward auth on the webhook")
        status, _, _ = request(port, "POST", "/billing/v1/stripe/webhook/other")
        eq(status, 401, "only the exact webhook path is public")

    def billing_paths_in_the_public_path_space() -> None:
        raw = b'{"id":"evt_2","type":"invoice.paid"}'
        status, _, _ = request(
            port,
            "POST",
            "/v1/stripe/webhook",
            {"Stripe-Signature": "t=1,v1=def", "Content-Type": "application/json"},
            raw,
        )
        eq(status, 200, "webhook status")
        got = seen["billing"][-1]
        eq(
            (got["path"], got["body"], got["headers"].get("Stripe-Signature")),
            ("/v1/stripe/webhook", raw, "t=1,v1=def"),
            "raw webhook upstream",
        )
        eq(verify_calls, [], "forward auth on the webhook")
        for path in (
            "/v1/usage-events",
            "/v1/usage/summary",
            "/v1/budgets",
            "/v1/invoices/abc",
            "/v1/reconciliation-runs",
        ):
            status, _, _ = request(port, "GET", path)
            eq(status, 401, f"{path} without a credential")
            status, _, body = request(port, "GET", path, {"Authorization": "mlp_goodkey"})
            eq((status, json.loads(body)["service"], json.loads(body)["path"]), (200, "billing", path), path)
        status, _, _ = request(port, "GET", "/v1/usage-eventsX")
        eq(status, 404, "a lookalike path is not billing's")

    def inference_streams_from_registry() -> None:
        status, _, body = request(
            port,
            "POST",
            "/v1/chat/completions",
            {"Authorization": "mlp_goodkey", "Content-Type": "application/json"},
            b'{"model":"m","stream":true}',
        )
        eq(status, 200, "status")
        assert body.endswith(b"data: [DONE]\n\n"), body
        got = seen["registry"][0]
        eq((got["path"], got["headers"].get("Authorization")), ("/v1/chat/completions", "Bearer jwt-u1"), "upstream")
        for path in (
            "/v1/completions",
            "/v1/embeddings",
            "/v1/models",
            "/v1/models/m1",
            "/v1/deployments",
            "/v1/deployments/d1/predict",
            "/v1/inference-requests/stats",
        ):
            status, _, body = request(
                port,
                "GET" if "models" in path or "requests" in path else "POST",
                path,
                {"Authorization": "mlp_goodkey"},
            )
            eq((status, json.loads(body)["service"], json.loads(body)["path"]), (200, "registry", path), path)

    def evaluation_paths_are_routed() -> None:
        for method, path in (("POST", "/v1/criteria"), ("GET", "/v1/eval-runs/r1/events"), ("GET", "/v1/evals"),
                             ("POST", "/v1/evals/e1/runs")):  # fmt: skip
            status, _, body = request(port, method, path, {"Authorization": "mlp_goodkey"}, b"{}")
            eq((status, json.loads(body)["service"], json.loads(body)["path"]), (200, "evaluation", path), path)
        eq(seen["evaluation"][-1]["headers"].get("Authorization"), "Bearer jwt-u1", "forward auth")
        status, _, _ = request(port, "GET", "/v1/evaluations")
        eq(status, 404, "a longer name is not evaluation's")

    def model_registry_reaches_registry() -> None:
        for method, path in (
            ("GET", "/v1/registered-models?name_prefix=a"),
            ("PUT", "/v1/registered-models/m1/aliases/prod"),
            ("GET", "/api/2.0/mlflow/registered-models/search?filter=name%20LIKE%20%27a%25%27"),
            ("DELETE", "/api/2.0/mlflow/registered-models/alias"),
        ):
            status, _, body = request(port, method, path, {"Authorization": "mlp_goodkey"})
            eq((status, json.loads(body)["service"], json.loads(body)["path"]), (200, "registry", path), path)
            eq(seen["registry"][-1]["headers"].get("Authorization"), "Bearer jwt-u1", "platform token upstream")
        status, _, _ = request(port, "GET", "/api/2.0/mlflow/registered-models/search")
        eq(status, 401, "MLflow routes need a credential")

    def fine_tuning_reaches_registry() -> None:
        path = "/v1/fine_tuning/jobs"
        status, _, body = request(port, "POST", path, {"Authorization": "mlp_goodkey"}, b'{"model":"m:1"}')
        eq((status, json.loads(body)["service"], json.loads(body)["path"]), (200, "registry", path), path)
        got = seen["registry"][-1]
        eq((got["headers"].get("Authorization"), got["body"]), ("Bearer jwt-u1", b'{"model":"m:1"}'), "upstream")

    def schema_is_public() -> None:
        status, _, body = request(port, "GET", "/billing/schema/openapi.json")
        eq((status, json.loads(body)["path"]), (200, "/schema/openapi.json"), "schema")
        eq(verify_calls, [], "forward auth on the schema")

    def unknown_route_is_404_problem() -> None:
        status, headers, _ = request(port, "GET", "/nope")
        eq((status, headers.get("content-type")), (404, PROBLEM), "unknown route")

    def a_call_counts_once_against_the_quota() -> None:
        statuses = [request(port, "GET", "/v1/models", {"Authorization": THREE_PER_MINUTE})[0] for _ in range(4)]
        eq(statuses, [200, 200, 200, 429], "a 3-per-minute key's four calls")
        eq(len(verify_calls), 4, "identity asked once per call")
        eq({r["headers"].get("Authorization") for r in seen["registry"]}, {"Bearer jwt-u1"}, "what registry got")

    def no_platform_token_is_503_never_the_raw_credential() -> None:
        identity_knows_gateway[0] = False  # identity's IDENTITY_SERVICE_CREDENTIALS lacks the gateway's
        try:
            answers = [
                request(port, "POST", path, {"Authorization": "mlp_goodkey"}, b"{}")
                for path in ("/v1/chat/completions", "/registry/v1/files", "/identity/v1/api-keys", "/v1/evals")
            ]
        finally:
            identity_knows_gateway[0] = True
        for status, headers, body in answers:
            eq((status, headers.get("content-type")), (503, PROBLEM), "status")
            eq(json.loads(body)["type"], "urn:mlp:problem:auth-unavailable", "problem type")
        eq(sum(len(v) for v in seen.values()), 0, "upstream reached")

    def client_address_from_the_trusted_edge() -> None:
        # the edge appends the address it saw to what the client sent; only the edge is trusted
        chain = {"X-Forwarded-For": "203.0.113.66, 198.51.100.7", "X-Request-ID": "edge-client-0001"}
        status, _, _ = request(port, "POST", "/identity/v1/auth/sign-in", chain, b"{}", source=EDGE)
        eq(status, 200, "status")
        eq(seen["identity"][0]["headers"].get("X-Forwarded-For"), "198.51.100.7", "client address sent upstream")
        time.sleep(0.2)  # the access log line is written after the answer
        logged = [json.loads(line) for line in access_log.read_text().splitlines() if "edge-client-0001" in line]
        eq([line["remote_addr"] for line in logged], ["198.51.100.7"], "client address in the access log")
        status, _, _ = request(port, "POST", "/identity/v1/auth/sign-in", chain, b"{}", source="127.0.0.3")
        eq(seen["identity"][1]["headers"].get("X-Forwarded-For"), "127.0.0.3", "a client is not the edge")

    def credential_endpoints_are_rate_limited() -> None:
        for n, (path, headers) in enumerate(
            (
                ("/identity/v1/auth/sign-in", {}),
                ("/identity/v1/auth/refresh", {}),
                ("/identity/v1/auth/verify", {"Authorization": "Bearer good"}),
                ("/v1/stripe/webhook", {"Stripe-Signature": "t=1,v1=abc"}),
                ("/billing/v1/stripe/webhook", {"Stripe-Signature": "t=1,v1=abc"}),
            )
        ):
            source = f"127.0.1.{n + 1}"  # a fresh address: limits are per client address
            with ThreadPoolExecutor(8) as pool:  # faster than the limits refill, even on a busy machine
                calls = [pool.submit(request, port, "POST", path, headers, b"{}", source) for _ in range(120)]
                answers = [call.result() for call in calls]
            statuses = [a[0] for a in answers]
            assert 200 in statuses, f"{path}: {sorted(set(statuses))}"
            assert 429 in statuses, f"{path}: {sorted(set(statuses))}"
            status, headers_429, body = answers[statuses.index(429)]
            eq(headers_429.get("content-type"), PROBLEM, f"{path} 429 content type")
            eq(json.loads(body)["type"], "urn:mlp:problem:too-many-requests", f"{path} 429 problem type")
            eq(headers_429.get("retry-after"), "1", f"{path} Retry-After")
            status, _, _ = request(port, "POST", path, headers, b"{}", source="127.0.0.4")
            eq(status, 200, f"{path} from another address")

    for fn in (
        protected_route_gets_platform_token,
        a_call_counts_once_against_the_quota,
        no_platform_token_is_503_never_the_raw_credential,
        client_address_from_the_trusted_edge,
        credential_endpoints_are_rate_limited,
        client_request_id_is_kept,
        bad_request_id_is_replaced,
        client_cannot_smuggle_platform_token,
        unauthenticated_gets_identity_problem,
        missing_credential_is_401,
        forbidden_gets_identity_problem,
        throttled_gets_429_with_headers,
        identity_failure_is_503,
        internal_paths_are_never_routed,
        metrics_are_never_routed,
        forged_client_address_is_replaced,
        identity_sign_in_is_public,
        identity_private_routes_need_auth,
        stripe_webhook_is_public_and_raw,
        billing_paths_in_the_public_path_space,
        model_registry_reaches_registry,
        inference_streams_from_registry,
        evaluation_paths_are_routed,
        fine_tuning_reaches_registry,
        schema_is_public,
        unknown_route_is_404_problem,
    ):
        check(fn.__name__, fn)


if __name__ == "__main__":
    os.umask(0o022)
    sys.exit(main())
