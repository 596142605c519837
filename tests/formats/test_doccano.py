from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest

from lancang.corpora.formats.doccano import read, write
from lancang.errors import InputError, UsageError
from lancang.schemas.validator import RecordValidator

from .contract import FormatContract, assert_needs_src

# doccano's own examples (doccano/doccano, MIT): backend/data_export/pipeline/examples/
# sequence_labeling/example.jsonl and backend/data_import/pipeline/examples/relation_extraction/example.jsonl
SEQUENCE = (b'{"text": "EU rejects German call to boycott British lamb.", '
            b'"label": [ [0, 2, "ORG"], [11, 17, "MISC"] ]}\n'
            b'{"text": "Peter Blackburn", "label": [ [0, 15, "PERSON"] ]}\n'
            b'{"text": "President Obama", "label": [ [10, 15, "PERSON"] ]}\n')
RELATIONS = {"text": "Google was founded on September 4, 1998, by Larry Page and Sergey Brin.",
             "entities": [{"id": 0, "start_offset": 0, "end_offset": 6, "label": "ORG"},
                          {"id": 1, "start_offset": 22, "end_offset": 39, "label": "DATE"},
                          {"id": 2, "start_offset": 44, "end_offset": 54, "label": "PERSON"},
                          {"id": 3, "start_offset": 59, "end_offset": 70, "label": "PERSON"}],
             "relations": [{"from_id": 0, "to_id": 1, "type": "foundedAt"},
                           {"from_id": 0, "to_id": 2, "type": "foundedBy"},
                           {"from_id": 0, "to_id": 3, "type": "foundedBy"}]}


class TestDoccano(FormatContract):
    format_name = "doccano"
    langs = ["my"]

    def normalise(self, rec: dict[str, Any]) -> dict[str, Any]:
        r = super().normalise(rec)
        r.get("meta", {}).pop("doccano", None)
        if "meta" in r and not r["meta"]:
            del r["meta"]
        return r


def _texts(rec: dict[str, Any]) -> list[tuple[str, str]]:
    side = next(iter(rec["sides"].values()))
    return [(side["text"][i["start"]:i["end"]], i["label"]) for i in side["layers"]["entities"]["items"]]


def test_sequence_labelling_example(tmp_path: Path) -> None:
    p = tmp_path / "seq.jsonl"
    p.write_bytes(SEQUENCE)
    recs = list(read(p, langs=["en"]))
    assert [r["id"] for r in recs] == ["1", "2", "3"]  # no ids: line numbers
    assert _texts(recs[0]) == [("EU", "ORG"), ("German", "MISC")]
    assert recs[0]["meta"] == {"doccano": {"form": "label"}}
    out = tmp_path / "o.jsonl"
    write(recs, out)
    assert [orjson.loads(x)["label"] for x in out.read_bytes().splitlines()] == [
        [[0, 2, "ORG"], [11, 17, "MISC"]], [[0, 15, "PERSON"]], [[10, 15, "PERSON"]]]


def test_relation_example(tmp_path: Path) -> None:
    p = tmp_path / "rel.jsonl"
    p.write_bytes(orjson.dumps(RELATIONS) + b"\n")
    [rec] = read(p, langs=["en"])
    assert RecordValidator().check(rec) == []
    assert _texts(rec) == [("Google", "ORG"), ("September 4, 1998", "DATE"), ("Larry Page", "PERSON"),
                           ("Sergey Brin", "PERSON")]
    rels = rec["sides"]["en"]["layers"]["entities"]["relations"]
    assert rels[0] == {"label": "foundedAt", "args": [{"role": "from", "ref": "T0"}, {"role": "to", "ref": "T1"}]}
    out = tmp_path / "o.jsonl"
    write([rec], out)
    back = orjson.loads(out.read_bytes())
    assert back == {"id": 1, **RELATIONS, "lancang_lang": "en"}


def test_utf16_grapheme_and_codepoint_offsets(tmp_path: Path) -> None:
    text = "👨🏻\u200d🚒 firemen drive firetrucks"  # doccano issue 2290
    p = tmp_path / "e.jsonl"
    p.write_bytes(orjson.dumps({"id": 5, "text": text, "label": [[22, 32, "VEHICLE"]]}) + b"\n")
    [rec] = read(p, langs=["en"])
    assert _texts(rec) == [("firetrucks", "VEHICLE")]
    p.write_bytes(orjson.dumps({"id": 5, "text": text, "label": [[16, 26, "VEHICLE"]]}) + b"\n")
    [rec] = read(p, langs=["en"], offsets="grapheme")
    assert _texts(rec) == [("firetrucks", "VEHICLE")]
    out = tmp_path / "o.jsonl"
    write([rec], out, offsets="grapheme")
    assert orjson.loads(out.read_bytes())["label"] == [[16, 26, "VEHICLE"]]
    write([rec], out)
    assert orjson.loads(out.read_bytes())["label"] == [[22, 32, "VEHICLE"]]
    write([rec], out, offsets="codepoint")
    assert orjson.loads(out.read_bytes())["label"] == [[19, 29, "VEHICLE"]]


def test_other_keys_are_kept(tmp_path: Path) -> None:
    doc = {"id": 9, "text": "ສະບາຍດີ", "label": [], "Comments": ["check"], "source": "news"}
    p = tmp_path / "k.jsonl"
    p.write_bytes(orjson.dumps(doc) + b"\n")
    [rec] = read(p, langs=["lo"])
    assert rec["meta"]["Comments"] == ["check"] and rec["meta"]["source"] == "news"
    out = tmp_path / "o.jsonl"
    write([rec], out)
    assert orjson.loads(out.read_bytes()) == {**doc, "lancang_lang": "lo"}  # the language, which doccano cannot say


@pytest.mark.parametrize("line, message", [
    (b'{"id": 1, "text": "\xf0\x9f\x98\x80x", "label": [[1, 3, "X"]]}',
     r"k.jsonl:1: span \[1, 3\] X: UTF-16 offset 1 falls inside"),
    (b'{"id": 1, "text": "abc", "label": [[0, 9, "X"]]}',
     r"k.jsonl:1: span \[0, 9\] X: UTF-16 offset 9 is outside the text"),
    (b'{"id": 1, "label": []}', r"k.jsonl:1: a doccano document has a text string"),
    (b'[1, 2]', r"k.jsonl:1: a doccano line is a JSON object, not an array"),
    (b'{"id": 1, "text": "ab", "entities": [{"id": 0, "start_offset": 0, "end_offset": 1, "label": "A"}], '
     b'"relations": [{"from_id": 0, "to_id": 7, "type": "r"}]}', r"k.jsonl:1: relation None refers to entity 7"),
    (b'{"id": 1, "text": "ab"', r"k.jsonl:1: malformed JSON"),
])
def test_bad_input_is_located(tmp_path: Path, line: bytes, message: str) -> None:
    p = tmp_path / "k.jsonl"
    p.write_bytes(b'\n' * 0 + line + b"\n")
    with pytest.raises(InputError, match=message):
        list(read(p, langs=["en"]))


def test_writer_refusals(tmp_path: Path) -> None:
    out = tmp_path / "o.jsonl"
    rec = {"id": "x", "sides": {"en": {"text": "ab cd", "layers": {"entities": {"items": [
        {"id": "T1", "start": 0, "end": 5, "label": "A", "fragments": [[0, 2], [3, 5]]}]}}}}}
    with pytest.raises(InputError, match="record 'x': entity 'T1' is discontinuous"):
        write([rec], out)
    with pytest.raises(UsageError, match="form=.spans. is not one of"):
        write([rec], out, form="spans")
    assert not out.exists()


def test_reading_without_src_is_a_usage_error_not_und(cli, tmp_path: Path) -> None:
    """Issue 11: a doccano line that does not name its language needs --src: a one-line usage error naming
    the line and the document (exit 2), never a side called ``und``."""
    p = tmp_path / "seq.jsonl"
    p.write_bytes(SEQUENCE)
    assert_needs_src(cli, p, "doccano", r"seq.jsonl:1: doccano document 1 does not name the language of its "
                                        r"text: give it with --src", src="en")


def test_a_lancang_written_file_reads_back_with_its_language(cli, tmp_path: Path) -> None:
    """The writer stores each side's language in the line (``lancang_lang``, kept by doccano as metadata),
    so a file lancang wrote reads back without --src; --src still overrides it, and a stored value that
    is not a BCP 47 tag is an input error naming the line."""
    recs = [{"id": "1", "sides": {"th": {"text": "กรุงเทพ", "layers": {"entities": {"items": [
                {"start": 0, "end": 7, "label": "LOC"}]}}}}},
            {"id": "2", "sides": {"lo": {"text": "ວຽງຈັນ"}}}]
    p = tmp_path / "out.doccano.jsonl"
    write(recs, p)
    back = list(read(p))
    assert [list(r["sides"]) for r in back] == [["th"], ["lo"]]
    assert back[0]["sides"]["th"]["layers"]["entities"]["items"] == [{"start": 0, "end": 7, "label": "LOC"}]
    assert all("lancang_lang" not in r.get("meta", {}) for r in back)  # not metadata once read
    assert [list(r["sides"]) for r in read(p, langs=["zh-Hans"])] == [["zh-Hans"], ["zh-Hans"]]
    out = tmp_path / "back.jsonl"
    assert cli("convert", str(p), str(out)).exit_code == 0
    assert [list(orjson.loads(x)["sides"]) for x in out.read_bytes().splitlines()] == [["th"], ["lo"]]
    p.write_bytes(b'{"id": 3, "text": "x", "lancang_lang": "not a tag"}\n')
    with pytest.raises(InputError, match=r"out.doccano.jsonl:1: doccano document 3 names its language 'not a tag', "
                                         r"which is not a BCP 47 tag"):
        list(read(p))


def test_a_bilingual_record_is_one_line_per_side_and_reads_back(cli, tmp_path: Path) -> None:
    """Issue 16: doccano shows one text per document: a zh-th record is two lines carrying the record id
    and the side tags, grouped back into one record; doccano cannot hold the links between them."""
    from .test_labelstudio_bilingual import ZH_TH

    rec = {k: v for k, v in ZH_TH.items() if k != "links"}
    rec = {**rec, "sides": {t: {"text": s["text"], "layers": {"entities": {"items": s["layers"]["entities"]["items"]}}}
                            for t, s in rec["sides"].items()}, "meta": {"batch": 3}}
    out = tmp_path / "b.doccano.jsonl"
    assert write([rec, {"id": "m1", "sides": {"th": {"text": "สมชาย"}}}], out) == 2
    lines = [orjson.loads(x) for x in out.read_bytes().splitlines()]
    assert [(d["id"], d["lancang_lang"], d.get("lancang_id"), d.get("lancang_langs")) for d in lines] == [
        ("pud-7/zh-Hans", "zh-Hans", "pud-7", ["zh-Hans", "th"]), ("pud-7/th", "th", "pud-7", ["zh-Hans", "th"]),
        ("m1", "th", None, None)]
    assert lines[0]["entities"][1] == {"id": 2, "label": "PER", "start_offset": 9, "end_offset": 11}  # UTF-16
    back = list(read(out))
    assert [b["id"] for b in back] == ["pud-7", "m1"]
    assert back[0]["sides"] == rec["sides"] and back[0]["meta"]["batch"] == 3
    [renamed, _] = read(out, langs=["zh", "th-TH"])
    assert list(renamed["sides"]) == ["zh", "th-TH"]
    # a side's line missing, or twice: an error naming the line
    (tmp_path / "gap.jsonl").write_bytes(orjson.dumps(lines[0]) + b"\n" + orjson.dumps(lines[2]) + b"\n")
    with pytest.raises(InputError, match=r"gap.jsonl:1: record 'pud-7' has no line for side\(s\) th"):
        list(read(tmp_path / "gap.jsonl"))
    (tmp_path / "twice.jsonl").write_bytes(b"".join(orjson.dumps(d) + b"\n" for d in (lines[0], lines[0])))
    with pytest.raises(InputError, match=r"twice.jsonl:2: record 'pud-7' has a second line for side 'zh-Hans'"):
        list(read(tmp_path / "twice.jsonl"))
    # the links between the sides are not carried: convert says so instead of dropping them
    src = tmp_path / "c.jsonl"
    src.write_bytes(orjson.dumps(ZH_TH) + b"\n")
    res = cli("convert", str(src), str(tmp_path / "o.doccano.jsonl"))
    assert res.exit_code == 2 and "beads" in res.output and "token-links" in res.output
