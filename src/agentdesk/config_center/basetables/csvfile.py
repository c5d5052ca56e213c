"""CSV files of base tables: upload checks, decoding, records with line numbers, the template,
and export with formula escaping. An upload is read as a stream from disk (or from bytes),
never held in memory whole.

Encodings: UTF-8 with or without BOM first; a file that is not valid UTF-8 is read as GB18030
(what Chinese Excel writes, a superset of GBK and GB2312). The check decodes the whole file
in pieces, so an invalid byte anywhere is caught before the import starts, without holding
a second copy of the file as text.
"""

import codecs
import csv
import io
import operator
import re
from collections import deque
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from itertools import islice
from pathlib import Path
from typing import BinaryIO

from agentdesk.kit.errors import FieldError, ValidationFailed

MAX_FILE_BYTES = 20 * 1024 * 1024
# The job row keeps the name in a String(255) column (ImportJob.file_name).
MAX_FILE_NAME = 255
# The csv module refuses a cell longer than this (131072 characters unless changed).
MAX_CELL = csv.field_size_limit()
UTF8, GB18030 = "utf-8-sig", "gb18030"
BOM = "\ufeff"
# Chinese characters (CJK unified ideographs and extension A), ASCII letters, digits, "_" and
# "-" (the guide's rule leaves hyphens out, but they harm nothing and people use them in dates).
FILE_STEM = re.compile(r"[A-Za-z0-9_\-\u3400-\u4dbf\u4e00-\u9fff]+")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# U+001F joins the values of a row in storage; NUL cannot be stored by PostgreSQL.
FORBIDDEN_BYTES = (b"\x1f", b"\x00")
_PIECE = 1 << 20
Source = bytes | Path


def check_upload(file_name: str, size: int) -> None:
    """Refuse a file by its name or size, before reading it (422 on the `file` field)."""
    errors = []
    stem, dot, extension = file_name.rpartition(".")
    if not dot or extension.lower() != "csv":
        errors.append(FieldError("file", "extension", "only .csv files can be imported"))
    elif not FILE_STEM.fullmatch(stem):
        errors.append(
            FieldError(
                "file",
                "file_name",
                "the file name may contain only Chinese characters, English letters, digits, "
                "hyphens and underscores",
            )
        )
    if len(file_name) > MAX_FILE_NAME:
        errors.append(
            FieldError(
                "file",
                "file_name_length",
                f"the file name is longer than {MAX_FILE_NAME} characters",
            )
        )
    if size > MAX_FILE_BYTES:
        errors.append(FieldError("file", "too_large", "the file is larger than 20 MB"))
    elif size == 0:
        errors.append(FieldError("file", "empty", "the file is empty"))
    if errors:
        raise ValidationFailed(errors)


def open_binary(source: Source) -> BinaryIO:
    """The file's bytes as a stream: an upload kept on disk, or bytes (tests, benches)."""
    return io.BytesIO(source) if isinstance(source, bytes) else open(source, "rb")  # noqa: SIM115


def _pieces(source: Source) -> Iterator[bytes]:
    with open_binary(source) as stream:
        while piece := stream.read(_PIECE):
            yield piece


def detect_encoding(source: Source) -> str:
    """UTF-8 (BOM or not) when the whole file decodes as UTF-8, else GB18030, else 422."""
    for encoding in (UTF8, GB18030):
        if _decodes(source, encoding):
            return encoding
    raise ValidationFailed.single(
        "file", "encoding", "the file is neither UTF-8 nor GB18030 text; save it as CSV UTF-8"
    )


def _decodes(source: Source, encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        for piece in _pieces(source):
            decoder.decode(piece)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def check_forbidden_bytes(source: Source) -> None:
    """Control characters U+001F and NUL are refused, naming the first line that has one."""
    lines_before = 0
    for piece in _pieces(source):
        at = min((i for i in (piece.find(b) for b in FORBIDDEN_BYTES) if i >= 0), default=-1)
        if at >= 0:
            line = lines_before + piece.count(b"\n", 0, at) + 1
            raise ValidationFailed.single(
                "file",
                "control_character",
                f"line {line} contains the control character U+{piece[at]:04X}, "
                "which a base table cannot store",
            )
        lines_before += piece.count(b"\n")


@contextmanager
def _named_line(reader):
    """A record the csv module cannot read (a cell over its limit) is a 422 naming the line
    where reading stopped, instead of a csv.Error reaching the caller."""
    try:
        yield
    except csv.Error as exc:
        line = reader.line_num
        if "field limit" in str(exc):
            raise ValidationFailed.single(
                "file",
                "cell_too_long",
                f"line {line}: a cell is longer than {MAX_CELL} characters, "
                "the most one CSV cell may hold",
            ) from None
        raise ValidationFailed.single("file", "csv_syntax", f"line {line}: {exc}") from None


def check_records(source: Source, encoding: str) -> None:
    """Every record can be read: one pass of the csv parser (about 0.15 s for 20 MB), so an
    import job never meets a record it cannot read."""
    _, text = text_stream(source, encoding)
    with text:
        reader = csv.reader(text)
        with _named_line(reader):
            deque(reader, maxlen=0)


def text_stream(source: Source, encoding: str) -> tuple[BinaryIO, io.TextIOWrapper]:
    raw = open_binary(source)
    # newline="" lets the csv module see quoted line breaks as they are.
    return raw, io.TextIOWrapper(raw, encoding=encoding, newline="")


def read_header(source: Source, encoding: str) -> list[str]:
    """The first non-empty record, each name stripped."""
    _, text = text_stream(source, encoding)
    with text:
        reader = csv.reader(text)
        with _named_line(reader):
            for row in filter(any, reader):
                return [cell.strip().lstrip(BOM) for cell in row]
    return []


def check_header(found: list[str], expected: list[str]) -> None:
    """The header must equal the template: the same names in the same order."""
    if found == expected:
        return
    if not found:
        message = "the file has no header row"
    elif sorted(found) == sorted(expected):
        message = f"the columns are in another order; expected: {', '.join(expected)}"
    else:
        missing = [name for name in expected if name not in found]
        extra = [name for name in found if name not in expected]
        parts = []
        if missing:
            parts.append(f"missing column(s): {', '.join(missing)}")
        if extra:
            parts.append(f"unknown column(s): {', '.join(extra)}")
        if not parts:
            parts.append(f"expected: {', '.join(expected)}")
        message = "the header does not match the template: " + "; ".join(parts)
    raise ValidationFailed.single("file", "header", message)


def record_chunks(
    source: Source, encoding: str, size: int = 2000
) -> Iterator[tuple[list[int], list[list[str]], int]]:
    """(start line numbers, records, bytes read so far) in chunks, after the header row.

    Empty lines, and rows whose cells are all empty (Excel writes those), are skipped; a
    record's line number is the line it starts on, quoted line breaks included."""
    raw, text = text_stream(source, encoding)
    with text:
        reader = csv.reader(text)
        header_seen = False
        lines: list[int] = []
        records: list[list[str]] = []
        previous_end = 0
        for row in reader:
            start, previous_end = previous_end + 1, reader.line_num
            if not any(row):
                continue
            if not header_seen:
                header_seen = True
                continue
            lines.append(start)
            records.append(row)
            if len(records) >= size:
                yield lines, records, raw.tell()
                lines, records = [], []
        if records:
            yield lines, records, raw.tell()


def fast_chunks(
    source: Source, encoding: str, size: int = 2000
) -> Iterator[tuple[list[list[str]], int]]:
    """The records of `record_chunks` without line numbers: (records, bytes read so far).

    The import's writing pass, where every step per row runs in C (`filter`, `islice`);
    line numbers are only needed to explain a refusal, which reads the file again."""
    raw, text = text_stream(source, encoding)
    with text:
        rows = filter(any, csv.reader(text))
        next(rows, None)  # the header, already checked
        while records := list(islice(rows, size)):
            yield records, raw.tell()


# ---- writing ------------------------------------------------------------------------------


ESCAPED_START = (*FORMULA_START, "'")
_starts_quote = operator.methodcaller("startswith", "'")


def escape_formula(value: str) -> str:
    """A cell a spreadsheet would run as a formula gets a leading apostrophe (and so does one
    that starts with an apostrophe, so that `unescape_formulas` gives back exactly what was
    exported)."""
    return "'" + value if value.startswith(ESCAPED_START) else value


def unescape_formulas(column: tuple) -> tuple:
    """An import undoes `escape_formula`: export → import gives back the stored values."""
    if not any(map(_starts_quote, column)):  # the common case, at C speed
        return column
    return tuple(v[1:] if v[:1] == "'" and v[1:2] and v[1] in ESCAPED_START else v for v in column)


class _Line:
    """A file-like sink for csv.writer that hands back what was written."""

    def __init__(self):
        self.parts: list[str] = []

    def write(self, text: str) -> None:
        self.parts.append(text)

    def take(self) -> str:
        text = "".join(self.parts)
        self.parts.clear()
        return text


def template_bytes(header: list[str]) -> bytes:
    """The import template: the header row, UTF-8 with a BOM so Excel reads Chinese."""
    return b"".join(csv_lines([header], bom=True))


def csv_lines(rows: Iterable[list[str]], *, bom: bool = False, batch: int = 500) -> Iterator[bytes]:
    """UTF-8 CSV (CRLF line ends, formula cells escaped) in pieces of `batch` rows."""
    sink = _Line()
    writer = csv.writer(sink, lineterminator="\r\n")
    if bom:
        sink.write(BOM)
    for count, row in enumerate(rows, start=1):
        writer.writerow([escape_formula(cell) for cell in row])
        if count % batch == 0:
            yield sink.take().encode()
    rest = sink.take()
    if rest:
        yield rest.encode()
