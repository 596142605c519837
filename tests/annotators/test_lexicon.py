"""``lancang train lexicon``: a gold corpus's standard carried into a segmenter; ``train sentencepiece``."""

from __future__ import annotations

import re
from pathlib import Path

import orjson
import pytest

from lancang.annotators import spec
from lancang.annotators.gold import read_segmentation
from lancang.annotators.lexicon import Lexicon, heldout_gain
from lancang.corpora.jsonl import write_records
from lancang.errors import InputError

from ..conftest import shared
from .helpers import assert_tiles, needs


def gold(*sentences: str) -> list[tuple[str, list[tuple[int, int]]]]:
    """'a b|c' -> text 'a bc'... : words separated by '|', text keeps the spaces inside words."""
    out = []
    for s in sentences:
        text, spans = "", []
        for w in s.split("|"):
            spans.append((len(text), len(text) + len(w)))
            text += w
        out.append((text, spans))
    return out


def test_train_counts_words_and_split_forms() -> None:
    lex = Lexicon.train(gold("中国|人民|很|好", "中国|人民|站|起来", "中国人民|银行"), min_split=2)
    assert lex.counts["中国"] == (2, 0)
    assert lex.counts["中国人民"] == (1, 2)  # once a word, twice two words: the gold splits it
    assert lex.split_forms["中国人民"] == ("中国", "人民")
    assert "中国人民" not in lex.joins() and "起来" in lex.joins()
    assert "中国人民" in lex  # a gold word all the same, for OOV purposes
    assert "人民很" not in lex.split_forms  # split only once: below min_split


def test_adapt_joins_and_splits() -> None:
    lex = Lexicon.train(gold("sinh viên|giỏi", "sinh viên|đại học"), min_split=1)
    text = "sinh viên đại học"
    spans = [(0, 4), (5, 9), (10, 13), (14, 17)]
    assert lex.adapt(text, spans) == [(0, 9), (10, 17)]
    lex2 = Lexicon.train(gold("中国|人民", "中国|人民"))
    assert lex2.adapt("中国人民好", [(0, 4), (4, 5)]) == [(0, 2), (2, 4), (4, 5)]


def test_write_and_load_round_trip(tmp_path: Path) -> None:
    lex = Lexicon.train(gold("中国|人民|很|好", "中国|人民"))
    p = tmp_path / "x.lex"
    with p.open("w", encoding="utf-8") as f:
        lex.write(f)
    back = Lexicon.load(p)
    assert back.counts == lex.counts and back.split_forms == lex.split_forms
    assert back.meta["sentences"] == "2"
    words = tmp_path / "words.txt"
    words.write_text("中国\n人民\n", encoding="utf-8")
    assert "中国" in Lexicon.load(words) and "很" not in Lexicon.load(words)
    bad = tmp_path / "bad.lex"
    bad.write_text("# lancang-lexicon 1\n中国\tx\t0\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"bad.lex:2: expected word<TAB>count"):
        Lexicon.load(bad)


@needs("jieba")
def test_native_lexicon_in_jieba(tmp_path: Path) -> None:
    lex = Lexicon.train(gold("网易杭研大厦|很|高", "他|来到|了|网易杭研大厦"))
    p = tmp_path / "zh.lex"
    with p.open("w", encoding="utf-8") as f:
        lex.write(f)
    text = "他来到了网易杭研大厦"
    for native in (False, True):
        ann = spec("jieba").build({"lexicon": str(p), "hmm": False, "lexicon_native": native})
        assert [text[s:e] for s, e in ann.tokens(text, "zh")] == ["他", "来到", "了", "网易杭研大厦"]
    assert "网易杭研大厦" in spec("jieba").build({"lexicon": str(p), "lexicon_native": True})._tk.FREQ
    assert "网易杭研大厦" not in spec("jieba").build({"lexicon": str(p)})._tk.FREQ


def test_conllu_gold_reader_surface_tokens(tmp_path: Path) -> None:
    p = tmp_path / "id_x.conllu"
    p.write_text("# sent_id = s1\n# text = Bukunya di sini.\n"
                 "1-2\tBukunya\t_\t_\t_\t_\t_\t_\t_\t_\n1\tBuku\tbuku\tNOUN\t_\t_\t0\troot\t_\t_\n"
                 "2\tnya\tnya\tPRON\t_\t_\t1\tnmod\t_\t_\n3\tdi\tdi\tADP\t_\t_\t4\tcase\t_\t_\n"
                 "4\tsini\tsini\tPRON\t_\t_\t1\tobl\t_\tSpaceAfter=No\n5\t.\t.\tPUNCT\t_\t_\t1\tpunct\t_\t_\n\n",
                 encoding="utf-8")
    [r] = read_segmentation(p)
    side = r["sides"]["id"]
    assert r["id"] == "s1" and [side["text"][s:e] for s, e in side["layers"]["tokens"]["spans"]] == [
        "Bukunya", "di", "sini", "."]
    p.write_text("# text = ab\n1\tb\t_\t_\t_\t_\t_\t_\t_\t_\n\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"id_x.conllu:2: FORM 'b' does not match the sentence text"):
        list(read_segmentation(p))


@needs("newmm")
def test_thai_lexicon_from_tud_train_improves_tud_dev(tmp_path: Path) -> None:
    train = shared("ud", "th_tud", "th_tud-ud-train.conllu")
    dev = shared("ud", "th_tud", "th_tud-ud-dev.conllu")
    lex = Lexicon.train((s["text"], [tuple(x) for x in s["layers"]["tokens"]["spans"]])
                        for r in read_segmentation(train) for s in r["sides"].values())
    p = tmp_path / "tud.lex"
    with p.open("w", encoding="utf-8") as f:
        lex.write(f)
    res = heldout_gain(str(dev), str(p), "th")
    assert res["annotator"] == "newmm" and res["sides"] == 362
    assert res["f1_without"] > 0.68 and res["f1_with"] > res["f1_without"] + 0.10


@needs("jieba")
def test_train_lexicon_cli_reports_heldout_gain(cli, tmp_path: Path) -> None:
    src = shared("ud", "zh_gsdsimp", "zh_gsdsimp-ud-dev.conllu")
    recs = list(read_segmentation(src))
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    write_records(a, recs[::2])
    write_records(b, recs[1::2])
    out = tmp_path / "zh.lex"
    res = cli("train", "lexicon", str(a), "-o", str(out), "--heldout", str(b), "--for", "jieba")
    assert res.exit_code == 0, res.output
    line = res.stdout.splitlines()[-1]
    assert "held-out" in line and "(jieba, 250 sides" in line
    m = re.search(r"F1 ([0-9.]+) without the lexicon, ([0-9.]+) with it", line)
    assert m and float(m.group(2)) > float(m.group(1)) > 0.75
    assert out.read_text(encoding="utf-8").startswith("# lancang-lexicon 1")
    # the lexicon then changes what annotate does
    plain, adapted = tmp_path / "p.jsonl", tmp_path / "q.jsonl"
    txt = tmp_path / "t.jsonl"
    write_records(txt, ({"id": r["id"], "sides": {"zh": {"text": r["sides"]["zh"]["text"]}}} for r in recs[1::2][:40]))
    assert cli("annotate", str(txt), str(plain), "--layers", "tokens").exit_code == 0
    assert cli("annotate", str(txt), str(adapted), "--layers", "tokens", "--set", f"jieba.lexicon={out}").exit_code == 0
    assert plain.read_bytes() != adapted.read_bytes()


def test_train_lexicon_cli_errors(cli, tmp_path: Path) -> None:
    empty = tmp_path / "e.jsonl"
    empty.write_bytes(orjson.dumps({"id": "x", "sides": {"th": {"text": "ก"}}}) + b"\n")
    res = cli("train", "lexicon", str(empty), "-o", str(tmp_path / "o.lex"))
    assert res.exit_code == 2 and "no tokens found" in res.stderr
    res = cli("train", "lexicon", str(tmp_path / "x.conllu"), "-o", str(tmp_path / "o.lex"))
    assert res.exit_code == 2 and "cannot tell the language from the file name" in res.stderr


@needs("sentencepiece")
def test_train_sentencepiece_cli_and_use(cli, tmp_path: Path) -> None:
    if not spec("sentencepiece").installed:
        pytest.skip("sentencepiece not installed")
    pud = shared("parallel", "pud", "th_pud.conllu")
    corpus = tmp_path / "th.jsonl"
    write_records(corpus, ({"id": r["id"],
                            "sides": {t: {"text": sd["text"], "layers": {"tokens": sd["layers"]["tokens"]}}
                                      for t, sd in r["sides"].items()}} for r in read_segmentation(pud)))
    model = tmp_path / "th.model"
    res = cli("train", "sentencepiece", str(corpus), "--lang", "th", "-o", str(model), "--vocab-size", "500")
    assert res.exit_code == 0, res.output
    assert "from 300 lines" in res.stdout and model.stat().st_size > 1000
    out = tmp_path / "o.jsonl"
    res = cli("annotate", str(corpus), str(out), "--layers", "tokens", "--overwrite", "--use", "th=sentencepiece",
              "--set", f"sentencepiece.model={model}")
    assert res.exit_code == 0, res.output
    for line in out.read_bytes().splitlines()[:50]:
        side = orjson.loads(line)["sides"]["th"]
        assert side["layers"]["tokens"]["provenance"]["tool"]["name"] == "sentencepiece"
        assert_tiles(side["text"], side["layers"]["tokens"]["spans"])
    res = cli("train", "sentencepiece", str(corpus), "--lang", "km", "-o", str(tmp_path / "km.model"))
    assert res.exit_code == 2 and "no text to train on" in res.stderr
    assert not (tmp_path / "km.model").exists()
