"""Upstream credentials encrypted at rest with Fernet (AES-128-CBC + HMAC-SHA256).

``REGISTRY_CREDENTIAL_KEYS`` holds one or more Fernet keys, comma-separated: the first encrypts,
all decrypt, so a key is rotated by putting a new one first.
"""

from __future__ import annotations

from cryptography.fernet import Fernet, MultiFernet


class FernetSecretBox:
    def __init__(self, keys: str) -> None:
        parsed = [Fernet(key.strip().encode()) for key in keys.split(",") if key.strip()]
        if not parsed:
            raise ValueError("REGISTRY_CREDENTIAL_KEYS holds no Fernet key")
        self._fernet = MultiFernet(parsed)

    def seal(self, plaintext: str) -> bytes:
        return self._fernet.encrypt(plaintext.encode())

    def open(self, ciphertext: bytes) -> str:
        return self._fernet.decrypt(ciphertext).decode()
