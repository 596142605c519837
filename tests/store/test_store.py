"""The store's interface on both backends: migrations, corpora and their visibility, reports, jobs."""

from __future__ import annotations

from pathlib import Path

import pytest

from lancang.errors import InputError, UsageError
from lancang.store import LATEST, Query, migrate, open_store
from lancang.store.migrations import MIGRATIONS

from .helpers import talpco_records


def test_upgrade_from_version_1_indexes_the_sides_stored_then(store_url: str) -> None:
    recs = talpco_records()[:40]
    with open_store(store_url, upgrade=False) as store:
        assert migrate(store, target=1) == 1
        cols = [d[0] for d in store._execute("SELECT * FROM sides LIMIT 0").description]
        assert cols == ["id", "record", "lang", "text"]  # version 1: no search index yet
        with store.transaction():
            cid = store._insert("INSERT INTO corpora (name, created, state, records) VALUES (?, ?, 'ready', ?)",
                                ("old", "2026-01-01T00:00:00Z", len(recs)))
            for pos, rec in enumerate(recs):
                rid = store._insert("INSERT INTO records (corpus, rid, position, data) VALUES (?, ?, ?, ?)",
                                    (cid, rec["id"], pos, store._json(rec)))
                for lang, side in rec["sides"].items():
                    store._insert("INSERT INTO sides (record, lang, text) VALUES (?, ?, ?)", (rid, lang, side["text"]))
            store._execute("UPDATE corpora SET languages = ? WHERE id = ?",
                           (store._json(["id", "ms", "th", "vi"]), cid))
    with open_store(store_url) as store:  # opening upgrades
        assert store.schema_version() == LATEST == MIGRATIONS[-1].version
        kinds = dict(store._fetchall("SELECT lang, MIN(kind) FROM sides GROUP BY lang"))
        assert kinds == {"th": "chars", "vi": "words", "id": "words", "ms": "words"}
        want = [r["id"] for r in recs if "เรียน" in r["sides"]["th"]["text"]]
        assert want and [h.record for h in store.search(Query("เรียน", side="th", page_size=100)).hits] == want
    with open_store(store_url) as store:  # a second open changes nothing
        versions = store._fetchall("SELECT version FROM schema_version ORDER BY version")
        assert [v for (v,) in versions] == list(range(1, LATEST + 1))


def test_a_newer_schema_is_refused(store_url: str) -> None:
    with open_store(store_url) as store:
        with store.transaction():
            store._execute("INSERT INTO schema_version (version) VALUES (?)", (LATEST + 7,))
    with pytest.raises(UsageError, match=f"version {LATEST + 7}, newer than this lancang"):
        open_store(store_url)


def test_corpora_visibility_and_filters(store_url: str) -> None:
    with open_store(store_url) as store:
        pub = store.create_corpus("pub", licence="CC-BY-4.0", owner="ana")
        priv = store.create_corpus("priv", owner="ben", private=True)
        store.add_records(pub, [(0, {"id": "a", "sides": {"th": {"text": "แมว"}, "zh-Hans": {"text": "猫"}}})])
        store.add_records(priv, [(0, {"id": "b", "sides": {"th": {"text": "แมวดำ"}}})])
        with pytest.raises(UsageError, match="exists already"):
            store.create_corpus("pub")
        assert [c.name for c in store.corpora()] == ["pub"]
        assert [c.name for c in store.corpora(viewer="ben")] == ["priv", "pub"]
        assert [c.name for c in store.corpora(everything=True, lang="zh")] == ["pub"]
        assert [c.name for c in store.corpora(everything=True, licence="cc-by-4.0")] == ["pub"]
        assert [h.record for h in store.search(Query("แมว")).hits] == ["a"]
        assert [h.record for h in store.search(Query("แมว", viewer="ben")).hits] == ["a", "b"]
        assert [h.record for h in store.search(Query("แมว", everything=True, corpora=["priv"])).hits] == ["b"]
        with pytest.raises(UsageError, match="no corpus named priv"):
            store.search(Query("แมว", corpora=["priv"]))  # another user's private corpus does not exist for them
        assert store.record(pub, "a")["sides"]["zh-Hans"]["text"] == "猫"
        assert store.corpus_by_id(priv.id).name == "priv" and store.corpus_by_id(priv.id + 99) is None
        store.update_corpus("priv", private=False, stats={"records": 1})
        assert store.corpus("priv").stats == {"records": 1} and not store.corpus("priv").private
        with pytest.raises(UsageError):
            store.update_corpus("priv", name="x")
        assert store.delete_corpus("pub") and not store.delete_corpus("pub")
        assert store._fetchone("SELECT COUNT(*) FROM sides")[0] == 1  # pub's side went with it
        assert [h.record for h in store.search(Query("แมว", everything=True)).hits] == ["b"]


def test_reports(store_url: str) -> None:
    with open_store(store_url) as store:
        c = store.create_corpus("c")
        r1 = store.add_report(c, "check", {"verdict": "conformant", "profile": "gb-t-40035-2021"})
        r2 = store.add_report(c, "metrics", {"agreement": {"kappa": 0.81}})
        assert [r["id"] for r in store.reports(c)] == [r2, r1]
        got = store.report(r1)
        assert got["kind"] == "check" and got["data"]["verdict"] == "conformant" and got["corpus"] == c.id
        assert store.report(r2 + 100) is None


def test_jobs_move_through_their_states(store_url: str) -> None:
    with open_store(store_url) as store, open_store(store_url) as other:
        a = store.submit_job("check", {"profiles": ["gb-t-40035-2021"]})
        b = store.submit_job("check", {"profiles": []})
        c = store.submit_job("convert")
        assert a.state == "queued" and a.params == {"profiles": ["gb-t-40035-2021"]}
        got = [store.claim_job(["check"]), other.claim_job(["check"])]  # two workers, two connections
        assert sorted(j.id for j in got) == [a.id, b.id] and all(j.state == "running" and j.attempts == 1 for j in got)
        assert store.claim_job(["check"]) is None
        store.finish_job(a.id, {"report": 1})
        assert store.job(a.id).state == "done" and store.job(a.id).result == {"report": 1}
        with pytest.raises(UsageError, match="not running"):
            store.finish_job(a.id)
        store.fail_job(c.id, "input: not a corpus")
        assert store.job(c.id).state == "failed" and store.job(c.id).error == "input: not a corpus"
        # the server stops while b runs: recovery puts it back in the queue, then gives up after 2 tries
        assert store.recover_jobs(max_attempts=2) == ([b.id], [])
        assert store.claim_job().id == b.id and store.job(b.id).attempts == 2
        assert store.recover_jobs(max_attempts=2) == ([], [b.id])
        assert store.job(b.id).state == "failed" and "interrupted 2 times" in store.job(b.id).error
        assert [j.state for j in store.jobs()] == ["done", "failed", "failed"]
        assert store.jobs(state="queued") == []


def test_connection_failures_are_one_line(tmp_path: Path) -> None:
    pytest.importorskip("psycopg", reason="lancang[store] is not installed")
    with pytest.raises(InputError, match=r"^postgresql://u:\*\*\*@127.0.0.1:1/x\?connect_timeout=2: cannot connect: "
                       ) as e:
        open_store("postgresql://u:secret@127.0.0.1:1/x?connect_timeout=2")
    assert "\n" not in str(e.value) and "secret" not in str(e.value)
    with pytest.raises(InputError, match="does not exist"):
        open_store(tmp_path / "no" / "lib.sqlite")
    with pytest.raises(InputError, match="is a directory"):
        open_store(tmp_path)
