"""Signing keys rotate: JWKS publishes the current and previous key, and a service that meets a
token signed with a key it has not seen yet refreshes its cached JWKS."""

from __future__ import annotations

import asyncio

import httpx
import jwt
import msgspec
from fakes import FakeFirebase

from mlp.common.auth.jwks import JwksCache
from mlp.common.auth.platform_token import PlatformTokenVerifier
from mlp.common.auth.principal import Principal
from mlp.common.runtime.migrations import upgrade_to_head
from mlp.identity.app import create_app
from mlp.identity.application.platform_tokens import PlatformTokens
from mlp.identity.settings import IdentitySettings


async def test_rotation_publishes_both_keys_and_services_follow(
    identity_settings: IdentitySettings, firebase: FakeFirebase, empty_database_url: str
) -> None:
    """On a database of its own, so the rotation disturbs no other test's keys."""
    await asyncio.to_thread(upgrade_to_head, "mlp.identity", empty_database_url)
    app = create_app(msgspec.structs.replace(identity_settings, database_url=empty_database_url), firebase=firebase)
    async with app.lifespan(), httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://id") as http:
        _, id_token = firebase.new_user()
        old_token = (await http.post("/v1/auth/sign-in", json={"id_token": id_token})).json()["platform_token"]
        old_kid = jwt.get_unverified_header(old_token)["kid"]
        service_side = PlatformTokenVerifier(JwksCache(http, "/.well-known/jwks.json", min_refresh_seconds=0))
        assert (await service_side.verify(old_token)).session_id is not None

        tokens: PlatformTokens = app.state.platform_tokens
        new_key = await tokens.rotate()
        published = {k["kid"] for k in (await http.get("/.well-known/jwks.json")).json()["keys"]}
        assert {old_kid, new_key.kid} <= published

        new_token = (await tokens.issue(Principal.for_service("registry"))).token
        assert jwt.get_unverified_header(new_token)["kid"] == new_key.kid
        assert (await service_side.verify(new_token)).service == "registry"  # refreshed on the unknown kid
        assert (await service_side.verify(old_token)).session_id is not None  # the old key still verifies


async def test_retired_keys_leave_the_published_set_after_a_token_lifetime() -> None:
    from datetime import UTC, datetime, timedelta

    from mlp.identity.domain.signing_keys import KeyRing, SigningKey

    now = datetime(2026, 11, 25, tzinfo=UTC)
    lifetime = timedelta(minutes=5)
    old = SigningKey("old", "", {}, now - timedelta(days=31), retired_at=now - timedelta(minutes=6))
    previous = SigningKey("previous", "", {}, now - timedelta(days=30), retired_at=now - timedelta(minutes=1))
    current = SigningKey("current", "", {}, now - timedelta(minutes=3))
    ring = KeyRing((old, previous, current))
    assert [k.kid for k in ring.published(now, lifetime)] == ["previous", "current"]
    assert ring.to_retire(now, lifetime) == []  # current has not signed for a whole token lifetime yet
    assert ring.needs_new_key(now, timedelta(days=30)) is False
    assert ring.needs_new_key(now + timedelta(days=30), timedelta(days=30)) is True
