"""RS256 JSON Web Tokens, parsed once and checked with ``cryptography`` directly.

PyJWT 2.15 checks each base64url character in a Python loop and a request parsed a token
three times (is it ours? its header, then the checked decode): two thirds of a cold token's
cost. Here a compiled pattern checks the alphabet, msgspec decodes the JSON, and the signature
is checked once with the RSA key. Only RS256 exists here: no algorithm comes from the token.
"""

from __future__ import annotations

import base64
import binascii
import re
import time
from typing import Any, NamedTuple

import msgspec
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from mlp.common.auth.errors import InvalidToken

SEGMENT = re.compile(rb"[A-Za-z0-9_-]*")
REQUIRED_CLAIMS = ("exp", "iat", "sub", "iss", "aud")


class CompactToken(NamedTuple):
    header: dict[str, Any]
    claims: dict[str, Any]
    signing_input: bytes
    signature: bytes


def _segment(raw: bytes) -> bytes:
    if SEGMENT.fullmatch(raw) is None or len(raw) % 4 == 1:
        raise InvalidToken("malformed token")
    try:
        return base64.urlsafe_b64decode(raw + b"=" * (-len(raw) % 4))
    except binascii.Error as exc:
        raise InvalidToken("malformed token") from exc


def _json_object(raw: bytes) -> dict[str, Any]:
    try:
        value = msgspec.json.decode(_segment(raw))
    except msgspec.DecodeError as exc:
        raise InvalidToken("malformed token") from exc
    if not isinstance(value, dict):
        raise InvalidToken("malformed token")
    return value


def parse(token: str) -> CompactToken:
    """Header, claims and signature of a compact JWS, nothing verified yet."""
    parts = token.encode().split(b".")
    if len(parts) != 3:
        raise InvalidToken("malformed token")
    header, payload, signature = parts
    return CompactToken(_json_object(header), _json_object(payload), header + b"." + payload, _segment(signature))


def unverified_issuer(token: str) -> str | None:
    """The ``iss`` a token claims, or None when it is no JWT (cheap: the payload only)."""
    parts = token.encode().split(b".")
    if len(parts) != 3:
        return None
    try:
        issuer = _json_object(parts[1]).get("iss")
    except InvalidToken:
        return None
    return issuer if isinstance(issuer, str) else None


def check_signature(token: CompactToken, key: object) -> None:
    if not isinstance(key, rsa.RSAPublicKey):
        raise InvalidToken("token signing key is not an RSA key")
    try:
        key.verify(token.signature, token.signing_input, padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature as exc:
        raise InvalidToken("token refused: Signature verification failed") from exc


def check_claims(claims: dict[str, Any], *, issuer: str, audience: str, leeway: float) -> None:
    missing = [name for name in REQUIRED_CLAIMS if name not in claims]
    if missing:
        raise InvalidToken(f"token refused: missing claim(s) {', '.join(missing)}")
    exp, iat, nbf = claims["exp"], claims["iat"], claims.get("nbf", 0)
    if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in (exp, iat, nbf)):
        raise InvalidToken("token refused: exp, iat and nbf must be numbers")
    now = time.time()
    if exp <= now - leeway:
        raise InvalidToken("token has expired")
    if iat > now + leeway or nbf > now + leeway:
        raise InvalidToken("token refused: issued in the future")
    if claims["iss"] != issuer:
        raise InvalidToken("token refused: wrong issuer")
    aud = claims["aud"]
    if not (aud == audience or (isinstance(aud, list) and audience in aud)):
        raise InvalidToken("token is not meant for this platform")
