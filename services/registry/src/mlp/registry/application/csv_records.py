"""Records of a CSV block checked against the header: width, blank lines, row limit, column types."""

from __future__ import annotations

import _csv
import csv
import io
from collections.abc import Callable

from mlp.registry.domain.cell_types import TypeInference
from mlp.registry.domain.datasets import Column, Dialect

ReportProblem = Callable[[int, str], None]


class RecordChecker:
    def __init__(self, dialect: Dialect, max_columns: int, max_rows: int, report: ReportProblem) -> None:
        self._dialect = dialect
        self._max_columns = max_columns
        self._max_rows = max_rows
        self._report = report
        self.header: list[str] | None = None
        self.inference: TypeInference | None = None
        self.row_count = 0
        self.failed = False
        self.fatal = False
        """A bad header: nothing after it can be checked."""

    def columns(self) -> list[Column]:
        if self.header is None or self.inference is None:
            return []
        return [Column(n, t) for n, t in zip(self.header, self.inference.types(), strict=True)]

    def take(self, block: str, first_line: int) -> tuple[list[list[str]], int]:
        """The good rows of ``block`` (whose first line is ``first_line`` + 1), and how many lines it had."""
        reader = self._reader(block)
        try:
            rows = list(reader)
        except csv.Error:
            return self._take_slowly(block, first_line)
        if self.header is None and rows:
            self._set_header(rows.pop(0), first_line + 1)
        width = len(self.header or ())
        widths = set(map(len, rows))
        if 0 in widths:
            rows = [row for row in rows if row]
            widths.discard(0)
        if widths - {width} or self.failed:
            return self._take_slowly(block, first_line)
        return self._accept(rows, first_line + reader.line_num), reader.line_num

    def _take_slowly(self, block: str, first_line: int) -> tuple[list[list[str]], int]:
        """Record by record, for the line number of each problem."""
        reader = self._reader(block)
        good: list[list[str]] = []
        while True:
            start = first_line + reader.line_num + 1
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                self._report(start, _explained(str(exc)))
                continue
            if self.header is None:
                self._set_header(row, start)
            elif self.fatal:
                break
            elif row and len(row) != len(self.header):
                self._report(start, f"expected {len(self.header)} fields, found {len(row)}")
                self.failed = True
            elif row:
                good.append(row)
        return self._accept(good, first_line + reader.line_num), reader.line_num

    def _accept(self, rows: list[list[str]], last_line: int) -> list[list[str]]:
        if self.failed or self.inference is None:
            return []
        self.row_count += len(rows)
        if self.row_count > self._max_rows:
            self._report(last_line, f"more than {self._max_rows} rows")
            self.failed = True
            return []
        self.inference.observe(rows)
        return rows

    def _set_header(self, names: list[str], line: int) -> None:
        self.header = names
        if len(names) > self._max_columns:
            self._report(line, f"{len(names)} columns, more than the limit of {self._max_columns}")
        elif not names or any(not name.strip() for name in names):
            self._report(line, "every column needs a name in the header line")
        elif len(set(names)) != len(names):
            duplicates = sorted({n for n in names if names.count(n) > 1})
            self._report(line, f"duplicate column names: {', '.join(duplicates)}")
        else:
            self.inference = TypeInference(len(names))
            return
        self.failed = self.fatal = True

    def _reader(self, block: str) -> _csv.Reader:
        return csv.reader(
            io.StringIO(block, newline=""),
            delimiter=self._dialect.delimiter,
            quotechar=self._dialect.quotechar,
            doublequote=True,
            strict=True,
        )


def _explained(csv_error: str) -> str:
    if csv_error == "unexpected end of data":
        return "unclosed quote: the file ends inside a quoted field"
    return f"malformed CSV: {csv_error}"
