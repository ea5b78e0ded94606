"""The nginx API gateway of ``deploy/gateway`` in front of services on loopback (tests, benches).

Runs Debian's nginx unprivileged with ``nginx.local.conf``, its upstream ports (8001-8004) and
listen port rewritten, from a scratch prefix directory that is removed on stop.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from mlp.common.runtime.cli import DEFAULT_PORTS
from mlp.devtools.firebase_emulator import REPO_ROOT

GATEWAY_DIR = REPO_ROOT / "deploy" / "gateway"
GATEWAY_PORT = 8080


def gateway_credential() -> str:
    """The credential the gateway sends identity (``gateway.credential.conf``, development value):
    identity must list it in ``IDENTITY_SERVICE_CREDENTIALS`` or the gateway gets no platform token."""
    conf = (GATEWAY_DIR / "gateway.credential.conf").read_text()
    found = re.search(r'^proxy_set_header X-Service-Credential "([^"]+)";', conf, re.MULTILINE)
    if found is None:
        raise ValueError("gateway.credential.conf sets no X-Service-Credential")
    return found.group(1)


def nginx_binary() -> str | None:
    """Debian's nginx (with auth_request), or None when it is not installed."""
    found = shutil.which("nginx") or "/usr/sbin/nginx"
    return found if Path(found).exists() else None


@dataclass
class NginxGateway:
    """``ports``: service name -> the port it listens on; the gateway listens on ``port``."""

    ports: Mapping[str, int]
    port: int
    process: subprocess.Popen[bytes] | None = field(default=None, init=False)
    prefix: Path | None = field(default=None, init=False)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 10.0) -> NginxGateway:
        nginx = nginx_binary() or "nginx"
        self.prefix = Path(tempfile.mkdtemp(prefix="mlp-gateway-"))
        self.prefix.chmod(0o755)  # nginx workers (nobody, when started as root) write temp files here
        for included in GATEWAY_DIR.glob("gateway.*.conf"):
            shutil.copy(included, self.prefix / included.name)
        conf = (GATEWAY_DIR / "nginx.local.conf").read_text()
        for service, port in self.ports.items():
            conf = conf.replace(f"127.0.0.1:{DEFAULT_PORTS[service]};", f"127.0.0.1:{port};")
        conf = conf.replace(f"listen 127.0.0.1:{GATEWAY_PORT};", f"listen 127.0.0.1:{self.port};")
        (self.prefix / "nginx.conf").write_text(conf)
        command = [nginx, "-e", "stderr", "-p", str(self.prefix), "-c", str(self.prefix / "nginx.conf")]
        self.process = subprocess.Popen([*command, "-g", "daemon off;"], stderr=subprocess.PIPE)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"nginx exited: {self.process.stderr.read().decode() if self.process.stderr else ''}"
                )
            try:
                httpx.get(f"{self.url}/gateway/healthz", timeout=1)
                return self
            except httpx.HTTPError:
                time.sleep(0.05)
        raise TimeoutError(f"nginx not answering on {self.url}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        if self.prefix is not None:
            shutil.rmtree(self.prefix, ignore_errors=True)
