"""The HTTP API, through an HTTP client against the real application, on SQLite and PostgreSQL."""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path
from typing import Any

import orjson
import pytest
from lxml import etree

from lancang.serve.jobs import EXPANSION
from lancang.store import open_store

from ..store.helpers import read_jsonl
from .conftest import Site
from .helpers import index_pud, tmx, upload, wait_job


def test_upload_check_and_the_reports_in_every_form(site: Site) -> None:
    r = upload(site, "alice", tmx(), filename="Paragraph_TM.tmx")
    assert r.status_code == 202, r.text
    assert r.json()["corpus"] == "Paragraph_TM"
    job = wait_job(site, r.json()["job"], "alice")
    assert job["state"] == "done", job
    assert job["result"]["verdict"] == "conformant" and job["result"]["records"] == 7
    rid = job["result"]["report"]
    rep = site.client.get(f"/api/reports/{rid}", headers=site.auth("alice")).json()
    assert rep["verdict"] == "conformant"
    assert [p["id"] for p in rep["signature"]["profiles"]] == ["tmx-1.4b"]
    text = json.dumps(rep, ensure_ascii=False)
    assert str(site.folder.resolve()) not in text and "uploads/" not in text, "the server's paths stay inside"
    assert "Paragraph_TM.tmx" in text
    zh = site.client.get(f"/api/reports/{rid}?format=html&lang=zh", headers=site.auth("alice"))
    en = site.client.get(f"/api/reports/{rid}?format=html&lang=en", headers=site.auth("alice"))
    assert zh.status_code == en.status_code == 200 and zh.headers["content-type"].startswith("text/html")
    assert 'data-verdict="conformant"\nid="verdict">符合<' in zh.text and 'id="verdict">conformant<' in en.text
    assert "<title>lancang 符合性检查报告: 符合</title>" in zh.text
    junit = site.client.get(f"/api/reports/{rid}?format=junit", headers=site.auth("alice"))
    suites = etree.fromstring(junit.content)
    assert suites.tag == "testsuites" and suites.get("failures") == "0" and int(suites.get("tests")) > 0
    listed = site.client.get("/api/corpora/Paragraph_TM/reports", headers=site.auth("alice")).json()
    assert [x["id"] for x in listed] == [rid] and listed[0]["links"]["html-zh"].endswith("format=html&lang=zh")
    c = site.client.get("/api/corpora/Paragraph_TM", headers=site.auth("alice")).json()
    assert c["records"] == 7 and c["languages"] == ["de-DE", "en-US"] and c["owner"] == "alice" and c["private"]
    assert c["stats"]["sides"] == 14 and c["state"] == "ready"
    assert list((site.folder / "uploads").iterdir()) == [], "a finished job's upload is removed"


def test_private_corpora_are_seen_by_their_owner_and_admins_only(site: Site) -> None:
    job = wait_job(site, upload(site, "alice", tmx(), name="secret").json()["job"], "alice")
    assert job["state"] == "done"
    rid = job["result"]["report"]
    pub = wait_job(site, upload(site, "bob", tmx(), name="open", public="1").json()["job"], "bob")
    assert pub["state"] == "done"
    for user in ("bob", "rita", None):
        h = site.auth(user) if user else {}
        assert [c["name"] for c in site.client.get("/api/corpora", headers=h).json()] == ["open"]
        for url in ("/api/corpora/secret", "/api/corpora/secret/reports", "/api/corpora/secret/download",
                    f"/api/reports/{rid}", "/api/search?q=the&corpus=secret"):
            r = site.client.get(url, headers=h)
            assert r.status_code == 404 and r.json()["error"] in ("no corpus named 'secret'", f"no report {rid}"), url
        hits = site.client.get("/api/search?q=the&side=en&page_size=100", headers=h).json()["hits"]
        assert hits and {x["corpus"] for x in hits} == {"open"}
    assert site.client.get(f"/api/jobs/{job['id']}", headers=site.auth("bob")).status_code == 404
    for user in ("alice", "root"):
        names = [c["name"] for c in site.client.get("/api/corpora", headers=site.auth(user)).json()]
        assert names == ["open", "secret"]
        assert site.client.get(f"/api/reports/{rid}", headers=site.auth(user)).status_code == 200
    assert site.client.get(f"/api/jobs/{job['id']}", headers=site.auth("root")).json()["state"] == "done"


def test_roles_and_tokens(site: Site) -> None:
    r = upload(site, "rita", tmx())
    assert r.status_code == 403 and "role submit" in r.json()["error"]
    with tmx().open("rb") as f:
        r = site.client.post("/api/jobs", files={"corpus": ("a.tmx", f)}, data={"profile": "tmx-1.4b"})
    assert r.status_code == 401
    r = site.client.get("/api/corpora", headers={"Authorization": "Bearer lct_not-a-token"})
    assert r.status_code == 401 and "unknown or revoked token" in r.json()["error"]
    assert site.client.get("/api/jobs", headers=site.auth("rita")).status_code == 403
    with open_store(site.db) as store:
        tid = next(t["id"] for t in store.tokens() if t["name"] == "bob")
        assert store.revoke_token(tid) and not store.revoke_token(tid)
        assert all(t["name"] != "alice" or not t["revoked"] for t in store.tokens())
        raw = str(store._fetchall("SELECT hash FROM tokens"))
    assert site.tokens["alice"] not in raw, "tokens are kept hashed"
    assert site.client.get("/api/corpora", headers=site.auth("bob")).status_code == 401


def test_bad_uploads_answer_with_one_line(site: Site, tmp_path: Path) -> None:
    big = tmp_path / "big.jsonl"
    big.write_bytes(b"x" * (3 * 1024 * 1024))  # the site's limit is 2 MiB
    r = upload(site, "alice", big)
    assert r.status_code == 413 and "larger than the limit of 2,097,152 bytes" in r.json()["error"]
    notes = tmp_path / "notes.bin"
    notes.write_bytes(bytes(range(256)) * 8)
    r = upload(site, "alice", notes)
    assert r.status_code == 400 and "cannot tell the input format" in r.json()["error"]
    r = upload(site, "alice", tmx(), profiles=("/etc/passwd",))
    assert r.status_code == 400
    assert r.json()["error"] == "profile=/etc/passwd: no such profile (GET /api/profiles lists them)"
    r = upload(site, "alice", tmx(), profiles=())
    assert r.status_code == 400 and "choose at least one profile" in r.json()["error"]
    r = site.client.post("/api/jobs", headers=site.auth("alice"), content=b"{}",
                         params={"x": 1}, files=None)
    assert r.status_code == 400 and r.json()["error"] == "the body is not multipart/form-data"
    assert wait_job(site, upload(site, "alice", tmx(), name="twice").json()["job"], "alice")["state"] == "done"
    r = upload(site, "bob", tmx(), name="twice")
    assert r.status_code == 409 and "exists already" in r.json()["error"]
    assert list((site.folder / "uploads").iterdir()) == [], "a refused upload leaves no file"


def test_hostile_files_fail_their_job_without_reading_outside(site: Site, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-LINE", encoding="utf-8")
    xlf = tmp_path / "evil.xlf"
    xlf.write_text(f'<?xml version="1.0"?>\n<!DOCTYPE xliff [<!ENTITY x SYSTEM "{secret.as_uri()}">]>\n'
                   '<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2"><file original="a" '
                   'datatype="plaintext" source-language="en" target-language="zh-CN"><body><trans-unit id="1">'
                   '<source>&x;</source><target>x</target></trans-unit></body></file></xliff>', encoding="utf-8")
    job = wait_job(site, upload(site, "alice", xlf, profiles=("lancang-zh-asean-parallel",)).json()["job"], "alice")
    assert job["state"] == "failed" and job["error"].startswith("evil.xlf:")
    assert "TOP-SECRET" not in json.dumps(job) and "\n" not in job["error"]
    assert site.client.get("/api/corpora/evil", headers=site.auth("alice")).status_code == 404, \
        "a corpus that failed to index is no library entry"
    bomb = tmp_path / "bomb.jsonl.gz"
    with gzip.open(bomb, "wb", compresslevel=9) as f:
        for _ in range(EXPANSION * 2 + 1):
            f.write(b"\n" * (1024 * 1024))
    assert bomb.stat().st_size < 2 * 1024 * 1024
    job = wait_job(site, upload(site, "alice", bomb, profiles=("lancang-zh-asean-parallel",)).json()["job"], "alice")
    assert job["state"] == "failed" and job["error"] == (
        f"bomb.jsonl.gz: decompresses to more than {EXPANSION * 2 * 1024 * 1024:,} bytes (the limit is "
        f"{EXPANSION} times the upload limit); refused as a possible gzip bomb")
    evil_name = upload(site, "alice", tmx(), filename="../../../../tmp/evil.tmx", name="named")
    assert evil_name.status_code == 202
    assert wait_job(site, evil_name.json()["job"], "alice")["state"] == "done"
    assert not Path("/tmp/evil.tmx").exists()


def test_library_browse_search_and_download(site: Site, tmp_path: Path) -> None:
    src = index_pud(site.db, tmp_path)
    job = wait_job(site, upload(site, "alice", tmx(), public="1").json()["job"], "alice")
    assert job["state"] == "done"

    def names(**params: object) -> list[str]:
        r = site.client.get("/api/corpora", params=params)
        assert r.status_code == 200, r.text
        return [c["name"] for c in r.json()]

    assert names() == ["Paragraph_TM", "pud"]
    assert names(language=["zh", "th"]) == ["pud"] and names(language=["en", "de"]) == ["Paragraph_TM"]
    assert names(language=["zh", "de"]) == []
    assert names(licence="cc-by-sa-4.0") == ["pud"] and names(min_records=100) == ["pud"]
    assert names(max_records=10) == ["Paragraph_TM"]
    assert site.client.get("/api/corpora?min_records=many").json()["error"] == "?min_records=many: not a whole number"
    pud = site.client.get("/api/corpora/pud").json()
    assert pud["records"] == 300 and pud["stats"]["languages"]["th"]["sides"] == 300

    r = site.client.get("/api/search", params={"q": "政府", "side": "zh", "tgt": "th", "page_size": 5})
    page1 = r.json()
    assert r.status_code == 200 and len(page1["hits"]) == 5 and page1["more"]
    for h in page1["hits"]:
        assert h["hit"] == "政府" and h["side"] == "zh-Hant" and [a["lang"] for a in h["aligned"]] == ["th"]
    page2 = site.client.get("/api/search", params={"q": "政府", "side": "zh", "tgt": "th", "page_size": 5,
                                                   "page": 2}).json()
    assert {h["record"] for h in page1["hits"]}.isdisjoint(h["record"] for h in page2["hits"])
    th = site.client.get("/api/search", params={"q": "ประเทศ", "side": "th", "corpus": "pud"}).json()
    assert th["hits"] and all(h["hit"] == "ประเทศ" for h in th["hits"])
    bad = site.client.get("/api/search", params={"q": "(", "regex": "1"})
    assert bad.status_code == 400 and "not a valid regular expression" in bad.json()["error"]
    assert site.client.get("/api/search").json()["error"] == "?q=: give a query"

    r = site.client.get("/api/corpora/pud/download")
    assert r.status_code == 200 and "attachment" in r.headers["content-disposition"]
    got = [orjson.loads(line) for line in r.content.splitlines()]
    assert got == list(read_jsonl(src))
    r = site.client.get("/api/corpora/pud/download", params={"format": "tmx"})
    tus = etree.parse(io.BytesIO(r.content)).findall(".//tu")
    assert r.status_code == 200 and len(tus) == 300
    r = site.client.get("/api/corpora/pud/download", params={"format": "nope"})
    assert r.status_code == 400 and "nope" in r.json()["error"]
    assert list((site.folder / "downloads").iterdir()) == [], "a download's file is removed once sent"


def test_openapi_describes_every_api_route(site: Site) -> None:
    from lancang.serve.app import ROUTES

    doc = site.client.get("/openapi.json").json()
    assert doc["openapi"].startswith("3.1") and doc["components"]["securitySchemes"]["token"]["scheme"] == "bearer"
    api = {r.path.replace(":path", "").replace(":int", "") for r in ROUTES if r.path.startswith("/api/")}
    assert api == set(doc["paths"])
    assert set(doc["paths"]["/api/jobs"]) == {"get", "post"}
    profiles = site.client.get("/api/profiles").json()
    assert {"tmx-1.4b", "lancang-zh-asean-parallel"} <= {p["id"] for p in profiles}
    formats = {f["name"]: f for f in site.client.get("/api/formats").json()}
    assert formats["tmx"]["read"] and formats["tmx"]["write"]


def test_manifest_and_metrics_go_with_the_upload(site: Site, cli, tmp_path: Path) -> None:
    from lancang.corpora.samples import sample_path

    res = cli("evaluate", str(sample_path()), str(sample_path()), "--format", "json")
    assert res.exit_code == 0
    metrics = tmp_path / "metrics.json"
    metrics.write_text(res.stdout, encoding="utf-8")
    manifest = sample_path("sample.manifest.json")
    with sample_path().open("rb") as c, manifest.open("rb") as m, metrics.open("rb") as x:
        r = site.client.post("/api/jobs", headers=site.auth("alice"),
                             files=[("corpus", ("sample.jsonl", c)), ("manifest", ("manifest.json", m)),
                                    ("metrics", ("metrics.json", x))],
                             data={"profile": "lancang-zh-asean-parallel"})
    assert r.status_code == 202, r.text
    job = wait_job(site, r.json()["job"], "alice")
    assert job["state"] == "done", job
    c = site.client.get("/api/corpora/sample", headers=site.auth("alice")).json()
    want = json.loads(manifest.read_text(encoding="utf-8"))
    assert c["manifest"] == want and c["licence"] == want.get("license")
    rep = site.client.get(f"/api/reports/{job['result']['report']}", headers=site.auth("alice")).json()
    assert rep["verdict"] == job["result"]["verdict"] == "not-conformant"  # TALPCo records have no Chinese side
    assert rep["corpus"] == "sample.jsonl" and rep["manifest"] == "manifest.json"
    assert rep["metrics"]["accuracy"]["tokens"]["overall"]["f1"] == 1.0, "the uploaded metrics were checked"
    # without the manifest a profile that needs one fails the job with that one line
    with sample_path().open("rb") as c:
        r = site.client.post("/api/jobs", headers=site.auth("alice"), files={"corpus": ("sample.jsonl", c)},
                             data={"profile": "lancang-zh-asean-parallel", "name": "bare"})
    job = wait_job(site, r.json()["job"], "alice")
    assert job["state"] == "failed" and "give the corpus's manifest" in job["error"]


def _bench_serve() -> Any:
    import importlib.util

    path = Path(__file__).parents[2] / "benchmarks" / "bench_serve.py"
    spec = importlib.util.spec_from_file_location("bench_serve", path)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.mark.slow
def test_a_short_load_with_a_killed_server_loses_no_job(db: str, tmp_path: Path) -> None:
    """benchmarks/bench_serve.py --load in small: `lancang serve` in a child process, 5 httpx clients for 5 s
    (uploads of real TMX, XLIFF and JSONL with check jobs, zh and th searches, pages, reports, requests that
    must be refused), the server killed with jobs in flight and started again: no error, every job done or
    failed, still so after a graceful restart."""
    bench = _bench_serve()
    (tmp_path / "work").mkdir()
    r = bench.load_backend(db, tmp_path / "files", tmp_path / "work", clients=5, seconds=5, workers=2,
                           upload_every=1.5, drain_timeout=120, kill=True)
    t = r["tally"]
    assert t.errors == [] and r["tracebacks"] == 0, (t.errors[:5], r["log"][-3000:])
    assert t.intended > 0 and len(t.lat["search zh"]) > 0 and len(t.lat["search th"]) > 0
    assert len(r["submitted"]) >= 10
    for job in r["submitted"]:
        assert r["after"][job]["state"] in ("done", "failed"), r["after"][job]
        assert r["after"][job]["state"] == r["before"][job]["state"]
