"""SignIn and SessionRefresh on the in-memory fakes, with a fake clock (no database, no sleep)."""

from __future__ import annotations

import pytest
from fakes import FakeIdentity

from mlp.common.auth.errors import AccountDisabled, CredentialRevoked, InvalidCredential
from mlp.identity.application.sign_in import Device

DEVICE = Device(user_agent="unit", ip_address="203.0.113.7")


async def test_first_sign_in_provisions_the_user_and_audits_it() -> None:
    identity = FakeIdentity()
    signed_in = await identity.signed_in()
    tables = identity.db.tables
    assert tables.users[signed_in.user.id].firebase_uid in identity.firebase.users
    assert signed_in.session.id in tables.sessions
    assert [e.action for e in tables.events.values()] == ["auth.sign_in"]


async def test_a_refresh_token_works_once_and_its_reuse_revokes_the_session() -> None:
    identity = FakeIdentity()
    signed_in = await identity.signed_in()
    _, rotated, _ = await identity.refresh.refresh(signed_in.refresh_token)
    with pytest.raises(CredentialRevoked):
        await identity.refresh.refresh(signed_in.refresh_token)  # stolen and replayed
    with pytest.raises(InvalidCredential):
        await identity.refresh.refresh(rotated)  # the whole session is gone
    session, _ = identity.db.tables.sessions[signed_in.session.id]
    assert session.revoked_reason == "refresh token reused"


async def test_refresh_asks_firebase_again_after_the_recheck_interval() -> None:
    identity = FakeIdentity(firebase_recheck_seconds=3600)
    signed_in = await identity.signed_in()
    identity.clock.advance(1800)
    _, token, _ = await identity.refresh.refresh(signed_in.refresh_token)
    assert identity.firebase.lookups == []
    identity.firebase.disabled.add(signed_in.user.firebase_uid)
    identity.clock.advance(1801)
    with pytest.raises(AccountDisabled):
        await identity.refresh.refresh(token)
    assert identity.firebase.lookups == [signed_in.user.firebase_uid]
    session, _ = identity.db.tables.sessions[signed_in.session.id]
    assert session.revoked_at is not None


async def test_a_deleted_user_cannot_sign_in_or_refresh() -> None:
    identity = FakeIdentity()
    signed_in = await identity.signed_in()
    await identity.accounts.delete(signed_in.user.id)
    identity.firebase.revoked.discard(signed_in.user.firebase_uid)  # even if Firebase still accepted the person
    with pytest.raises(InvalidCredential):
        await identity.refresh.refresh(signed_in.refresh_token)
    with pytest.raises(AccountDisabled):
        await identity.sign_in.sign_in(identity.firebase.token_for(signed_in.user.firebase_uid), DEVICE)
