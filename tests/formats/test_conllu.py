from __future__ import annotations

import glob
from pathlib import Path
from typing import Any

import pytest

from lancang.corpora.formats import get_format
from lancang.corpora.formats.conllu import read, write
from lancang.errors import InputError, UsageError
from lancang.schemas.validator import RecordValidator

from ..conftest import SHARED_DATA, shared
from .contract import FormatContract

UD_FILES = sorted(glob.glob(str(SHARED_DATA / "ud" / "*" / "*.conllu"))
                  + glob.glob(str(SHARED_DATA / "parallel" / "pud" / "*.conllu")))


class TestConllu(FormatContract):
    format_name = "conllu"
    langs = ["th"]
    filename = "out"

    def normalise(self, rec: dict[str, Any]) -> dict[str, Any]:
        """The comment layout (meta.conllu) and the SpaceAfter=No the writer derives from the
        spans are CoNLL-U's spelling of what the record already says; leave them out."""
        r = super().normalise(rec)
        for side in r["sides"].values():
            meta = side.get("meta", {})
            meta.pop("conllu", None)
            if not meta:
                side.pop("meta", None)
            misc = side.get("layers", {}).get("misc")
            if misc:
                vals = [None if v == "SpaceAfter=No" else v for v in misc["values"]]
                if all(v is None for v in vals):
                    del side["layers"]["misc"]
        return r


@pytest.mark.parametrize("path", UD_FILES, ids=lambda p: Path(p).name)
def test_shared_ud_files_round_trip_byte_identical(path: str, tmp_path: Path) -> None:
    shared("ud")
    out = tmp_path / "back.conllu"
    rv = RecordValidator()
    recs = []
    for rec in read(path):
        assert rv.check(rec) == [], rec["id"]
        side = next(iter(rec["sides"].values()))
        toks = [side["text"][s:e] for s, e in side["layers"]["tokens"]["spans"]]
        assert all(t.strip() == t and t for t in toks)
        recs.append(rec)
    assert write(iter(recs), out) == len(recs)
    assert out.read_bytes() == Path(path).read_bytes()


def test_pud_sentence_layers() -> None:
    path = shared("parallel", "pud", "en_pud.conllu")
    recs = {r["id"]: r for r in read(path)}
    first = recs["n01001011"]
    assert first["doc"] == "n01001" and list(first["sides"]) == ["en"]
    en = first["sides"]["en"]
    assert en["meta"]["parallel_id"] == "pud/n01001011"
    assert en["text"].startswith("“While much of the digital transition")
    lay = en["layers"]
    words = [en["text"][s:e] for s, e in lay["tokens"]["spans"]]
    assert words[:3] == ["“", "While", "much"]
    assert lay["pos"]["values"][:3] == ["PUNCT", "SCONJ", "ADJ"]
    assert lay["xpos"]["values"][0] == "``"
    assert lay["head"]["values"][:3] == [20, 9, 9]
    assert lay["deprel"]["values"][1] == "mark"
    assert lay["deps"]["values"][6] == "3:nmod:of"
    assert lay["feats"]["values"][:3] == [None, None, "Degree=Pos"]
    assert lay["misc"]["values"][0] == "SpaceAfter=No"
    assert lay["lemma"]["values"][0] == '"'
    # the empty node of n01012003 is kept verbatim, between words 7 and 8
    e = recs["n01012003"]["sides"]["en"]
    assert e["meta"]["conllu"]["empty"] == [
        "7.1\tstarted\tstart\tVERB\tVBD\tMood=Ind|Tense=Past|VerbForm=Fin\t_\t_\t7:conj\t_"]
    # documents carry over to the following sentences
    assert recs["n01005023"]["doc"] == "n01005"


def test_multiword_tokens_in_indonesian() -> None:
    path = shared("ud", "id_gsd", "id_gsd-ud-dev.conllu")
    for rec in read(path):
        side = rec["sides"]["id"]
        for m in side["meta"]["conllu"].get("mwt", []):
            a, b = m["range"]
            spans = side["layers"]["tokens"]["spans"][a - 1:b]
            surface = side["text"][spans[0][0]:spans[-1][1]]
            if surface == "satu-satunya":  # the forms (satu + nya) do not spell the surface
                assert [side["text"][s:e] for s, e in spans] == ["satu", "nya"]
                assert "forms" not in m
                return
    pytest.fail("satu-satunya not found")


def test_language_from_file_name_or_src(tmp_path: Path) -> None:
    p = tmp_path / "vi_test-ud-dev.conllu"
    p.write_text("# text = Xin chào\n1\tXin chào\t_\t_\t_\t_\t_\t_\t_\t_\n\n", encoding="utf-8")
    [rec] = read(p)
    assert list(rec["sides"]) == ["vi"] and rec["id"] == "1"
    assert rec["sides"]["vi"]["layers"]["tokens"]["spans"] == [[0, 8]]
    [rec] = read(p, langs=["vi-VN"])
    assert list(rec["sides"]) == ["vi-VN"]
    q = tmp_path / "corpus.conllu"
    q.write_bytes(p.read_bytes())
    with pytest.raises(UsageError, match="--src"):
        list(read(q))


NO_TEXT = (
    "# sent_id = s1\n"
    "# a free comment\n"
    "1-2\tau\t_\t_\t_\t_\t_\t_\t_\t_\n"
    "1\tà\tà\tADP\t_\t_\t3\tcase\t_\t_\n"
    "2\tle\tle\tDET\t_\t_\t3\tdet\t_\t_\n"
    "3\tmarché\tmarché\tNOUN\t_\t_\t0\troot\t_\tSpaceAfter=No\n"
    "4\t.\t.\tPUNCT\t_\t_\t3\tpunct\t_\t_\n"
    "\n"
)


def test_text_rebuilt_from_space_after_and_non_concatenative_mwt(tmp_path: Path) -> None:
    p = tmp_path / "fr_x.conllu"
    p.write_text(NO_TEXT, encoding="utf-8")
    [rec] = read(p)
    fr = rec["sides"]["fr"]
    assert fr["text"] == "au marché."
    assert fr["layers"]["tokens"]["spans"] == [[0, 1], [1, 2], [3, 9], [9, 10]]
    assert fr["meta"]["conllu"]["mwt"] == [{"range": [1, 2], "forms": ["à", "le"]}]
    assert RecordValidator().check(rec) == []
    out = tmp_path / "o.conllu"
    write([rec], out)
    assert out.read_text(encoding="utf-8") == NO_TEXT  # no "# text" added, the forms come back


def test_records_from_other_formats(tmp_path: Path) -> None:
    recs = [
        {"id": "a", "doc": "d1", "sides": {"zh-Hans": {"text": "我爱北京。", "layers": {
            "tokens": {"spans": [[0, 1], [1, 2], [2, 4], [4, 5]]},
            "head": {"values": [2, 0, 2, 2]}}}}},
        {"id": "b", "doc": "d1", "meta": {"source": "x"}, "sides": {"zh-Hans": {"text": "好 。", "layers": {
            "tokens": {"spans": [[0, 1], [2, 3]]}}}}},
        {"id": "c", "doc": "d2", "sides": {"zh-Hans": {"text": "", "meta": {"k": 3}}}},
    ]
    out = tmp_path / "o.conllu"
    assert write(recs, out) == 3
    assert out.read_text(encoding="utf-8") == (
        "# newdoc id = d1\n# sent_id = a\n# text = 我爱北京。\n"
        "1\t我\t_\t_\t_\t_\t2\t_\t_\tSpaceAfter=No\n2\t爱\t_\t_\t_\t_\t0\t_\t_\tSpaceAfter=No\n"
        "3\t北京\t_\t_\t_\t_\t2\t_\t_\tSpaceAfter=No\n4\t。\t_\t_\t_\t_\t2\t_\t_\t_\n\n"
        "# sent_id = b\n# source = x\n# text = 好 。\n"
        "1\t好\t_\t_\t_\t_\t_\t_\t_\t_\n2\t。\t_\t_\t_\t_\t_\t_\t_\t_\n\n"
        "# newdoc id = d2\n# sent_id = c\n# k = 3\n# text = \n\n")
    back = list(read(out, langs=["zh-Hans"]))
    assert [r["doc"] for r in back] == ["d1", "d1", "d2"]
    assert back[1]["sides"]["zh-Hans"]["meta"]["source"] == "x"


@pytest.mark.parametrize("body, message", [
    ("1\ta\t_\t_\t_\t_\t0\troot\t_\n", r"xx_t.conllu:2: .*10 tab-separated columns, this one has 9"),
    ("2\ta\t_\t_\t_\t_\t0\troot\t_\t_\n", r"xx_t.conllu:2: word ID 2 out of sequence"),
    ("1\ta\t_\t_\t_\t_\tX\troot\t_\t_\n", r"xx_t.conllu:2: HEAD 'X' is not a word ID"),
    ("1\tb\t_\t_\t_\t_\t0\troot\t_\t_\n", r"xx_t.conllu:2: FORM 'b' does not match the sentence text"),
    ("1-3\tab\t_\t_\t_\t_\t_\t_\t_\t_\n1\ta\t_\t_\t_\t_\t0\troot\t_\t_\n",
     r"xx_t.conllu:2: multiword token 1-3 goes past the last word"),
    ("1\ta\t_\t_\t_\t_\t0\troot\t_\t_\n# late\n", r"xx_t.conllu:3: comment line inside the token lines"),
    ("x\ta\t_\t_\t_\t_\t0\troot\t_\t_\n", r"xx_t.conllu:2: bad ID 'x'"),
])
def test_bad_input_is_located(tmp_path: Path, body: str, message: str) -> None:
    p = tmp_path / "xx_t.conllu"
    p.write_text("# text = a\n" + body + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=message):
        list(read(p))


def test_reading_streams(tmp_path: Path) -> None:
    p = tmp_path / "xx_t.conllu"
    p.write_text("1\ta\t_\t_\t_\t_\t0\troot\t_\t_\n\n1\tb\t_\n\n", encoding="utf-8")
    it = read(p)
    assert next(it)["sides"]["xx"]["text"] == "a"  # the first sentence comes before the bad line is seen
    with pytest.raises(InputError, match=":3:"):
        next(it)


def test_writer_errors(tmp_path: Path) -> None:
    out = tmp_path / "o.conllu"
    with pytest.raises(InputError, match="record 'r': the th side has no tokens"):
        write([{"id": "r", "sides": {"th": {"text": "ไทย"}}}], out)
    with pytest.raises(UsageError, match="2 sides"):
        write([{"id": "r", "sides": {"th": {"text": ""}, "en": {"text": ""}}}], out)
    with pytest.raises(InputError, match="line break"):
        write([{"id": "r", "sides": {"th": {"text": "a\nb"}}}], out)
    assert not out.exists()


def test_format_is_registered() -> None:
    fmt = get_format("conllu")
    assert fmt.extensions == (".conllu",) and fmt.max_sides == 1
