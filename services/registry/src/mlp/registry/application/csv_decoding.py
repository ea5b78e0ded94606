"""Bytes of an uploaded CSV to text, as a stream: gunzip (with a ratio guard), encoding detection, decoding."""

from __future__ import annotations

import codecs
import zlib
from dataclasses import dataclass
from typing import Final

GZIP_MAGIC: Final = b"\x1f\x8b"
_OUT_STEP: Final = 4 * 1024 * 1024
_RATIO_GRACE_BYTES: Final = 1024 * 1024
"""Tiny files compress absurdly well; the ratio counts only past this much output."""


class DecodeFailure(Exception):
    """The stream cannot be read further; ``offset_text`` is what decoded fine before the failure."""

    def __init__(self, message: str, offset_text: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.offset_text = offset_text


@dataclass(frozen=True, slots=True)
class DecompressionLimits:
    max_ratio: int
    max_output_bytes: int


class Gunzip:
    """Inflates gzip members as they arrive; refuses a bomb before it is inflated in full."""

    def __init__(self, limits: DecompressionLimits) -> None:
        self._inflater = zlib.decompressobj(wbits=47)
        self._limits = limits
        self._in = 0
        self._out = 0

    def feed(self, data: bytes) -> bytes:
        self._in += len(data)
        pieces = []
        while data:
            try:
                piece = self._inflater.decompress(data, _OUT_STEP)
            except zlib.error as exc:
                raise DecodeFailure(f"the gzip stream is corrupt: {exc}") from exc
            self._out += len(piece)
            self._check()
            pieces.append(piece)
            data = self._inflater.unconsumed_tail
        return b"".join(pieces)

    def _check(self) -> None:
        if self._out > self._limits.max_output_bytes:
            raise DecodeFailure(f"the file inflates to more than {self._limits.max_output_bytes} bytes")
        if self._out > _RATIO_GRACE_BYTES and self._out > self._in * self._limits.max_ratio:
            raise DecodeFailure(f"the compression ratio is over {self._limits.max_ratio}:1 (a zip bomb?)")


def detect_encoding(head: bytes) -> str:
    """A BOM decides; else UTF-8 when the head is valid UTF-8 (a cut last character allowed), else Latin-1."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 3:
            return "latin-1"
    return "utf-8"


def check_encoding(name: str) -> str:
    try:
        return codecs.lookup(name).name
    except LookupError as exc:
        raise ValueError(f"unknown encoding {name!r}") from exc


class TextDecoder:
    def __init__(self, encoding: str) -> None:
        self._decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
        self.encoding = encoding

    def feed(self, data: bytes, final: bool = False) -> str:
        try:
            return self._decoder.decode(data, final)
        except UnicodeDecodeError as exc:
            good = data[: max(exc.start, 0)].decode(self.encoding, errors="ignore")
            raise DecodeFailure(f"the bytes are not valid {self.encoding}: {exc.reason}", good) from exc
