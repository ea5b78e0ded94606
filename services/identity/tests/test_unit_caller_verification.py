"""CallerVerification on the in-memory fakes: who gets a platform token, and which tokens stop."""

from __future__ import annotations

import pytest
from fakes import SERVICE_CREDENTIAL, FakeIdentity

from mlp.common.auth.errors import CredentialRevoked, InvalidCredential
from mlp.identity.application.api_keys import KeyRequest


def bearer(token: str) -> str:
    return f"Bearer {token}"


async def test_only_a_platform_caller_gets_a_token_for_a_key() -> None:
    identity = FakeIdentity()
    user = (await identity.signed_in()).user
    key = await identity.api_keys.create(user.id, KeyRequest(name="ci", scopes=("inference",)))
    _, for_client = await identity.callers.verify(bearer(key.secret), None)
    _, for_forged = await identity.callers.verify(bearer(key.secret), "mlpsvc_registry_" + "x" * 32)
    _, for_gateway = await identity.callers.verify(bearer(key.secret), SERVICE_CREDENTIAL)
    assert for_client is None
    assert for_forged is None
    assert for_gateway is not None
    with pytest.raises(InvalidCredential):
        await identity.callers.verify(bearer(for_gateway.token), None)
    verified, echoed = await identity.callers.verify(bearer(for_gateway.token), SERVICE_CREDENTIAL)
    assert verified.principal.api_key_id == key.key.id
    assert echoed is not None
    assert echoed.token == for_gateway.token


async def test_revoke_all_stops_every_token_issued_before() -> None:
    identity = FakeIdentity(cache_seconds=3600)
    signed_in = await identity.signed_in()
    session_token = bearer(signed_in.token.token)
    id_token = identity.firebase.token_for(signed_in.user.firebase_uid)
    _, minted = await identity.callers.verify(bearer(id_token), SERVICE_CREDENTIAL)
    assert minted is not None
    identity.clock.advance(1)
    await identity.sessions.revoke_all(signed_in.user.id)
    identity.firebase.revoked.discard(signed_in.user.firebase_uid)  # Firebase slow to notice
    for credential in (session_token, bearer(id_token), bearer(minted.token)):
        with pytest.raises(CredentialRevoked):
            await identity.callers.resolve(credential)


async def test_the_epoch_is_shared_with_services_caching_the_answer() -> None:
    identity = FakeIdentity()
    signed_in = await identity.signed_in()
    verified = await identity.callers.resolve(bearer(signed_in.token.token))
    assert verified.tokens_valid_after == 0
    identity.clock.advance(10)
    await identity.sessions.revoke_others(signed_in.user.id, signed_in.session.id)
    assert (await identity.callers.resolve(bearer(signed_in.token.token))).tokens_valid_after == 0
