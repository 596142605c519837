"""WER and CER (issue 18): the edit-distance scorer against jiwer (an independent tokeniser and
counter) on random and real pairs, against sclite's own expected figures on NIST's test files, and
`lancang evaluate --layer transcript` end to end."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from lancang.errors import InputError, UsageError
from lancang.quality.wer import (
    Counts,
    Normalizer,
    Scorer,
    Tally,
    Tokenizer,
    align,
    by_recording,
    evaluate_transcripts,
    parse_normalize,
    score,
    utterances,
)
from lancang.schemas import load_schema
from tests.conftest import shared, write_jsonl

jiwer = pytest.importorskip("jiwer")

SCTK = ("speech", "scoring", "sctk")


# ----------------------------------------------------------------------------- test-side readers

def trn(path: Path) -> dict[str, str]:
    """NIST TRN: ``text (utterance-id)`` per line (a test-side reader: the transcripts only)."""
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        m = re.match(r"^(.*)\(([^()]*)\)\s*$", line)
        if m:
            out[m.group(2)] = m.group(1).strip()
    return out


# ----------------------------------------------------------------------------------- the scorer

def test_doctests() -> None:
    import doctest

    from lancang.quality import wer

    assert doctest.testmod(wer).failed == 0


def test_fewest_substitutions_among_the_fewest_errors() -> None:
    # two substitutions or a deletion and an insertion: two errors either way; sclite keeps the hit
    c = score(list("xab"), list("abx"))
    assert (c.hits, c.subs, c.dels, c.ins) == (2, 0, 1, 1)
    c = score("abcd", "bcda")
    assert (c.errors, c.subs) == (2, 0)


def test_counts_and_alignment() -> None:
    c = score("abcd", "axcde")
    assert (c.hits, c.subs, c.dels, c.ins, c.ref, c.hyp, c.errors) == (3, 1, 0, 1, 4, 5, 2)
    assert c.rate == 0.5
    assert align(list("abc"), list("xbcd")) == [("S", "a", "x"), ("C", "b", "b"), ("C", "c", "c"), ("I", None, "d")]
    assert score([], ["a"]).rate is None and score([], []).utterance_errors == 0
    assert score(["a"], []).to_dict()["percent"]["del"] == 100.0


def test_counts_of_shards_merge_exactly() -> None:
    rng = random.Random(3)
    pairs = [(rng.choices("abcde", k=rng.randint(0, 12)), rng.choices("abcdef", k=rng.randint(0, 12)))
             for _ in range(200)]
    whole = Counts()
    for r, h in pairs:
        whole.add(score(r, h))
    a, b = Counts(), Counts()
    for r, h in pairs[:77]:
        a.add(score(r, h))
    for r, h in pairs[77:]:
        b.add(score(r, h))
    merged = Counts.from_dict(json.loads(json.dumps(a.to_dict()))).add(Counts.from_dict(b.to_dict()))
    assert merged == whole and merged.utterances == 200


def test_normalisation_steps() -> None:
    assert parse_normalize("punct, case") == ("case", "punct")
    with pytest.raises(UsageError, match="unknown normalisation"):
        parse_normalize("case,stem")
    assert Normalizer(("width",))("ＯＫ！１２３　ａ") == "OK!123 a"
    assert Normalizer(("case",))("Đà Nẵng") == "đà nẵng"
    assert Normalizer(("punct",))("你好，世界！「OK」—don't") == "你好世界OKdont"
    pytest.importorskip("opencc")
    t2s = Normalizer(("t2s",))
    assert t2s("雖然美國的許多數字化轉型", "zh-Hant") == "虽然美国的许多数字化转型"
    assert t2s("國語", "ja") == "國語"  # only Chinese sides are converted


def test_units_per_language() -> None:
    auto = Tokenizer("auto")
    assert [auto.unit(t) for t in ("zh-Hans", "ja", "ko", "th", "km", "lo", "my", "yue", "vi", "id", "en")] == \
        ["char"] * 8 + ["word"] * 3
    assert auto.units("ko", "안녕 하세요") == ["안", "녕", "하", "세", "요"]
    assert Tokenizer("chars").units("vi", "xin chào") == list("xinchào")
    assert Tokenizer("mixed").units("vi", "xin chào") == ["xin", "chào"]
    assert Tokenizer("mixed").units("th", "ผมใช้ iPhone") == ["ผ", "ม", "ใ", "ช้", "iPhone"]
    words = Tokenizer("words")
    assert words.units("zh", "对 因为 他") == ["对", "因为", "他"]
    assert words.describe("vi") == "words" and auto.describe("th") == "chars"
    with pytest.raises(UsageError):
        Tokenizer("phones")


def test_words_of_thai_come_from_lancangs_segmenter() -> None:
    from lancang.annotators import spec

    if not spec("newmm").installed:
        pytest.skip('pip install "lancang[th]"')
    words = Tokenizer("words")
    assert words.describe("th") == "words:newmm"
    got = words.units("th", "ฉันกินข้าว แล้ว")
    assert "".join(got) == "ฉันกินข้าวแล้ว" and len(got) >= 3  # white space alone gives 2
    sc = Scorer("words")
    t = sc.utterance("th", "ฉันกินข้าวแล้ว", "ฉันกินน้ำแล้ว")
    assert t.fit is not t.words and t.fit == t.words and t.words.ref == len(got) and t.words.subs >= 1


# ------------------------------------------------------------------------- differential: jiwer

_NO_SPACE = jiwer.Compose([jiwer.RemoveWhiteSpace(replace_by_space=False), jiwer.ReduceToListOfListOfChars()])


def _check_against_jiwer(pairs: list[tuple[str, str]], lang: str, norm: tuple[str, ...] = ()) -> int:
    """Our WER (words) and CER (non-space characters) equal jiwer's, per pair and pooled; S/D/I/H too.
    (Thai words come from a segmenter, not white space: only its CER is comparable.)"""
    jw_words: list[Any] = [jiwer.RemoveMultipleSpaces(), jiwer.Strip()]
    if "case" in norm:
        jw_words.insert(0, jiwer.ToLowerCase())
    if "punct" in norm:
        jw_words.insert(0, jiwer.RemovePunctuation())
    words_t = jiwer.Compose([*jw_words, jiwer.ReduceToListOfListOfWords()])
    chars_t = jiwer.Compose([*jw_words, jiwer.RemoveWhiteSpace(replace_by_space=False),
                             jiwer.ReduceToListOfListOfChars()])
    wsc, csc = Scorer("words", norm), Scorer("chars", norm)
    wt, ct = Tally.new(), Tally.new()
    refs, hyps = [], []
    for ref, hyp in pairs:
        normed = Normalizer(norm)(ref)
        if not normed.split():
            continue
        refs.append(ref)
        hyps.append(hyp)
        w, c = wsc.utterance(lang, ref, hyp), csc.utterance(lang, ref, hyp)
        wt.add(w)
        ct.add(c)
        assert c.chars.rate == pytest.approx(jiwer.cer(ref, hyp, chars_t, chars_t), abs=1e-12), (ref, hyp)
        if lang != "th":
            out = jiwer.process_words(ref, hyp, words_t, words_t)
            # the same number of errors and reference words; among equal-error alignments lancang keeps
            # the one with the fewest substitutions (sclite's choice), so S/D/I may be split differently
            assert (w.words.errors, w.words.ref, w.words.hyp) == \
                (out.substitutions + out.deletions + out.insertions, out.hits + out.substitutions + out.deletions,
                 out.hits + out.substitutions + out.insertions), (ref, hyp)
            assert w.words.subs <= out.substitutions, (ref, hyp)
            assert w.words.rate == pytest.approx(out.wer, abs=1e-12), (ref, hyp)
        assert c.chars.rate == pytest.approx(jiwer.cer(ref, hyp, chars_t, chars_t), abs=1e-12), (ref, hyp)
    if lang != "th":
        assert wt.words.rate == pytest.approx(jiwer.wer(refs, hyps, words_t, words_t), abs=1e-12)
    assert ct.chars.rate == pytest.approx(jiwer.cer(refs, hyps, chars_t, chars_t), abs=1e-12)
    return len(refs)


def _perturb(rng: random.Random, units: list[str], vocab: list[str], rate: float) -> list[str]:
    out = []
    for u in units:
        x = rng.random()
        if x < rate / 3:
            continue
        if x < 2 * rate / 3:
            out.append(rng.choice(vocab))
        else:
            out.append(u)
        if rng.random() < rate / 3:
            out.append(rng.choice(vocab))
    return out


def test_identical_to_jiwer_on_random_pairs() -> None:
    rng = random.Random(18)
    pairs = []
    for _ in range(400):  # a small alphabet: many equal-cost alignments
        pairs.append((" ".join(rng.choices("ab cd e", k=rng.randint(1, 25))),
                      " ".join(rng.choices("ab cdx e", k=rng.randint(0, 25)))))
    for _ in range(300):
        ref = [rng.choice(["xin", "chào", "các", "bạn", "Một", "hai,", "ba."]) for _ in range(rng.randint(1, 20))]
        pairs.append((" ".join(ref), " ".join(_perturb(rng, ref, ["xin", "chao", "bạn", "Hai", "!"], 0.4))))
    scored = sum(1 for r, _ in pairs if r.split())  # jiwer refuses an empty reference
    assert _check_against_jiwer(pairs, "vi") == scored > 690
    assert _check_against_jiwer(pairs, "vi", ("case", "punct")) == scored


def _pud(lang: str, limit: int = 300) -> list[str]:
    path = shared("parallel", "pud", f"{lang}_pud.conllu")
    return [line[9:] for line in path.read_text(encoding="utf-8").splitlines() if line.startswith("# text = ")][:limit]


@pytest.mark.parametrize("lang", ["zh", "th", "en"])
def test_identical_to_jiwer_on_real_sentences_with_errors(lang: str) -> None:
    rng = random.Random(lang)
    sents = _pud(lang)
    pairs = []
    for s in sents:
        if lang == "en":
            ws = s.split()
            pairs.append((s, " ".join(_perturb(rng, ws, ws, 0.3))))
        else:
            pairs.append((s, "".join(_perturb(rng, list(s), list(s), 0.2))))
    assert _check_against_jiwer(pairs, lang) == len(sents)
    assert _check_against_jiwer(pairs, lang, ("case", "punct")) == len(sents)


def test_identical_to_jiwer_on_real_recogniser_output() -> None:
    pairs = []
    for ref, hyp in (("csrnab.ref", "csrnab.hyp"), ("tests.ref", "tests.hyp"),
                     ("test.ukranian.ref", "test.ukranian.hyp"), ("test.vietnamese.ref.trn", "test.vietnamese.hyp.trn"),
                     ("test.turkish.ref", "test.turkish.hyp")):
        r, h = trn(shared(*SCTK, ref)), trn(shared(*SCTK, hyp))
        pairs += [(r[k], h.get(k, "")) for k in r]
    m = shared("speech", "scoring", "meeteval")
    r = dict(line.split(" ", 1) for line in (m / "text_ref").read_text(encoding="utf-8").splitlines() if line.strip())
    h = dict(line.split(" ", 1) for line in (m / "text_hyp").read_text(encoding="utf-8").splitlines() if line.strip())
    pairs += [(r[k], h.get(k, "")) for k in r]
    assert _check_against_jiwer(pairs, "en") >= 120
    _check_against_jiwer(pairs, "en", ("case", "punct"))


# ----------------------------------------------------------------------------- gold: sclite's own

def _sclite_row(c: Counts) -> tuple[int, int, float, float, float, float, float, float]:
    """A row of sclite's summary: # Snt, # Wrd/Chr, Corr, Sub, Del, Ins, Err, S.Err (percent, one decimal)."""
    p = c.to_dict()["percent"]
    cells = ("corr", "sub", "del", "ins", "err", "utterance_err")
    return (c.utterances, c.ref, *(round(p[k] + 1e-9, 1) for k in cells))


@pytest.mark.parametrize(("ref", "hyp", "row"), [
    # test15_d: -e utf-8 ukrainian (case folding)
    ("test.ukranian.ref", "test.ukranian.hyp", (6, 66, 89.4, 10.6, 0.0, 3.0, 13.6, 83.3)),
    # test17: -e utf-8 babel_vietnamese (case folding)
    ("test.vietnamese.ref.trn", "test.vietnamese.hyp.trn", (8, 760, 82.1, 0.0, 17.9, 27.4, 45.3, 37.5)),
])
def test_sclite_word_error_rates(ref: str, hyp: str, row: tuple[Any, ...], tmp_path: Path, cli) -> None:
    r, h = trn(shared(*SCTK, ref)), trn(shared(*SCTK, hyp))
    lang = "uk" if "ukr" in ref else "vi"
    write_jsonl(tmp_path / "ref.jsonl", [{"id": k, "sides": {lang: {"text": v}}} for k, v in r.items()])
    write_jsonl(tmp_path / "hyp.jsonl", [{"id": k, "sides": {lang: {"text": v}}} for k, v in h.items()])
    res = cli("evaluate", str(tmp_path / "hyp.jsonl"), str(tmp_path / "ref.jsonl"), "--layer", "transcript",
              "--normalize", "case", "--format", "json")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.output)["accuracy"]["transcript"]
    assert _sclite_row(Counts.from_dict(doc["overall"]["words"])) == row
    assert doc["wer"] == round(row[6] / 100, 3) or abs(doc["wer"] - row[6] / 100) < 0.0005


@pytest.mark.parametrize(("name", "units", "rows"), [
    # test1: -i wsj, alternations { a / b / @ } in the reference; speakers are the first 3 characters of the id
    ("csrnab", "words", {"4t0": (15, 458, 84.1, 14.0, 2.0, 2.6, 18.6, 86.7),
                         "4t1": (21, 544, 93.6, 5.9, 0.6, 0.7, 7.2, 57.1),
                         "4t2": (15, 404, 91.3, 8.7, 0.0, 2.5, 11.1, 86.7),
                         "all": (51, 1406, 89.8, 9.3, 0.9, 1.8, 12.0, 74.5)}),
    # test8: -c, character alignment of the same kind of text
    ("csrnab1", "chars", {"all": (2, 348, 94.5, 2.6, 2.9, 0.9, 6.3, 100.0)}),
])
def test_sclite_alternations(name: str, units: str, rows: dict[str, tuple[Any, ...]], tmp_path: Path, cli) -> None:
    """sclite compares case-insensitively by default (--normalize case) and scores the reading of an
    alternation closest to the hypothesis (--alternations); speakers come from the --details rows."""
    r, h = trn(shared(*SCTK, f"{name}.ref")), trn(shared(*SCTK, f"{name}.hyp"))
    write_jsonl(tmp_path / "ref.jsonl", [{"id": k.lower(), "sides": {"en": {"text": v}}} for k, v in r.items()])
    write_jsonl(tmp_path / "hyp.jsonl", [{"id": k.lower(), "sides": {"en": {"text": v}}} for k, v in h.items()])
    args = [str(tmp_path / "hyp.jsonl"), str(tmp_path / "ref.jsonl"), "--layer", "transcript", "--normalize", "case",
            "--units", units, "--format", "json", "--details", str(tmp_path / "d.jsonl")]
    res = cli("evaluate", *args, "--alternations")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.output)
    assert doc["settings"]["alternations"] is True
    speakers: dict[str, Counts] = {}
    for line in (tmp_path / "d.jsonl").read_text().splitlines():
        row = json.loads(line)
        speakers.setdefault(row["id"][:3], Counts()).add(Counts.from_dict(row))
    speakers["all"] = Counts.from_dict(doc["accuracy"]["transcript"]["overall"]["counts"])
    assert {k: _sclite_row(speakers[k]) for k in rows} == rows
    literal = json.loads(cli("evaluate", *args).output)["accuracy"]["transcript"]["error_rate"]
    assert literal > rows["all"][6] / 100 + 0.005  # the braces scored as written: worse


def test_alternations_readings_and_their_limit() -> None:
    sc = Scorer("words", alternations=True)
    assert sc.utterance("en", "a { b / @ } c", "a c").words.errors == 0
    assert sc.utterance("en", "a { b / @ } c", "a b c").words.errors == 0
    assert sc.utterance("en", "a { b c / d } e", "a d e").words.ref == 3
    with pytest.raises(InputError, match="readings of the alternations"):
        sc.utterance("en", " ".join(["{ a / b }"] * 11), "a")
    refs = [{"id": "1", "sides": {"en": {"text": " ".join(["{ a / b }"] * 11)}}}]
    with pytest.raises(InputError, match=r"R record 1 \(id '1'\), side 'en': 2,048 readings"):
        evaluate_transcripts(refs, refs, names=("H", "R"), alternations=True)


def test_sclite_mandarin_cer_stm_against_ctm(cli) -> None:
    """sclite test9 (-e gb -c): mand_ref.stm against mand_hyp.ctm (GB2312), read through the format hub,
    character error rate per speaker: the CTM's words go to the STM segment their middle time falls in
    (--join recording)."""
    args = (str(shared(*SCTK, "mand_hyp.ctm")), str(shared(*SCTK, "mand_ref.stm")), "--layer", "transcript",
            "--join", "recording", "--src", "zh", "-I", "encoding=gb2312")
    res = cli("evaluate", *args, "--format", "json")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.output)
    jsonschema.validate(doc, load_schema("metrics"))
    t = doc["accuracy"]["transcript"]
    assert t["tokenisation"] == {"zh": "chars"} and t["records"] == 2
    sp = {k.lower(): Counts.from_dict(v["counts"]) for k, v in t["speakers"].items()}
    assert _sclite_row(sp["ma_0029_a"]) == (4, 7, 85.7, 14.3, 0.0, 14.3, 28.6, 25.0)
    assert _sclite_row(sp["ma_0029_b"]) == (6, 50, 92.0, 0.0, 8.0, 4.0, 12.0, 66.7)
    assert _sclite_row(Counts.from_dict(t["overall"]["counts"])) == (10, 57, 91.2, 1.8, 7.0, 5.3, 14.0, 50.0)
    assert t["cer"] == t["error_rate"] == round(8 / 57, 6) and t["wer"] is None
    assert set(t["files"]) == {"ma_0029#1", "ma_0029#2"} and doc["settings"]["join"] == "recording"
    text = cli("evaluate", *args)
    assert text.exit_code == 0
    rows = {line.split()[0]: line.split()[1:] for line in text.output.splitlines()[2:] if line.strip()}
    assert rows["ma_0029_A"] == ["4", "7", "85.7", "14.3", "0.0", "14.3", "28.6", "25.0"]
    assert rows["Sum/Avg"] == ["10", "57", "91.2", "1.8", "7.0", "5.3", "14.0", "50.0"]


@pytest.mark.parametrize(("hyp", "ref", "extra", "rows"), [
    # test10: -e gb -c NOASCII (ASCII words such as "OK" kept whole)
    ("mand_hyp.ctm", "mand_ref.stm", ["--src", "zh", "-I", "encoding=gb2312"],
     {"ma_0029_A": (4, 5, 80.0, 20.0, 0.0, 20.0, 40.0, 25.0), "ma_0029_B": (6, 50, 92.0, 0.0, 8.0, 4.0, 12.0, 66.7),
      "all": (10, 55, 90.9, 1.8, 7.3, 5.5, 14.5, 50.0)}),
    # test15_b: -e utf-8 -c NOASCII DH (Cantonese; fred and (<hes>) whole)
    ("test.cantonese.ctm", "test.cantonese.stm", ["--src", "yue"],
     {"spkr1": (3, 49, 77.6, 4.1, 18.4, 26.5, 49.0, 100.0)}),
])
def test_sclite_mixed_units(hyp: str, ref: str, extra: list[str], rows: dict[str, tuple[Any, ...]], cli) -> None:
    res = cli("evaluate", str(shared(*SCTK, hyp)), str(shared(*SCTK, ref)), "--layer", "transcript", "--join",
              "recording", "--units", "mixed", *extra, "--format", "json")
    assert res.exit_code == 0, res.output
    t = json.loads(res.output)["accuracy"]["transcript"]
    got = {k: Counts.from_dict(v["counts"]) for k, v in t["speakers"].items()}
    got["all"] = Counts.from_dict(t["overall"]["counts"])
    assert {k: _sclite_row(got[k]) for k in rows} == rows
    assert set(t["tokenisation"].values()) == {"mixed"} and t["cer"] != t["error_rate"]


def test_sclite_cantonese_wer_stm_against_ctm(cli) -> None:
    """sclite test15_a (-e utf-8): a CTM whose words fall between the STM's segments (each goes to the
    following segment), an IGNORE_TIME_SEGMENT_IN_SCORING region, a commented-out line; WER 47.1% of 34."""
    args = (str(shared(*SCTK, "test.cantonese.ctm")), str(shared(*SCTK, "test.cantonese.stm")), "--layer",
            "transcript", "--join", "recording", "--src", "yue", "--units", "words", "--format", "json")
    res = cli("evaluate", *args)
    assert res.exit_code == 0, res.output
    t = json.loads(res.output)["accuracy"]["transcript"]
    assert _sclite_row(Counts.from_dict(t["speakers"]["spkr1"]["counts"])) == (3, 34, 67.6, 14.7, 17.6, 14.7, 47.1,
                                                                               100.0)
    assert t["tokenisation"] == {"yue": "words"}


def test_sclite_stm_ctm_with_channel_letters_labels_and_alternations(cli) -> None:
    """sclite test3: lvc_ref.stm (channels a/b, <O,WA> labels, alternations) against lvc_hyp.ctm (channels
    A/B, the same recordings). Three speakers come out as sclite's; 3129-a has 2 insertions more, the words of
    the CTM's <ALT_BEGIN> hypothesis alternations, which lancang scores as written."""
    args = (str(shared(*SCTK, "lvc_hyp.ctm")), str(shared(*SCTK, "lvc_ref.stm")), "--layer", "transcript",
            "--join", "recording", "--src", "en", "--normalize", "case", "--alternations", "--format", "json")
    res = cli("evaluate", *args)
    assert res.exit_code == 0, res.output
    t = json.loads(res.output)["accuracy"]["transcript"]
    sp = {k: _sclite_row(Counts.from_dict(v["counts"])) for k, v in t["speakers"].items() if k != "-"}
    assert t["speakers"]["-"]["counts"]["ins"] == 1  # a CTM word after the channel's last segment
    assert sp["2347-a"] == (16, 250, 66.4, 24.0, 9.6, 17.6, 51.2, 93.8)
    assert sp["2347-b"] == (20, 637, 64.8, 27.5, 7.7, 8.5, 43.6, 100.0)
    assert sp["3129-b"] == (20, 704, 52.8, 35.8, 11.4, 4.4, 51.6, 100.0)
    assert sp["3129-a"][:5] == (5, 188, 33.0, 28.2, 38.8)  # sclite: Ins 22.3, Err 89.4
    assert set(t["files"]) == {"2347#a", "2347#b", "3129#a", "3129#b"}  # channels A and a are one
    assert t["overall"]["counts"]["ref"] == 1779


# ------------------------------------------------------------------------------ records and joins

def _seg(start: int, end: int, t0: float, t1: float, speaker: str | None = None) -> dict[str, Any]:
    s: dict[str, Any] = {"start": start, "end": end, "t0": t0, "t1": t1}
    if speaker:
        s["speaker"] = speaker
    return s


def test_utterances_pair_in_order_by_time_or_whole() -> None:
    ref = {"text": "ab\ncd", "layers": {"segments": {"spans": [_seg(0, 2, 0, 1, "A"), _seg(3, 5, 1, 2, "B")]}}}
    same = {"text": "ax\ncd", "layers": {"segments": {"spans": [_seg(0, 2, 0, 1), _seg(3, 5, 1, 2)]}}}
    assert utterances(ref, same) == [("A", "ab", "ax"), ("B", "cd", "cd")]
    words = {"text": "c d a b z", "layers": {"words": {"spans": [
        _seg(0, 1, 1.2, 1.4), _seg(2, 3, 1.5, 1.6), _seg(4, 5, 0.1, 0.2), _seg(6, 7, 0.5, 0.6), _seg(8, 9, 5, 6)]}}}
    assert utterances(ref, words) == [("A", "ab", "a b"), ("B", "cd", "c d"), (None, "", "z")]
    gap = {"text": "x", "layers": {"words": {"spans": [_seg(0, 1, 1.0, 1.0)]}}}
    apart = {"text": "ab\ncd", "layers": {"segments": {"spans": [_seg(0, 2, 0, 0.5, "A"), _seg(3, 5, 1.5, 2, "B")]}}}
    assert utterances(apart, gap) == [("A", "ab", ""), ("B", "cd", "x")]  # between segments: the following one
    assert utterances(ref, {"text": "abcd"}) == [(None, "ab\ncd", "abcd")]
    one = {"text": "ab", "layers": {"segments": {"spans": [_seg(0, 2, 0, 1, "A")]}}}
    assert utterances(one, {"text": "ab"}) == [("A", "ab", "ab")]


def test_by_recording_merges_consecutive_records_and_refuses_scattered_ones() -> None:
    def rec(i: str, uri: str, text: str, t0: float) -> dict[str, Any]:
        return {"id": i, "sides": {"zh": {"text": text, "media": {"uri": uri, "channel": 1},
                                          "layers": {"segments": {"spans": [_seg(0, len(text), t0, t0 + 1, "S")]}}}}}

    merged = list(by_recording([rec("1", "a.wav", "你好", 0), rec("2", "a.wav", "世界", 1), rec("3", "b.wav", "好", 0)],
                               "R"))
    assert [m["id"] for m in merged] == ["a.wav#1", "b.wav#1"]
    side = merged[0]["sides"]["zh"]
    assert side["text"] == "你好\n世界" and side["layers"]["segments"]["spans"][1] == _seg(3, 5, 1, 2, "S")
    with pytest.raises(InputError, match=r"R record 3 .*recording 'a.wav#1' again"):
        list(by_recording([rec("1", "a.wav", "x", 0), rec("2", "b.wav", "y", 0), rec("3", "a.wav", "z", 1)], "R"))
    broken = rec("1", "a.wav", "x", 0)
    del broken["sides"]["zh"]["layers"]["segments"]["spans"][0]["start"]
    with pytest.raises(InputError, match=r"R record 1 \(id '1'\): /sides/zh/layers/segments/spans/0/start: "
                                         r"segment has no start \[schema-required\]"):
        list(by_recording([broken], "R"))
    with pytest.raises(InputError, match="names no media"):
        list(by_recording([{"id": "x", "sides": {"zh": {"text": "x"}}}], "R"))


def test_evaluate_transcripts_reports_what_it_could_not_pair() -> None:
    ref = [{"id": "1", "sides": {"vi": {"text": "xin chào"}}}, {"id": "2", "sides": {"vi": {"text": "một"}}},
           {"id": "3", "sides": {"vi": {"text": "hai"}, "zh": {"text": "二"}}}]
    hyp = [{"id": "1", "sides": {"vi": {"text": "xin chao"}}}, {"id": "3", "sides": {"vi": {"text": "hai"}}},
           {"id": "4", "sides": {"vi": {"text": "bốn"}}}]
    ev = evaluate_transcripts(hyp, ref, names=("h", "r"))
    d = ev.to_dict()
    # record 2 and the zh side of record 3 have no hypothesis: all deletions (sclite's STM rule); record 4
    # has no reference: not scored (sclite refuses a hypothesis without one)
    assert d["records"] == 2 and d["wer"] == 0.5 and d["cer"] == round(5 / 14, 6)
    assert d["missing"]["only_in_pred"] == 1 and d["missing"]["only_in_gold"] == 1
    assert d["missing"]["examples"]["sides"] == [{"id": "3", "side": "zh",
                                                  "problem": "side only in reference (scored as deletions)"}]
    assert d["missing"]["utterances"] == {"without_hypothesis": 2, "without_reference": 0}
    assert set(d["files"]) == {"1", "2", "3"} and d["speakers"]["-"]["counts"]["ref"] == 5
    assert d["files"]["2"]["counts"]["dels"] == 1 and "4" not in d["files"]
    with pytest.raises(UsageError):
        evaluate_transcripts(hyp, ref, join="time")


def test_cli_transcript_units_normalisation_and_signature(tmp_path: Path, cli) -> None:
    ref = write_jsonl(tmp_path / "ref.jsonl", [{"id": "1", "sides": {"zh-Hans": {"text": "你好，世界！"}}},
                                               {"id": "2", "sides": {"en": {"text": "Hello World"}}}])
    hyp = write_jsonl(tmp_path / "hyp.jsonl", [{"id": "1", "sides": {"zh-Hans": {"text": "你好世界"}}},
                                               {"id": "2", "sides": {"en": {"text": "hello world"}}}])
    raw = json.loads(cli("evaluate", str(hyp), str(ref), "--layer", "transcript", "--format", "json").output)
    t = raw["accuracy"]["transcript"]
    assert t["languages"]["zh-Hans"]["cer"] == round(2 / 6, 6) and t["languages"]["en"]["wer"] == 1.0
    assert t["error_rate"] == round(4 / 8, 6)  # 2 of 6 characters + 2 of 2 words
    res = cli("evaluate", str(hyp), str(ref), "--layer", "transcript", "--normalize", "punct,case", "--format", "json")
    doc = json.loads(res.output)
    assert doc["settings"]["normalize"] == ["case", "punct"] and doc["settings"]["units"] == "auto"
    assert doc["accuracy"]["transcript"]["error_rate"] == 0.0
    jsonschema.validate(doc, load_schema("metrics"))
    doc = json.loads(cli("evaluate", str(hyp), str(ref), "--layer", "transcript", "--units", "chars",
                         "--format", "json").output)
    assert doc["accuracy"]["transcript"]["tokenisation"] == {"en": "chars", "zh-Hans": "chars"}
    assert doc["accuracy"]["transcript"]["wer"] is None
    bad = cli("evaluate", str(hyp), str(ref), "--layer", "transcript", "--normalize", "stem")
    assert bad.exit_code == 2 and "unknown normalisation stem" in bad.output
    wrong = cli("evaluate", str(hyp), str(ref), "--layer", "tokens", "--normalize", "case")
    assert wrong.exit_code == 2 and "do not apply to --layer tokens" in wrong.output


# ------------------------------------------------------------------------------- agree: transcribers

def test_matched_within_is_a_maximum_one_to_one_matching() -> None:
    from lancang.quality.accuracy import maximum_matching
    from lancang.quality.agreement import matched_within

    rng = random.Random(7)
    for _ in range(300):
        a = sorted(round(rng.uniform(0, 5), 2) for _ in range(rng.randint(0, 8)))
        b = sorted(round(rng.uniform(0, 5), 2) for _ in range(rng.randint(0, 8)))
        # the augmenting-path matching over every pair within the tolerance
        brute = maximum_matching([[j for j, y in enumerate(b) if abs(x - y) <= 0.3 + 1e-9] for x in a])
        assert matched_within(a, b, 0.3) == brute


def _transcriber(text: str, segs: list[tuple[int, int, float, float]], rid: str = "rec1") -> dict[str, Any]:
    return {"id": rid, "sides": {"zh": {"text": text, "media": {"uri": f"{rid}.wav"}, "layers": {"segments": {
        "spans": [_seg(s, e, t0, t1, "S1") for s, e, t0, t1 in segs]}}}}}


def test_agree_transcript_between_two_transcribers(tmp_path: Path, cli) -> None:
    a = write_jsonl(tmp_path / "alice.jsonl", [
        _transcriber("今天天气很好\n我们去公园", [(0, 6, 0.0, 1.5), (7, 12, 1.8, 3.0)]),
        _transcriber("你好", [(0, 2, 0.0, 0.5)], "rec2")])
    b = write_jsonl(tmp_path / "bob.jsonl", [
        _transcriber("今天天气好\n我们去公园吧", [(0, 5, 0.1, 1.6), (6, 12, 2.3, 3.05)]),
        _transcriber("你好", [(0, 2, 0.0, 0.5)], "rec2")])
    res = cli("agree", str(a), str(b), "--layer", "transcript", "--tolerance", "0.2", "--format", "json")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.output)
    jsonschema.validate(doc, load_schema("metrics"))
    t = doc["agreement"]["layers"]["transcript"]
    pair = t["pairs"]["alice~bob"]
    c = pair["counts"]["counts"]
    # alice as reference: 13 characters; bob drops 很 and adds 吧
    assert (c["ref"], c["hyp"], c["dels"], c["ins"], c["subs"]) == (13, 13, 1, 1, 0)
    assert pair["error_rate"] == pair["cer"] == 2 * 2 / 26 and pair["reference"] == "alice"
    # boundaries: alice {0, 1.5, 1.8, 3.0} + {0, 0.5}; bob {0.1, 1.6, 2.3, 3.05} + {0, 0.5}: 3 + 2 within 0.2 s
    bd = t["boundary"]["alice~bob"]
    assert (bd["tp"], bd["a"], bd["b"]) == (5, 6, 6) and t["boundary_f1_mean"] == 5 / 6
    assert doc["settings"]["tolerance"] == 0.2 and doc["settings"]["layers"] == ["transcript"]
    tight = json.loads(cli("agree", str(a), str(b), "--layer", "transcript", "--tolerance", "0.05",
                           "--format", "json").output)
    assert tight["agreement"]["layers"]["transcript"]["boundary"]["alice~bob"]["tp"] == 3
    text = cli("agree", str(a), str(b), "--layer", "transcript")
    assert text.exit_code == 0 and "boundary P 0.8333 R 0.8333 F1 0.8333" in text.output
    # with another layer asked for too, texts that differ are still an error
    both = cli("agree", str(a), str(b), "--layers", "transcript,tokens")
    assert both.exit_code == 2 and "the text differs" in both.output
    neg = cli("agree", str(a), str(b), "--layer", "transcript", "--tolerance", "-1")
    assert neg.exit_code == 2


def test_stm_regions_left_out_of_scoring_are_not_scored() -> None:
    ref = {"text": "ab\nIGNORE_TIME_SEGMENT_IN_SCORING\ncd", "layers": {"segments": {"spans": [
        _seg(0, 2, 0, 1, "A"), _seg(3, 33, 1, 2, "A"), _seg(34, 36, 2, 3, "A")]}}}
    words = {"text": "a b x y c d", "layers": {"words": {"spans": [
        _seg(0, 1, 0.1, 0.2), _seg(2, 3, 0.5, 0.6), _seg(4, 5, 1.2, 1.4), _seg(6, 7, 1.5, 1.6), _seg(8, 9, 2.1, 2.2),
        _seg(10, 11, 2.5, 2.6)]}}}
    assert utterances(ref, words) == [("A", "ab", "a b"), ("A", "cd", "c d")]
    assert Scorer().side("zh", ref, words).chars.errors == 0


def test_cli_strict_fails_on_records_missing_from_one_side(tmp_path: Path, cli) -> None:
    ref = write_jsonl(tmp_path / "ref.jsonl", [{"id": "1", "sides": {"th": {"text": "สวัสดีครับ"}}},
                                               {"id": "2", "sides": {"th": {"text": "ขอบคุณ"}}}])
    hyp = write_jsonl(tmp_path / "hyp.jsonl", [{"id": "1", "sides": {"th": {"text": "สวัสดีค่ะ"}}}])
    res = cli("evaluate", str(hyp), str(ref), "--layer", "transcript")
    assert res.exit_code == 0 and "[th] chars" in res.output
    assert ("reference without hypothesis: 1 utterances, scored as deletions (1 records only in the reference, "
            "e.g. 2)") in res.output
    assert cli("evaluate", str(hyp), str(ref), "--layer", "transcript", "--strict").exit_code == 1


def test_details_stream_every_record_and_the_file_table_is_bounded(tmp_path: Path, cli) -> None:
    ref = [{"id": f"u{i}", "sides": {"vi": {"text": "một hai ba"}}} for i in range(30)]
    hyp = [{"id": f"u{i}", "sides": {"vi": {"text": "một hai" if i % 3 else "một hai ba"}}} for i in range(30)]
    ev = evaluate_transcripts(hyp, ref, max_files=10, details=(rows := []).append)
    d = ev.to_dict()
    assert len(d["files"]) == 10 and d["files_total"] == 30 and d["overall"]["counts"]["ref"] == 90
    assert len(rows) == 30 and rows[1] == {"id": "u1", "side": "vi", "file": "u1", "unit": "word", "hits": 2,
                                           "subs": 0, "dels": 1, "ins": 0, "ref": 3, "utterances": 1,
                                           "utterance_errors": 1, "rate": round(1 / 3, 6), "cer": 0.25}
    assert sum(r["dels"] for r in rows) == d["overall"]["counts"]["dels"] == 20
    write_jsonl(tmp_path / "r.jsonl", ref)
    write_jsonl(tmp_path / "h.jsonl", hyp)
    out = tmp_path / "details.jsonl"
    res = cli("evaluate", str(tmp_path / "h.jsonl"), str(tmp_path / "r.jsonl"), "--layer", "transcript",
              "--details", str(out), "--format", "json")
    assert res.exit_code == 0 and [json.loads(x) for x in out.read_text().splitlines()] == rows
    assert json.loads(res.output)["accuracy"]["transcript"]["files_total"] == 30
    bad = cli("evaluate", str(tmp_path / "h.jsonl"), str(tmp_path / "r.jsonl"), "--details", str(out))
    assert bad.exit_code == 2 and "--details" in bad.output


def test_t2s_without_opencc_is_a_clear_usage_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, cli) -> None:
    import sys

    from lancang.quality import wer

    wer._opencc.cache_clear()
    monkeypatch.setitem(sys.modules, "opencc", None)  # import opencc now raises ImportError
    try:
        with pytest.raises(UsageError, match=r'OpenCC, which is not installed: pip install "lancang\[zh\]"'):
            Normalizer(("t2s",))
        f = write_jsonl(tmp_path / "a.jsonl", [{"id": "1", "sides": {"zh": {"text": "漢語"}}}])
        res = cli("evaluate", str(f), str(f), "--layer", "transcript", "--normalize", "t2s")
        assert res.exit_code == 2 and len(res.output.strip().splitlines()) == 1 and "lancang[zh]" in res.output
        assert Normalizer(("case",))("AB") == "ab"  # the other steps need nothing
    finally:
        wer._opencc.cache_clear()


def test_long_utterances_keep_the_fewest_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    from lancang.quality import wer

    rng = random.Random(5)
    pairs = [(rng.choices("abcd", k=60), rng.choices("abcde", k=50)) for _ in range(50)]
    small = [score(r, h) for r, h in pairs]
    monkeypatch.setattr(wer, "WEIGHTED_CELLS", 100)  # the bit-parallel path for all of these
    big = [score(r, h) for r, h in pairs]
    assert [(c.errors, c.ref, c.hyp) for c in big] == [(c.errors, c.ref, c.hyp) for c in small]
    assert sum(c.subs for c in big) >= sum(c.subs for c in small)


def test_agree_and_evaluate_documents_with_mixed_units_are_valid(tmp_path: Path, cli) -> None:
    a = write_jsonl(tmp_path / "a.jsonl", [{"id": "1", "sides": {"zh": {"text": "我用iPhone拍照"}}}])
    b = write_jsonl(tmp_path / "b.jsonl", [{"id": "1", "sides": {"zh": {"text": "我用 iPhone 拍了照"}}}])
    for verb in ("evaluate", "agree"):
        res = cli(verb, str(a), str(b), "--layer" if verb == "evaluate" else "--layers", "transcript", "--units",
                  "mixed", "--format", "json")
        assert res.exit_code == 0, res.output
        doc = json.loads(res.output)
        jsonschema.validate(doc, load_schema("metrics"))
    assert doc["agreement"]["layers"]["transcript"]["pairs"]["a~b"]["counts"]["counts"]["ref"] == 5


def test_malformed_segments_are_one_line_input_errors(tmp_path: Path, cli) -> None:
    bad = {"id": "r1", "sides": {"zh": {"text": "你好\n世界", "layers": {"segments": {"spans": [
        {"start": 0, "end": 2, "t0": 0.0, "t1": 1.0}, {"start": 3, "end": 5, "t0": 1.0}]}}}}}
    timed = {"id": "r1", "sides": {"zh": {"text": "你好世界", "layers": {"words": {"spans": [
        {"start": 0, "end": 2, "t0": 0.0, "t1": 1.0}]}}}}}
    ref = write_jsonl(tmp_path / "ref.jsonl", [bad])
    hyp = write_jsonl(tmp_path / "hyp.jsonl", [timed])
    res = cli("evaluate", str(hyp), str(ref), "--layer", "transcript")
    assert res.exit_code == 2 and len(res.output.strip().splitlines()) == 1
    assert "ref.jsonl record 1 (id 'r1'): /sides/zh/layers/segments/spans/1/t1: segment has no t1 [schema-required]" \
        in res.output
    other = write_jsonl(tmp_path / "other.jsonl", [{"id": "r1", "sides": {"zh": {"text": "你好", "layers": {
        "segments": {"spans": [{"start": 0, "end": 2, "t0": 0.0}]}}}}}])
    res = cli("agree", str(ref), str(other), "--layer", "transcript")
    assert res.exit_code == 2
    assert "ref.jsonl:1 [r1]: /sides/zh/layers/segments/spans/1/t1: segment has no t1" in res.output


@pytest.mark.parametrize("side, pointer", [
    ({"text": "你好", "layers": {"segments": {"spans": [{"start": 0, "end": 2, "t0": 0, "t1": 1}, 5]}}},
     "/sides/zh/layers/segments/spans/1: segment is a number, not an object [schema-type]"),
    ({"text": 5}, "/sides/zh/text: a side's text is a number, not a string [schema-type]"),
    ({"text": "你好", "layers": {"words": [1]}}, "/sides/zh/layers/words: words layer is an array of 1, not an object "
     "[record-malformed]"),
    ({"text": "你好", "layers": {"segments": {"spans": [{"start": 0, "end": 9, "t0": 0, "t1": 1}]}}},
     "/sides/zh/layers/segments/spans/0: start 0 and end 9 are not offsets"),
    ({"text": "你好", "layers": {"segments": {"spans": [{"start": 0, "end": 2, "t0": 0, "t1": 1, "speaker": 3}]}}},
     "/sides/zh/layers/segments/spans/0/speaker: segment speaker is a number (3), not a string"),
    ("你好", "not an object")  # agree says "side zh is not an object" before the shape check,
])
def test_every_malformed_transcript_side_is_one_line_with_its_pointer(tmp_path: Path, cli, side: Any,
                                                                       pointer: str) -> None:
    """One shape check before scoring (evaluate, agree, --join recording): no traceback for any of these
    (agree met AttributeError and evaluate a TypeError past its except list before it)."""
    good = {"text": "你好", "media": {"uri": "a.wav"}, "layers": {"segments": {"spans": [
        {"start": 0, "end": 2, "t0": 0, "t1": 1}]}}}
    bad = write_jsonl(tmp_path / "bad.jsonl", [{"id": "r1", "sides": {"zh": side}}])
    ok = write_jsonl(tmp_path / "ok.jsonl", [{"id": "r1", "sides": {"zh": good}}])
    for args in (("evaluate", ok, bad, "--layer", "transcript"), ("agree", bad, ok, "--layer", "transcript"),
                 ("evaluate", bad, ok, "--layer", "transcript")):
        res = cli(*map(str, args))
        assert res.exit_code == 2 and len(res.output.strip().splitlines()) == 1, res.output
        assert "bad.jsonl" in res.output and pointer in res.output, res.output
    if not isinstance(side, dict):
        res = cli("evaluate", str(bad), str(ok), "--layer", "transcript")
        assert "bad.jsonl record 1 (id 'r1'): /sides/zh: side is a string, not an object [schema-type]" \
            in res.output
    else:
        side = {**side, "media": {"uri": "a.wav"}}
        with pytest.raises(InputError, match=re.escape(pointer)):
            list(by_recording([{"id": "r1", "sides": {"zh": side}}], "bad.jsonl"))


def test_documents_of_shards_merge_to_the_whole() -> None:
    rng = random.Random(11)
    sents = ["xin chào các bạn", "một hai ba bốn", "tôi yêu Hà Nội", "cảm ơn rất nhiều"]
    ref, hyp = [], []
    for i in range(40):
        s = rng.choice(sents)
        ref.append({"id": f"u{i:02d}", "sides": {"vi": {"text": s, "layers": {"segments": {"spans": [
            {"start": 0, "end": len(s), "t0": 0.0, "t1": 1.0, "speaker": f"S{i % 3}"}]}}}}})
        h = " ".join(_perturb(rng, s.split(), ["chào", "ba", "nhiều"], 0.4))
        hyp.append({"id": f"u{i:02d}", "sides": {"vi": {"text": h}}})
    whole = evaluate_transcripts(hyp, ref).to_dict()
    parts = [evaluate_transcripts(hyp[:17], ref[:17]).to_dict(), evaluate_transcripts(hyp[17:], ref[17:]).to_dict()]
    for group in ("speakers", "languages"):
        merged: dict[str, Tally] = {}
        for p in parts:
            for k, v in p[group].items():
                merged.setdefault(k, Tally.new()).add(Tally.from_dict(v))
        assert {k: t.to_dict() for k, t in merged.items()} == whole[group]
    total = Tally.new()
    for p in parts:
        total.add(Tally.from_dict(p["overall"]))
    assert total.to_dict() == whole["overall"] and whole["overall"]["sides"] == 40


def test_files_past_the_table_are_counted_once_each_through_a_spilling_index(monkeypatch: pytest.MonkeyPatch) -> None:
    """The keys of unlisted files go to a DuplicateIndex (on disk past its limit), not a set in memory:
    a corpus without media has as many files as records. Recordings met again, after others, count once."""
    import functools

    import lancang.quality.wer as wer

    monkeypatch.setattr(wer, "DuplicateIndex", functools.partial(wer.DuplicateIndex, spill_at=4))
    ref = [{"id": f"u{i:02d}", "sides": {"vi": {"text": "một hai", "media": {"uri": f"r{i % 7}.wav"}}}}
           for i in range(40)]
    ev = evaluate_transcripts([dict(r) for r in ref], ref, max_files=3)
    assert ev.files_total == 7 and len(ev.to_dict()["files"]) == 3
    ev = evaluate_transcripts([{"id": r["id"], "sides": {"vi": {"text": "một"}}} for r in ref],
                              [{"id": r["id"], "sides": {"vi": {"text": "một hai"}}} for r in ref], max_files=3)
    assert ev.to_dict()["files_total"] == 40 and ev.overall.fit.dels == 40


def test_scattered_recordings_are_found_past_the_memory_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    """by_recording keeps the recordings it met in a DuplicateIndex (on disk past its bound), not a set: one
    met again after others is still an input error naming it and where it came first."""
    import functools

    import lancang.quality.wer as wer

    monkeypatch.setattr(wer, "DuplicateIndex", functools.partial(wer.DuplicateIndex, spill_at=2))
    recs = [{"id": f"u{i}", "sides": {"vi": {"text": f"câu {i}", "media": {"uri": f"r{i}.wav"}}}} for i in range(6)]
    recs.append({"id": "late", "sides": {"vi": {"text": "lại", "media": {"uri": "r1.wav"}}}})
    with pytest.raises(InputError, match=r"R record 7: recording 'r1.wav' again after other recordings \(first at "
                                         r"record 2\)"):
        list(by_recording(recs, "R"))
    merged = list(by_recording([{"id": "a", "sides": {"vi": {"text": "", "media": {"uri": "x"}}}},
                                {"id": "b", "sides": {"vi": {"text": "một", "media": {"uri": "x"}}}},
                                {"id": "c", "sides": {"vi": {"text": "hai", "media": {"uri": "x"}}}}], "R"))
    assert merged == [{"id": "x", "sides": {"vi": {"text": "một\nhai", "layers": {}, "media": {"uri": "x"}}}}]
