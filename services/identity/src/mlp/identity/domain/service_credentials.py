"""Credentials of the platform's own services (``mlpsvc_<service>_<secret>``).

A service presents its credential to identity to obtain short-lived service tokens; identity
keeps only their SHA-256 digests and compares in constant time.
"""

from __future__ import annotations

import hashlib
import hmac

SERVICE_CREDENTIAL_PREFIX = "mlpsvc_"


class ServiceCredentials:
    def __init__(self, credentials: list[str]) -> None:
        self._digests: list[tuple[bytes, str]] = []
        for credential in credentials:
            name = service_name_of(credential)
            if name is None:
                raise ValueError("service credentials look like mlpsvc_<service>_<secret>")
            self._digests.append((hashlib.sha256(credential.encode()).digest(), name))

    @classmethod
    def parse(cls, comma_separated: str) -> ServiceCredentials:
        return cls([c.strip() for c in comma_separated.split(",") if c.strip()])

    def service_for(self, credential: str) -> str | None:
        digest = hashlib.sha256(credential.encode()).digest()
        found = None
        for known, name in self._digests:
            if hmac.compare_digest(known, digest):
                found = name
        return found


def service_name_of(credential: str) -> str | None:
    if not credential.startswith(SERVICE_CREDENTIAL_PREFIX):
        return None
    name, _, secret = credential.removeprefix(SERVICE_CREDENTIAL_PREFIX).partition("_")
    return name if name.isidentifier() and len(secret) >= 16 else None
