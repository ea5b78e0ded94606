"""Stored files: what a file is, its purposes, and which client filenames are acceptable."""

from __future__ import annotations

import unicodedata
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from mlp.registry.domain.errors import InvalidInput

OPENAI_PURPOSES: Final = ("fine-tune", "evals", "batch", "user_data", "assistants", "vision")
OWN_PURPOSES: Final = ("dataset", "artifact", "report")
FILE_PURPOSES: Final = (*OPENAI_PURPOSES, *OWN_PURPOSES)

MAX_FILENAME_CHARS: Final = 255


@dataclass(frozen=True, slots=True)
class StoredFile:
    id: uuid.UUID
    user_id: uuid.UUID
    filename: str
    purpose: str
    content_type: str
    size_bytes: int
    sha256: str
    storage_key: str
    created_at: datetime


def check_purpose(purpose: str) -> str:
    if purpose not in FILE_PURPOSES:
        raise InvalidInput("unknown-purpose", f"purpose must be one of {', '.join(FILE_PURPOSES)}", field="purpose")
    return purpose


def clean_filename(raw: str) -> str:
    """The client's filename, kept as metadata only (storage keys are generated).

    It is shown back and put in ``Content-Disposition``, so a name with a path, control
    characters or absurd length is refused rather than silently rewritten.
    """
    name = unicodedata.normalize("NFC", raw)
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn") for ch in name):
        raise InvalidInput("invalid-filename", "filename contains control or unassigned characters", field="file")
    if "/" in name or "\\" in name or name.strip() in ("", ".", ".."):
        raise InvalidInput("invalid-filename", "filename must be a plain name, not a path", field="file")
    if len(name) > MAX_FILENAME_CHARS:
        raise InvalidInput("invalid-filename", f"filename is longer than {MAX_FILENAME_CHARS} characters", field="file")
    return name


def user_storage_prefix(user_id: uuid.UUID) -> str:
    return f"files/{user_id}/"


def storage_key_for(user_id: uuid.UUID, file_id: uuid.UUID) -> str:
    """Keys are generated and grouped by user, so a user's bytes can be found without the database."""
    return f"{user_storage_prefix(user_id)}{file_id}"
