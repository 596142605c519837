"""Helpers of the service tests."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from lancang.store import index_corpus, open_store

from ..conftest import shared
from ..store.helpers import pud_pairs

TMX = ("formats", "tmx_okapi", "Paragraph_TM.tmx")  # 7 de-DE/en-US paragraphs (Okapi's test data)


def tmx() -> Path:
    return shared(*TMX)


def upload(site: Any, user: str, path: Path, profiles: tuple[str, ...] = ("tmx-1.4b",), filename: str | None = None,
           **fields: Any) -> Any:
    with path.open("rb") as f:
        return site.client.post("/api/jobs", headers=site.auth(user),
                                files={"corpus": (filename or path.name, f)},
                                data={"profile": list(profiles), **fields})


def wait_job(site: Any, job: int, user: str, timeout: float = 120) -> dict[str, Any]:
    end = time.monotonic() + timeout
    while True:
        r = site.client.get(f"/api/jobs/{job}", headers=site.auth(user))
        assert r.status_code == 200, r.text
        j = r.json()
        if j["state"] in ("done", "failed"):
            return j
        assert time.monotonic() < end, f"job {job} still {j['state']} after {timeout} s"
        time.sleep(0.1)


def index_pud(db: str, tmp: Path, name: str = "pud", **kw: Any) -> Path:
    """PUD's 300 sentences (zh-Hant, th, en with UD tokens) indexed into the store as ``name``."""
    path = pud_pairs(tmp / f"{name}.jsonl")
    with open_store(db) as store:
        index_corpus(store, path, name=name, **kw)
        store.update_corpus(name, licence=kw.get("licence", "CC-BY-SA-4.0"))
    return path
