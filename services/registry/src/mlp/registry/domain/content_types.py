"""Content type of an upload, judged from its first bytes (the client's claim is not trusted)."""

from __future__ import annotations

from typing import Final

SNIFF_BYTES: Final = 8192
"""How much of the head is looked at."""

COMPRESSED: Final = frozenset({"application/gzip"})
"""Content types whose size says nothing of what they inflate to."""

_MAGIC: Final = (
    (b"\x1f\x8b", "application/gzip"),
    (b"PK\x03\x04", "application/zip"),
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF8", "image/gif"),
    (b"PAR1", "application/vnd.apache.parquet"),
)

_TEXT_BY_EXTENSION: Final = {
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "jsonl": "application/jsonl",
    "json": "application/json",
    "md": "text/markdown",
}


_CONTROL: Final = bytes(b for b in range(32) if b not in (9, 10, 12, 13)) + b"\x7f"


def looks_binary(head: bytes) -> bool:
    """A NUL byte, or more than 1% control characters: not text in any encoding we read."""
    if b"\x00" in head:
        return True
    controls = len(head) - len(head.translate(None, _CONTROL))
    return controls * 100 > len(head)


def sniff_content_type(head: bytes, filename: str) -> str:
    for magic, content_type in _MAGIC:
        if head.startswith(magic):
            return content_type
    if looks_binary(head):
        return "application/octet-stream"
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if extension in _TEXT_BY_EXTENSION:
        return _TEXT_BY_EXTENSION[extension]
    stripped = head.lstrip()
    if stripped.startswith(b"{") and b"\n{" in stripped:
        return "application/jsonl"
    if stripped.startswith((b"{", b"[")):
        return "application/json"
    return "text/plain"
