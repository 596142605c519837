"""Corpora for the store tests, built from the real data in ../shared/data (never copied)."""

from __future__ import annotations

import itertools
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest

from lancang.corpora.formats import read_corpus

from ..conftest import shared, write_jsonl

TALPCO = {"th": "tha_data_tha", "vi": "vie_data_vie", "id": "ind_data_ind", "ms": "zsm_data_zsm"}
PG_ENV = "LANCANG_TEST_PG"


def pud_pairs(path: Path, langs: tuple[str, ...] = ("zh-Hant", "th", "en")) -> Path:
    """PUD's 300 sentences, one record per sentence id, a side per language with UD's tokens."""
    d = shared("parallel", "pud")
    streams = [read_corpus(d / f"{lang.split('-')[0]}_pud.conllu", langs=[lang]) for lang in langs]
    out = []
    for recs in zip(*streams):
        rid = recs[0]["id"]
        assert all(r["id"] == rid for r in recs)
        sides = {}
        for lang, r in zip(langs, recs):
            side = r["sides"][lang]
            sides[lang] = {"text": side["text"], "layers": {"tokens": side["layers"]["tokens"]}}
        out.append({"id": f"pud-{rid}", "doc": recs[0].get("doc"), "sides": sides})
    return write_jsonl(path, out)


def talpco_records() -> list[dict[str, Any]]:
    d = shared("parallel", "talpco")
    texts: dict[str, dict[str, str]] = {}
    for lang, stem in TALPCO.items():
        for line in (d / f"{stem}.txt").read_text(encoding="utf-8").splitlines():
            if "\t" in line:
                k, s = line.split("\t", 1)
                texts.setdefault(k.strip(), {})[lang] = s.strip()
    return [{"id": f"talpco-{k}", "sides": {lang: {"text": t[lang]} for lang in TALPCO if lang in t}}
            for k, t in sorted(texts.items(), key=lambda kv: int(kv[0])) if len(t) == len(TALPCO)]


def talpco_pairs(path: Path, copies: int = 1) -> Path:
    """TALPCo's sentences in th, vi, id, ms without tokens (th is indexed by characters, the others by
    words); ``copies`` > 1 repeats them under new ids (a larger real-text corpus)."""
    recs = talpco_records()
    out = ({**r, "id": f"{r['id']}-{c}"} if copies > 1 else r for c in range(copies) for r in recs)
    return write_jsonl(path, list(out))


def pud_documents(path: Path) -> Path:
    """PUD's documents (English ``# newdoc``) as records: zh-Hant and th sides with a sentences layer and
    1-1 sentence beads scored 0.9 (even sentences) or 0.4 (odd ones)."""
    d = shared("parallel", "pud")
    zh = list(read_corpus(d / "zh_pud.conllu", langs=["zh-Hant"]))
    th = list(read_corpus(d / "th_pud.conllu", langs=["th"]))
    en = list(read_corpus(d / "en_pud.conllu", langs=["en"]))
    docs: list[list[int]] = []
    last = None
    for k, r in enumerate(en):
        if r.get("doc") != last or not docs:
            docs.append([])
            last = r.get("doc")
        docs[-1].append(k)
    out = []
    for n, ks in enumerate(docs):
        sides = {}
        for lang, recs, joiner in (("zh-Hant", zh, ""), ("th", th, " ")):
            text, spans = "", []
            for k in ks:
                if text:
                    text += joiner
                s = recs[k]["sides"][lang]["text"]
                spans.append([len(text), len(text) + len(s)])
                text += s
            sides[lang] = {"text": text, "layers": {"sentences": {"spans": spans}}}
        beads = [{"src": [i], "tgt": [i], "score": 0.9 if i % 2 == 0 else 0.4} for i in range(len(ks))]
        out.append({"id": f"pud-doc-{n}", "sides": sides,
                    "links": [{"kind": "beads", "src": "zh-Hant", "tgt": "th", "beads": beads}]})
    return write_jsonl(path, out)


def read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    for line in path.read_bytes().splitlines():
        if line.strip():
            yield orjson.loads(line)


def first(it: Any, n: int) -> list[Any]:
    return list(itertools.islice(it, n))


def pg_url() -> str:
    url = os.environ.get(PG_ENV)
    if not url:
        pytest.skip(f"{PG_ENV} is unset: no PostgreSQL to test against (.ci/run starts one and sets it)")
    return url


def pg_schema_url(url: str, schema: str) -> str:
    """The URL with ``search_path`` set to ``schema`` (each test gets its own schema)."""
    return url + ("&" if "?" in url else "?") + f"options=-csearch_path%3D{schema}"


class PgSchema:
    """A fresh schema in the test database, dropped afterwards."""

    def __init__(self) -> None:
        import psycopg

        self.base = pg_url()
        self.name = f"t_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.base, autocommit=True) as conn:
            conn.execute(f"CREATE SCHEMA {self.name}")
        self.url = pg_schema_url(self.base, self.name)

    def drop(self) -> None:
        import psycopg

        with psycopg.connect(self.base, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {self.name} CASCADE")
