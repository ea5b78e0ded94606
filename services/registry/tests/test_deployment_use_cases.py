"""Deployment use cases on in-memory fakes: status machine, rollouts and history, SSRF guard, audit events."""

from __future__ import annotations

import uuid

import pytest
from registry_fakes import (
    FakeClock,
    FakeModelVersions,
    InMemoryServingUoW,
    ReversibleSecretBox,
    ScriptedBackend,
    StaticResolver,
)

from mlp.common.egress.guard import EgressGuard
from mlp.common.egress.policy import EgressPolicy
from mlp.registry.application.deployment_drafts import DeploymentChange, DeploymentDraft
from mlp.registry.application.deployment_guard import UpstreamGuard
from mlp.registry.application.deployment_probes import DeploymentProber
from mlp.registry.application.deployment_revisions import DeploymentRevisions
from mlp.registry.application.deployments import DeploymentLimits, Deployments
from mlp.registry.domain.deployment_errors import (
    DeploymentNotFound,
    ForbiddenUpstream,
    InvalidDeployment,
    InvalidTransition,
    NameTaken,
)

DEVELOPMENT = "127.0.0.0/8,::1,10.0.0.0/8,models.internal"
USER = uuid.uuid4()
MODEL = uuid.uuid4()


class World:
    def __init__(self, egress_allow: str = DEVELOPMENT) -> None:
        self.clock = FakeClock()
        self.uow = InMemoryServingUoW()
        self.versions = FakeModelVersions()
        self.backend = ScriptedBackend()
        self.secrets = ReversibleSecretBox()
        self.forgotten: list[str] = []
        resolver = StaticResolver({"models.internal": ["10.0.0.7"], "sneaky.example": ["127.0.0.1"]})
        self.prober = DeploymentProber(self.uow, self.backend, self.secrets, self.clock)
        self.deployments = Deployments(
            self.uow,
            self.versions,
            self.secrets,
            UpstreamGuard(EgressGuard(EgressPolicy.parse(egress_allow), resolver)),
            self.backend,
            self.prober,
            self.clock,
            DeploymentLimits(),
            on_change=lambda user_id, name: self.forgotten.append(name),
        )
        self.revisions = DeploymentRevisions(self.uow, self.versions, self.clock)

    def draft(self, version_id: uuid.UUID, url: str = "http://models.internal/v1", **kw: object) -> DeploymentDraft:
        values: dict[str, object] = {
            "name": "chat",
            "kind": "openai-chat",
            "model_version_id": version_id,
            "upstream_url": url,
            "credential": "sk-upstream",
            "connect_timeout_seconds": None,
            "timeout_seconds": None,
        }
        values.update(kw)
        return DeploymentDraft(**values)  # type: ignore[arg-type]


async def test_create_probes_once_pending_to_ready_and_seals_the_credential() -> None:
    world = World()
    v1 = world.versions.add(USER, MODEL, 1)
    deployment = await world.deployments.create(USER, world.draft(v1.version_id))
    assert deployment.status == "ready"
    assert world.uow.deployments.credentials[deployment.id] == b"sealed:sk-upstream"
    assert world.backend.probed[0].credential == "sk-upstream"
    assert world.uow.outbox.actions() == ["deployment.created", "deployment.status.ready"]


async def test_an_unreachable_upstream_fails_a_new_deployment_and_degrades_a_ready_one() -> None:
    world = World()
    v1 = world.versions.add(USER, MODEL, 1)
    world.backend.healthy = False
    failed = await world.deployments.create(USER, world.draft(v1.version_id))
    assert failed.status == "failed"
    world.backend.healthy = True
    await world.prober.probe_live()
    assert world.uow.deployments.rows[failed.id].status == "ready"
    world.backend.healthy = False
    await world.prober.probe_live()
    degraded = world.uow.deployments.rows[failed.id]
    assert (degraded.status, degraded.status_detail) == ("degraded", "the model server could not be reached")
    assert world.uow.outbox.actions()[-1] == "deployment.status.degraded"


async def test_stop_then_start_and_stopped_deployments_are_not_probed() -> None:
    world = World()
    v1 = world.versions.add(USER, MODEL, 1)
    deployment = await world.deployments.create(USER, world.draft(v1.version_id))
    stopped = await world.deployments.stop(USER, deployment.id)
    assert stopped.status == "stopped"
    assert await world.prober.probe_live() == 0
    with pytest.raises(InvalidTransition):
        await world.deployments.stop(USER, deployment.id)
    started = await world.deployments.start(USER, deployment.id)
    assert started.status == "ready"
    assert "chat" in world.forgotten  # the inference route cache was told


async def test_a_stop_during_a_probe_wins() -> None:
    world = World()
    v1 = world.versions.add(USER, MODEL, 1)
    deployment = await world.deployments.create(USER, world.draft(v1.version_id))
    await world.deployments.stop(USER, deployment.id)
    # a probe that started before the stop comes back with the old status
    assert await world.prober.probe(deployment, None) == deployment
    assert world.uow.deployments.rows[deployment.id].status == "stopped"


async def test_rollout_opens_a_revision_and_history_answers_for_a_moment() -> None:
    world = World()
    v1 = world.versions.add(USER, MODEL, 1)
    v2 = world.versions.add(USER, MODEL, 2)
    deployment = await world.deployments.create(USER, world.draft(v1.version_id))
    created_at = world.clock.now
    world.clock.advance(60)
    rolled = await world.deployments.update(USER, deployment.id, DeploymentChange(model_version_id=v2.version_id))
    assert rolled.serves.version == 2
    history = await world.revisions.history(USER, deployment.id, None)
    assert [(r.serves.version, r.valid_from, r.valid_to) for r in history] == [
        (1, created_at, world.clock.now),
        (2, world.clock.now, None),
    ]
    at_30s = await world.revisions.history(USER, deployment.id, created_at.replace(second=30))
    assert [r.serves.version for r in at_30s] == [1]
    assert await world.revisions.history(USER, deployment.id, created_at.replace(hour=1)) == []
    assert "deployment.rolled_out" in world.uow.outbox.actions()


async def test_rollout_to_another_models_version_is_refused() -> None:
    world = World()
    v1 = world.versions.add(USER, MODEL, 1)
    other = world.versions.add(USER, uuid.uuid4(), 1)
    deployment = await world.deployments.create(USER, world.draft(v1.version_id))
    with pytest.raises(InvalidDeployment) as refused:
        await world.deployments.update(USER, deployment.id, DeploymentChange(model_version_id=other.version_id))
    assert refused.value.field == "model_version_id"


async def test_another_users_version_is_not_found_and_names_are_unique_per_user() -> None:
    world = World()
    theirs = world.versions.add(uuid.uuid4(), MODEL, 1)
    with pytest.raises(DeploymentNotFound) as missing:
        await world.deployments.create(USER, world.draft(theirs.version_id))
    assert missing.value.field == "model_version_id"
    mine = world.versions.add(USER, MODEL, 1)
    await world.deployments.create(USER, world.draft(mine.version_id))
    with pytest.raises(NameTaken):
        await world.deployments.create(USER, world.draft(mine.version_id))


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/v1",
        "http://169.254.169.254/latest",
        "http://[::1]/v1",
        "http://localhost/v1",
        "http://metadata.google.internal/v1",
        "http://sneaky.example/v1",  # a name resolving to loopback
        "http://models.internal/v1",  # a cluster name the allow-list does not name
        "http://10.0.0.7/v1",  # private, not named
        "http://[fd00:ec2::254]/latest",
        "http://100.100.100.200/latest",
    ],
)
async def test_ssrf_guard_refuses_internal_addresses(url: str) -> None:
    world = World(egress_allow="")
    v1 = world.versions.add(USER, MODEL, 1)
    with pytest.raises(ForbiddenUpstream) as refused:
        await world.deployments.create(USER, world.draft(v1.version_id, url))
    assert refused.value.field == "upstream_url"
    assert world.uow.deployments.rows == {}


async def test_ssrf_guard_allows_what_the_allow_list_names() -> None:
    named = World(egress_allow="models.internal")
    v1 = named.versions.add(USER, MODEL, 1)
    assert (await named.deployments.create(USER, named.draft(v1.version_id))).status == "ready"
    development = World()
    v1 = development.versions.add(USER, MODEL, 1)
    created = await development.deployments.create(USER, development.draft(v1.version_id, "http://127.0.0.1:9/v1/"))
    assert created.upstream_url == "http://127.0.0.1:9/v1"


@pytest.mark.parametrize(
    ("field", "draft"),
    [
        ("upstream_url", {"upstream_url": "ftp://models.internal/"}),
        ("upstream_url", {"upstream_url": "http://user:pw@models.internal/"}),
        ("name", {"name": "has space"}),
        ("timeout_seconds", {"timeout_seconds": 601.0}),
    ],
)
async def test_bad_input_names_the_field(field: str, draft: dict[str, object]) -> None:
    world = World()
    v1 = world.versions.add(USER, MODEL, 1)
    with pytest.raises(InvalidDeployment) as refused:
        await world.deployments.create(USER, world.draft(v1.version_id, **draft))
    assert refused.value.field == field


async def test_delete_stops_first_releases_and_frees_the_name() -> None:
    world = World()
    v1 = world.versions.add(USER, MODEL, 1)
    deployment = await world.deployments.create(USER, world.draft(v1.version_id))
    await world.deployments.delete(USER, deployment.id)
    assert world.uow.deployments.rows[deployment.id].status == "stopped"
    assert world.backend.released == [deployment.id]
    with pytest.raises(DeploymentNotFound):
        await world.deployments.get(USER, deployment.id)
    again = await world.deployments.create(USER, world.draft(v1.version_id))
    assert again.id != deployment.id


async def test_a_new_upstream_is_probed_at_once() -> None:
    world = World()
    v1 = world.versions.add(USER, MODEL, 1)
    deployment = await world.deployments.create(USER, world.draft(v1.version_id))
    world.backend.healthy = False
    moved = await world.deployments.update(USER, deployment.id, DeploymentChange(upstream_url="http://10.1.2.3/v1"))
    assert (moved.status, world.backend.probed[-1].url) == ("degraded", "http://10.1.2.3/v1")
