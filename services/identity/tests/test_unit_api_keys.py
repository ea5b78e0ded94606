"""ApiKeys and API-key verification on the in-memory fakes: revocation takes effect at once on
this replica even with a long cache, and a deleted user's keys create nothing."""

from __future__ import annotations

import uuid

import pytest
from fakes import FakeIdentity

from mlp.common.auth.errors import CredentialRevoked, InvalidCredential
from mlp.identity.application.api_keys import KeyRequest
from mlp.identity.domain.errors import NotFound


async def test_a_revoked_key_is_refused_at_once_despite_the_cache() -> None:
    identity = FakeIdentity(cache_seconds=3600)
    user = (await identity.signed_in()).user
    created = await identity.api_keys.create(user.id, KeyRequest(name="ci", scopes=("inference",)))
    assert (await identity.key_verifier.verify(created.secret)).principal.api_key_id == created.key.id
    await identity.api_keys.revoke(user.id, created.key.id)
    with pytest.raises(InvalidCredential):
        await identity.key_verifier.verify(created.secret)


async def test_rotation_keeps_the_old_secret_for_the_grace_period_only() -> None:
    identity = FakeIdentity(cache_seconds=0)
    user = (await identity.signed_in()).user
    created = await identity.api_keys.create(user.id, KeyRequest(name="ci", scopes=("inference",)))
    rotated = await identity.api_keys.rotate(user.id, created.key.id, grace_seconds=60)
    await identity.key_verifier.verify(created.secret)
    await identity.key_verifier.verify(rotated.secret)
    identity.clock.advance(61)
    with pytest.raises(InvalidCredential):
        await identity.key_verifier.verify(created.secret)


async def test_a_deleted_user_gets_no_new_key_and_old_keys_stop() -> None:
    identity = FakeIdentity(cache_seconds=3600)
    user = (await identity.signed_in()).user
    created = await identity.api_keys.create(user.id, KeyRequest(name="ci", scopes=("inference",)))
    await identity.key_verifier.verify(created.secret)
    await identity.accounts.delete(user.id)
    with pytest.raises(InvalidCredential):
        await identity.key_verifier.verify(created.secret)
    with pytest.raises(CredentialRevoked):
        await identity.api_keys.create(user.id, KeyRequest(name="late", scopes=("inference",)))


async def test_another_users_key_is_not_found() -> None:
    identity = FakeIdentity()
    alice, mallory = (await identity.signed_in()).user, (await identity.signed_in()).user
    created = await identity.api_keys.create(alice.id, KeyRequest(name="ci", scopes=("inference",)))
    with pytest.raises(NotFound):
        await identity.api_keys.revoke(mallory.id, created.key.id)
    with pytest.raises(NotFound):
        await identity.api_keys.get(alice.id, uuid.uuid4())
