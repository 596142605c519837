"""Streaming JSONL I/O: one record at a time, constant memory, atomic writes.

Reading never stops at a bad line: :func:`iter_lines` yields either a :class:`Parsed` value or a
:class:`Problem` with the line number, and goes on to the next line. Plain files, ``.gz`` files
and ``-`` (stdin/stdout) are all accepted. Opening inputs and writing outputs is
:mod:`lancang.corpora.io`'s (re-exported here): writes go to a temporary file next to the target that
is renamed over it only when the whole output was written, so a failed run never leaves half a file.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO, Any

import orjson

from ..errors import InputError
from .invariants import duplicate_key
from .io import PathLike, atomic_output, is_stdio, open_input  # noqa: F401 - the old names

BOM = b"\xef\xbb\xbf"
#: Lines longer than this are skipped in bounded memory and reported (``line-too-long``).
MAX_LINE_BYTES = 256 * 1024 * 1024
_CHUNK = 1 << 20


@dataclass(frozen=True, slots=True)
class Parsed:
    """A line that parsed as JSON (any JSON value; the caller checks it is a record)."""

    line: int | None
    value: Any


@dataclass(frozen=True, slots=True)
class Problem:
    """A line that could not be read as JSON, or a defect of the file itself.

    ``code`` is a stable kebab-case id (``json-malformed``, ``utf8-invalid``, ``bom``,
    ``blank-line``, ``line-too-long``, ``gzip-corrupt``); ``column`` is 1-based, in bytes, if known.
    """

    line: int | None
    code: str
    message: str
    severity: str = "error"
    column: int | None = None


def decode_line(raw: bytes, where: str, first: bool = False) -> str:
    """A line of a UTF-8 text file without its line end (LF or CRLF) and, on the first line, its BOM;
    invalid UTF-8 is an :class:`InputError` at ``where`` with the byte position."""
    if first and raw.startswith(BOM):
        raw = raw[3:]
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{where}: invalid UTF-8 at byte {exc.start + 1}") from None
    return line.removesuffix("\n").removesuffix("\r")


def text_lines(path: PathLike, max_line_bytes: int = MAX_LINE_BYTES) -> Iterator[tuple[int, str]]:
    """(line number, line) of a UTF-8 text file, streamed (see :func:`decode_line`); a line longer than
    ``max_line_bytes`` is an input error at its line, read no further (memory stays bounded)."""
    with open_input(path) as f:
        n = 0
        while raw := f.readline(max_line_bytes + 1):
            n += 1
            if len(raw) > max_line_bytes and not raw.endswith(b"\n"):
                raise InputError(f"{path}:{n}: the line is longer than {max_line_bytes:,} bytes, the limit for a "
                                 "line of text")
            yield n, decode_line(raw, f"{path}:{n}", n == 1)


def _json_error_column(line: bytes, exc: orjson.JSONDecodeError) -> tuple[str, str, int | None]:
    """Classify a decode error: invalid UTF-8 gets its own code and the byte column."""
    try:
        line.decode("utf-8")
    except UnicodeDecodeError as u:
        return "utf8-invalid", f"invalid UTF-8 (byte 0x{line[u.start]:02x} at column {u.start + 1})", u.start + 1
    # orjson's `pos` counts characters of the decoded line: the 1-based column is pos + 1.
    col = exc.pos if isinstance(exc.pos, int) else None
    where = f" at column {col + 1}" if col is not None else ""
    return "json-malformed", f"malformed JSON: {exc.msg}{where}", (col + 1) if col is not None else None


def iter_lines(path: PathLike, max_line_bytes: int = MAX_LINE_BYTES, digest: Any = None) -> Iterator[Parsed | Problem]:
    """Yield one :class:`Parsed` or :class:`Problem` per line of a JSONL file, in order.

    Memory stays bounded by the longest accepted line. An empty file yields a single warning
    ``empty-file`` (line 0). Raises :class:`InputError` only when the file cannot be opened.
    ``digest`` (a :mod:`hashlib` object) is updated with every byte read, after gunzip, so a caller
    gets the content's hash in the same pass.
    """
    loads = orjson.loads
    lineno = 0
    with open_input(path) as f:
        readline = f.readline
        try:
            while True:
                raw = readline(max_line_bytes + 1)
                if not raw:
                    break
                if digest is not None:
                    digest.update(raw)
                lineno += 1
                if len(raw) > max_line_bytes and not raw.endswith(b"\n"):
                    skipped = len(raw)
                    while True:  # drain the rest of the line in bounded chunks
                        more = readline(_CHUNK)
                        if digest is not None:
                            digest.update(more)
                        skipped += len(more)
                        if not more or more.endswith(b"\n"):
                            break
                    yield Problem(lineno, "line-too-long",
                                  f"line is {skipped:,} bytes, over the limit of {max_line_bytes:,}; skipped")
                    continue
                if lineno == 1 and raw.startswith(BOM):
                    yield Problem(1, "bom", "file starts with a UTF-8 byte order mark (BOM); JSONL has none",
                                  severity="warning", column=1)
                    raw = raw[3:]
                try:
                    value = loads(raw)
                except orjson.JSONDecodeError as exc:
                    if not raw.strip():
                        yield Problem(lineno, "blank-line", "blank line", severity="warning")
                        continue
                    code, msg, col = _json_error_column(raw, exc)
                    yield Problem(lineno, code, msg, column=col)
                    continue
                dup = duplicate_key(raw, value)
                if dup is None:
                    yield Parsed(lineno, value)
                else:  # a parser keeps one of the two silently: the line is refused, not half-read
                    yield Problem(lineno, "json-duplicate-key", f"key {dup} appears twice in one object; "
                                  "a JSON reader would silently keep only one of them")
        except (OSError, EOFError, zlib.error) as exc:  # truncated or corrupt gzip stream
            yield Problem(lineno + 1, "gzip-corrupt", f"cannot read past this point: {exc}")
            return
    if lineno == 0:
        yield Problem(0, "empty-file", "file is empty (no records)", severity="warning")


def read_records(path: PathLike, on_problem: Any = None) -> Iterator[dict[str, Any]]:
    """Yield the records (JSON objects) of a JSONL file; bad lines go to ``on_problem(problem)``.

    Without ``on_problem`` the first error-level problem raises :class:`InputError` with its line.
    """
    for item in iter_lines(path):
        if isinstance(item, Parsed):
            if isinstance(item.value, dict):
                yield item.value
                continue
            item = Problem(item.line, "record-not-object",
                           f"a record is a JSON object, not {json_type(item.value)}")
        if on_problem is not None:
            on_problem(item)
        elif item.severity == "error":
            raise InputError(f"{path}:{item.line}: {item.message}")


def json_type(v: Any) -> str:
    """'an array', 'a string', ... for messages about a JSON value of the wrong type."""
    if v is None:
        return "null"
    return {bool: "a boolean", int: "a number", float: "a number", str: "a string",
            list: "an array"}.get(type(v), type(v).__name__)


# --------------------------------------------------------------------------------------- writing

class JsonlWriter:
    """Write records one at a time (use as a context manager); counts what it wrote."""

    def __init__(self, path: PathLike):
        self.path = path
        self.count = 0
        self._cm = atomic_output(path, "wb")
        self._f: IO[bytes] | None = None

    def __enter__(self) -> JsonlWriter:
        self._f = self._cm.__enter__()
        return self

    def write(self, record: Any) -> None:
        if hasattr(record, "to_dict"):
            record = record.to_dict()
        assert self._f is not None, "JsonlWriter used outside `with`"
        self._f.write(orjson.dumps(record, option=orjson.OPT_APPEND_NEWLINE))
        self.count += 1

    def __exit__(self, *exc: Any) -> bool | None:
        return self._cm.__exit__(*exc)


def write_records(path: PathLike, records: Iterable[Any]) -> int:
    """Write records to a JSONL file atomically; returns how many were written."""
    with JsonlWriter(path) as w:
        for r in records:
            w.write(r)
    return w.count
