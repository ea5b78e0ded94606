"""The ``FirebaseAuth`` port on firebase-admin: Google's Firebase Auth, or its emulator in tests.

Standard environment variables, as Google's libraries read them:

- ``FIREBASE_AUTH_EMULATOR_HOST`` (``host:port``): use the Firebase Auth emulator. firebase-admin
  then skips the signature, ``kid`` and ``alg`` checks, so this is refused unless the project id
  starts with ``demo-``, and an adapter verifies nothing once the variable differs from its start.
- ``GOOGLE_APPLICATION_CREDENTIALS``: a service-account credential file. Signatures need none
  (Google's certificates are public), but the revoked/disabled lookup and ``revoke_refresh_tokens``
  call Firebase's user API, which does: without it (or ``credential=``) they are ``AuthUnavailable``.
"""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from datetime import UTC, datetime
from typing import Any

import firebase_admin
import google.auth.credentials
from firebase_admin import auth, credentials, exceptions

from mlp.common.auth.errors import AccountDisabled, AuthUnavailable, CredentialRevoked, InvalidToken
from mlp.identity.domain.users import FirebaseIdentity

EMULATOR_HOST_ENV = "FIREBASE_AUTH_EMULATOR_HOST"
CREDENTIALS_ENV = "GOOGLE_APPLICATION_CREDENTIALS"
CLOCK_SKEW_SECONDS = 5
"""Tolerated clock difference with Google (``iat`` slightly ahead, ``exp`` just passed)."""


class AnonymousCredential(credentials.Base):  # type: ignore[misc]
    """No Google credential: enough to verify ID tokens and to use the emulator."""

    def get_credential(self) -> google.auth.credentials.Credentials:
        return google.auth.credentials.AnonymousCredentials()  # type: ignore[no-untyped-call]


class FirebaseAdminAuth:
    """One firebase-admin App of its own per instance; blocking SDK calls run in a worker thread.

    ``certificate_url`` replaces Google's ID-token certificate URL (tests serve their own keys).
    ``check_revoked=False`` skips the user lookup (revoked, disabled, deleted): only for tests of
    the signature path, which must not reach Google's user API.
    """

    def __init__(
        self,
        project_id: str,
        *,
        certificate_url: str | None = None,
        credential: credentials.Base | None = None,
        check_revoked: bool = True,
    ) -> None:
        self._emulator_host = os.environ.get(EMULATOR_HOST_ENV, "")
        if self._emulator_host and not project_id.startswith("demo-"):
            raise ValueError(f"{EMULATOR_HOST_ENV} is set but project {project_id!r} is not a demo- project")
        if credential is None:
            use_adc = os.environ.get(CREDENTIALS_ENV) and not self._emulator_host
            credential = credentials.ApplicationDefault() if use_adc else AnonymousCredential()
        name = f"mlp-identity-{uuid.uuid4().hex}"
        self._app = firebase_admin.initialize_app(credential, options={"projectId": project_id}, name=name)
        self._client = auth.Client(self._app)
        self._check_revoked = check_revoked
        if certificate_url is not None:
            _use_certificate_url(self._client, certificate_url)

    def close(self) -> None:
        firebase_admin.delete_app(self._app)

    async def verify_id_token(self, id_token: str) -> FirebaseIdentity:
        self._refuse_changed_emulator_setting()
        try:
            claims = await asyncio.to_thread(
                self._client.verify_id_token,
                id_token,
                check_revoked=self._check_revoked,
                clock_skew_seconds=CLOCK_SKEW_SECONDS,
            )
        except auth.RevokedIdTokenError as error:
            raise CredentialRevoked("the Firebase session was revoked: sign in again") from error
        except auth.ExpiredIdTokenError as error:
            raise InvalidToken("invalid Firebase ID token: expired") from error
        except auth.UserDisabledError as error:
            raise AccountDisabled("the Firebase account is disabled") from error
        except auth.UserNotFoundError as error:
            raise CredentialRevoked("the Firebase user no longer exists") from error
        except (auth.InvalidIdTokenError, ValueError) as error:
            raise InvalidToken(f"invalid Firebase ID token: {_reason(error)}") from error
        except exceptions.FirebaseError as error:  # CertificateFetchError, transport, quota, credential
            raise AuthUnavailable(f"Firebase Auth unavailable: {type(error).__name__}") from error
        return _identity(claims)

    async def revoke_refresh_tokens(self, uid: str) -> None:
        self._refuse_changed_emulator_setting()
        try:
            await asyncio.to_thread(self._client.revoke_refresh_tokens, uid)
        except auth.UserNotFoundError:
            return
        except exceptions.FirebaseError as error:
            raise AuthUnavailable(f"Firebase Auth unavailable: {type(error).__name__}") from error

    async def user_state(self, uid: str) -> str:
        self._refuse_changed_emulator_setting()
        try:
            user = await asyncio.to_thread(self._client.get_user, uid)
        except auth.UserNotFoundError:
            return "deleted"
        except exceptions.FirebaseError as error:
            raise AuthUnavailable(f"Firebase Auth unavailable: {type(error).__name__}") from error
        return "disabled" if user.disabled else "active"

    def _refuse_changed_emulator_setting(self) -> None:
        # firebase-admin reads the variable again at each verification: an adapter built for
        # Google must never start accepting unsigned tokens because the variable appeared later.
        if os.environ.get(EMULATOR_HOST_ENV, "") != self._emulator_host:
            raise AuthUnavailable(f"{EMULATOR_HOST_ENV} changed since Firebase Auth was set up")


def _use_certificate_url(client: auth.Client, url: str) -> None:
    """Point this client's ID-token verifier, and only it, at ``url``.

    firebase-admin 7.7 has no option for it: ``TokenVerifier`` copies the module constant
    ``ID_TOKEN_CERT_URI`` into its ``id_token_verifier.cert_url`` when the Client is built.
    """
    verifier = getattr(getattr(client, "_token_verifier", None), "id_token_verifier", None)
    if verifier is None or not isinstance(getattr(verifier, "cert_url", None), str):
        raise RuntimeError("this firebase-admin version keeps its certificate URL elsewhere")
    verifier.cert_url = url


_REASONS = (  # (fragment of firebase-admin's or google-auth's message, reason we give)
    ("custom token", "a custom token, not an ID token"),
    ('"kid"', "no key id"),
    ("algorithm", "wrong signing algorithm"),
    ('"aud"', "wrong audience (not issued for this Firebase project)"),
    ('"iss"', "wrong issuer"),
    ('"sub"', "missing or invalid subject"),
    ("key id", "signed by an unknown key"),
    ("signature", "bad signature"),
    ("too early", "issued in the future"),
)


def _reason(error: Exception) -> str:
    """A short reason that never echoes the token (google-auth's messages can)."""
    message = str(error)
    return next((reason for fragment, reason in _REASONS if fragment in message), "malformed token")


def _identity(claims: dict[str, Any]) -> FirebaseIdentity:
    uid = claims.get("uid")
    if not isinstance(uid, str) or not uid:
        raise InvalidToken("invalid Firebase ID token: missing or invalid subject")
    issued_at, expires_at, now = claims.get("iat"), claims.get("exp"), time.time()  # unchecked in emulator mode
    if not isinstance(issued_at, int | float) or not isinstance(expires_at, int | float):
        raise InvalidToken("invalid Firebase ID token: no issue or expiry time")
    if issued_at > now + CLOCK_SKEW_SECONDS:
        raise InvalidToken("invalid Firebase ID token: issued in the future")
    if expires_at < now - CLOCK_SKEW_SECONDS:
        raise InvalidToken("invalid Firebase ID token: expired")
    auth_time = claims.get("auth_time")
    return FirebaseIdentity(
        uid=uid,
        email=_text(claims.get("email")),
        email_verified=claims.get("email_verified") is True,
        display_name=_text(claims.get("name")),
        photo_url=_text(claims.get("picture")),
        auth_time=datetime.fromtimestamp(auth_time, UTC) if isinstance(auth_time, int | float) else None,
        issued_at=int(issued_at),
    )


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None
