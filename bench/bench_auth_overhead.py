"""Issue "Foundation": a platform-token-authenticated GET against the same GET with no auth.

One service stack served by uvicorn (one worker), load from wrk at 32 connections. Prints
requests/s for both and their ratio (goal: >= 0.9).
"""

from __future__ import annotations

import os

import httpx
from harness import bench_database, interleaved, server, wrk

from mlp.devtools.processes import platform_env

IDENTITY_PORT, APP_PORT = 19001, 19090


def main() -> None:
    with bench_database(["identity", "registry"]) as database_url:
        env = {
            **os.environ,
            **platform_env(database_url, base_port_offset=IDENTITY_PORT - 8001),
            "LOG_LEVEL": "WARNING",
        }
        identity_cmd = ["mlp.common.runtime.cli", "serve", "identity", "--port", str(IDENTITY_PORT)]
        app_cmd = ["uvicorn", "--factory", "auth_overhead_app:create_app", "--app-dir", "bench"]
        app_cmd += ["--port", str(APP_PORT), "--no-access-log", "--log-level", "warning"]
        with server(identity_cmd, IDENTITY_PORT, env) as identity, server(app_cmd, APP_PORT, env) as app:
            minted = httpx.post(
                f"{identity}/internal/v1/tokens",
                json={"user_id": "7b0a5c8e-43a8-4f7b-9b8f-6f0c3f0b1a11", "scopes": ["models:read"]},
                headers={"authorization": f"Bearer {env['REGISTRY_SERVICE_CREDENTIAL']}"},
            ).json()["token"]
            auth = {"authorization": f"Bearer {minted}"}
            assert httpx.get(f"{app}/bench/authed", headers=auth).status_code == 200
            assert httpx.get(f"{app}/bench/authed").status_code == 401
            wrk(f"{app}/bench/open", seconds=3)  # warm-up
            wrk(f"{app}/bench/authed", seconds=3, headers=auth)
            rps = interleaved(
                5,
                {
                    "open": lambda: wrk(f"{app}/bench/open", seconds=5),
                    "open+header": lambda: wrk(f"{app}/bench/open", seconds=5, headers=auth),
                    "authed": lambda: wrk(f"{app}/bench/authed", seconds=5, headers=auth),
                },
            )
    print("median of 5 interleaved 5 s runs, wrk -c32, uvicorn 1 worker")
    print(f"GET without auth:                  {rps['open']:9.0f} req/s")
    print(f"GET without auth, token sent:      {rps['open+header']:9.0f} req/s   (the token's bytes alone)")
    print(f"GET with platform token verified:  {rps['authed']:9.0f} req/s")
    print(f"ratio authed/open:                 {rps['authed'] / rps['open']:9.3f}   (goal >= 0.9)")


if __name__ == "__main__":
    main()
