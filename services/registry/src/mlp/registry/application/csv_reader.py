"""A CSV file read as a stream of byte chunks: header, typed columns, rows, and every problem found.

``feed`` takes the next bytes and answers the complete rows they finished; ``finish`` ends the
stream. Text is cut into blocks that end on a record boundary (a newline after an even number of
quote characters), and each block is parsed by the C ``csv`` module, so memory stays bounded by
the chunk size plus the longest record. Problems are collected (up to a cap) with their line
numbers; once there is one, rows are no longer returned, only more problems looked for.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass

from mlp.registry.application.collector import collector_paused
from mlp.registry.application.csv_decoding import (
    GZIP_MAGIC,
    DecodeFailure,
    DecompressionLimits,
    Gunzip,
    TextDecoder,
    detect_encoding,
)
from mlp.registry.application.csv_dialect import sniff_dialect
from mlp.registry.application.csv_records import RecordChecker
from mlp.registry.domain.datasets import Column, Dialect, Problem

SNIFF_BYTES = 64 * 1024


@dataclass(frozen=True, slots=True)
class CsvLimits:
    max_columns: int = 1000
    max_field_chars: int = 1024 * 1024
    max_rows: int = 10_000_000
    max_problems: int = 50
    max_compression_ratio: int = 100
    max_inflated_bytes: int = 4 * 1024 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class DialectHint:
    delimiter: str | None = None
    quotechar: str | None = None
    encoding: str | None = None


class CsvStreamReader:
    def __init__(self, limits: CsvLimits, hint: DialectHint) -> None:
        self._limits = limits
        self._hint = hint
        self._head = b""
        self._gunzip: Gunzip | None = None
        self._decoder: TextDecoder | None = None
        self._records: RecordChecker | None = None
        self._carry = ""
        self._line = 0
        self._stopped = False
        self.dialect = Dialect()
        self.problems: list[Problem] = []
        csv.field_size_limit(limits.max_field_chars)

    @property
    def columns(self) -> list[Column]:
        return self._records.columns() if self._records else []

    @property
    def row_count(self) -> int:
        return self._records.row_count if self._records else 0

    def feed(self, data: bytes) -> list[list[str]]:
        if self._stopped or not data:
            return []
        if self._decoder is None:
            self._head += data
            if len(self._head) < SNIFF_BYTES:
                return []
            with collector_paused():
                return self._start()
        with collector_paused():
            return self._read(self._inflate(data), final=False)

    def finish(self) -> list[list[str]]:
        with collector_paused():
            rows = self._start() if self._decoder is None else []
            if not self._stopped:
                rows += self._read(b"", final=True)
        if self._records is not None and self._records.header is None and not self.problems:
            self._problem(1, "the file is empty: a header line is required")
        return rows

    def _start(self) -> list[list[str]]:
        data, self._head = self._head, b""
        if data.startswith(GZIP_MAGIC):
            limits = DecompressionLimits(self._limits.max_compression_ratio, self._limits.max_inflated_bytes)
            self._gunzip = Gunzip(limits)
            data = self._inflate(data)
        encoding = self._hint.encoding or detect_encoding(data[:SNIFF_BYTES])
        self._decoder = TextDecoder(encoding)
        sample = data[:SNIFF_BYTES].decode(encoding, errors="ignore")
        if "\x00" in sample or (data and not sample.strip("\ufeff")):
            self._stop(1, "this is a binary file, not CSV text")
            return []
        self.dialect = sniff_dialect(sample, encoding, self._hint.delimiter, self._hint.quotechar)
        self._records = RecordChecker(self.dialect, self._limits.max_columns, self._limits.max_rows, self._problem)
        return self._read(data, final=False)

    def _inflate(self, data: bytes) -> bytes:
        if self._gunzip is None or self._stopped:
            return data
        try:
            return self._gunzip.feed(data)
        except DecodeFailure as failure:
            self._stop(self._line + 1, failure.message)
            return b""

    def _read(self, data: bytes, final: bool) -> list[list[str]]:
        assert self._decoder is not None
        assert self._records is not None
        if self._stopped:
            return []
        try:
            text = self._carry + self._decoder.feed(data, final)
        except DecodeFailure as failure:
            self._stop(self._line + (self._carry + failure.offset_text).count("\n") + 1, failure.message)
            return []
        cut = len(text) if final else self._record_boundary(text)
        self._carry = text[cut:]
        rows: list[list[str]] = []
        if cut:
            rows, lines = self._records.take(text[:cut], self._line)
            self._line += lines
            self._stopped = self._records.fatal
        if len(self._carry) > self._limits.max_field_chars * 4:
            self._stop(
                self._line + 1, "a record longer than the field size limit allows: a huge field or an unclosed quote"
            )
        return [] if self.problems else rows

    def _record_boundary(self, text: str) -> int:
        """Index just past the last newline that is outside quotes (0 when there is none)."""
        quote = self.dialect.quotechar
        open_quotes = text.count(quote)
        end = len(text)
        while (newline := text.rfind("\n", 0, end)) >= 0:
            open_quotes -= text.count(quote, newline, end)
            if open_quotes % 2 == 0:
                return newline + 1
            end = newline
        return 0

    def _problem(self, line: int, message: str) -> None:
        if len(self.problems) < self._limits.max_problems:
            self.problems.append(Problem(line, message))
        else:
            self._stopped = True

    def _stop(self, line: int, message: str) -> None:
        self._problem(line, message)
        self._stopped = True
