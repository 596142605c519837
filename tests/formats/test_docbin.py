from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from lancang.corpora.formats.conllu import read as read_conllu
from lancang.errors import InputError

from ..conftest import shared
from .contract import FormatContract, assert_needs_src

spacy = pytest.importorskip("spacy", reason='spaCy is not installed (pip install "lancang[spacy]")')

from spacy.tokens import Doc, DocBin  # noqa: E402
from spacy.vocab import Vocab  # noqa: E402

from lancang.corpora.formats.docbin import read, write  # noqa: E402


class TestDocBin(FormatContract):
    format_name = "docbin"
    langs = ["my"]
    crlf_bom = False  # a binary format


def test_ud_sentences_become_spacy_training_docs(tmp_path: Path) -> None:
    src = shared("ud", "vi_vtb", "vi_vtb-ud-dev.conllu")
    recs = []
    for rec in read_conllu(src):
        side = rec["sides"]["vi"]
        side.pop("meta", None)  # CoNLL-U layout notes
        recs.append(rec)
        if len(recs) == 50:
            break
    out = tmp_path / "vi.spacy"
    assert write(recs, out) == 50
    docs = list(DocBin().from_disk(out).get_docs(Vocab()))
    d0, r0 = docs[0], recs[0]["sides"]["vi"]
    assert d0.text == r0["text"]
    words = [r0["text"][s:e] for s, e in r0["layers"]["tokens"]["spans"]]
    assert [t.text for t in d0] == words  # Vietnamese words with spaces inside stay one token
    assert [t.pos_ for t in d0] == r0["layers"]["pos"]["values"]
    heads = r0["layers"]["head"]["values"]
    assert [0 if t.head.i == t.i else t.head.i + 1 for t in d0] == heads
    back = list(read(out, langs=["vi"]))
    assert [r["sides"] for r in back] == [r["sides"] for r in recs]
    assert [r["id"] for r in back] == [r["id"] for r in recs]


def test_white_space_and_foreign_docbins(tmp_path: Path) -> None:
    rec = {"id": "w", "sides": {"th": {"text": "  สวัสดี\n\nครับ   ", "layers": {
        "tokens": {"spans": [[2, 8], [10, 14]]},
        "entities": {"items": [{"id": "e1", "start": 10, "end": 14, "label": "X", "attrs": {"k": 1}}]}}}}}
    out = tmp_path / "w.spacy"
    write([rec], out)
    [doc] = DocBin().from_disk(out).get_docs(Vocab())
    assert doc.text == rec["sides"]["th"]["text"] and [e.text for e in doc.ents] == ["ครับ"]
    assert list(read(out)) == [rec]
    # a DocBin made by spaCy alone: what spaCy holds, records numbered from 1
    doc = Doc(Vocab(), words=["Hello", "world"], spaces=[True, False], ents=["B-MISC", "O"])
    db = DocBin(docs=[doc])
    plain = tmp_path / "plain.spacy"
    db.to_disk(plain)
    [r] = read(plain, langs=["en"])
    assert r == {"id": "1", "sides": {"en": {"text": "Hello world", "layers": {
        "tokens": {"spans": [[0, 5], [6, 11]]}, "entities": {"items": [{"start": 0, "end": 5, "label": "MISC"}]}}}}}


def test_refusals(tmp_path: Path) -> None:
    out = tmp_path / "o.spacy"

    def rec(**layers: Any) -> dict[str, Any]:
        return {"id": "r", "sides": {"en": {"text": "New York!", "layers": {
            "tokens": {"spans": [[0, 3], [4, 8]]}, **layers}}}}
    with pytest.raises(InputError, match=r"record 'r': text '!' at 8 is outside every token"):
        write([rec()], out)
    good = {"tokens": {"spans": [[0, 3], [4, 8], [8, 9]]}}
    with pytest.raises(InputError, match="spaCy refuses the en side"):
        write([rec(**good, pos={"values": ["PROPN", "NOTATAG", "PUNCT"]})], out)
    with pytest.raises(InputError, match="does not start and end on token boundaries"):
        write([rec(**good, entities={"items": [{"start": 0, "end": 5, "label": "LOC"}]})], out)
    assert not out.exists()
    bad = tmp_path / "bad.spacy"
    bad.write_bytes(b"not msgpack at all")
    with pytest.raises(InputError, match="not a spaCy DocBin"):
        list(read(bad))


def test_a_foreign_doc_without_src_is_a_usage_error_not_und(cli, tmp_path: Path) -> None:
    """Issue 11: a Doc spaCy wrote alone does not name its language; without --src reading it is a one-line
    usage error naming the file and the Doc (exit 2), never a side called ``und``. A Doc lancang wrote
    names it (``user_data``), so it reads back without --src, and --src overrides it."""
    plain = tmp_path / "plain.spacy"
    DocBin(docs=[Doc(Vocab(), words=["Hello", "world"], spaces=[True, False])]).to_disk(plain)
    assert_needs_src(cli, plain, "docbin", r"plain.spacy: doc 1: the Doc does not name the language of its "
                                           r"text: give it with --src", src="en")
    ours = tmp_path / "ours.spacy"
    write([{"id": "k", "sides": {"km": {"text": "ភ្នំពេញ", "layers": {"tokens": {"spans": [[0, 7]]}}}}}], ours)
    assert [list(r["sides"]) for r in read(ours)] == [["km"]]
    assert [list(r["sides"]) for r in read(ours, langs=["km-KH"])] == [["km-KH"]]
