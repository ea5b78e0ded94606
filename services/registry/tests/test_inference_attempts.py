"""Which deployments a call tries and for how long: its own first, then its fallbacks in order (the
gone, other-kind and not-serving ones passed over), at most ``max_attempts``, none started after
``total_seconds``, each attempt's timeouts cut to the time left; each attempt draws its version."""

from __future__ import annotations

import uuid
from dataclasses import replace

from registry_fakes import FakeClock, InMemoryServingUoW, ReversibleSecretBox

from mlp.registry.application.inference_attempts import Attempt, AttemptLimits, Attempts
from mlp.registry.application.inference_routes import DeploymentRoutes
from mlp.registry.domain.deployments import Canary, Deployment, ModelVersionRef, Timeouts

USER = uuid.uuid4()
MODEL = uuid.uuid4()


class Seconds:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def deployment(name: str, **changes: object) -> Deployment:
    now = FakeClock().now
    made = Deployment(
        id=uuid.uuid4(),
        user_id=USER,
        name=name,
        kind="openai-chat",
        serves=ModelVersionRef(MODEL, uuid.uuid4(), 1, "model-1"),
        upstream_url=f"http://{name}.internal/v1",
        has_credential=False,
        timeouts=Timeouts(5, 60),
        status="ready",
        status_detail=None,
        created_at=now,
        updated_at=now,
        served_model="model-1",
    )
    return replace(made, **changes)  # type: ignore[arg-type]


async def tried(primary: Deployment, others: list[Deployment], limits: AttemptLimits, clock: Seconds) -> list[Attempt]:
    uow = InMemoryServingUoW()
    for d in [primary, *others]:
        uow.deployments.rows[d.id] = d
        uow.deployments.credentials[d.id] = None
    routes = DeploymentRoutes(uow, ReversibleSecretBox())
    attempts = Attempts(routes, await routes.by_name(USER, primary.name), USER, clock(), limits, clock, lambda: 0.5)
    made = []
    async for attempt in attempts:
        made.append(attempt)
        clock.now += 20  # each attempt fails after 20 s
    return made


async def test_fallbacks_in_order_passing_over_those_that_cannot_serve() -> None:
    gone = uuid.uuid4()
    embeddings = deployment("emb", kind="openai-embeddings")
    failed = deployment("failed", status="failed")
    a, b = deployment("a"), deployment("b", status="degraded")
    primary = deployment("primary", fallbacks=(gone, embeddings.id, failed.id, a.id, b.id))
    made = await tried(primary, [embeddings, failed, a, b], AttemptLimits(max_attempts=5), Seconds())
    assert [(m.number, m.deployment.name, m.fallback_from) for m in made] == [
        (1, "primary", None),
        (2, "a", primary.id),
        (3, "b", primary.id),
    ]


async def test_attempts_are_bounded_in_number_and_in_time() -> None:
    spares = [deployment(f"s{i}") for i in range(4)]
    primary = deployment("primary", fallbacks=tuple(s.id for s in spares))
    by_number = await tried(primary, spares, AttemptLimits(max_attempts=2, total_seconds=1000), Seconds())
    assert [m.deployment.name for m in by_number] == ["primary", "s0"]
    by_time = await tried(primary, spares, AttemptLimits(max_attempts=10, total_seconds=50), Seconds())
    # started at 0, 20 and 40 s; at 60 s the 50 s are spent
    assert [m.deployment.name for m in by_time] == ["primary", "s0", "s1"]
    assert [m.target.timeouts for m in by_time] == [Timeouts(5, 50), Timeouts(5, 30), Timeouts(5, 10)]


async def test_each_attempt_draws_the_version_a_canary_answers_for_its_share() -> None:
    canary = Canary(ModelVersionRef(MODEL, uuid.uuid4(), 2, "model-2"), "model-2", 60)
    primary = deployment("primary", canary=canary)
    (made,) = await tried(primary, [], AttemptLimits(), Seconds())  # the draw is 0.5: under 60 %
    assert (made.version, made.served_model) == (canary.serves, "model-2")
    assert primary.pick(0.6) == (primary.serves, "model-1")
