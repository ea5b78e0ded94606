"""A user's first minutes, across real processes: Firebase (emulator) sign-in at identity, then
the same person reaching another service with a platform token, an ID token and an API key."""

from __future__ import annotations

import asyncio

import httpx

from mlp.devtools.firebase_emulator import FirebaseEmulator


async def test_sign_in_then_call_registry_three_ways(
    firebase_emulator: FirebaseEmulator, platform: dict[str, str]
) -> None:
    person = await firebase_emulator.create_user(display_name="Grace")
    async with httpx.AsyncClient(timeout=30) as http:
        signed_in = await http.post(f"{platform['identity']}/v1/auth/sign-in", json={"id_token": person.id_token})
        assert signed_in.status_code == 201, signed_in.text
        user_id = signed_in.json()["user"]["id"]
        assert signed_in.json()["user"]["display_name"] == "Grace"
        session = {"authorization": f"Bearer {signed_in.json()['platform_token']}"}

        key = await http.post(
            f"{platform['identity']}/v1/api-keys", json={"name": "e2e", "scopes": ["models:read"]}, headers=session
        )
        assert key.status_code == 201, key.text
        credentials = {
            "platform token": session,
            "Firebase ID token": {"authorization": f"Bearer {person.id_token}"},
            "API key": {"authorization": f"Bearer {key.json()['secret']}"},
        }
        for name, headers in credentials.items():
            whoami = await http.get(f"{platform['registry']}/v1/whoami", headers=headers)
            assert whoami.status_code == 200, (name, whoami.text)
            assert whoami.json()["user_id"] == user_id, name
        assert whoami.json()["api_key_id"] == key.json()["key"]["id"]
        assert whoami.json()["scopes"] == ["models:read"]


async def test_disabled_firebase_user_is_refused_at_sign_in(
    firebase_emulator: FirebaseEmulator, platform: dict[str, str]
) -> None:
    person = await firebase_emulator.create_user()
    await firebase_emulator.disable_user(person.uid)
    async with httpx.AsyncClient(timeout=30) as http:
        refused = await http.post(f"{platform['identity']}/v1/auth/sign-in", json={"id_token": person.id_token})
        via_registry = await http.get(
            f"{platform['registry']}/v1/whoami", headers={"authorization": f"Bearer {person.id_token}"}
        )
    assert refused.status_code == 403
    assert refused.json()["type"] == "urn:mlp:problem:account-disabled"
    assert via_registry.status_code == 403


async def test_revoke_all_signs_the_user_out_of_firebase_too(
    firebase_emulator: FirebaseEmulator, platform: dict[str, str]
) -> None:
    person = await firebase_emulator.create_user()
    async with httpx.AsyncClient(timeout=30) as http:
        signed_in = await http.post(f"{platform['identity']}/v1/auth/sign-in", json={"id_token": person.id_token})
        session = {"authorization": f"Bearer {signed_in.json()['platform_token']}"}
        await asyncio.sleep(1.1)  # Firebase revokes tokens issued before the revocation's second, not in it
        assert (await http.post(f"{platform['identity']}/v1/sessions/revoke-all", headers=session)).status_code == 200
        again = await http.post(f"{platform['identity']}/v1/auth/sign-in", json={"id_token": person.id_token})
        assert again.status_code == 401
        assert again.json()["type"] == "urn:mlp:problem:credential-revoked"
        await asyncio.sleep(1.1)  # Firebase compares whole seconds: sign in after the revocation's second
        fresh_token = await firebase_emulator.sign_in(person.email, person.password)
        fresh = await http.post(f"{platform['identity']}/v1/auth/sign-in", json={"id_token": fresh_token})
        assert fresh.status_code == 201


async def test_quota_holds_when_a_service_is_called_directly(
    firebase_emulator: FirebaseEmulator, platform: dict[str, str]
) -> None:
    """registry asks identity on every call of a quota-limited key: its answers are not cached."""
    person = await firebase_emulator.create_user()
    async with httpx.AsyncClient(timeout=30) as http:
        signed_in = await http.post(f"{platform['identity']}/v1/auth/sign-in", json={"id_token": person.id_token})
        session = {"authorization": f"Bearer {signed_in.json()['platform_token']}"}
        body = {"name": "limited", "scopes": ["models:read"], "requests_per_minute": 2}
        key = (await http.post(f"{platform['identity']}/v1/api-keys", json=body, headers=session)).json()["secret"]
        calls = [
            await http.get(f"{platform['registry']}/v1/whoami", headers={"authorization": f"Bearer {key}"})
            for _ in range(3)
        ]
    assert [c.status_code for c in calls] == [200, 200, 429]
    assert calls[2].headers["content-type"] == "application/problem+json"
    assert int(calls[2].headers["retry-after"]) >= 1
    assert calls[2].headers["x-ratelimit-remaining"] == "0"
