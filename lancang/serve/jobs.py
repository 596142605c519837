"""The bounded worker pool that runs submitted checks, with every job's state in the store.

A job of kind ``check`` names an upload (a folder under the service's folder) and what to do with it:
index the corpus into the library under its name (resumable: :func:`lancang.store.index_corpus`), check
it against the chosen profiles (:func:`lancang.standards.checker.check`), keep the signed JSON report
(:meth:`lancang.store.Store.add_report`) and finish with the report's id and verdict. HTML (zh, en) and
JUnit are rendered from the kept report when asked for. Workers are threads, each with its own store
connection, never the request threads; they take jobs with :meth:`~lancang.store.Store.claim_job`, so
two workers (or two servers on one PostgreSQL store) never run the same job. On start the pool calls
:meth:`~lancang.store.Store.recover_jobs`: a job left running by a stopped server is queued again (or
failed after three tries), never lost silently.
"""

from __future__ import annotations

import contextlib
import logging
import shutil
import threading
from pathlib import Path
from typing import Any

from ..errors import LancangError
from .files import inside

log = logging.getLogger("lancang.serve")
KIND = "check"
#: a gzipped upload may decompress to at most this many times the upload limit
EXPANSION = 20


def _shown(value: Any, real: str, shown: str) -> Any:
    """``value`` with the server's path of the upload replaced by the client's file name."""
    if isinstance(value, str):
        return value.replace(real, shown)
    if isinstance(value, list):
        return [_shown(v, real, shown) for v in value]
    if isinstance(value, dict):
        return {k: _shown(v, real, shown) for k, v in value.items()}
    return value


def check_expanded(path: Path, limit: int) -> None:
    """A gzipped upload must not decompress to more than ``limit`` bytes (a gzip bomb): counted in one
    streaming pass before any reader sees it, memory flat."""
    import gzip
    import zlib

    total = 0
    try:
        with gzip.open(path, "rb") as f:
            while chunk := f.read(1 << 20):
                total += len(chunk)
                if total > limit:
                    raise LancangError(f"{path}: decompresses to more than {limit:,} bytes (the limit is "
                                       f"{EXPANSION} times the upload limit); refused as a possible gzip bomb")
    except (OSError, EOFError, zlib.error) as exc:
        raise LancangError(f"{path}: not a valid gzip file ({exc})") from None


def run_job(store: Any, folder: Path, job: Any, max_expanded: int | None = None) -> dict[str, Any]:
    """Index and check a job's upload; returns the job's result (report id, verdict, records).
    ``max_expanded``: the most bytes a gzipped upload may decompress to."""
    from ..standards.checker import check
    from ..standards.profiles import load_profile
    from ..store import index_corpus

    p = job.params
    up = inside(folder, p["upload"])
    corpus_path = inside(up, p["file"])
    manifest = str(inside(up, p["manifest"])) if p.get("manifest") else None
    metrics = [str(inside(up, m)) for m in p.get("metrics") or []]
    profiles = [load_profile(pid) for pid in p["profiles"]]
    # the server's paths of the uploaded files, as the client named them (the longest first)
    shown = {str(inside(up, f)): nice for f, nice in (p.get("names") or {p["file"]: p["filename"]}).items()}
    shown[str(up)] = "upload"
    try:
        if max_expanded is not None and corpus_path.name.endswith(".gz"):
            check_expanded(corpus_path, max_expanded)
        res = index_corpus(store, corpus_path, name=p["name"], manifest=manifest, fmt=p.get("format"),
                           langs=p.get("langs") or None, owner=p.get("owner"), private=bool(p.get("private")))
        rep = check(corpus_path, profiles, manifest, metrics or None, 100, p.get("format"), p.get("langs") or None)
    except (LancangError, OSError) as exc:
        text = str(exc) if isinstance(exc, LancangError) else f"{exc.strerror or exc}"
        for real, nice in shown.items():
            text = text.replace(real, nice)
        raise LancangError(text) from None
    for real, nice in shown.items():
        rep = _shown(rep, real, nice)
    corpus = store.corpus(p["name"])
    rid = store.add_report(corpus, "check", rep)
    return {"report": rid, "verdict": rep["verdict"], "records": res.records, "corpus": p["name"]}


class Pool:
    """``workers`` threads running queued jobs from the store at ``url``."""

    def __init__(self, url: str, folder: Path, workers: int = 2, poll: float = 1.0,
                 max_expanded: int | None = None):
        self.url, self.folder, self.workers, self.poll = url, folder, max(1, workers), poll
        self.max_expanded = max_expanded
        self._stop = threading.Event()
        self._wake = threading.Condition()
        self._threads: list[threading.Thread] = []

    def start(self) -> tuple[list[int], list[int]]:
        from ..store import open_store

        with open_store(self.url) as store:
            requeued, failed = store.recover_jobs()
        if requeued or failed:
            log.warning("recovered jobs after a restart: requeued %s, failed %s", requeued, failed)
        for k in range(self.workers):
            t = threading.Thread(target=self._loop, name=f"lancang-job-{k}", daemon=True)
            t.start()
            self._threads.append(t)
        return requeued, failed

    def notify(self) -> None:
        with self._wake:
            self._wake.notify_all()

    def stop(self, timeout: float = 30.0) -> None:
        self._stop.set()
        self.notify()
        for t in self._threads:
            t.join(timeout)
        self._threads = []

    def _loop(self) -> None:
        from ..store import open_store

        with open_store(self.url) as store:
            while not self._stop.is_set():
                try:
                    job = store.claim_job([KIND])
                except Exception:  # the store is briefly unavailable: try again later
                    log.exception("claiming a job failed")
                    job = None
                if job is None:
                    with self._wake:
                        self._wake.wait(self.poll)
                    continue
                self._run(store, job)

    def _run(self, store: Any, job: Any) -> None:
        try:
            try:
                result = run_job(store, self.folder, job, self.max_expanded)
            except LancangError as exc:
                self._failed(store, job, str(exc))
            except Exception as exc:  # a bug: the job fails with its type, the log has the traceback
                log.exception("job %s failed", job.id)
                self._failed(store, job, f"internal error ({type(exc).__name__}); see the server's log")
            else:
                store.finish_job(job.id, result)
                self._cleanup(job)
        except Exception:  # the store failed recording the end: the job stays running, a restart requeues it
            log.exception("job %s: its end could not be recorded", job.id)

    def _failed(self, store: Any, job: Any, message: str) -> None:
        corpus = store.corpus(job.params["name"])
        if corpus is not None and corpus.state != "ready":  # a half-indexed corpus is no library entry
            store.delete_corpus(corpus.name)
        store.fail_job(job.id, message.splitlines()[0] if message else "failed")
        self._cleanup(job)

    def _cleanup(self, job: Any) -> None:
        with contextlib.suppress(LancangError):
            shutil.rmtree(inside(self.folder, job.params["upload"]), ignore_errors=True)


__all__ = ["EXPANSION", "KIND", "Pool", "check_expanded", "run_job"]
