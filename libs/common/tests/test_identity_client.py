"""What a service remembers of identity's answers: per grant for platform tokens, refusals as
data, never longer than 3 s. identity is played by an httpx transport that counts the calls."""

from __future__ import annotations

import asyncio
import time
import uuid

import httpx
import msgspec
import pytest

from mlp.common.auth.errors import CredentialRevoked
from mlp.common.auth.identity_client import MAX_REUSE_SECONDS, IdentityVerifyClient
from mlp.common.auth.platform_token import VerifiedToken
from mlp.common.auth.principal import Principal
from mlp.common.contracts.auth import SERVICE_CREDENTIAL_HEADER, VerifiedCaller

USER = uuid.uuid4()
SESSION = uuid.uuid4()


class Identity:
    """identity's verify endpoint: vouches for every token, or refuses everything."""

    def __init__(self, *, refuse: bool = False, valid_after: int = 0) -> None:
        self.calls: list[httpx.Request] = []
        self.refuse = refuse
        self.valid_after = valid_after

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.calls.append(request)
        if self.refuse:
            problem = {"type": "urn:mlp:problem:credential-revoked", "detail": "revoked"}
            return httpx.Response(401, json=problem)
        answer = VerifiedCaller(principal=Principal(user_id=USER), tokens_valid_after=self.valid_after)
        return httpx.Response(200, content=msgspec.json.encode(answer))


def client_for(identity: Identity, **options: float) -> IdentityVerifyClient:
    http = httpx.AsyncClient(transport=httpx.MockTransport(identity))
    return IdentityVerifyClient(http, "http://identity", service_credential="mlpsvc_registry_" + "s" * 20, **options)


def token(issued_at: int) -> VerifiedToken:
    return VerifiedToken(Principal(user_id=USER, session_id=SESSION), issued_at, time.time() + 300)


async def test_one_question_per_grant_whatever_the_number_of_tokens() -> None:
    identity = Identity(valid_after=100)
    client = client_for(identity)
    await client.check_grant("token-a", token(issued_at=200))
    await client.check_grant("token-b", token(issued_at=300))
    assert len(identity.calls) == 1
    assert identity.calls[0].headers[SERVICE_CREDENTIAL_HEADER].startswith("mlpsvc_registry_")
    assert identity.calls[0].headers["prefer"] == "return=minimal"  # no platform token to mint for us
    assert client.known_grant(token(issued_at=300))


async def test_a_token_older_than_the_users_epoch_is_refused_without_asking() -> None:
    identity = Identity(valid_after=100)
    client = client_for(identity)
    await client.check_grant("token-a", token(issued_at=200))
    assert not client.known_grant(token(issued_at=99))
    with pytest.raises(CredentialRevoked):
        await client.check_grant("token-old", token(issued_at=99))


async def test_refusals_are_remembered_as_data_and_raised_fresh() -> None:
    identity = Identity(refuse=True)
    client = client_for(identity)
    raised = []
    for _ in range(2):
        with pytest.raises(CredentialRevoked) as caught:
            await client.verify("Bearer mlp_live_abcdefghijkl_" + "A" * 40)
        raised.append(caught.value)
    assert len(identity.calls) == 1
    assert raised[0] is not raised[1]


def test_answers_are_never_reused_longer_than_3_seconds() -> None:
    client = client_for(Identity(), ttl_seconds=30.0, refusal_ttl_seconds=30.0)
    assert MAX_REUSE_SECONDS == 3.0
    assert client.reuse_seconds == MAX_REUSE_SECONDS


async def test_concurrent_requests_of_a_grant_ask_identity_once() -> None:
    identity = Identity()
    client = client_for(identity)
    await asyncio.gather(*(client.check_grant(f"token-{i}", token(issued_at=200)) for i in range(32)))
    assert len(identity.calls) == 1


class SlowIdentity(Identity):
    """Answers after 10 ms (so concurrent requests overlap); ``no_store`` plays a key with a quota."""

    def __init__(self, *, no_store: bool = False) -> None:
        super().__init__()
        self.no_store = no_store

    async def handle(self, request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(0.01)
        response = self(request)
        if self.no_store:
            response.headers["cache-control"] = "no-store"
        return response


async def test_concurrent_calls_with_one_api_key_ask_identity_once() -> None:
    identity = SlowIdentity()
    http = httpx.AsyncClient(transport=httpx.MockTransport(identity.handle))
    client = IdentityVerifyClient(http, "http://identity")
    principals = await asyncio.gather(*(client.verify("Bearer mlp_key") for _ in range(32)))
    assert {p.user_id for p in principals} == {USER}
    assert len(identity.calls) == 1


async def test_every_call_with_a_counted_key_reaches_identity_even_when_concurrent() -> None:
    identity = SlowIdentity(no_store=True)
    http = httpx.AsyncClient(transport=httpx.MockTransport(identity.handle))
    client = IdentityVerifyClient(http, "http://identity")
    await asyncio.gather(*(client.verify("Bearer mlp_quota_key") for _ in range(8)))
    assert len(identity.calls) == 8


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


async def test_an_answer_in_its_last_second_is_used_and_asked_again_in_the_background() -> None:
    identity, clock = Identity(), FakeClock()
    client = IdentityVerifyClient(httpx.AsyncClient(transport=httpx.MockTransport(identity)), "http://i", clock=clock)
    await client.verify("Bearer mlp_key")
    clock.now += 2.5  # half a second left: answered from memory, asked again meanwhile
    assert (await client.verify("Bearer mlp_key")).user_id == USER
    await settle()
    assert len(identity.calls) == 2
    clock.now += 1.0  # past the first answer's 3 s, within the refreshed one's
    await client.verify("Bearer mlp_key")
    assert len(identity.calls) == 2


async def test_a_background_refresh_that_is_refused_refuses_the_next_call() -> None:
    identity, clock = Identity(), FakeClock()
    client = IdentityVerifyClient(httpx.AsyncClient(transport=httpx.MockTransport(identity)), "http://i", clock=clock)
    await client.verify("Bearer mlp_key")
    identity.refuse = True  # revoked meanwhile
    clock.now += 2.5
    await client.verify("Bearer mlp_key")  # still within the answer's 3 s
    await settle()
    with pytest.raises(CredentialRevoked):
        await client.verify("Bearer mlp_key")


async def test_a_grant_in_its_last_second_is_checked_again_in_the_background() -> None:
    identity, clock = Identity(valid_after=100), FakeClock()
    client = IdentityVerifyClient(httpx.AsyncClient(transport=httpx.MockTransport(identity)), "http://i", clock=clock)
    await client.check_grant("token-a", token(issued_at=200))
    clock.now += 2.5
    await client.check_grant("token-a", token(issued_at=200))
    await settle()
    assert len(identity.calls) == 2
    clock.now += 1.0
    assert client.known_grant(token(issued_at=200))
