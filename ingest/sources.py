"""Sources: one small class per file format, with parsing kept apart from file I/O.

A source yields :class:`Row` objects: the row number a user would look for (the line of a
CSV or JSON Lines file, the Excel row of a sheet), the sheet name for workbooks, and the
cells by header.  Parsing functions take text or cell rows (``parse_csv``,
``parse_jsonl``, ``parse_table``) so they are tested without files; the ``*Source``
classes only open files and pick encodings.

>>> rows = list(parse_csv(["统一社会信用代码,企业名称", "91110000600037341L,甲运输"]))
>>> rows[0].number, rows[0].values["企业名称"]
(2, '甲运输')
"""

from __future__ import annotations

import codecs
import csv
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, time
from pathlib import Path
from typing import Any, ClassVar

__all__ = [
    "CsvSource",
    "JsonlSource",
    "MalformedRow",
    "Row",
    "Source",
    "XlsxSource",
    "detect_encoding",
    "open_source",
    "parse_csv",
    "parse_jsonl",
    "parse_table",
    "text_lines",
]

#: Bytes read to guess an encoding: enough for thousands of rows, cheap to decode twice.
SNIFF_BYTES = 1 << 20


@dataclass(frozen=True)
class Row:
    """One data row: where it is (number, sheet) and its cells by header."""

    number: int
    values: dict[str, Any]
    sheet: str | None = None
    #: Set when the row could not be parsed; values are then the raw text.
    problem: str | None = None


@dataclass(frozen=True)
class MalformedRow:
    """What :func:`parse_csv` reports for a row with a wrong number of cells."""

    expected: int
    found: int

    def __str__(self) -> str:
        return f"{self.found} cells where the header has {self.expected}"


def _clean_header(name: Any) -> str:
    return str(name).replace("\ufeff", "").strip() if name is not None else ""


def parse_csv(lines: Iterable[str], *, delimiter: str | None = None) -> Iterator[Row]:
    """Rows of CSV text (the first line is the header); ragged rows come back with a problem.

    >>> [r.problem for r in parse_csv(["a,b", "1,2", "1,2,3"])]
    [None, '3 cells where the header has 2']
    """
    iterator = iter(lines)
    first = next(iterator, None)
    if first is None:
        return
    dialect_delimiter = delimiter or _sniff_delimiter(first)

    def chained() -> Iterator[str]:
        yield first
        yield from iterator

    reader = csv.reader(chained(), delimiter=dialect_delimiter)
    header = [_clean_header(h) for h in next(reader)]
    start = reader.line_num + 1
    for cells in reader:
        number, start = start, reader.line_num + 1
        if not "".join(cells).strip():
            continue  # blank lines are not rows (no cell holds more than white space)
        if len(cells) != len(header):
            raw = dict(zip(header, cells, strict=False))
            yield Row(number, raw, problem=str(MalformedRow(len(header), len(cells))))
            continue
        yield Row(number, dict(zip(header, cells, strict=True)))


def _sniff_delimiter(header_line: str) -> str:
    counts = {d: header_line.count(d) for d in (",", "\t", ";", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def parse_jsonl(lines: Iterable[str]) -> Iterator[Row]:
    """Rows of JSON Lines text: one object per line; anything else is a malformed row.

    >>> [r.problem or r.values for r in parse_jsonl(['{"a": 1}', '', '[1]', '{bad'])]
    [{'a': 1}, 'not a JSON object', 'not JSON: Expecting property name enclosed in double quotes']
    """
    for number, line in enumerate(lines, start=1):
        text = line.strip().lstrip("\ufeff")
        if not text:
            continue
        try:
            value = json.loads(text)
        except json.JSONDecodeError as err:
            yield Row(number, {"_raw": text}, problem=f"not JSON: {err.msg}")
            continue
        if not isinstance(value, dict):
            yield Row(number, {"_raw": text}, problem="not a JSON object")
            continue
        yield Row(number, value)


def parse_table(
    rows: Iterable[tuple[Any, ...]], *, sheet: str | None = None, first_row: int = 1
) -> Iterator[Row]:
    """Rows of a sheet given as cell tuples; the first non-empty row is the header.

    Dates and numbers stay typed (the normaliser reads Excel dates and serials).

    >>> list(parse_table([(None, None), ("项目编号", "开标日期"), ("P1", 45440)]))
    [Row(number=3, values={'项目编号': 'P1', '开标日期': 45440}, sheet=None, problem=None)]
    """
    header: list[str] | None = None
    for number, cells in enumerate(rows, start=first_row):
        if header is None:
            if any(c not in (None, "") for c in cells):
                header = [_clean_header(c) for c in cells]
            continue
        if all(c in (None, "") for c in cells):
            continue
        values = {h: _cell(c) for h, c in zip(header, cells, strict=False) if h}
        yield Row(number, values, sheet=sheet)


def _cell(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.date() if value.time() == time(0) else value
    return value


def detect_encoding(head: bytes) -> str:
    """The encoding of a text file from its first bytes: BOM, else UTF-8, else GBK/GB18030.

    >>> detect_encoding("统一社会信用代码".encode("gbk")), detect_encoding(b"\\xef\\xbb\\xbfa")
    ('gbk', 'utf-8-sig')
    >>> detect_encoding("𠀀".encode("gb18030")), detect_encoding("名称".encode())
    ('gb18030', 'utf-8')
    """
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    for encoding in ("utf-8", "gbk", "gb18030"):
        try:
            codecs.getincrementaldecoder(encoding)().decode(head, final=False)
        except UnicodeDecodeError:
            continue
        return encoding
    return "gb18030"  # decodes every byte sequence; errors show as bad values, not a crash


class Source:
    """A file of rows; subclasses say how to open and parse their format."""

    suffixes: ClassVar[tuple[str, ...]] = ()

    def __init__(self, path: Path) -> None:
        self.path = path

    @property
    def name(self) -> str:
        """How quarantine and summaries name this source."""
        return str(self.path)

    def rows(self) -> Iterator[Row]:
        """Every data row, in file order."""
        raise NotImplementedError

    def parts(self) -> Iterator[tuple[str | None, Iterator[Row]]]:
        """Independently mapped parts: the whole file, or one per sheet of a workbook."""
        yield None, self.rows()


class CsvSource(Source):
    """A CSV (or TSV) file in UTF-8, UTF-8 with BOM, GBK or GB18030 (detected or given)."""

    suffixes = (".csv", ".tsv", ".txt")

    def __init__(self, path: Path, encoding: str | None = None) -> None:
        super().__init__(path)
        self.encoding = encoding or self._detect()

    def _detect(self) -> str:
        with self.path.open("rb") as fh:
            return detect_encoding(fh.read(SNIFF_BYTES))

    def rows(self) -> Iterator[Row]:
        """Rows decoded with :attr:`encoding`; an undecodable byte becomes U+FFFD, which the
        normaliser rejects (reason ``encoding``) instead of loading a garbled value."""
        # GB18030 is a superset of GBK: decoding with it never loses what GBK would read.
        encoding = (
            "gb18030" if self.encoding.lower() in ("gbk", "gb2312", "cp936") else self.encoding
        )
        with self.path.open(encoding=encoding, errors="replace", newline="") as fh:
            yield from parse_csv(fh)


class JsonlSource(Source):
    """A JSON Lines file (UTF-8), one object per line."""

    suffixes = (".jsonl", ".ndjson")

    def __init__(self, path: Path, encoding: str | None = None) -> None:
        super().__init__(path)
        self.encoding = encoding or "utf-8-sig"

    def rows(self) -> Iterator[Row]:
        """Rows in file order."""
        with self.path.open(encoding=self.encoding, errors="replace") as fh:
            yield from parse_jsonl(fh)


class XlsxSource(Source):
    """An Excel workbook: every sheet, or only ``sheet``."""

    suffixes = (".xlsx", ".xlsm")

    def __init__(self, path: Path, sheet: str | None = None) -> None:
        super().__init__(path)
        self.sheet = sheet

    def rows(self) -> Iterator[Row]:
        """Rows of each chosen sheet in workbook order; each row knows its sheet."""
        for _, rows in self.parts():
            yield from rows

    def parts(self) -> Iterator[tuple[str | None, Iterator[Row]]]:
        """One part per chosen sheet (each may need its own mapping)."""
        from openpyxl import load_workbook

        workbook = load_workbook(self.path, read_only=True, data_only=True)
        try:
            names = list(workbook.sheetnames)
            if self.sheet is not None:
                if self.sheet not in names:
                    raise KeyError(f"{self.path} has no sheet {self.sheet!r}; it has {names}")
                names = [self.sheet]
            for name in names:
                cells = workbook[name].iter_rows(values_only=True)
                yield name, parse_table(cells, sheet=name)
        finally:
            workbook.close()


_FORMATS: tuple[type[Source], ...] = (CsvSource, JsonlSource, XlsxSource)


def open_source(path: Path, *, encoding: str | None = None, sheet: str | None = None) -> Source:
    """The source class for ``path`` by its suffix.

    >>> type(open_source(Path("x.jsonl"))).__name__
    'JsonlSource'
    """
    suffix = path.suffix.lower()
    if path.name.lower().endswith((".ftm.json", ".ftm.jsonl")) or (
        suffix in (*JsonlSource.suffixes, ".json") and _is_ftm(path)
    ):
        from ingest.ftm import FtmSource  # FollowTheMoney entities: read in parts

        return FtmSource(path, encoding)
    if suffix in XlsxSource.suffixes:
        return XlsxSource(path, sheet)
    if suffix in JsonlSource.suffixes:
        return JsonlSource(path, encoding)
    if suffix in CsvSource.suffixes:
        return CsvSource(path, encoding)
    known = sorted(s for f in _FORMATS for s in f.suffixes)
    raise ValueError(f"{path}: unknown file type {suffix!r}; known: {known}")


def _is_ftm(path: Path) -> bool:
    from ingest.ftm import looks_like_ftm

    return path.exists() and looks_like_ftm(path)


def text_lines(text: str) -> io.StringIO:
    """Text as a file-like line iterator (for tests and doctests)."""
    return io.StringIO(text, newline="")
