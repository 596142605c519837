"""The service's folder (beside the store) and uploads streamed into it.

Every file the service writes lives under one folder: ``uploads/<random>/`` for a job's corpus,
manifest and metrics, ``downloads/<random>/`` for a corpus being written out in another format, and the
signing key. Names are made by the server: a client's file name only lends its extension, and only one
that a registered format declares (``.tmx``, ``.jsonl.gz``...), so nothing a request says becomes a path.
A multipart body is parsed as it arrives (python-multipart's streaming parser) and each file part is
written straight to its file; a body over the size limit stops with :class:`TooLarge` (HTTP 413) and
its folder is removed.
"""

from __future__ import annotations

import re
import secrets
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import UsageError

_EXT = re.compile(r"^(\.[a-z0-9]{1,12}){1,2}$")
MAX_FIELD = 64 * 1024


class TooLarge(Exception):
    def __init__(self, limit: int):
        super().__init__(f"the upload is larger than the limit of {limit:,} bytes")
        self.limit = limit


def default_folder(db: str) -> Path:
    """The folder of a SQLite store ``db`` (``lib.sqlite`` -> ``lib.sqlite.files`` beside it)."""
    text = str(db)
    scheme, sep, rest = text.partition("://")
    if sep and scheme.lower() in ("postgresql", "postgres"):
        raise UsageError("a PostgreSQL store has no folder of its own: give the service's folder with --files DIR")
    if sep:
        text = rest[1:]
    if text == ":memory:":
        raise UsageError("an in-memory store has no folder: give the service's folder with --files DIR")
    p = Path(text).resolve()
    return p.parent / (p.name + ".files")


def inside(folder: Path, *parts: str) -> Path:
    """``folder/parts...``, refused unless it stays inside ``folder`` (no ``..``, no absolute part)."""
    base = folder.resolve()
    path = base.joinpath(*parts).resolve()
    if path != base and base not in path.parents:
        raise UsageError("a path outside the service's folder")
    return path


def safe_extension(filename: str | None) -> str:
    """The extension a registered format declares that ends ``filename`` (with ``.gz``), else ''."""
    from ..corpora.formats import all_formats

    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1].lower()
    gz = name.endswith(".gz")
    core = name[:-3] if gz else name
    best = ""
    for fmt in all_formats():
        for ext in fmt.extensions:
            if core.endswith(ext) and len(ext) > len(best) and _EXT.match(ext):
                best = ext
    return best + (".gz" if gz and best else "")


def display_name(filename: str | None) -> str:
    """A client's file name as shown in reports: its last part, printable, at most 200 characters."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable())[:200]
    return name or "upload"


def new_dir(folder: Path, kind: str) -> tuple[str, Path]:
    """A new empty folder ``kind/<random>`` under ``folder``: (its name relative to folder, its path)."""
    rel = f"{kind}/{secrets.token_hex(12)}"
    path = inside(folder, rel)
    path.mkdir(parents=True)
    return rel, path


@dataclass
class Saved:
    field: str
    path: Path
    filename: str
    size: int


@dataclass
class Form:
    """A parsed multipart form: text fields (repeatable) and saved files, under ``rel`` in the folder."""
    rel: str
    path: Path
    fields: dict[str, list[str]] = field(default_factory=dict)
    files: dict[str, list[Saved]] = field(default_factory=dict)

    def get(self, name: str, default: str | None = None) -> str | None:
        values = self.fields.get(name)
        return values[-1] if values else default

    def discard(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)


async def receive_form(request: Any, folder: Path, limit: int, file_fields: dict[str, str | None]) -> Form:
    """Parse a ``multipart/form-data`` request as it streams in: parts named in ``file_fields`` are written
    to ``uploads/<random>/<field>-<k><ext>`` (``ext`` the field's fixed extension, or None: the client's
    as far as :func:`safe_extension` keeps it); other parts are text fields of at most 64 KiB. Raises
    :class:`TooLarge` past ``limit`` bytes and :class:`UsageError` for a body that is not such a form."""
    from python_multipart.multipart import MultipartParser, parse_options_header

    ctype, params = parse_options_header(request.headers.get("content-type", ""))
    boundary = params.get(b"boundary")
    if ctype != b"multipart/form-data" or not boundary:
        raise UsageError("the body is not multipart/form-data")
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise TooLarge(limit)
    rel, path = new_dir(folder, "uploads")
    form = Form(rel, path)
    state: dict[str, Any] = {"headers": {}, "field": b"", "value": b"", "name": None, "file": None, "buf": None,
                             "error": None, "saved": None}

    def on_header_field(data: bytes, start: int, end: int) -> None:
        state["field"] += data[start:end]

    def on_header_value(data: bytes, start: int, end: int) -> None:
        state["value"] += data[start:end]

    def on_header_end() -> None:
        state["headers"][state["field"].lower()] = state["value"]
        state["field"], state["value"] = b"", b""

    def on_headers_finished() -> None:
        _, opts = parse_options_header(state["headers"].get(b"content-disposition", b""))
        name = opts.get(b"name", b"").decode("utf-8", "replace")
        state["name"] = name
        if name in file_fields and b"filename" in opts:
            filename = opts[b"filename"].decode("utf-8", "replace")
            k = len(form.files.get(name, []))
            ext = file_fields[name]
            fpath = path / f"{name}-{k}{safe_extension(filename) if ext is None else ext}"
            state["file"] = fpath.open("wb")
            state["saved"] = Saved(name, fpath, display_name(filename), 0)
        else:
            state["buf"] = bytearray()

    def on_part_data(data: bytes, start: int, end: int) -> None:
        if state["file"] is not None:
            state["file"].write(data[start:end])
            state["saved"].size += end - start
        elif state["buf"] is not None:
            state["buf"] += data[start:end]
            if len(state["buf"]) > MAX_FIELD:
                state["error"] = UsageError(f"form field {state['name']!r} is longer than {MAX_FIELD:,} bytes")
                state["buf"] = None

    def on_part_end() -> None:
        if state["file"] is not None:
            state["file"].close()
            saved = state["saved"]
            if saved.size or saved.filename != "upload":  # an empty file input sends a nameless empty part
                form.files.setdefault(saved.field, []).append(saved)
            else:
                saved.path.unlink()
        elif state["buf"] is not None:
            form.fields.setdefault(state["name"], []).append(state["buf"].decode("utf-8", "replace"))
        state.update(headers={}, name=None, file=None, buf=None, saved=None)

    parser = MultipartParser(boundary, {
        "on_header_field": on_header_field, "on_header_value": on_header_value, "on_header_end": on_header_end,
        "on_headers_finished": on_headers_finished, "on_part_data": on_part_data, "on_part_end": on_part_end})
    received = 0
    try:
        async for chunk in request.stream():
            received += len(chunk)
            if received > limit:
                raise TooLarge(limit)
            parser.write(chunk)
            if state["error"] is not None:
                raise state["error"]
        parser.finalize()
    except BaseException as exc:
        if state["file"] is not None:
            state["file"].close()
        form.discard()
        if isinstance(exc, (TooLarge, UsageError)):
            raise
        if isinstance(exc, Exception) and type(exc).__module__.startswith("python_multipart"):
            raise UsageError(f"the body is not a valid multipart form ({exc})") from None
        raise
    return form


__all__ = ["Form", "Saved", "TooLarge", "default_folder", "display_name", "inside", "new_dir", "receive_form",
           "safe_extension"]
