"""Delimiter and quote character: given by the caller, or sniffed from the first lines."""

from __future__ import annotations

import csv
from typing import Final

from mlp.registry.domain.datasets import Dialect

DELIMITERS: Final = ",;\t|"


def sniff_dialect(sample: str, encoding: str, delimiter: str | None, quotechar: str | None) -> Dialect:
    lines = sample.splitlines()[:50]
    if delimiter is None or quotechar is None:
        try:
            sniffed = csv.Sniffer().sniff("\n".join(lines), delimiters=DELIMITERS)
            delimiter = delimiter or sniffed.delimiter
            quotechar = quotechar or sniffed.quotechar or '"'
        except csv.Error:
            header = lines[0] if lines else ""
            delimiter = delimiter or max(DELIMITERS, key=header.count)
    return Dialect(delimiter=delimiter or ",", quotechar=quotechar or '"', encoding=encoding)
