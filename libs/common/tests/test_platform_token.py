"""Local verification of platform tokens: what passes and every way a forgery is refused."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from jwt.algorithms import RSAAlgorithm
from jwt.utils import base64url_encode

from mlp.common.auth.errors import AuthError, InvalidToken
from mlp.common.auth.platform_token import PlatformTokenVerifier
from mlp.common.auth.resolver import ServiceCredentialResolver

KID = "mlp-test-1"
USER = uuid.UUID("7b0a5c8e-43a8-4f7b-9b8f-6f0c3f0b1a11")


class DictKeySource:
    """The KeySource port at its simplest: keys held in a dict, counting lookups."""

    def __init__(self, keys: dict[str, jwt.PyJWK]) -> None:
        self.keys = keys
        self.lookups = 0

    async def get_key(self, kid: str) -> jwt.PyJWK | None:
        self.lookups += 1
        return self.keys.get(kid)


@pytest.fixture(scope="module")
def private_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def keys(private_key: rsa.RSAPrivateKey) -> DictKeySource:
    jwk: dict[str, Any] = RSAAlgorithm.to_jwk(private_key.public_key(), as_dict=True)
    return DictKeySource({KID: jwt.PyJWK.from_dict({**jwk, "kid": KID, "alg": "RS256"})})


def claims(**overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    base = {"sub": str(USER), "scope": "models:read datasets:*", "iss": "mlp-identity", "aud": "mlp"}
    return {**base, "iat": now, "exp": now + 300, **overrides}


def sign(key: rsa.RSAPrivateKey, payload: dict[str, Any], kid: str = KID, alg: str = "RS256") -> str:
    return jwt.encode(payload, key, algorithm=alg, headers={"kid": kid})


async def test_valid_token_gives_the_principal(private_key: rsa.RSAPrivateKey, keys: DictKeySource) -> None:
    session = uuid.uuid4()
    principal = await PlatformTokenVerifier(keys).verify(sign(private_key, claims(sid=str(session))))
    assert principal.user_id == USER
    assert principal.session_id == session
    assert principal.has_scope("datasets:write")
    assert not principal.has_scope("billing:read")


async def test_service_subject_gives_a_service_principal(private_key: rsa.RSAPrivateKey, keys: DictKeySource) -> None:
    principal = await PlatformTokenVerifier(keys).verify(sign(private_key, claims(sub="service:billing")))
    assert principal.kind == "service"
    assert principal.service == "billing"


async def test_verified_token_is_cached(private_key: rsa.RSAPrivateKey, keys: DictKeySource) -> None:
    verifier = PlatformTokenVerifier(keys)
    token = sign(private_key, claims())
    first, second = await verifier.verify(token), await verifier.verify(token)
    assert first == second
    assert keys.lookups == 1


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        (claims(exp=int(time.time()) - 60), "expired"),
        (claims(aud="someone-else"), "not meant"),
        (claims(iss="https://securetoken.google.com/x"), "refused"),
        (claims(iat=int(time.time()) + 3600), "refused"),
        (claims(sub=""), "subject"),
        (claims(sub="not-a-uuid"), "subject"),
        ({k: v for k, v in claims().items() if k != "exp"}, "refused"),
    ],
    ids=["expired", "wrong-audience", "wrong-issuer", "issued-in-future", "empty-subject", "bad-subject", "no-exp"],
)
async def test_bad_claims_are_refused(
    private_key: rsa.RSAPrivateKey, keys: DictKeySource, payload: dict[str, Any], reason: str
) -> None:
    with pytest.raises(InvalidToken, match=reason):
        await PlatformTokenVerifier(keys).verify(sign(private_key, payload))


async def test_signature_by_another_key_is_refused(keys: DictKeySource) -> None:
    intruder = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with pytest.raises(InvalidToken, match="Signature verification failed"):
        await PlatformTokenVerifier(keys).verify(sign(intruder, claims()))


async def test_unknown_kid_is_refused(private_key: rsa.RSAPrivateKey, keys: DictKeySource) -> None:
    with pytest.raises(InvalidToken, match="unknown"):
        await PlatformTokenVerifier(keys).verify(sign(private_key, claims(), kid="mlp-other"))


async def test_alg_none_is_refused(keys: DictKeySource) -> None:
    unsigned = jwt.encode(claims(), None, algorithm="none", headers={"kid": KID})
    with pytest.raises(InvalidToken, match="algorithm"):
        await PlatformTokenVerifier(keys).verify(unsigned)


async def test_hmac_with_the_public_key_is_refused(private_key: rsa.RSAPrivateKey, keys: DictKeySource) -> None:
    """The classic algorithm confusion: HS256 keyed with the (public) RSA key."""
    public_pem = private_key.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
    header = base64url_encode(json.dumps({"alg": "HS256", "kid": KID, "typ": "JWT"}).encode())
    payload = base64url_encode(json.dumps(claims()).encode())
    signature = base64url_encode(hmac.new(public_pem, header + b"." + payload, hashlib.sha256).digest())
    forged = (header + b"." + payload + b"." + signature).decode()
    with pytest.raises(InvalidToken, match="algorithm"):
        await PlatformTokenVerifier(keys).verify(forged)


@pytest.mark.parametrize("garbage", ["", "abc", "a.b.c", "eyJhbGciOiJSUzI1NiJ9..", "x" * 5000])
async def test_malformed_tokens_are_refused(keys: DictKeySource, garbage: str) -> None:
    with pytest.raises(InvalidToken):
        await PlatformTokenVerifier(keys).verify(garbage)


async def test_resolver_knows_a_token_only_once_verified(private_key: rsa.RSAPrivateKey, keys: DictKeySource) -> None:
    resolver = ServiceCredentialResolver(PlatformTokenVerifier(keys), identity=None)
    authorization = f"Bearer {sign(private_key, claims())}"
    assert resolver.known(authorization) is None
    verified = await resolver.resolve(authorization)
    assert resolver.known(authorization) == verified
    assert resolver.known("Basic " + authorization[7:]) is None


async def test_resolver_without_identity_refuses_other_credentials(keys: DictKeySource) -> None:
    resolver = ServiceCredentialResolver(PlatformTokenVerifier(keys), identity=None)
    with pytest.raises(AuthError, match="only platform tokens"):
        await resolver.resolve("Bearer mlp_live_abcdefghijkl_" + "A" * 40)


async def test_an_audience_list_naming_the_platform_is_accepted(
    private_key: rsa.RSAPrivateKey, keys: DictKeySource
) -> None:
    principal = await PlatformTokenVerifier(keys).verify(sign(private_key, claims(aud=["other", "mlp"])))
    assert principal.user_id == USER


@pytest.mark.parametrize("tamper", ["padding", "payload"])
async def test_a_tampered_token_is_refused(private_key: rsa.RSAPrivateKey, keys: DictKeySource, tamper: str) -> None:
    header, payload, signature = sign(private_key, claims()).split(".")
    if tamper == "padding":
        forged = f"{header}.{payload}==.{signature}"
    else:
        forged = f"{header}.{base64url_encode(json.dumps(claims(sub=str(uuid.uuid4()))).encode()).decode()}.{signature}"
    with pytest.raises(InvalidToken):
        await PlatformTokenVerifier(keys).verify(forged)
