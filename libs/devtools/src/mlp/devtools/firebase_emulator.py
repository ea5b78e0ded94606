"""The Firebase Auth emulator (firebase-tools in tools/firebase) as a subprocess, and its REST API.

``make firebase-tools`` installs it. Host and port come from tools/firebase/firebase.json. An
emulator already answering there for the same project (a developer's, or another test run's) is
reused and left running; one started here is stopped by ``stop()``.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

REPO_ROOT = Path(__file__).resolve().parents[5]
TOOLS_DIR = REPO_ROOT / "tools" / "firebase"
EMULATOR_HOST_ENV = "FIREBASE_AUTH_EMULATOR_HOST"
OWNER = {"Authorization": "Bearer owner"}  # the emulator's admin credential
"""Admin requests (``/projects/{project}/accounts:*``) need this header."""


def _auth_address() -> tuple[str, int]:
    config = json.loads((TOOLS_DIR / "firebase.json").read_text())["emulators"]["auth"]
    return str(config["host"]), int(config["port"])


@dataclass(frozen=True)
class EmulatorUser:
    uid: str
    email: str
    password: str
    id_token: str


@dataclass
class FirebaseEmulator:
    project_id: str = "demo-mlp"
    host: str = field(default_factory=lambda: _auth_address()[0])
    port: int = field(default_factory=lambda: _auth_address()[1])
    process: subprocess.Popen[bytes] | None = field(default=None, init=False)
    log_path: Path = field(default=REPO_ROOT / ".data" / "firebase-emulator.log", init=False)

    @property
    def host_port(self) -> str:
        """The ``FIREBASE_AUTH_EMULATOR_HOST`` value."""
        return f"{self.host}:{self.port}"

    @property
    def url(self) -> str:
        return f"http://{self.host_port}"

    def answers(self) -> bool:
        """An Auth emulator listens on the port and serves this project."""
        try:
            ready = httpx.get(f"{self.url}/", timeout=1).json().get("authEmulator", {}).get("ready") is True
            config = httpx.get(f"{self.url}/emulator/v1/projects/{self.project_id}/config", timeout=1)
        except (httpx.HTTPError, ValueError, AttributeError):
            return False
        return ready and config.status_code == 200

    def start(self, timeout: float = 120.0) -> FirebaseEmulator:
        if self.answers():
            return self
        with socket.socket() as probe:
            if probe.connect_ex((self.host, self.port)) == 0:
                raise RuntimeError(f"{self.host_port} is taken by something that is not this project's Auth emulator")
        firebase = TOOLS_DIR / "node_modules" / ".bin" / "firebase"
        if not firebase.exists():
            raise RuntimeError(f"{firebase} is missing: run `make firebase-tools`")
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("wb") as log:
            command = [str(firebase), "emulators:start", "--only", "auth", "--project", self.project_id]
            self.process = subprocess.Popen(
                command, cwd=TOOLS_DIR, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        try:
            self._wait_ready(timeout)
        except BaseException:  # Ctrl-C while it starts included: never leave it behind
            self.stop()
            raise
        return self

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while not self.answers():
            assert self.process is not None
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                tail = self.log_path.read_text(errors="replace")[-2000:]
                raise RuntimeError(f"the Firebase Auth emulator did not start; {self.log_path} ends with:\n{tail}")
            time.sleep(0.2)

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the emulator if this object started it (its whole process group)."""
        if self.process is None:
            return
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)  # firebase-tools shuts down cleanly on it
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.process = None

    # The emulator's REST API.

    async def _post(self, path: str, body: dict[str, Any], headers: dict[str, str] | None = None) -> Any:
        async with httpx.AsyncClient(base_url=f"{self.url}/identitytoolkit.googleapis.com/v1") as client:
            response = await client.post(path, json=body, headers=headers)
        response.raise_for_status()
        return response.json()

    async def _admin(self, action: str, body: dict[str, Any]) -> Any:
        return await self._post(f"/projects/{self.project_id}/accounts:{action}", body, OWNER)

    async def create_user(
        self,
        email: str | None = None,
        password: str | None = None,
        *,
        display_name: str | None = None,
        photo_url: str | None = None,
    ) -> EmulatorUser:
        """Sign up with email and password, then sign in: the user and a fresh ID token."""
        email = email or f"user-{uuid.uuid4().hex[:12]}@example.com"
        password = password or secrets.token_urlsafe(12)
        body: dict[str, Any] = {"email": email, "password": password, "displayName": display_name}
        uid = (await self._post("/accounts:signUp?key=any", {k: v for k, v in body.items() if v}))["localId"]
        if photo_url:  # signUp ignores photoUrl
            await self._admin("update", {"localId": uid, "photoUrl": photo_url})
        return EmulatorUser(uid, email, password, await self.sign_in(email, password))

    async def sign_in(self, email: str, password: str) -> str:
        """A new ID token for the user."""
        body = {"email": email, "password": password, "returnSecureToken": True}
        return str((await self._post("/accounts:signInWithPassword?key=any", body))["idToken"])

    async def disable_user(self, uid: str) -> None:
        await self._admin("update", {"localId": uid, "disableUser": True})

    async def delete_user(self, uid: str) -> None:
        await self._admin("delete", {"localId": uid})

    async def clear_users(self) -> None:
        async with httpx.AsyncClient() as client:
            response = await client.delete(f"{self.url}/emulator/v1/projects/{self.project_id}/accounts")
        response.raise_for_status()
