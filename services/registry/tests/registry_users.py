"""Test callers of registry's files and datasets: a user id and the headers of its platform token."""

from __future__ import annotations

import uuid

from platform_tokens import SigningKeys


class User:
    def __init__(self, keys: SigningKeys, scopes: str = "datasets:*") -> None:
        self.id = uuid.uuid4()
        self.headers = {"authorization": f"Bearer {keys.token(self.id, scopes)}"}
