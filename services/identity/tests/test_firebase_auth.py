"""FirebaseAdminAuth against real components: the Firebase Auth emulator, and Google's RS256 path.

Emulator tokens are unsigned and firebase-admin skips signature, kid, alg and expiry checks for
them, so forged tokens are tested on the real RS256 path: our own key and certificate served by a
local HTTP server, tokens minted with PyJWT. That adapter is built with ``check_revoked=False``:
its revocation lookup would go to Google's user API (revocation is tested on the emulator).
"""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from mlp.common.auth.errors import AccountDisabled, AuthUnavailable, CredentialRevoked, InvalidToken
from mlp.devtools.firebase_emulator import FirebaseEmulator
from mlp.identity.adapters.firebase_auth import EMULATOR_HOST_ENV, AnonymousCredential, FirebaseAdminAuth

PROJECT = "demo-mlp"
KID = "test-key-1"

# The emulator


@pytest.fixture
async def emulated(firebase_emulator: FirebaseEmulator) -> AsyncIterator[FirebaseAdminAuth]:
    adapter = FirebaseAdminAuth(firebase_emulator.project_id)
    yield adapter
    adapter.close()


async def test_a_fresh_users_token_verifies_to_that_user(
    emulated: FirebaseAdminAuth, firebase_emulator: FirebaseEmulator
) -> None:
    user = await firebase_emulator.create_user(display_name="Ada Lovelace", photo_url="https://example.com/ada.png")

    identity = await emulated.verify_id_token(user.id_token)

    assert (identity.uid, identity.email, identity.email_verified) == (user.uid, user.email, False)
    assert (identity.display_name, identity.photo_url) == ("Ada Lovelace", "https://example.com/ada.png")
    assert identity.auth_time is not None
    assert abs(identity.auth_time - datetime.now(UTC)) < timedelta(minutes=1)


async def test_revoked_refresh_tokens_refuse_the_token_issued_before(
    emulated: FirebaseAdminAuth, firebase_emulator: FirebaseEmulator
) -> None:
    user = await firebase_emulator.create_user()
    await emulated.verify_id_token(user.id_token)
    # Firebase compares iat with the revocation time in whole seconds: revoke in a later second.
    await asyncio.sleep(1.05 - time.time() % 1)

    await emulated.revoke_refresh_tokens(user.uid)

    with pytest.raises(CredentialRevoked):
        await emulated.verify_id_token(user.id_token)
    fresh = await firebase_emulator.sign_in(user.email, user.password)
    assert (await emulated.verify_id_token(fresh)).uid == user.uid


async def test_a_disabled_user_is_refused(emulated: FirebaseAdminAuth, firebase_emulator: FirebaseEmulator) -> None:
    user = await firebase_emulator.create_user()
    await firebase_emulator.disable_user(user.uid)

    with pytest.raises(AccountDisabled):
        await emulated.verify_id_token(user.id_token)


async def test_a_deleted_user_is_refused_and_revoking_them_is_harmless(
    emulated: FirebaseAdminAuth, firebase_emulator: FirebaseEmulator
) -> None:
    user = await firebase_emulator.create_user()
    await firebase_emulator.delete_user(user.uid)

    with pytest.raises(CredentialRevoked, match="no longer exists"):
        await emulated.verify_id_token(user.id_token)
    await emulated.revoke_refresh_tokens(user.uid)


@pytest.mark.parametrize("token", ["", "garbage", "a.b.c", "eyJhbGciOiJub25lIn0.e30."])
async def test_garbage_is_an_invalid_token(firebase_emulator: FirebaseEmulator, token: str) -> None:
    adapter = FirebaseAdminAuth(firebase_emulator.project_id)
    try:
        with pytest.raises(InvalidToken):
            await adapter.verify_id_token(token)
    finally:
        adapter.close()


@pytest.mark.parametrize(("iat", "exp", "reason"), [(3600, 7200, "future"), (1, -3600, "expired")])
async def test_unsigned_emulator_tokens_still_get_time_checks(
    emulated: FirebaseAdminAuth, firebase_emulator: FirebaseEmulator, iat: int, exp: int, reason: str
) -> None:
    user = await firebase_emulator.create_user()
    claims = jwt.decode(user.id_token, options={"verify_signature": False})
    now = int(time.time())
    forged = jwt.encode({**claims, "iat": now + iat, "exp": now + exp}, None, algorithm="none")

    with pytest.raises(InvalidToken, match=reason):
        await emulated.verify_id_token(forged)


def test_emulator_mode_is_refused_for_a_real_project(firebase_emulator: FirebaseEmulator) -> None:
    with pytest.raises(ValueError, match="not a demo- project"):
        FirebaseAdminAuth("mlp-production")


# Google's RS256 path, with our own certificate server


def _key_and_certificate() -> tuple[rsa.RSAPrivateKey, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "securetoken.test")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    return key, certificate.public_bytes(serialization.Encoding.PEM).decode()


SIGNING_KEY, CERTIFICATE = _key_and_certificate()
OTHER_KEY, _ = _key_and_certificate()


@pytest.fixture(scope="module")
def certificate_url() -> Iterator[str]:
    """Google's ``{kid: PEM certificate}`` document, served on loopback."""
    body = json.dumps({KID: CERTIFICATE}).encode()

    class Certificates(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Certificates)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/certificates"
    server.shutdown()
    server.server_close()


@pytest.fixture
def real_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """No emulator for these tests, even when the session's emulator fixture has set it up."""
    monkeypatch.delenv(EMULATOR_HOST_ENV, raising=False)


def rs256_auth(certificate_url: str) -> FirebaseAdminAuth:
    return FirebaseAdminAuth(
        PROJECT, certificate_url=certificate_url, credential=AnonymousCredential(), check_revoked=False
    )


@pytest.fixture
def google(real_path: None, certificate_url: str) -> Iterator[FirebaseAdminAuth]:
    adapter = rs256_auth(certificate_url)
    yield adapter
    adapter.close()


def mint(key: Any = SIGNING_KEY, algorithm: str = "RS256", headers: dict[str, Any] | None = None, **claims: Any) -> str:
    now = int(time.time())
    payload = {
        "iss": f"https://securetoken.google.com/{PROJECT}",
        "aud": PROJECT,
        "sub": "uid-ada",
        "user_id": "uid-ada",
        "iat": now - 10,
        "exp": now + 3600,
        "auth_time": now - 60,
        "email": "ada@example.com",
        "email_verified": True,
        "name": "Ada Lovelace",
        "picture": "https://example.com/ada.png",
    }
    payload.update(claims)
    return jwt.encode(payload, key, algorithm=algorithm, headers={"kid": KID} if headers is None else headers)


async def test_a_token_signed_by_the_served_key_verifies(google: FirebaseAdminAuth) -> None:
    auth_time = int(time.time()) - 60

    identity = await google.verify_id_token(mint(auth_time=auth_time))

    assert (identity.uid, identity.email, identity.email_verified) == ("uid-ada", "ada@example.com", True)
    assert (identity.display_name, identity.photo_url) == ("Ada Lovelace", "https://example.com/ada.png")
    assert identity.auth_time == datetime.fromtimestamp(auth_time, UTC)


FORGERIES = {
    "wrong audience": (lambda: mint(aud="another-project"), "audience"),
    "wrong issuer": (lambda: mint(iss="https://securetoken.google.com/another-project"), "issuer"),
    "expired": (lambda: mint(iat=int(time.time()) - 7200, exp=int(time.time()) - 3600), "expired"),
    "issued in the future": (lambda: mint(iat=int(time.time()) + 3600, exp=int(time.time()) + 7200), "future"),
    "empty subject": (lambda: mint(sub="", user_id=""), "subject"),
    "alg none": (lambda: mint(key=None, algorithm="none"), "algorithm"),
    "no kid": (lambda: mint(headers={}), "key id"),
    "unknown kid": (lambda: mint(headers={"kid": "not-served"}), "unknown key"),
    "signed by another key": (lambda: mint(key=OTHER_KEY), "signature"),
    "HS256": (lambda: mint(key=b"a-shared-secret-of-32-bytes-long", algorithm="HS256"), "algorithm"),
}


@pytest.mark.parametrize(("make_token", "reason"), FORGERIES.values(), ids=FORGERIES.keys())
async def test_a_forged_token_is_invalid(google: FirebaseAdminAuth, make_token: Any, reason: str) -> None:
    with pytest.raises(InvalidToken, match=reason):
        await google.verify_id_token(make_token())


async def test_an_unreachable_certificate_server_is_unavailable(real_path: None) -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    adapter = rs256_auth(f"http://127.0.0.1:{port}/certificates")
    try:
        with pytest.raises(AuthUnavailable):
            await adapter.verify_id_token(mint())
    finally:
        adapter.close()


async def test_an_emulator_setting_appearing_later_does_not_skip_signatures(
    google: FirebaseAdminAuth, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(EMULATOR_HOST_ENV, "127.0.0.1:9099")

    with pytest.raises(AuthUnavailable, match=EMULATOR_HOST_ENV):
        await google.verify_id_token(mint(key=OTHER_KEY))
