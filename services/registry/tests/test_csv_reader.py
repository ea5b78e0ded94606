"""The streaming CSV reader on its own: the same answer whatever the chunking, detection, types."""

from __future__ import annotations

import codecs
import gc
import gzip

import pytest

from mlp.registry.application.csv_reader import CsvLimits, CsvStreamReader, DialectHint
from mlp.registry.domain.datasets import Problem

TRICKY = b'id,text,value\n1,"multi\nline ""quoted""",1.5\n2,plain,-2\n3,"comma, inside",\n' + b"".join(
    f'{i},"row\n{i}",{i}.25\n'.encode() for i in range(4, 3000)
)


class Read:
    def __init__(self, data: bytes, chunk: int, hint: DialectHint | None, limits: CsvLimits) -> None:
        self.reader = CsvStreamReader(limits, hint or DialectHint())
        self.rows: list[list[str]] = []
        for i in range(0, len(data), chunk):
            self.rows += self.reader.feed(data[i : i + chunk])
        self.rows += self.reader.finish()
        self.problems = self.reader.problems
        self.columns = self.reader.columns
        self.dialect = self.reader.dialect
        self.row_count = self.reader.row_count


def read(data: bytes, chunk: int, hint: DialectHint | None = None, **limits: int) -> Read:
    return Read(data, chunk, hint, CsvLimits(**limits))


@pytest.mark.parametrize("chunk", [1, 7, 4096, 65536, 10**9])
def test_rows_do_not_depend_on_how_the_bytes_are_cut(chunk: int) -> None:
    reader = read(TRICKY, chunk)
    assert reader.problems == []
    assert reader.row_count == 2999
    assert reader.rows[0] == ["1", 'multi\nline "quoted"', "1.5"]
    assert reader.rows[-1] == ["2999", "row\n2999", "2999.25"]
    assert [(c.name, c.type) for c in reader.columns] == [("id", "integer"), ("text", "string"), ("value", "float")]


@pytest.mark.parametrize(
    ("data", "delimiter", "encoding"),
    [
        (b"a;b\n1;2\n", ";", "utf-8"),
        (b"a\tb\n1\t2\n", "\t", "utf-8"),
        (codecs.BOM_UTF8 + b"a,b\n1,2\n", ",", "utf-8-sig"),
        ("a|b\nélan|ça\n".encode("latin-1"), "|", "latin-1"),
        ("a,b\n1,2\n".encode("utf-16"), ",", "utf-16"),
    ],
    ids=["semicolon", "tab", "bom", "latin-1", "utf-16"],
)
def test_delimiter_and_encoding_are_detected(data: bytes, delimiter: str, encoding: str) -> None:
    reader = read(data, 3)
    assert reader.problems == []
    assert (reader.dialect.delimiter, reader.dialect.encoding) == (delimiter, encoding)
    assert [c.name for c in reader.columns] == ["a", "b"]


def test_gzip_is_read_through() -> None:
    reader = read(gzip.compress(TRICKY), 1000)
    assert reader.row_count == 2999


def test_a_wrong_given_encoding_is_a_problem_with_its_line() -> None:
    reader = read("a\nok\nnaïve\n".encode("latin-1"), 2, DialectHint(encoding="utf-8"))
    assert reader.problems[0].line == 3
    assert reader.rows == []


def test_type_inference_narrows_over_every_row() -> None:
    data = b"i,f,b,j,s\n1,1,true,{},x\n2,2.5,false,[],y\n99999999999999999999,3,yes,{,z\n"
    reader = read(data, 5)
    assert [c.type for c in reader.columns] == ["float", "float", "string", "string", "string"]


def test_rows_past_the_limit_are_a_problem() -> None:
    reader = read(b"a\n" + b"1\n" * 50, 10, max_rows=20)
    assert reader.problems == [Problem(51, "more than 20 rows")]
    assert reader.rows == []


def test_the_garbage_collector_is_left_as_it_was() -> None:
    read(TRICKY, 4096)
    assert gc.isenabled()
    gc.disable()
    try:
        read(TRICKY, 4096)
        assert not gc.isenabled()
    finally:
        gc.enable()


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        (["1", "1234567890123456789"], "integer"),
        (["12345678901234567890"], "float"),
        (["-1", "+2", "3"], "integer"),
        (["1-2"], "string"),
        (["\u0661\u0662"], "string"),
        (["TRUE", "false", "True"], "boolean"),
        (["true", "no"], "string"),
    ],
    ids=["19-digits", "20-digits", "signed", "not-a-number", "arabic-indic-digits", "booleans", "not-boolean"],
)
def test_a_column_type_takes_every_cell_into_account(cells: list[str], expected: str) -> None:
    reader = read(b"c\n" + "\n".join(cells).encode() + b"\n", 4096)
    assert [c.type for c in reader.columns] == [expected]
