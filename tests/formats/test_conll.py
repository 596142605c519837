from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from lancang.corpora.formats.conll import decode_tags, encode_tags, join_tokens, read, write
from lancang.errors import InputError, UsageError
from lancang.schemas.validator import RecordValidator

from ..conftest import shared
from .contract import FormatContract, assert_needs_src


class TestConll(FormatContract):
    format_name = "conll"
    langs = ["vi"]
    keeps_ids = False

    def sample_records(self) -> list[dict[str, Any]]:
        """A column file cannot hold a sentence without tokens."""
        return [r for r in super().sample_records() if r["id"] != "empty"]

    def normalise(self, rec: dict[str, Any]) -> dict[str, Any]:
        """Column files keep tokens, not the spaces between them: compare token strings and
        entities as token ranges."""
        r = super().normalise(rec)
        r.pop("meta", None)
        for side in r["sides"].values():
            text = side.pop("text")
            layers = side.get("layers", {})
            spans = layers.pop("tokens")["spans"]
            side["tokens"] = [text[s:e] for s, e in spans]
            starts = {s: i for i, (s, _) in enumerate(spans)}
            ends = {e: i for i, (_, e) in enumerate(spans)}
            ents = layers.pop("entities", {"items": []})["items"]
            side["entities"] = [(starts[i["start"]], ends[i["end"]], i["label"]) for i in ents]
        return r


def test_weibo_round_trips_byte_identical(tmp_path: Path) -> None:
    for name in ("weiboNER_2nd_conll.dev", "weiboNER_2nd_conll.train"):
        src = shared("ner", "zh_weibo", name)
        recs = list(read(src, langs=["zh-Hans"], seg_suffix=True))
        rv = RecordValidator()
        assert all(rv.check(r) == [] for r in recs)
        out = tmp_path / name
        write(recs, out)
        assert out.read_bytes() == src.read_bytes()


def test_weibo_sentence_and_repairs() -> None:
    src = shared("ner", "zh_weibo", "weiboNER_2nd_conll.train")
    recs = list(read(src, langs=["zh-Hans"], seg_suffix=True))
    side = recs[0]["sides"]["zh-Hans"]
    assert " " not in side["text"][:20]  # Han characters are joined without spaces
    assert side["layers"]["x-segpos"]["values"][:3] == ["0", "1", "0"]
    # the I- tags that start an entity are repairs (the file is otherwise IOB2), listed per sentence
    repaired = [(r["id"], i) for r in recs for i in r.get("meta", {}).get("conll", {}).get("repaired", [])]
    assert len(repaired) == 10
    rid, i = repaired[0]
    rec = next(r for r in recs if r["id"] == rid)
    assert rec["meta"]["conll"]["scheme"] == "iob2"
    s = rec["sides"]["zh-Hans"]
    tok = s["layers"]["tokens"]["spans"][i]
    assert any(e["start"] == tok[0] for e in s["layers"]["entities"]["items"])
    # read strictly, the first broken tag is an error at its line
    lines = src.read_text(encoding="utf-8").split("\n")
    prev = "O"
    first = None
    for n, line in enumerate(lines, 1):
        tag = line.split("\t")[-1] if line.strip() else "O"
        if tag.startswith("I-") and (prev == "O" or prev[2:] != tag[2:]):
            first = n
            break
        prev = tag
    with pytest.raises(InputError, match=rf"weiboNER_2nd_conll.train:{first}: 'I-.*does not continue an entity"):
        list(read(src, langs=["zh-Hans"], scheme="iob2", seg_suffix=True))


def test_indonesian_token_bio(tmp_path: Path) -> None:
    src = shared("ner", "id_nergrit", "valid_preprocess.txt")
    recs = list(read(src, langs=["id"]))
    out = tmp_path / "o.txt"
    write(recs, out)
    assert out.read_bytes() == src.read_bytes()
    labels = {i["label"] for r in recs for i in r["sides"]["id"]["layers"]["entities"]["items"]}
    assert labels == {"PERSON", "PLACE", "ORGANISATION"}
    # idner2k: space-separated, CRLF, token UPOS tag
    src = shared("ner", "id_idner2k", "dev.txt")
    recs = list(read(src, langs=["id"]))
    first = recs[0]["sides"]["id"]
    assert first["layers"]["pos"]["values"][:2] == ["SCONJ", "ADV"]
    assert recs[0]["meta"]["conll"]["sep"] == "space"
    write(recs, out)
    assert list(read(out, langs=["id"])) == recs
    assert out.read_bytes() == src.read_bytes().replace(b"\r\n", b"\n") + b"\n"  # LF, and a final blank line


CONLL2003 = (
    "-DOCSTART- -X- -X- O\n\n"
    "EU NNP B-NP I-ORG\nrejects VBZ B-VP O\nGerman JJ B-NP I-MISC\ncall NN I-NP O\n"
    "to TO B-VP O\nboycott VB I-VP O\nBritish JJ B-NP I-MISC\nlamb NN I-NP O\n. . O O\n\n"
    "Peter NNP B-NP I-PER\nBlackburn NNP I-NP I-PER\nJohn NNP I-NP B-PER\n\n"
    "-DOCSTART- -X- -X- O\n\n"
    "BRUSSELS NNP B-NP I-LOC\n\n"
)


def test_conll2003_iob1_with_documents(tmp_path: Path) -> None:
    p = tmp_path / "eng.conll"
    p.write_text(CONLL2003, encoding="utf-8")
    recs = list(read(p, langs=["en"]))
    assert [(r["id"], r.get("doc")) for r in recs] == [("1", "d1"), ("2", "d1"), ("3", "d2")]
    side = recs[0]["sides"]["en"]
    assert side["text"] == "EU rejects German call to boycott British lamb ."
    assert side["layers"]["xpos"]["values"][:2] == ["NNP", "VBZ"]
    assert side["layers"]["x-chunk"]["values"][:2] == ["B-NP", "B-VP"]
    per = recs[1]["sides"]["en"]
    assert [(per["text"][i["start"]:i["end"]], i["label"]) for i in per["layers"]["entities"]["items"]] == [
        ("Peter Blackburn", "PER"), ("John", "PER")]
    assert recs[1]["meta"]["conll"]["scheme"] == "iob1"
    out = tmp_path / "o.conll"
    write(recs, out, sep="space")
    assert out.read_text(encoding="utf-8") == CONLL2003


def test_scheme_conversion(tmp_path: Path) -> None:
    p = tmp_path / "eng.conll"
    p.write_text(CONLL2003, encoding="utf-8")
    recs = list(read(p, langs=["en"]))
    expected = {
        "iob2": ["B-PER", "I-PER", "B-PER"],
        "bioes": ["B-PER", "E-PER", "S-PER"],
        "bilou": ["B-PER", "L-PER", "U-PER"],
        "iob1": ["I-PER", "I-PER", "B-PER"],
    }
    for scheme, tags in expected.items():
        out = tmp_path / f"{scheme}.conll"
        write(recs, out, scheme=scheme)
        block = out.read_text(encoding="utf-8").split("\n\n")[2]
        assert [line.split()[-1] for line in block.split("\n")] == tags
        back = list(read(out, langs=["en"], scheme=scheme))
        assert [r["sides"] for r in back] == [r["sides"] for r in recs]


@pytest.mark.parametrize("tags, scheme, message", [
    (["B-PER", "O"], "bioes", r"t:1: 'B-PER' is not followed by I-/E-"),
    (["B-PER", "I-PER"], "bioes", r"t:2: 'I-PER' ends an entity"),
    (["O", "B-PER"], "iob1", r"t:2: 'B-PER': IOB1 uses B- only right after"),
    (["S-PER"], "iob2", r"t:1: tag 'S-PER' is not allowed in IOB2"),
    (["X-PER"], "auto", r"t:1: tag 'X-PER' is not O or X-LABEL"),
])
def test_strict_schemes(tags: list[str], scheme: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        decode_tags(tags, scheme, lambda i: f"t:{i + 1}")


def test_lenient_decoding_and_encoding() -> None:
    items, used, repaired = decode_tags(["B-LOC", "I-LOC", "I-PER", "O", "B-PER"])
    assert items == [(0, 2, "LOC"), (2, 3, "PER"), (4, 5, "PER")] and used == "iob2" and repaired == [2]
    assert encode_tags(5, items, "iob2", repaired) == ["B-LOC", "I-LOC", "I-PER", "O", "B-PER"]
    items, used, _ = decode_tags(["S-X", "B-Y", "E-Y", "I-Y"])
    assert used == "bioes" and items == [(0, 1, "X"), (1, 3, "Y"), (3, 4, "Y")]
    assert join_tokens(["我", "爱", "Hà", "Nội", "ไทย", "ภาษา"]) == ("我爱 Hà Nội ไทยภาษา",
                                                                  [[0, 1], [1, 2], [3, 5], [6, 9], [10, 13], [13, 17]])


def test_bad_lines_and_writer_refusals(tmp_path: Path) -> None:
    p = tmp_path / "x.conll"
    p.write_text("a\tO\nb\tNN\tO\n\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"x.conll:2: the line has 3 columns, 2 expected"):
        list(read(p, langs=["en"]))
    p.write_text("a\tb\tc\td\te\tO\n\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"x.conll:1: 6 columns; name them"):
        list(read(p, langs=["en"]))
    assert list(read(p, langs=["en"], columns="token,lemma,pos,xpos,feat,ner"))[0]["sides"]["en"]["layers"][
        "x-feat"] == {"values": ["e"]}
    with pytest.raises(UsageError, match="columns start with token"):
        list(read(p, langs=["en"], columns="pos,token,a,b,c,ner"))
    out = tmp_path / "o.conll"

    def rec(items: list[dict[str, Any]], text: str = "Hà Nội đẹp") -> dict[str, Any]:
        return {"id": "r", "sides": {"vi": {"text": text, "layers": {
            "tokens": {"spans": [[0, 2], [3, 6], [7, 10]]}, "entities": {"items": items}}}}}
    with pytest.raises(InputError, match=r"record 'r': entity 'LOC' \[0, 4\] does not start and end on token"):
        write([rec([{"start": 0, "end": 4, "label": "LOC"}])], out)
    with pytest.raises(InputError, match="overlap"):
        write([rec([{"start": 0, "end": 6, "label": "LOC"}, {"start": 3, "end": 6, "label": "X"}])], out)
    with pytest.raises(InputError, match="cannot hold an empty sentence"):
        write([{"id": "e", "sides": {"vi": {"text": ""}}}], out)
    with pytest.raises(InputError, match="cannot be written to a space-separated"):
        write([{"id": "v", "sides": {"vi": {"text": "Hà Nội", "layers": {"tokens": {"spans": [[0, 6]]}}}}}],
              out, sep="space")
    assert not out.exists()


def test_reading_without_src_is_a_usage_error_not_und(cli, tmp_path: Path) -> None:
    """Issue 11: a column file does not say its language; without --src reading is a one-line usage error
    naming the file (exit 2), never a side called ``und``."""
    p = tmp_path / "x.conll"
    p.write_text("Hà\tB-LOC\nNội\tI-LOC\n\n", encoding="utf-8")
    assert_needs_src(cli, p, "conll", r"x.conll: a CoNLL file does not name the language of its text: "
                                      r"give it with --src", src="vi")
