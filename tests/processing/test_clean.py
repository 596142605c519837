"""`lancang clean`: nothing lost, reasons kept, scores apart from decisions, any format, the log."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from lancang.errors import UsageError
from lancang.processing.clean import build_filters, clean_file, score_file
from lancang.processing.filters import FILTERS, filter_order
from lancang.processing.filters.base import Filter, Reason

from ..conftest import write_jsonl

PAIRS = [
    ("我们明天去北京开会。", "พรุ่งนี้เราจะไปประชุมที่ปักกิ่ง"),
    ("这家餐厅的菜很好吃。", "อาหารของร้านนี้อร่อยมาก"),
    ("他每天早上六点起床跑步。", "เขาตื่นนอนตอนหกโมงเช้าทุกวันเพื่อไปวิ่ง"),
    ("图书馆周末也开放吗？", "ห้องสมุดเปิดวันหยุดสุดสัปดาห์ด้วยไหม"),
    ("请把窗户关上，外面很冷。", "กรุณาปิดหน้าต่าง ข้างนอกหนาวมาก"),
    ("我的妹妹在医院工作。", "น้องสาวของฉันทำงานที่โรงพยาบาล"),
    ("这本书我已经读了两遍。", "หนังสือเล่มนี้ฉันอ่านมาสองรอบแล้ว"),
    ("火车晚点了半个小时。", "รถไฟมาช้าไปครึ่งชั่วโมง"),
    ("你会说泰语吗？", "คุณพูดภาษาไทยได้ไหม"),
    ("今天的天气非常好。", "วันนี้อากาศดีมาก"),
    ("我们在河边散步。", "เราเดินเล่นริมแม่น้ำ"),
    ("孩子们在公园里玩。", "เด็ก ๆ เล่นอยู่ในสวนสาธารณะ"),
]


def rec(rid: str, zh: str | None, th: str | None) -> dict:
    sides = {}
    if zh is not None:
        sides["zh-Hans"] = {"text": zh}
    if th is not None:
        sides["th"] = {"text": th}
    return {"id": rid, "sides": sides}


@pytest.fixture
def noisy(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """Real-looking zh-th pairs plus one record of each kind of noise, with its expected filter."""
    recs = [rec(f"ok{i}", zh, th) for i, (zh, th) in enumerate(PAIRS)]
    noise = {
        "empty": rec("n-empty", "我们明天去北京开会。", "   "),
        "one-side": rec("n-one", "我们明天去北京开会。", None),
        "copy": rec("n-copy", "这家餐厅的菜很好吃。", "这家餐厅的菜很好吃。"),
        "latin-th": rec("n-latin", "图书馆周末也开放吗？", "Is the library also open at the weekend?"),
        "dup": rec("n-dup", *PAIRS[3]),
        "long": rec("n-long", "我" * 100_000, "ฉัน" * 30_000),
    }
    want = {"n-empty": "empty", "n-one": "empty", "n-copy": "untranslated", "n-latin": "langid",
            "n-dup": "duplicates", "n-long": "length"}
    recs += list(noise.values())
    return write_jsonl(tmp_path / "noisy.jsonl", recs), want


FAST = {"adequacy": False}  # the aligner needs more than a dozen pairs to learn anything


def ids(path: Path) -> list[str]:
    return [orjson.loads(x)["id"] for x in path.read_bytes().splitlines()]


def test_nothing_is_lost_and_reasons_are_kept(noisy, tmp_path: Path) -> None:
    src, want = noisy
    out, rej = tmp_path / "out.jsonl", tmp_path / "rej.jsonl"
    st = clean_file(src, out, rejects=rej, config=FAST)
    kept, rejected = ids(out), ids(rej)
    assert sorted(kept + rejected) == sorted(ids(src)) and not set(kept) & set(rejected)
    assert st.records == len(kept) + len(rejected) and st.kept == len(kept)
    reasons = {orjson.loads(x)["id"]: orjson.loads(x)["meta"]["clean"]["reasons"]
               for x in rej.read_bytes().splitlines()}
    for rid, filt in want.items():
        assert rid in reasons, rid
        assert filt in {r["filter"] for r in reasons[rid]}, (rid, reasons[rid])
        assert all({"filter", "score", "value"} <= set(r) for r in reasons[rid])
    clean_ids = [f"ok{i}" for i in range(len(PAIRS))]
    assert len(set(clean_ids) & set(kept)) >= len(PAIRS) - 1, (set(clean_ids) - set(kept), reasons)
    # the first of two duplicates is the one kept
    dup = [r for r in reasons["n-dup"] if r["filter"] == "duplicates"][0]
    assert "ok3" in orjson.dumps(dup).decode()


def test_scores_only_then_from_scores_redecides_without_scoring(noisy, tmp_path: Path, monkeypatch) -> None:
    src, _ = noisy
    scores = tmp_path / "scores.jsonl"
    score_file(src, scores, config=FAST)
    head = orjson.loads(scores.read_bytes().splitlines()[0])
    assert head["scores"] == "lancang/scores/1" and head["input"]["sha256"]
    assert len(scores.read_bytes().splitlines()) == 1 + len(ids(src))
    out1, rej1 = tmp_path / "o1.jsonl", tmp_path / "r1.jsonl"
    base = clean_file(src, out1, rejects=rej1, config=FAST, from_scores=scores)

    def boom(self, *a, **k):
        raise AssertionError("scored again")

    for name in filter_order():
        monkeypatch.setattr(FILTERS.get(name), "score_batch", boom)
        monkeypatch.setattr(FILTERS.get(name), "fit", boom)
    out2, rej2 = tmp_path / "o2.jsonl", tmp_path / "r2.jsonl"
    loose = clean_file(src, out2, rejects=rej2, config={**FAST, "length": {"max_chars": 10**6, "max_words": 10**6}},
                       from_scores=scores)
    assert loose.rejected_by.get("length", 0) < base.rejected_by["length"]


def test_scores_of_another_corpus_are_refused(noisy, tmp_path: Path, cli) -> None:
    src, _ = noisy
    scores = tmp_path / "s.jsonl"
    assert cli("clean", str(src), str(scores), "--scores-only", "--set", "adequacy=false").exit_code == 0
    other = write_jsonl(tmp_path / "other.jsonl", [rec("x", *PAIRS[0])])
    res = cli("clean", str(other), str(tmp_path / "o.jsonl"), "--rejects", str(tmp_path / "r.jsonl"),
              "--from-scores", str(scores), "--set", "adequacy=false")
    assert res.exit_code == 2 and "another corpus" in res.output
    assert not (tmp_path / "o.jsonl").exists()


def test_config_errors_are_one_line(noisy, tmp_path: Path, cli) -> None:
    src, _ = noisy
    args = [str(src), str(tmp_path / "o.jsonl"), "--rejects", str(tmp_path / "r.jsonl")]
    res = cli("clean", *args, "--set", "nosuch.k=1")
    assert res.exit_code == 2 and "unknown filter 'nosuch'" in res.output
    res = cli("clean", *args, "--set", "length.nosuch=1")
    assert res.exit_code == 2 and "unknown parameter 'nosuch'" in res.output
    cfg = tmp_path / "cfg.json"
    cfg.write_text('{"langid": {"min_letters": "many"}}')
    res = cli("clean", *args, "--config", str(cfg))
    assert res.exit_code == 2 and "langid" in res.output and "min_letters" in res.output
    res = cli("clean", *args[:2])
    assert res.exit_code == 2 and "--rejects" in res.output
    rej_tmx = cli("clean", *args[:2], "--rejects", str(tmp_path / "r.tmx"))
    assert rej_tmx.exit_code == 2 and "lancang JSONL" in rej_tmx.output


def test_any_format_in_and_out_with_the_log(noisy, tmp_path: Path, cli) -> None:
    src, _ = noisy
    tmx = tmp_path / "in.tmx"
    assert cli("convert", str(src), str(tmx)).exit_code == 0
    m = tmp_path / "m.json"
    assert cli("manifest", "init", str(tmx), "-o", str(m), "--license", "CC0-1.0").exit_code == 0
    out = tmp_path / "clean.tmx"
    res = cli("clean", str(tmx), str(out), "--rejects", str(tmp_path / "rej.jsonl"), "--set", "adequacy=false",
              "--manifest", str(m), "--format", "json")
    assert res.exit_code == 0, res.output
    counts = orjson.loads(res.stdout)
    assert counts["records"] == len(ids(src)) and counts["kept"] + counts["rejected"] == counts["records"]
    assert {f["filter"] for f in counts["filters"]} >= {"hygiene", "empty", "langid", "duplicates"}
    log = orjson.loads(m.read_bytes())["processing"]
    assert [s["step"] for s in log] == ["preparation", "cleaning", "deduplication"]
    assert log[2]["counts"]["rejected"] >= 1 and log[1]["outputs"][0]["path"] == "clean.tmx"
    assert "<tu" in out.read_text(encoding="utf-8")
    assert cli("validate", str(m)).exit_code == 0


def test_filters_are_a_registry_with_schemas() -> None:
    names = filter_order()
    assert names[0] == "hygiene" and names[-1] == "duplicates"
    for name in names:
        cls = FILTERS.get(name)
        assert cls.name == name and cls.description and cls.languages
        assert cls.kind in ("record", "corpus", "stream")
        for key, prop in cls.parameters.get("properties", {}).items():
            assert "default" in prop, (name, key)
    with pytest.raises(UsageError, match="unknown filter"):
        build_filters({"nope": {}})


def test_a_third_party_filter_plugs_in(noisy, tmp_path: Path) -> None:
    class Vowelless(Filter):
        name = "x-no-a"
        description = "test filter: rejects a Thai side without the letter า"
        default = False
        parameters = {"type": "object", "properties": {"letter": {"type": "string", "default": "า"}}}

        def score(self, record):
            return {"has": any(self.params["letter"] in s["text"] for s in record["sides"].values())}

        def decide(self, scores):
            return [] if scores["has"] else [Reason(self.name, "has", False)]

    FILTERS.register("x-no-a", Vowelless)
    try:
        src, _ = noisy
        off = clean_file(src, tmp_path / "a.jsonl", rejects=tmp_path / "ra.jsonl", config=FAST)
        assert "x-no-a" not in off.rejected_by
        on = clean_file(src, tmp_path / "b.jsonl", rejects=tmp_path / "rb.jsonl", config={**FAST, "x-no-a": True})
        assert on.rejected_by.get("x-no-a", 0) >= 1
    finally:
        FILTERS._objects.pop("x-no-a", None)


def test_record_ids_past_the_spill_threshold(tmp_path: Path) -> None:
    """The repeated-id check spills to SQLite past its threshold (50,000 records by default): its keys
    must be SQLite integers (a 1M-record run crashed with OverflowError)."""
    from lancang.corpora.dupes import FirstSeen
    from lancang.processing.clean import _id_key

    with FirstSeen(width=2, spill_at=3) as seen:
        for i in range(20):
            k = _id_key(f"r{i}")
            assert seen.get_many([k]) == {}
            seen.put_many([(k, (f"r{i}", i))])
        assert seen.spilled and seen.get_many([_id_key("r7")]) == {_id_key("r7"): ("r7", 7)}


HASH_SEED_RUN = r'''
import json, sys
from lancang.processing.clean import clean_file
st = clean_file(sys.argv[1], sys.argv[2], rejects=sys.argv[3], config={"adequacy": False})
print(json.dumps([list(st.rejected_by), list(st.only_by), st.to_dict()]))
'''


def test_clean_is_the_same_under_every_hash_seed(tmp_path: Path) -> None:
    """Outputs, rejects and the counts (their key order too: it is written to the processing log) do not
    follow PYTHONHASHSEED: the counts per filter were keyed in the order of a set of filter names."""
    import os
    import subprocess
    import sys

    recs = [rec(f"ok{i}", zh, th) for i, (zh, th) in enumerate(PAIRS)]
    # records that several filters reject at once, in several combinations
    recs += [rec("m1", "Is the library open at the weekend?", "Is the library open at the weekend?"),
             rec("m2", "我们明天去北京开会。我们明天去北京开会。我们明天去北京开会。", "ok 1 2 3 4 5 6 7 8 9"),
             rec("m3", "图书馆周末也开放吗？", "The library is open 7 days a week, from 9 to 5."),
             rec("m4", "这家餐厅的菜很好吃。", "这家餐厅的菜很好吃。"),
             rec("m5", "12345 67890", "12345 67890 abc <b>")]
    src = write_jsonl(tmp_path / "in.jsonl", recs)
    seen = set()
    for seed in ("0", "1", "2", "3"):
        d = tmp_path / seed
        d.mkdir()
        env = dict(os.environ, PYTHONHASHSEED=seed)
        args = [sys.executable, "-c", HASH_SEED_RUN, str(src), str(d / "out.jsonl"), str(d / "rej.jsonl")]
        got = subprocess.run(args, env=env, capture_output=True, text=True, check=True).stdout
        seen.add((got, (d / "out.jsonl").read_bytes(), (d / "rej.jsonl").read_bytes()))
    assert len(seen) == 1
    (counts, _, rejected), = seen
    assert len(orjson.loads(counts)[0]) >= 3 and any(len(r["meta"]["clean"]["reasons"]) > 2
                                                    for r in map(orjson.loads, rejected.splitlines()))
