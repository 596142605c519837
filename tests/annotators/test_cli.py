"""``lancang annotate`` and ``lancang annotators`` through click."""

from __future__ import annotations

import json
from pathlib import Path

import orjson

from lancang.annotators import spec
from lancang.schemas.validator import RecordValidator

from ..conftest import write_jsonl
from .helpers import assert_tiles, needs


def read(path: Path) -> list[dict]:
    return [orjson.loads(x) for x in path.read_bytes().splitlines()]


RECORDS = [
    {"id": "a", "sides": {"zh-Hans": {"text": "我爱北京。你呢？"}, "th": {"text": "ผมรักภาษาไทย วันนี้อากาศดี"}}},
    {"id": "b", "sides": {"vi": {"text": "Tôi là sinh viên. Xin chào!"}, "en": {"text": "I am a student. Hello!"}}},
]


@needs("jieba", "nlpo3", "crfcut", "pyvi", "underthesea")
def test_annotate_streams_with_provenance(cli, tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "in.jsonl", RECORDS)
    out = tmp_path / "out.jsonl"
    res = cli("annotate", str(src), str(out), "--use", "th=nlpo3", "--set", "jieba.hmm=false")
    assert res.exit_code == 0, res.output
    assert "2 records" in res.stderr and "tokens th (nlpo3)" in res.stderr
    recs = read(out)
    assert [r["id"] for r in recs] == ["a", "b"]
    v = RecordValidator()
    for r in recs:
        assert v.check(r) == []
        for side in r["sides"].values():
            assert_tiles(side["text"], side["layers"]["tokens"]["spans"])
    zh = recs[0]["sides"]["zh-Hans"]["layers"]
    assert zh["tokens"]["provenance"]["tool"]["settings"]["hmm"] is False
    assert zh["sentences"]["spans"] == [[0, 5], [5, 8]]
    vi = recs[1]["sides"]["vi"]
    assert [vi["text"][s:e] for s, e in vi["layers"]["tokens"]["spans"]][2] == "sinh viên"
    assert src.read_bytes() == b"".join(orjson.dumps(r) + b"\n" for r in RECORDS)  # input untouched


@needs("newmm")
def test_annotate_to_stdout_with_config_file_and_one_layer(cli, tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "in.jsonl", RECORDS[:1])
    conf = tmp_path / "conf.json"
    conf.write_text(json.dumps({"newmm": {"safe": True}}), encoding="utf-8")
    res = cli("annotate", str(src), "-", "--layers", "tokens", "--config", str(conf), "--sides", "th")
    assert res.exit_code == 0, res.stderr
    [r] = [orjson.loads(x) for x in res.stdout.splitlines()]
    assert set(r["sides"]["th"]["layers"]) == {"tokens"}
    assert r["sides"]["th"]["layers"]["tokens"]["provenance"]["tool"]["settings"]["safe"] is True
    assert "layers" not in r["sides"]["zh-Hans"]


@needs("jieba", "newmm")
def test_annotate_errors_are_one_line_and_write_nothing(cli, tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "in.jsonl", [RECORDS[0], {"id": "q", "sides": {"qaa": {"text": "x y"}}}])
    out = tmp_path / "out.jsonl"
    res = cli("annotate", str(src), str(out), "--layers", "tokens")
    assert res.exit_code == 2
    assert f"{src}:2: record 'q'" in res.stderr and "no tokens annotator for language 'qaa'" in res.stderr
    assert "Traceback" not in res.output and not out.exists()
    for args, msg in [(["--use", "th=jieba"], "does not serve language 'th'"),
                      (["--set", "jieba.nope=1"], "unknown configuration key 'nope'"),
                      (["--set", "jieba"], "ANNOTATOR.KEY=VALUE"),
                      (["--layers", "lemma"], "unknown layer 'lemma'"),
                      (["--config", str(tmp_path / "none.json")], "cannot read annotator configuration")]:
        res = cli("annotate", str(src), str(out), *args)
        assert res.exit_code == 2 and msg in res.stderr, (args, res.stderr)


@needs("jieba", "newmm", "crfcut")
def test_annotate_bad_json_line_names_it(cli, tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_bytes(orjson.dumps(RECORDS[0]) + b"\n{oops\n")
    res = cli("annotate", str(src), str(tmp_path / "o.jsonl"))
    assert res.exit_code == 2 and f"{src}:2: malformed JSON" in res.stderr


def test_annotators_lists_installed_and_missing(cli) -> None:
    res = cli("annotators")
    assert res.exit_code == 0
    assert "jieba" in res.stdout and "defaults:" in res.stdout and "th=crfcut" in res.stdout
    if not spec("stanza").installed:
        assert 'MISSING: pip install "lancang[stanza]"' in res.stdout
    doc = orjson.loads(cli("annotators", "--format", "json").stdout)
    by = {a["name"]: a for a in doc["annotators"]}
    assert by["jieba"]["installed"] == spec("jieba").installed
    assert by["punct"]["installed"] and by["punct"]["version"]  # lancang's own, always there
    assert by["newmm"]["install"] == 'pip install "lancang[th]"'
    assert doc["defaults"]["tokens"]["zh"] == "jieba"
