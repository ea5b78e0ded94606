"""An ASGI app of the tests served by uvicorn in a thread, on an ephemeral loopback port (never shipped)."""

from __future__ import annotations

import threading
import time
from typing import Any, Self, cast

import uvicorn


class LoopbackServer:
    """``start()`` serves ``self`` (an ASGI app) and sets ``url``; ``stop()`` ends it."""

    url = ""
    _server: uvicorn.Server | None = None
    _thread: threading.Thread | None = None

    def start(self, port: int = 0) -> Self:
        app = cast(Any, self)  # a subclass defines the ASGI __call__
        config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
        self._server = server = uvicorn.Server(config)
        self._thread = threading.Thread(target=server.run, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:  # dead: e.g. its port is taken
                raise RuntimeError(f"{type(self).__name__} did not start")
            time.sleep(0.01)
        self.url = f"http://127.0.0.1:{server.servers[0].sockets[0].getsockname()[1]}"
        return self

    def stop(self) -> None:
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(timeout=5)
