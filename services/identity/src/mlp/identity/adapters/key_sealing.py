"""Encryption at rest of the signing keys' private halves (Fernet: AES-128-CBC + HMAC-SHA256).

The key-encryption key comes from the environment (a Kubernetes Secret); earlier KEKs may be
listed after it so a KEK can be rotated (new keys are sealed with the first). A PEM stored
before encryption existed is read as is.
"""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

SEALED_PREFIX = "fernet:"


class FernetKeySealer:
    def __init__(self, keks: list[str]) -> None:
        try:
            self._fernet = MultiFernet([Fernet(kek.encode()) for kek in keks])
        except ValueError as exc:
            raise ValueError("a signing-key KEK must be a Fernet key (urlsafe base64 of 32 bytes)") from exc

    def seal(self, private_pem: str) -> str:
        return SEALED_PREFIX + self._fernet.encrypt(private_pem.encode()).decode()

    def open(self, stored: str) -> str:
        if not stored.startswith(SEALED_PREFIX):
            return stored  # written before encryption at rest
        try:
            return self._fernet.decrypt(stored.removeprefix(SEALED_PREFIX).encode()).decode()
        except InvalidToken as exc:
            raise RuntimeError("a signing key cannot be decrypted: is IDENTITY_SIGNING_KEY_KEK right?") from exc
