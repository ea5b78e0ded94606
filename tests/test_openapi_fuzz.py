"""Schemathesis over the four running services' OpenAPI: no 500 for any input and no answer outside
the documented schema (status, content type, body, headers, Allow, auth). A bounded number of
examples per operation, the four services at once.

Every check runs but ``positive_data_acceptance``: it expects any schema-valid request to succeed,
and some are refused by rules a schema cannot state (a date range of at most 366 days, a Stripe
signature, MLflow's hand-parsed bodies), with a 4xx that is documented.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx

from mlp.devtools.firebase_emulator import FirebaseEmulator

SERVICES = ["identity", "registry", "evaluation", "billing"]
MAX_EXAMPLES = 10


def schemathesis(url: str, token: str, workdir: Path) -> subprocess.Popen[str]:
    """Run in ``workdir``: schemathesis keeps its cache (``.schemathesis/``) in the working directory."""
    return subprocess.Popen(
        [
            str(Path(sys.executable).parent / "schemathesis"),
            "run",
            f"{url}/schema/openapi.json",
            "--checks=all",
            "--exclude-checks=positive_data_acceptance",
            "--phases=examples,fuzzing",
            f"--max-examples={MAX_EXAMPLES}",
            "--generation-deterministic",
            "--no-shrink",
            "--workers=1",
            "--request-timeout=10",
            f"--header=Authorization: Bearer {token}",
            f"--report-dir={workdir / 'report'}",
            "--no-color",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=workdir,
    )


async def platform_token(identity_url: str, firebase_emulator: FirebaseEmulator) -> str:
    """A signed-in user's token (every scope); one user per service, so one service's fuzzing
    (deleting the user, signing out) does not change what the others see."""
    person = await firebase_emulator.create_user()
    async with httpx.AsyncClient(base_url=identity_url, timeout=10) as identity:
        answer = await identity.post("/v1/auth/sign-in", json={"id_token": person.id_token})
    assert answer.status_code == 201, answer.text
    token: str = answer.json()["platform_token"]
    return token


async def test_no_server_error_and_no_undocumented_answer(
    platform: dict[str, str], firebase_emulator: FirebaseEmulator, tmp_path: Path
) -> None:
    tokens = {name: await platform_token(platform["identity"], firebase_emulator) for name in SERVICES}
    workdirs = {name: tmp_path / name for name in SERVICES}
    for workdir in workdirs.values():
        workdir.mkdir()
    runs = {name: schemathesis(platform[name], tokens[name], workdirs[name]) for name in SERVICES}
    failed = {}
    for name, run in runs.items():
        output, _ = run.communicate(timeout=600)
        if run.returncode != 0:
            failed[name] = output[-8000:]
    assert not failed, "\n\n".join(f"== {name}\n{output}" for name, output in failed.items())
