"""The manifest's processing log, written by the verbs that change a corpus.

GB/T 40035-2021 §6 names a processing flow (preparation, cleaning, de-duplication, desensitisation,
alignment, review); a standard that requires a step should see evidence that it happened, not a
sentence typed into a datasheet. Every verb that changes or inspects a corpus takes
``--manifest M`` and, when it has finished, appends its step to ``M``'s ``processing`` list:

* ``step``: the kind (``cleaning``, ``deduplication``, ``desensitisation``, ``alignment``, ``annotation``,
  ``conversion``, ``sampling``, ``review``, ``preparation``);
* ``tool`` (``lancang <verb>``), ``version``, ``time`` (when the step started), ``duration`` (seconds);
* ``settings`` (what changes its result), ``counts`` (records in/out/rejected, repairs or masks per
  kind: numbers only, never a value from the corpus);
* ``inputs`` and ``outputs``: file name and the sha256 of the content after gunzip (the one hash of a
  corpus in lancang: :func:`lancang.corpora.formats.content_digest`), so a checker can tell that the
  corpus it checks is the one the log describes. Only the file's name is kept, not its folder (paths
  name people's home directories).

:class:`ProcessingLog` is opened **before** the work, so a manifest that is missing, not JSON or not
writable stops the command before it reads a record. The append is atomic and under the manifest's
lock (two verbs appending at once both land), and idempotent: a step already logged with the same
kind, settings, input hashes and output hashes is not added twice.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import orjson

from ..errors import InputError
from .io import OutputError, atomic_output, locked
from .model import now_iso

PathLike = str | os.PathLike

#: step kinds of GB/T 40035-2021 §6 and the other verbs (the manifest schema's vocabulary)
STEPS = ("preparation", "cleaning", "deduplication", "desensitisation", "alignment", "annotation", "review",
         "conversion", "sampling", "inspection")


def _load(path: Path) -> dict[str, Any]:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: no such manifest (create one with `lancang manifest init CORPUS -o {path.name}`)"
                         ) from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read the manifest: {exc.strerror or exc}") from None
    try:
        doc = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise InputError(f"{path}: the manifest is not JSON: {exc}") from None
    if not isinstance(doc, dict):
        raise InputError(f"{path}: a manifest is a JSON object")
    if not isinstance(doc.get("processing", []), list):
        raise InputError(f"{path}: /processing is not a list")
    return doc


def load_manifest(path: PathLike) -> dict[str, Any]:
    """A manifest file as a dict; an unreadable or non-object file is an InputError naming it."""
    return _load(Path(path))


def _check_writable(path: Path) -> None:
    folder = path.resolve().parent
    if not os.access(path, os.W_OK) or not os.access(folder, os.W_OK | os.X_OK):
        what = path if not os.access(path, os.W_OK) else folder
        raise OutputError(f"{path}: the manifest cannot be updated ({what} is not writable)")


def file_entry(path: PathLike, records: int | None = None) -> dict[str, Any]:
    """``{"path": name, "sha256": ...}`` of an input or output (``-`` has no hash)."""
    from .formats import file_sha256

    p = str(path)
    entry: dict[str, Any] = {"path": "-" if p == "-" else Path(p).name, "sha256": file_sha256(p)}
    if records is not None:
        entry["records"] = records
    return entry


def same_step(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    """The same step on the same data: kind, tool, settings and every input and output hash."""
    def hashes(e: Mapping[str, Any], key: str) -> list[Any]:
        return [x.get("sha256") for x in e.get(key, ()) if isinstance(x, dict)]

    return (a.get("step") == b.get("step") and a.get("tool") == b.get("tool")
            and a.get("settings", {}) == b.get("settings", {})
            and hashes(a, "inputs") == hashes(b, "inputs") and hashes(a, "outputs") == hashes(b, "outputs")
            and all(h for h in hashes(a, "inputs") + hashes(a, "outputs")))


class ProcessingLog:
    """The processing log of one manifest, opened before a verb's work (``None``: nothing is logged)."""

    def __init__(self, manifest: PathLike | None, command: str):
        self.path = Path(manifest) if manifest is not None else None
        self.command = command
        self.started = time.time()
        self.start_iso = now_iso()
        if self.path is not None:
            if str(manifest) == "-":
                raise InputError("--manifest: the processing log is a file, not standard input or output")
            _load(self.path)
            _check_writable(self.path)

    def __bool__(self) -> bool:
        return self.path is not None

    def entry(self, *, step: str, settings: Mapping[str, Any] | None = None,
              counts: Mapping[str, Any] | None = None, inputs: Sequence[PathLike] = (),
              outputs: Sequence[PathLike] = (), records_in: int | None = None, records_out: int | None = None,
              description: str | None = None) -> dict[str, Any]:
        from .. import __version__

        e: dict[str, Any] = {"step": step, "tool": f"lancang {self.command}", "version": __version__,
                             "time": self.start_iso, "duration": round(time.time() - self.started, 3)}
        if description:
            e["description"] = description
        if records_in is not None:
            e["records_in"] = records_in
        if records_out is not None:
            e["records_out"] = records_out
        e["settings"] = orjson.loads(orjson.dumps(dict(settings or {}), default=str))
        e["counts"] = dict(counts or {})
        e["inputs"] = [file_entry(p) for p in inputs]
        e["outputs"] = [file_entry(p) for p in outputs]
        return e

    def append(self, **step: Any) -> list[dict[str, Any]]:
        """Append one step (keywords of :meth:`entry`); see :meth:`extend`."""
        return self.extend([step])

    def extend(self, steps: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
        """Append steps (each the keywords of :meth:`entry`) in one atomic write; returns the entries
        added (a step already logged for the same data is skipped)."""
        if self.path is None:
            return []
        entries = [self.entry(**s) for s in steps]
        with locked(self.path):
            doc = _load(self.path)
            log = doc.setdefault("processing", [])
            added = [e for e in entries if not any(isinstance(x, dict) and same_step(x, e) for x in log)]
            if not added:
                return []
            log.extend(added)
            with atomic_output(self.path, update=True) as f:
                f.write(orjson.dumps(doc, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE))
        return added


def init_manifest(corpus: PathLike, *, id: str | None = None, title: str | None = None,
                  license: str | None = None, source: str | None = None, fmt: str | None = None,
                  langs: Any = None, options: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """A manifest scaffolded from a corpus (streamed): its languages (most frequent first), size and a
    ``preparation`` step with the corpus's hash; licence and source are to fill in (``TODO`` marks
    them, so `lancang validate` and the profiles flag a scaffold nobody completed)."""
    from .formats import read_corpus

    counts: dict[str, int] = {}
    n = 0
    for rec in read_corpus(corpus, fmt, langs, **dict(options or {})):
        n += 1
        for tag in (rec.get("sides") or {}) if isinstance(rec, dict) else ():
            counts[tag] = counts.get(tag, 0) + 1
    name = "-" if str(corpus) == "-" else Path(str(corpus)).name
    stem = name.split(".")[0] or "corpus"
    languages = sorted(counts, key=lambda t: (-counts[t], t))
    doc: dict[str, Any] = {
        "manifest": "lancang/manifest/1", "id": id or stem,
        "title": {"en": title or stem}, "created": now_iso()[:10],
        "languages": languages, "license": license or "TODO: the licence (an SPDX id, e.g. CC-BY-4.0)",
        "size": {"records": n, "files": [name]},
        "sources": [{"name": source or "TODO: where the texts come from"}],
        "processing": [],
    }
    log = ProcessingLog(None, "manifest init")
    step = log.entry(step="preparation", settings={}, counts={"records": n, "sides": counts},
                     inputs=[corpus], records_in=n,
                     description="corpus received and described: languages and size read from the corpus")
    step.pop("outputs")
    doc["processing"].append(step)
    return doc
