from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from lancang.corpora.formats.brat import read, write
from lancang.errors import InputError, UsageError
from lancang.schemas.validator import RecordValidator

from ..conftest import shared
from .contract import FormatContract, assert_needs_src


class TestBrat(FormatContract):
    format_name = "brat"
    langs = ["km"]

    def path(self, tmp_path: Path) -> Path:
        return tmp_path / "corpus"  # a brat corpus is a folder

    def to_crlf_bom(self, path: Path) -> None:
        for txt in path.glob("*.txt"):
            data = txt.read_bytes().replace(b"\n", b"\r\n")
            txt.write_bytes(b"\xef\xbb\xbf" + data)

    def assert_same(self, original: list[dict[str, Any]], back: list[dict[str, Any]]) -> None:
        """A folder has no record order: documents come back sorted by file name."""
        super().assert_same(sorted(original, key=lambda r: r["id"]), back)

    def normalise(self, rec: dict[str, Any]) -> dict[str, Any]:
        r = super().normalise(rec)
        for side in r["sides"].values():
            side.get("meta", {}).pop("brat", None)
            if "meta" in side and not side["meta"]:
                del side["meta"]
        return r


def _docs(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.suffix in (".ann", ".txt")}


def test_every_shared_brat_corpus_round_trips_identically(tmp_path: Path) -> None:
    src = shared("formats", "brat")
    recs = list(read(src, langs=["en"]))
    assert len(recs) == len(list(src.glob("*.ann"))) == 146
    rv = RecordValidator()
    for rec in recs:
        assert rv.check(rec) == [], rec["id"]
    out = tmp_path / "out"
    assert write(iter(recs), out) == 146
    expected = {name: data for name, data in _docs(src).items()
                if name.endswith(".ann") or Path(src / name).with_suffix(".ann").exists()}
    assert _docs(out) == expected


def test_tdt_attributes_notes_and_layout() -> None:
    [rec] = read(shared("formats", "brat", "TDT__b105.ann"), langs=["fi"])
    assert rec["id"] == "TDT__b105" and list(rec["sides"]) == ["fi"]
    side = rec["sides"]["fi"]
    t1 = side["layers"]["entities"]["items"][0]
    assert t1 == {"id": "T1", "start": 0, "end": 7, "label": "N",
                  "attrs": {"#Lemma": " Delilah", "SUBCAT": "Prop", "NUM": "Sg", "CASE": "Nom", "OTHER": "UNK"}}
    assert side["text"][0:7] == "Delilah"
    layout = side["meta"]["brat"]
    assert layout["order"][:3] == ["T1", "#1", "A1"] and layout["attr_ids"]["A1"] == ["T1", "SUBCAT"]
    [rec] = read(shared("formats", "brat", "BioNLP-ST_2011__BioNLP-ST_2011_EPI__PMID-16379001.ann"), langs=["en"])
    side = rec["sides"]["en"]
    equiv = [r for r in side["layers"]["entities"]["relations"] if "id" not in r]
    assert equiv and equiv[0]["label"] == "Equiv" and all(a["role"] == "*" for a in equiv[0]["args"])
    assert "*" in side["meta"]["brat"]["order"]


def test_events_modifiers_and_nested_events() -> None:
    name = "BioNLP-ST_2011__BioNLP-ST_2011_GE__PMC-2065877-06-Results-05.ann"
    [rec] = read(shared("formats", "brat", name), langs=["en"])
    side = rec["sides"]["en"]
    rels = side["layers"]["entities"]["relations"]
    by_id = {r["id"]: r for r in rels if "id" in r}
    e15 = by_id["E15"]
    assert e15["label"] == "Positive_regulation"
    assert e15["args"] == [{"role": "trigger", "ref": "T73"}, {"role": "Theme", "ref": "E12"}]
    assert by_id["E3"]["attrs"] == {"Negation": True}
    assert side["meta"]["brat"]["attr_ids"]["M1"] == ["E3", "Negation"]
    # an event is listed after the events it refers to (file order stays in meta.brat.order)
    pos = {r["id"]: i for i, r in enumerate(rels) if "id" in r}
    assert pos["E12"] < pos["E15"]
    assert RecordValidator().check(rec) == []


def _pair(tmp_path: Path, txt: bytes, ann: str, name: str = "doc") -> Path:
    (tmp_path / f"{name}.txt").write_bytes(txt)
    (tmp_path / f"{name}.ann").write_text(ann, encoding="utf-8")
    return tmp_path / f"{name}.ann"


@pytest.mark.parametrize("bom_counts, crlf_units", [(True, 1), (False, 1), (True, 2), (False, 2)])
def test_bom_and_crlf_conventions_are_detected(tmp_path: Path, bom_counts: bool, crlf_units: int) -> None:
    raw = "\ufeffหัวเรื่อง\r\nกรุงเทพ 😀 มหานคร\r\nEnd"
    counted = raw[0 if bom_counts else 1:]
    if crlf_units == 1:
        counted = counted.replace("\r\n", "\n")
    s = counted.index("มหานคร")
    e2 = counted.index("End")
    ann = f"T1\tLOC {s} {s + 6}\tมหานคร\nT2\tX {e2} {e2 + 3}\tEnd\n"
    p = _pair(tmp_path, raw.encode("utf-8"), ann)
    [rec] = read(p, langs=["th"])
    side = rec["sides"]["th"]
    assert side["text"] == "หัวเรื่อง\nกรุงเทพ 😀 มหานคร\nEnd"
    items = side["layers"]["entities"]["items"]
    assert [side["text"][it["start"]:it["end"]] for it in items] == ["มหานคร", "End"]
    out = tmp_path / "out"
    write([rec], out)
    assert (out / "doc.txt").read_bytes() == raw.encode("utf-8")
    # the convention that fits every quoted span is kept, so the offsets come back the same
    assert (out / "doc.ann").read_text(encoding="utf-8") == ann


def test_forced_convention_that_does_not_fit_is_an_error(tmp_path: Path) -> None:
    p = _pair(tmp_path, b"ab\r\ncd", "T1\tX 3 5\tcd\n")
    [rec] = read(p, langs=["en"])
    assert rec["sides"]["en"]["layers"]["entities"]["items"][0]["start"] == 3
    with pytest.raises(InputError, match=r"doc.ann:1: T1: the .ann quotes 'cd' but the .txt has ' c' at 3 5"):
        list(read(p, langs=["en"], crlf_units=2))


def test_non_nfc_text_is_mapped_exactly_or_refused(tmp_path: Path) -> None:
    raw = "Vie\u0302\u0323t Nam"
    p = _pair(tmp_path, raw.encode(), "T1\tLOC 0 10\tVie\u0302\u0323t Nam\nT2\tLOC 7 10\tNam\n")
    [rec] = read(p, langs=["vi"])
    side = rec["sides"]["vi"]
    assert side["text"] == "Việt Nam" and side["meta"]["source_not_nfc"] is True
    assert [(i["start"], i["end"]) for i in side["layers"]["entities"]["items"]] == [(0, 8), (5, 8)]
    _pair(tmp_path, raw.encode(), "T1\tX 0 4\tVie\u0302\n")
    with pytest.raises(InputError, match=r"doc.ann:1: T1: offset 4 falls inside a character sequence that NFC"):
        list(read(p, langs=["vi"]))


DISCONTINUOUS = (
    "T1\tLOC 0 5;12 18\tSouth Africa\n"
    "T2\tPER 19 24\tNanda\n"
    "R1\tlives_in Arg1:T2 Arg2:T1\n"
    "A1\tUncertain T2\n"
    "N1\tReference T1 Wikidata:Q258\tSouth Africa\n"
    "N2\tReference T1 GeoNames:953987\tRepublic of South Africa\n"
    "#1\tAnnotatorNotes T1\tdiscontinuous on purpose\n"
    "#2\tAnnotatorNotes T1\ta second note\n"
)


def test_discontinuous_normalisations_and_notes_round_trip(tmp_path: Path) -> None:
    p = _pair(tmp_path, b"South and Africa Nanda",
              DISCONTINUOUS.replace("12 18", "10 16").replace("19 24", "17 22"))
    [rec] = read(p, langs=["en"])
    side = rec["sides"]["en"]
    t1 = side["layers"]["entities"]["items"][0]
    assert t1["fragments"] == [[0, 5], [10, 16]] and (t1["start"], t1["end"]) == (0, 16)
    assert t1["attrs"]["N:Reference"] == [{"ref": "Wikidata:Q258", "text": "South Africa"},
                                          {"ref": "GeoNames:953987", "text": "Republic of South Africa"}]
    assert t1["attrs"]["#AnnotatorNotes"] == ["discontinuous on purpose", "a second note"]
    assert RecordValidator().check(rec) == []
    out = tmp_path / "o"
    write([rec], out)
    assert (out / "doc.ann").read_text(encoding="utf-8") == p.read_text(encoding="utf-8")


@pytest.mark.parametrize("ann, message", [
    ("T1\tX 0 50\tabc\n", r"doc.ann:1: T1: offset 50 is past the end of the text"),
    ("T1\tX 0 3\tabd\n", r"doc.ann:1: T1: the .ann quotes 'abd' but the .txt has 'abc'"),
    ("T1\tX 0 3\tabc\nQ1\tfoo\n", r"doc.ann:2: 'Q1' is not a brat annotation id"),
    ("T1\tX 0 3\tabc\nR1\tr Arg1:T1 Arg2:T9\n", r"doc.ann:2: R1 refers to 'T9'"),
    ("T1\tX 0 3\tabc\nA1\tNeg T1\nA2\tNeg T1\n", r"doc.ann:3: A2: attribute Neg is set twice on T1"),
    ("T1\tX zero 3\tabc\n", r"doc.ann:1: T1: expected 'Type start end"),
    ("T1\tX 3 1\tabc\n", r"doc.ann:1: T1: span 3 1 ends before it starts"),
    ("T1\tX 0 3\tabc\nT1\tX 0 3\tabc\n", r"doc.ann:2: id T1 is used twice"),
    ("E1\tEv Theme:T1\n", r"doc.ann:1: event E1 has no trigger|doc.ann:1: E1 refers"),
])
def test_bad_ann_is_located(tmp_path: Path, ann: str, message: str) -> None:
    p = _pair(tmp_path, b"abc def", ann)
    with pytest.raises(InputError, match=message):
        list(read(p, langs=["en"]))


def test_missing_txt_and_bad_paths(tmp_path: Path) -> None:
    (tmp_path / "a.ann").write_text("", encoding="utf-8")
    with pytest.raises(InputError, match=r"a.ann: the text file a.txt is missing"):
        list(read(tmp_path, langs=["en"]))
    with pytest.raises(InputError, match="no such file"):
        list(read(tmp_path / "nothing", langs=["en"]))


def test_records_from_other_formats_get_brat_ids(tmp_path: Path) -> None:
    """Ids that are not brat's (T1, R1, ...) are renamed, references follow, notes get # lines."""
    rec = {"id": "ls-7", "sides": {"th": {"text": "นายกรัฐมนตรีไปเชียงใหม่", "layers": {"entities": {
        "items": [{"id": "abc", "start": 0, "end": 12, "label": "PER", "attrs": {"#AnnotatorNotes": "role"}},
                  {"id": "e2", "start": 14, "end": 23, "label": "LOC"}],
        "relations": [{"label": "goes_to", "args": [{"role": "from", "ref": "abc"}, {"role": "to", "ref": "e2"}]}],
    }}}}}
    out = tmp_path / "o"
    write([rec], out)
    assert (out / "ls-7.ann").read_text(encoding="utf-8") == (
        "T1\tPER 0 12\tนายกรัฐมนตรี\nT2\tLOC 14 23\tเชียงใหม่\n"
        "R1\tgoes_to from:T1 to:T2\n#1\tAnnotatorNotes T1\trole\n")
    [back] = read(out, langs=["th"])
    assert back["sides"]["th"]["text"] == rec["sides"]["th"]["text"]


def test_writer_refuses_what_brat_cannot_say(tmp_path: Path) -> None:
    def one(**item: Any) -> dict[str, Any]:
        return {"id": "d", "sides": {"en": {"text": "New York", "layers": {"entities": {
            "items": [{"id": "T1", "start": 0, "end": 8, **item}]}}}}}
    out = tmp_path / "o"
    with pytest.raises(InputError, match=r"record 'd': label 'Big City' cannot be written to brat"):
        write([one(label="Big City")], out)
    with pytest.raises(InputError, match=r"attribute score = 0.5 cannot be written"):
        write([one(label="LOC", attrs={"score": 0.5})], out)
    with pytest.raises(InputError, match="cannot be used as a brat file name"):
        write([{"id": "../x", "sides": {"en": {"text": ""}}}], out)
    assert not out.exists()
    single = tmp_path / "one.ann"
    with pytest.raises(UsageError, match="one .ann holds one document"):
        write([one(label="LOC"), {**one(label="LOC"), "id": "e"}], single)
    assert not single.exists()
    write([one(label="LOC")], single)
    assert single.read_text(encoding="utf-8") == "T1\tLOC 0 8\tNew York\n"
    assert (tmp_path / "one.txt").read_text(encoding="utf-8") == "New York"


@pytest.mark.parametrize("which", ["txt", "ann"])
def test_symlink_out_of_the_folder_is_refused_without_its_content(cli, tmp_path: Path, which: str) -> None:
    """Issue 12: a symlinked .txt/.ann pointing outside the folder given is an error naming the link."""
    outside = tmp_path / "secret"
    outside.mkdir()
    (outside / "passwd").write_text("root:x:0:0:SECRET-CONTENT\n", encoding="utf-8")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "ok.txt").write_text("Budi", encoding="utf-8")
    (corpus / "ok.ann").write_text("T1\tPER 0 4\tBudi\n", encoding="utf-8")
    if which == "txt":
        (corpus / "doc.ann").write_text("", encoding="utf-8")
        (corpus / "doc.txt").symlink_to(outside / "passwd")
    else:
        (corpus / "doc.txt").write_text("Budi", encoding="utf-8")
        (corpus / "doc.ann").symlink_to(outside / "passwd")
    link = corpus / f"doc.{which}"
    with pytest.raises(InputError, match="a symbolic link leading outside") as exc:
        list(read(corpus, langs=["id"]))
    assert str(link) in str(exc.value) and "SECRET" not in str(exc.value) and "secret" not in str(exc.value)
    with pytest.raises(InputError, match="a symbolic link leading outside"):
        list(read(corpus / "doc.ann", langs=["id"]))
    res = cli("convert", str(corpus), str(tmp_path / "o.jsonl"), "--from", "brat", "--src", "id")
    assert res.exit_code == 2 and "a symbolic link leading outside" in res.output and "SECRET" not in res.output
    assert not (tmp_path / "o.jsonl").exists()


def test_symlinks_inside_the_folder_are_read(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    (corpus / "real").mkdir(parents=True)
    (corpus / "real" / "a.txt").write_text("Budi", encoding="utf-8")
    (corpus / "a.ann").write_text("T1\tPER 0 4\tBudi\n", encoding="utf-8")
    (corpus / "a.txt").symlink_to(corpus / "real" / "a.txt")
    [rec] = list(read(corpus, langs=["id"]))
    assert rec["sides"]["id"]["text"] == "Budi"


def test_reading_without_src_is_a_usage_error_not_und(cli, tmp_path: Path) -> None:
    """Issue 11: brat does not say the language of its text; reading it without --src is a one-line usage
    error naming the input (exit 2), never a side called ``und``."""
    p = _pair(tmp_path, b"Budi", "T1\tPER 0 4\tBudi\n")
    assert_needs_src(cli, p, "brat", r"doc.ann: a brat corpus does not name the language of its text: "
                                     r"give it with --src", src="id")
