"""``make run``'s stand-ins for what a real installation finds elsewhere: a model server to deploy
and call (OpenAI-compatible, :9100) and a fine-tuning API for registry's trainer (:8090).

Each runs in a thread of the runner. The model server serves ``test-model`` and every model the
stand-in trainer finishes (its ``ft:`` ids), nothing else. The trainer is started only when
``REGISTRY_TRAINER_URL`` is not set (set it, with ``REGISTRY_TRAINER_API_KEY``, to train at OpenAI
or any compatible backend); it finishes a job after a few polls, which registry makes every 2 s here.
"""

from __future__ import annotations

import os
from contextlib import ExitStack

from mlp.devtools.model_server import ModelServer
from mlp.devtools.tuning_server import TuningServer

MODEL_SERVER_PORT = 9100
TRAINER_PORT = 8090


def start_stand_ins(started: ExitStack, port_offset: int) -> tuple[dict[str, str], list[str]]:
    """The environment registry needs to use them, and a line each for the banner."""
    env: dict[str, str] = {}
    lines = []
    model = ModelServer()
    try:
        model.start(MODEL_SERVER_PORT + port_offset)
    except RuntimeError:
        lines.append(f"  (port {MODEL_SERVER_PORT + port_offset} is taken: no stand-in model server)")
    else:
        started.callback(model.stop)
        lines.append(f"  model       {model.url}/v1   (stand-in model server: serves test-model and tuned ft: models)")
    if not os.environ.get("REGISTRY_TRAINER_URL"):
        try:
            trainer = TuningServer(polls_to_finish=3, on_model=model.serve).start(TRAINER_PORT + port_offset)
        except RuntimeError:
            lines.append(f"  (port {TRAINER_PORT + port_offset} is taken: fine-tuning jobs will wait for a trainer)")
        else:
            started.callback(trainer.stop)
            env["REGISTRY_TRAINER_URL"] = trainer.url
            env.setdefault("REGISTRY_TUNE_POLL_SECONDS", "2")
            lines.append(
                f"  trainer     {trainer.url}      (stand-in fine-tuning API; REGISTRY_TRAINER_URL for a real one)"
            )
    return env, lines
