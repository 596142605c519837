"""`lancang align`: both steps in order, aligners chosen by registry, any input format, and errors that
name what a record lacks (through click's CliRunner)."""

from __future__ import annotations

import pytest

pytest.importorskip("numpy", reason='the aligners need numpy: pip install "lancang[align]"')

import orjson

from lancang.schemas.validator import RecordValidator

from ..conftest import write_jsonl
from .helpers import side

ZH = ["猫", "睡觉", "。", "狗", "跑", "。"]
EN = ["the", "cat", "sleeps", ".", "the", "dog", "runs", "."]


def read(path):
    return [orjson.loads(x) for x in path.read_bytes().splitlines()]


def corpus(tmp_path, n: int = 30):
    recs = [{"id": f"d{k}", "sides": {"zh-Hans": side(ZH, " ", [3, 3]), "en": side(EN, " ", [4, 4])}} for k in range(n)]
    return write_jsonl(tmp_path / "docs.jsonl", recs)


def links(rec: dict, kind: str) -> list[dict]:
    return [x for x in rec.get("links", []) if x["kind"] == kind]


def test_sentences_and_words_run_both_in_order(cli, tmp_path):
    src, out = corpus(tmp_path), tmp_path / "out.jsonl"
    res = cli("align", str(src), str(out), "--sentences", "--words", "--aligner", "ibm2", "--no-progress")
    assert res.exit_code == 0, res.stderr
    got = read(out)
    assert len(got) == 30 and all(RecordValidator().check(r) == [] for r in got)
    for r in got:
        [beads], [tokens] = links(r, "beads"), links(r, "tokens")
        assert [(b["src"], b["tgt"]) for b in beads["beads"]] == [([0], [0]), ([1], [1])]
        assert beads["provenance"]["tool"]["name"] == "lancang.align.lancang"
        assert tokens["provenance"]["tool"]["name"] == "lancang.ibm2"
        # words were aligned bead by bead: no link crosses from the first sentence to the second
        assert tokens["pairs"] and all((i < 3) == (j < 4) for i, j, _ in tokens["pairs"])
    lines = res.stderr.strip().splitlines()
    assert lines[0].startswith("30 records, 60 beads") and lines[1].startswith("30 records, 60 sentence pairs")


def test_one_aligner_per_step_chosen_by_registry(cli, tmp_path):
    src, out = corpus(tmp_path, 5), tmp_path / "out.jsonl"
    res = cli("align", str(src), str(out), "--words", "--sentences", "--aligner", "ibm2", "--aligner", "gale-church")
    assert res.exit_code == 0, res.stderr
    [r] = read(out)[:1]
    assert links(r, "beads")[0]["provenance"]["tool"]["name"] == "lancang.align.gale-church"
    assert links(r, "tokens")[0]["provenance"]["tool"]["name"] == "lancang.ibm2"
    res = cli("align", str(src), str(out), "--sentences", "--words", "--aligner", "ibm2", "--aligner", "gibbs")
    assert res.exit_code == 2 and "two word aligners (ibm2, gibbs)" in res.stderr
    res = cli("align", str(src), str(out), "--sentences", "--words", "--aligner", "hunalign")
    assert res.exit_code == 2 and "'hunalign'" in res.stderr and "gale-church" in res.stderr and "ibm2" in res.stderr
    res = cli("align", str(src), str(out), "--sentences", "--aligner", "ibm2")
    assert res.exit_code == 2 and "no such sentence aligner" in res.stderr


def test_an_aligner_name_belongs_to_one_step() -> None:
    from lancang.annotators.align import SENTENCE_ALIGNERS, WORD_ALIGNERS

    assert SENTENCE_ALIGNERS.names() and WORD_ALIGNERS.names()
    assert not set(SENTENCE_ALIGNERS.names()) & set(WORD_ALIGNERS.names())


@pytest.mark.parametrize("args, message", [
    (["--sentences", "--words", "--set", "prefix=4"], "--set configures one aligner"),
    (["--words", "--split"], "--split applies to --sentences"),
    (["--sentences", "--save-model", "m"], "apply to --words"),
    (["--sentences", "--src", "en", "--tgt", "en"], "--src and --tgt are both 'en'"),
    ([], "choose --sentences"),
])
def test_usage_errors_are_one_line(cli, tmp_path, args, message):
    src, out = corpus(tmp_path, 2), tmp_path / "out.jsonl"
    res = cli("align", str(src), str(out), *args)
    assert res.exit_code == 2 and message in res.stderr, res.stderr
    assert len(res.stderr.strip().splitlines()) == 1 and "Traceback" not in res.stderr
    assert not out.exists()


@pytest.mark.parametrize("sides, args, message", [
    ({"zh": "我", "en": "I"}, ["--src", "zh", "--tgt", "th"], "record 'r': has no side 'th' (the --tgt language); "
                                                              "its sides: zh, en"),
    ({"zh": "我", "en": "I"}, ["--src", "vi"], "record 'r': has no side 'vi' (the --src language)"),
    ({"zh": "我"}, ["--src", "zh"], "record 'r': has only the 'zh' side (--src): no target side to align it with"),
    ({"zh": "我"}, [], "record 'r': has one side only (zh): no second language to align it with"),
    ({"zh": "我", "th": "ฉัน", "en": "I"}, ["--tgt", "en"],
     "record 'r': has 2 sides besides 'en' (zh, th); name the source side with --src"),
    ({"zh": "我", "th": "ฉัน", "en": "I"}, [], "record 'r': has 3 sides (zh, th, en); name the two to align with "
                                              "--src and --tgt"),
])
def test_missing_side_names_what_is_missing(cli, tmp_path, sides, args, message):
    rec = {"id": "r", "sides": {k: {"text": v, "layers": {"sentences": {"spans": [[0, len(v)]]}}}
                                for k, v in sides.items()}}
    src = write_jsonl(tmp_path / "in.jsonl", [rec])
    res = cli("align", str(src), str(tmp_path / "o.jsonl"), "--sentences", *args)
    assert res.exit_code == 2 and f"in.jsonl:1: {message}" in res.stderr, res.stderr


def test_reads_any_format_through_the_hub(cli, tmp_path):
    """A TMX memory is aligned like JSONL (it held one document per unit here); locations name the record."""
    tus = "".join(f'<tu tuid="u{k}"><tuv xml:lang="zh-Hans"><seg>我有一本书。他在北京。</seg></tuv>'
                  f'<tuv xml:lang="en"><seg>I have a book. He is in Beijing.</seg></tuv></tu>' for k in range(3))
    tmx = tmp_path / "memory.tmx"
    tmx.write_text('<?xml version="1.0" encoding="UTF-8"?><tmx version="1.4"><header creationtool="t" '
                   'creationtoolversion="1" segtype="block" o-tmf="x" adminlang="en" srclang="zh-Hans" '
                   f'datatype="plaintext"/><body>{tus}</body></tmx>', encoding="utf-8")
    out = tmp_path / "out.jsonl"
    res = cli("align", str(tmx), str(out), "--sentences", "--split")
    assert res.exit_code == 0, res.stderr
    got = read(out)
    assert [r["id"] for r in got] == ["u0", "u1", "u2"]
    assert [(b["src"], b["tgt"]) for b in links(got[0], "beads")[0]["beads"]] == [([0], [0]), ([1], [1])]
    res = cli("align", str(tmx), str(out), "--sentences")  # no sentences layer in a TMX: the hint names the record
    assert res.exit_code == 2 and "memory.tmx: record 'u0': side 'zh-Hans' has no sentences layer" in res.stderr
