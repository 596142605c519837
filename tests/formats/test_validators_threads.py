"""The compiled XML validators (XLIFF 2.2 schemas, TMX DTD) under threads: ``lancang serve`` checks uploads
in several job threads at once. A validator is built once a process, under a lock, and validates and is
asked for its errors under that lock (an lxml schema keeps its errors in itself). Real files from
../shared/data, valid and invalid, read with validation in eight fresh threads at once, give what one
thread gives: the same records and the same error messages."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from lancang.corpora.formats import get_format
from lancang.corpora.formats.tmx import tmx_dtd
from lancang.corpora.formats.xliff2rules import schema
from tests.conftest import shared

NS20 = "urn:oasis:names:tc:xliff:document:2.0"


def test_one_validator_a_process() -> None:
    here = (schema(NS20), tmx_dtd())
    other: list[object] = []
    t = threading.Thread(target=lambda: other.extend((schema(NS20), tmx_dtd())))
    t.start()
    t.join()
    assert other[0] is here[0] and other[1] is here[1]


def test_files_validated_in_eight_threads_at_once_read_as_in_one() -> None:
    x2, tmx = get_format("xliff2"), get_format("tmx")
    jobs = [(x2, shared("formats", "xliff2_okapi", name)) for name in
            ("valid_everything-core.xlf", "example.xlf", "valid_toJoin.xlf")]
    jobs += [(tmx, shared("formats", "tmx_okapi", name)) for name in ("ImportTest2A.tmx", "Paragraph_TM.tmx")]
    rules = Path(__file__).parent / "data" / "xliff2_rules"  # lancang's own fixtures: invalid files
    jobs += [(x2, rules / "schema.fail.xlf"), (x2, rules / "attribute-value.fail.xlf")]

    def one(fmt: object, path: object) -> object:
        try:
            return list(fmt.read(path, validate=True))  # type: ignore[attr-defined]
        except Exception as exc:
            return f"{type(exc).__name__}: {exc}"

    schema.cache.clear()  # the threads below compile the validators while others parse (the race once seen)
    tmx_dtd.cache.clear()

    def read(k: int) -> object:
        fmt, path = jobs[k % len(jobs)]
        try:
            return list(fmt.read(path, validate=True))
        except Exception as exc:  # (an invalid file: its message must be its own, not another thread's)
            return f"{type(exc).__name__}: {exc}"

    with ThreadPoolExecutor(8) as pool:  # fresh threads, reading TMX and XLIFF 2 files at the same moment
        got = list(pool.map(read, range(40)))
    want = [one(fmt, path) for fmt, path in jobs]
    assert got == [want[k % len(jobs)] for k in range(40)]
    assert sum(isinstance(w, str) for w in want) == 2  # (the two invalid files fail, with their own message)
