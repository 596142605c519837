"""``lancang index`` and ``lancang search`` through the CLI: streaming, resuming after a crash or a bad
line, refusing a changed input, and the output formats."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import orjson
import pytest

from lancang.store import Query, open_store

from ..conftest import write_jsonl
from .helpers import pud_documents, read_jsonl, talpco_pairs, talpco_records


def _stored(url: str, name: str) -> tuple[int, list[tuple[int, str]]]:
    with open_store(url, create=False) as store:
        c = store.corpus(name)
        assert c is not None
        rows = store._fetchall("SELECT position, rid FROM records WHERE corpus = ? ORDER BY position", (c.id,))
        return c.records, [(int(p), r) for p, r in rows]


def _hits(url: str, text: str, side: str) -> list[dict]:
    with open_store(url, create=False) as store:
        return [h.to_dict() for h in store.search(Query(text, side=side, page_size=10_000)).hits]


def test_index_then_search_cli(cli, tmp_path: Path, store_url: str) -> None:
    docs = pud_documents(tmp_path / "pud-docs.jsonl")
    man = tmp_path / "manifest.json"
    man.write_bytes(orjson.dumps({"manifest": "1", "id": "pud-docs", "title": "PUD", "languages": ["zh-Hant", "th"],
                                  "license": "CC-BY-SA-3.0"}))
    r = cli("index", str(docs), "--db", store_url, "--manifest", str(man))
    assert r.exit_code == 0, r.output
    n = sum(1 for _ in read_jsonl(docs))
    assert f"pud-docs: {n:,} records indexed" in r.output
    with open_store(store_url, create=False) as store:
        c = store.corpus("pud-docs")
        assert c and c.state == "ready" and c.records == n and c.licence == "CC-BY-SA-3.0"
        assert c.languages == ["th", "zh-Hant"] and c.stats["records"] == n and c.manifest["id"] == "pud-docs"
        assert [x["id"] for x in store.records(c)] == [x["id"] for x in read_jsonl(docs)]
    r = cli("search", store_url, "美國", "--side", "zh", "--tgt", "th", "--format", "json", "--page-size", "3")
    assert r.exit_code == 0, r.output
    doc = orjson.loads(r.output)
    assert len(doc["hits"]) == 3 and doc["more"] and all(h["hit"] == "美國" for h in doc["hits"])
    assert all(h["aligned"][0]["lang"] == "th" and h["aligned"][0]["sentences"] for h in doc["hits"])
    r = cli("search", store_url, "美國", "--side", "zh", "--format", "tsv", "--page-size", "3")
    rows = [line.split("\t") for line in r.output.splitlines()]
    assert rows[0][:3] == ["corpus", "record", "side"] and len(rows) == 4
    assert all(len(row) == 11 and row[6] == "美國" and row[8] == "th" for row in rows[1:])
    r = cli("search", store_url, "美國", "--side", "zh", "--page-size", "2")
    assert "[美國]" in r.output and r.output.rstrip().endswith("more: --page 2")
    r = cli("search", store_url, "no-such-word-anywhere", "--side", "zh")
    assert r.exit_code == 0 and "no hits" in r.output


def test_search_errors_are_one_line(cli, tmp_path: Path) -> None:
    r = cli("search", str(tmp_path / "absent.sqlite"), "x")
    assert r.exit_code == 2 and "no such corpus library" in r.output and "Traceback" not in r.output
    assert not (tmp_path / "absent.sqlite").exists()
    r = cli("search", "mysql://db/x", "x")
    assert r.exit_code == 2 and "unknown store" in r.output
    lib = tmp_path / "lib.sqlite"
    r = cli("index", str(write_jsonl(tmp_path / "a.jsonl", [{"id": "a", "sides": {"en": {"text": "a cat"}}}])),
            "--db", str(lib))
    assert r.exit_code == 0
    r = cli("search", str(lib), "(cat", "--regex")
    assert r.exit_code == 2 and "not a valid regular expression" in r.output
    r = cli("search", str(lib), "cat", "--corpus", "nope")
    assert r.exit_code == 2 and "no corpus named nope" in r.output
    (tmp_path / "junk.sqlite").write_bytes(b"this is not a database" * 100)
    r = cli("search", str(tmp_path / "junk.sqlite"), "cat")
    assert r.exit_code == 2 and "not a corpus library" in r.output
    import sqlite3

    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE contacts (name TEXT)")
    conn.close()
    r = cli("index", str(tmp_path / "a.jsonl"), "--db", str(other))
    assert r.exit_code == 2 and "of another kind" in r.output
    with sqlite3.connect(other) as conn:
        assert [n for (n,) in conn.execute("SELECT name FROM sqlite_master")] == ["contacts"]
    conn.close()


def test_bad_line_leaves_whole_batches_and_a_rerun_continues(cli, tmp_path: Path, store_url: str) -> None:
    """A crash simulated by a real failure: line 1,234 is not JSON; batches before it are committed, the
    run stops with the line; once the line is fixed, the rerun adds only the rest."""
    good = talpco_pairs(tmp_path / "talpco.jsonl")
    lines = good.read_bytes().splitlines(keepends=True)
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(b"".join(lines[:1233] + [b"{not json\n"] + lines[1234:]))
    r = cli("index", str(bad), "--db", store_url, "--name", "talpco", "--batch-size", "100")
    assert r.exit_code == 2 and f"{bad}:1234:" in r.output
    committed, rows = _stored(store_url, "talpco")
    assert committed == 1200 and [p for p, _ in rows] == list(range(1200))
    bad.write_bytes(good.read_bytes())  # the line repaired
    r = cli("index", str(bad), "--db", store_url, "--name", "talpco", "--batch-size", "100")
    assert r.exit_code == 0, r.output
    assert f"{len(lines) - 1200:,} records indexed" in r.output and "1,200 were there already" in r.output
    committed, rows = _stored(store_url, "talpco")
    ids = [x["id"] for x in read_jsonl(good)]
    assert committed == len(ids) and rows == list(enumerate(ids))
    # the same hits as a library indexed in one go
    one = str(tmp_path / "one.sqlite")
    assert cli("index", str(good), "--db", one, "--name", "talpco").exit_code == 0
    assert _hits(store_url, "โรงเรียน", "th") == _hits(one, "โรงเรียน", "th") != []


def test_killed_run_resumes(tmp_path: Path, store_url: str) -> None:
    """SIGKILL a real `lancang index` midway, run it again: every record once, in order."""
    src = talpco_pairs(tmp_path / "talpco8.jsonl", copies=8)
    total = sum(1 for _ in read_jsonl(src))
    cmd = [sys.executable, "-c", "from lancang.cli import main; main()", "index", str(src), "--db", store_url,
           "--name", "t", "--batch-size", "50"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    watcher = None
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.02)
            try:
                watcher = watcher or open_store(store_url, create=False, upgrade=False)
                row = watcher._fetchone("SELECT records FROM corpora WHERE name = ?", ("t",))
            except Exception:  # the store or its schema is being made
                if watcher is not None:
                    watcher.close()
                watcher = None
                continue
            if row is not None and row[0] >= 500:
                os.kill(proc.pid, signal.SIGKILL)
                break
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
        _, err = proc.communicate()
        if watcher is not None:
            watcher.close()
    committed, rows = _stored(store_url, "t")
    assert proc.returncode == -signal.SIGKILL, f"the run ended by itself ({proc.returncode}): {err!r}"
    assert 500 <= committed < total, "the run was not stopped midway"
    assert committed % 50 == 0 and len(rows) == committed
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert f"{committed:,} were there already" in done.stdout
    committed, rows = _stored(store_url, "t")
    assert committed == total and rows == list(enumerate(x["id"] for x in read_jsonl(src)))
    with open_store(store_url, create=False) as store:
        n = store._fetchone("SELECT COUNT(*) FROM sides")[0]
        assert n == 4 * total  # no side stored twice
        assert store.corpus("t").state == "ready"


def test_changed_input_refused_then_replaced(cli, tmp_path: Path) -> None:
    lib = str(tmp_path / "lib.sqlite")
    recs = talpco_records()[:300]
    a = write_jsonl(tmp_path / "a.jsonl", recs)
    assert cli("index", str(a), "--db", lib, "--name", "c").exit_code == 0
    b = write_jsonl(tmp_path / "b.jsonl", [{**r, "id": r["id"] + "x"} for r in recs])
    r = cli("index", str(b), "--db", lib, "--name", "c")
    assert r.exit_code == 2 and "use --replace" in r.output and f"{b}:300:" in r.output
    shorter = write_jsonl(tmp_path / "s.jsonl", recs[:100])
    r = cli("index", str(shorter), "--db", lib, "--name", "c")
    assert r.exit_code == 2 and "fewer than the 300" in r.output
    r = cli("index", str(b), "--db", lib, "--name", "c", "--replace")
    assert r.exit_code == 0 and "300 records indexed" in r.output
    assert _stored(lib, "c")[1][0] == (0, recs[0]["id"] + "x")
    r = cli("index", str(a), "--db", lib, "--name", "c", "--replace", "--format", "json")
    assert orjson.loads(r.output)["added"] == 300


def test_duplicate_ids_and_bad_records_name_their_line(cli, tmp_path: Path, store_url: str) -> None:
    recs = talpco_records()[:30]
    dup = write_jsonl(tmp_path / "dup.jsonl", recs + [recs[3]])
    r = cli("index", str(dup), "--db", store_url, "--batch-size", "10")
    assert r.exit_code == 2 and f"{dup}:31: record id {recs[3]['id']!r} repeats" in r.output
    same = write_jsonl(tmp_path / "same.jsonl", recs[:5] + [recs[2]])
    r = cli("index", str(same), "--db", store_url)
    assert r.exit_code == 2 and f"{same}:6:" in r.output
    noid = write_jsonl(tmp_path / "noid.jsonl", [{"sides": {"en": {"text": "x"}}}])
    r = cli("index", str(noid), "--db", store_url)
    assert r.exit_code == 2 and f"{noid}:1: /id" in r.output
    r = cli("index", str(tmp_path / "missing.jsonl"), "--db", store_url)
    assert r.exit_code == 2 and "Traceback" not in r.output
    with open_store(store_url, create=False) as store:
        assert store.corpus("missing") is None  # nothing made for an unreadable input


def test_index_from_standard_input(cli, tmp_path: Path) -> None:
    lib = str(tmp_path / "lib.sqlite")
    data = b"".join(orjson.dumps(r) + b"\n" for r in talpco_records()[:20])
    r = cli("index", "-", "--db", lib, input=data)
    assert r.exit_code == 2 and "needs a name" in r.output
    r = cli("index", "-", "--db", lib, "--name", "piped", input=data)
    assert r.exit_code == 0 and "piped: 20 records indexed" in r.output


def test_index_reads_any_format(cli, tmp_path: Path) -> None:
    """A TMX written by lancang is indexed through the format hub."""
    recs = talpco_records()[:50]
    src = write_jsonl(tmp_path / "t.jsonl", [{"id": r["id"], "sides": {k: r["sides"][k] for k in ("th", "vi")}}
                                             for r in recs])
    tmx = tmp_path / "t.tmx"
    assert cli("convert", str(src), str(tmx)).exit_code == 0
    lib = str(tmp_path / "lib.sqlite")
    r = cli("index", str(tmx), "--db", lib)
    assert r.exit_code == 0, r.output
    with open_store(lib, create=False) as store:
        c = store.corpus("t")
        assert c is not None and c.records == 50 and set(c.languages) == {"th", "vi"}


@pytest.mark.parametrize("url", ["sqlite:///rel.sqlite", "sqlite:////ABS/abs.sqlite", "plain.sqlite"])
def test_sqlite_urls(tmp_path: Path, url: str, in_tmp: Path) -> None:
    url = url.replace("/ABS", str(tmp_path))
    with open_store(url) as store:
        store.create_corpus("x")
    name = url.rsplit("/", 1)[-1]
    assert (tmp_path / name).is_file()
