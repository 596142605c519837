"""Shards: the unit of work of ``lancang run``.

A lancang JSONL input (``.jsonl``, ``.jsonl.gz``) is split into line ranges by one cheap scan that
counts newlines and hashes the bytes (never parsing a record); a file of any other format is one
shard. Each shard records its byte range (of the decompressed content) and the sha256 of its bytes,
so a worker re-reads exactly its range and a resumed run can tell an input that changed.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import shutil
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from ..errors import InputError

BLOCK = 1 << 20


@dataclass
class Shard:
    index: int
    path: str
    #: decompressed byte range [start, end) of a JSONL input; None for a whole file of another format
    start: int | None
    end: int | None
    #: first line number (1-based) of the range in its file
    line: int
    lines: int
    sha256: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def name(self) -> str:
        return f"{self.index:06d}"


def is_jsonl(path: str, from_format: str | None) -> bool:
    if from_format is not None:
        return from_format == "jsonl"
    name = path.lower()
    return name.endswith((".jsonl", ".jsonl.gz", ".ndjson", ".ndjson.gz"))


def _open(path: str) -> Any:
    try:
        with open(path, "rb") as probe:
            magic = probe.read(2)
        return gzip.open(path, "rb") if magic == b"\x1f\x8b" else open(path, "rb")
    except OSError as exc:
        raise InputError(f"{path}: {exc.strerror or exc}") from None


def scan(paths: list[str], shard_records: int, from_format: str | None = None) -> list[Shard]:
    """Split the inputs into shards of ``shard_records`` lines (JSONL) or one per file (other formats),
    in input order, reading each file once."""
    out: list[Shard] = []
    for path in paths:
        if not is_jsonl(path, from_format):
            h = hashlib.sha256()
            with _open(path) as f:
                while block := f.read(BLOCK):
                    h.update(block)
            out.append(Shard(len(out), path, None, None, 1, 0, h.hexdigest()))
            continue
        out.extend(_scan_jsonl(path, shard_records, len(out)))
    return out


def _scan_jsonl(path: str, shard_records: int, first_index: int) -> list[Shard]:
    shards: list[Shard] = []
    pos = start = 0
    lines = 0
    line0 = 1
    h = hashlib.sha256()
    last = b""

    def close(end: int) -> None:
        nonlocal start, lines, line0, h
        shards.append(Shard(first_index + len(shards), path, start, end, line0, lines, h.hexdigest()))
        start, line0, lines, h = end, line0 + lines, 0, hashlib.sha256()

    try:
        with _open(path) as f:
            while block := f.read(BLOCK):
                i = 0
                while True:
                    # the end of the line that completes this shard
                    need = shard_records - lines
                    j = i
                    for _ in range(need):
                        j = block.find(b"\n", j) + 1
                        if j == 0:
                            break
                        lines += 1
                    if j == 0:
                        h.update(block[i:])
                        break
                    h.update(block[i:j])
                    close(pos + j)
                    i = j
                pos += len(block)
                last = block[-1:]
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        raise InputError(f"{path}: cannot be read to its end: {exc}") from None
    if pos > start:  # the last, shorter shard (its last line may lack its newline)
        partial = 0 if last == b"\n" else 1
        shards.append(Shard(first_index + len(shards), path, start, pos, line0, lines + partial, h.hexdigest()))
    return shards


def materialise(shard: Shard, target: Path) -> None:
    """Write the shard's bytes to ``target`` (a plain file) and check they are the bytes the plan saw."""
    h = hashlib.sha256()
    with _open(shard.path) as f, open(target, "wb") as out:
        if shard.start is None:
            while block := f.read(BLOCK):
                h.update(block)
                out.write(block)
        else:
            if shard.start:
                f.seek(shard.start)
            left = shard.end - shard.start
            while left > 0:
                block = f.read(min(BLOCK, left))
                if not block:
                    break
                h.update(block)
                out.write(block)
                left -= len(block)
    if h.hexdigest() != shard.sha256:
        raise InputError(f"{shard.path}: lines {shard.line}-{shard.line + shard.lines - 1} changed since the run "
                         f"was planned (sha256 differs); start a new run")


def fresh_dir(path: Path) -> Path:
    """An empty folder at ``path`` (what a killed worker left there is removed)."""
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)
    return path


def file_sha256(path: str | os.PathLike) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(BLOCK):
            h.update(block)
    return h.hexdigest()


def cross_shard_duplicate(shards: list[Shard], from_format: str | None = None,
                          langs: Any = None, within: bool = False) -> tuple[str, str, str] | None:
    """The first record id that two different shards hold, as (id, first place, second place), or None;
    with ``within``, also an id repeated inside one shard.

    Steps that judge ids across the corpus (clean's and validate's unique ids) see one shard at a time;
    this global pass (ids only, in bounded memory) finds what they would miss. (``within``: a verb run
    in parts, whose messages about a repeated id would name a line of the part, not of the file.)"""
    import bisect

    from ..corpora.dupes import DuplicateIndex
    from ..corpora.formats import read_located
    from ..corpora.jsonl import Parsed, iter_lines

    starts: list[int] = []  # the ordinal of the first record of each shard, in shard order
    where: list[tuple[str, int]] = []  # (path, first line) of each shard, parallel to ``starts``
    n = 0

    def place(k: int) -> str:
        i = bisect.bisect_right(starts, k) - 1
        return f"{where[i][0]} (shard {i:06d})"

    with DuplicateIndex() as ids:
        for path in dict.fromkeys(s.path for s in shards):
            mine = [s for s in shards if s.path == path]
            if mine[0].start is None:
                located = ((line, rec) for line, rec in read_located(path, from_format, langs))
            else:
                located = ((it.line, it.value) for it in iter_lines(path) if isinstance(it, Parsed))
            k = 0
            starts.append(n)
            where.append((path, mine[0].line))
            for line, rec in located:
                while k + 1 < len(mine) and (line or 0) >= mine[k + 1].line:
                    k += 1
                    starts.append(n)
                    where.append((path, mine[k].line))
                rid = rec.get("id") if isinstance(rec, dict) else None
                if isinstance(rid, str):
                    first = ids.add(rid, n)
                    if first is not None and (within or bisect.bisect_right(starts, first) != len(starts)):
                        return rid, place(first), place(n)
                n += 1
        for rid, first, dup, _tag in ids.late_duplicates():
            if within or bisect.bisect_right(starts, first) != bisect.bisect_right(starts, dup):
                return rid, place(first), place(dup)
    return None
