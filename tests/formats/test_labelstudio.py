from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest

import lancang.corpora.formats.labelstudio as lsmod
from lancang.corpora.formats import FEATURES
from lancang.corpora.formats.labelstudio import iter_json_values, read, write
from lancang.errors import InputError, UsageError
from lancang.schemas.validator import RecordValidator

from .contract import FormatContract, assert_needs_src

DATA = Path(__file__).parent / "data"
TEXT = "👩🏽\u200d💻 ไปเชียงใหม่ with Somchai"  # an emoji ZWJ sequence of 4 code points, 7 UTF-16 units


class TestLabelStudio(FormatContract):
    format_name = "labelstudio"
    langs = ["lo"]

    def normalise(self, rec: dict[str, Any]) -> dict[str, Any]:
        r = super().normalise(rec)
        r.get("meta", {}).pop("labelstudio", None)
        if "meta" in r and not r["meta"]:
            del r["meta"]
        return r

    def test_loss_is_refused(self, tmp_path: Path) -> None:
        """Since issue 16 a task holds every side, the links, and the layers with no region (in its meta):
        what it still cannot hold is an entity in several pieces (a region is one span)."""
        from lancang.corpora.convert import LossError, convert
        from lancang.corpora.jsonl import write_records

        # (and a side's media: a task has no place for it; segments and words ride with the other layers)
        assert set(FEATURES) - self.fmt.carries == {"discontinuous", "media"}
        rec = {"id": "full", "sides": {"th": {"text": "ไปเชียงใหม่", "layers": {"entities": {"items": [
            {"start": 0, "end": 11, "label": "X", "fragments": [[0, 2], [4, 11]]}]}}}}}
        src = tmp_path / "in.jsonl"
        write_records(src, [rec])
        out = self.path(tmp_path)
        with pytest.raises(LossError, match="record 'full'.*cannot hold"):
            convert(src, out, to_format=self.format_name)
        assert not out.exists()


def _region(rid: str, s: int, e: int, text: str, label: str, **extra: Any) -> dict[str, Any]:
    return {"id": rid, "from_name": "label", "to_name": "text", "type": "labels",
            "value": {"start": s, "end": e, "text": text, "labels": [label]}, **extra}


TASKS = [
    {"id": 7, "data": {"text": TEXT, "source": "web"}, "meta": {"batch": "b1"},
     "annotations": [
         {"id": 10, "completed_by": 3, "created_at": "2024-05-01T10:00:00.123Z", "updated_at": "2024-05-01T10:05:00Z",
          "lead_time": 12.5, "parent_prediction": 2,
          "result": [_region("a1", 10, 19, "เชียงใหม่", "LOC"), _region("a2", 25, 32, "Somchai", "PER"),
                     {"from_id": "a2", "to_id": "a1", "type": "relation", "direction": "right", "labels": ["goes_to"]},
                     {"id": "c1", "from_name": "sentiment", "to_name": "text", "type": "choices",
                      "value": {"choices": ["Positive"]}}]},
         {"id": 11, "completed_by": {"id": 4, "email": "b@x.org"}, "result": [_region("b1", 10, 19, "เชียงใหม่", "GPE")]},
     ],
     "predictions": [{"id": 2, "model_version": "pythainlp-ner==5.0", "score": 0.8,
                      "result": [_region("p1", 10, 19, "เชียงใหม่", "LOC", score=0.93)]}]},
    {"id": 8, "data": {"text": 'brackets ] and "quotes" \\ here'}},
]


def _named(tasks: list[dict[str, Any]], lang: str) -> list[dict[str, Any]]:
    """``tasks`` as lancang writes them back: with the text's language in ``meta.lancang_lang``."""
    return [{**t, "meta": {**(t.get("meta") or {}), "lancang_lang": lang}} for t in tasks]


def _write_tasks(p: Path, tasks: list[dict[str, Any]], indent: bool = True) -> Path:
    p.write_bytes(orjson.dumps(tasks, option=orjson.OPT_INDENT_2 if indent else 0))
    return p


def test_annotations_predictions_and_offsets(tmp_path: Path) -> None:
    p = _write_tasks(tmp_path / "export.json", TASKS)
    recs = list(read(p, langs=["th"], source="all"))
    assert [r["id"] for r in recs] == ["7/a10", "7/a11", "7/p2", "8"]
    rv = RecordValidator()
    for r in recs:
        assert rv.check(r) == [], r["id"]
    th = recs[0]["sides"]["th"]
    ents = th["layers"]["entities"]
    assert [(th["text"][i["start"]:i["end"]], i["label"]) for i in ents["items"]] == [("เชียงใหม่", "LOC"),
                                                                                      ("Somchai", "PER")]
    assert ents["items"][0]["start"] == 7  # UTF-16 10 = code point 7 after the 4-code-point emoji
    assert ents["relations"] == [{"label": "goes_to", "args": [{"role": "from", "ref": "a2"},
                                                              {"role": "to", "ref": "a1"}]}]
    assert ents["provenance"] == {"method": "assisted", "tool": {"name": "pythainlp-ner", "version": "5.0"},
                                  "annotator": "3", "time": "2024-05-01T10:05:00Z"}
    assert recs[0]["meta"]["batch"] == "b1"
    assert recs[0]["meta"]["labelstudio"]["results"][0]["type"] == "choices"  # kept, not dropped
    assert recs[1]["sides"]["th"]["layers"]["entities"]["provenance"] == {"method": "manual", "annotator": "b@x.org"}
    pred = recs[2]["sides"]["th"]["layers"]["entities"]
    assert pred["provenance"]["method"] == "auto" and pred["items"][0]["attrs"] == {"score": 0.93}
    assert "layers" not in recs[3]["sides"]["th"]

    out = tmp_path / "back.json"
    assert write(recs, out) == 4
    assert orjson.loads(out.read_bytes()) == _named(TASKS, "th")  # the same tasks, UTF-16 offsets and all
    assert list(read(out, langs=["th"], source="all")) == list(read(out, source="all")) == recs
    # by default the annotations are the records; the predictions are kept in the task and written back
    default = list(read(p, langs=["th"]))
    assert [r["id"] for r in default] == ["7/a10", "7/a11", "8"]
    assert default[0]["meta"]["labelstudio"]["task"]["predictions"] == TASKS[0]["predictions"]
    assert [r["id"] for r in read(p, langs=["th"], source="predictions")] == ["7", "8"]
    write(default, out)
    assert orjson.loads(out.read_bytes()) == _named(TASKS, "th")


def test_real_export_with_review_round_trips(tmp_path: Path) -> None:
    src = DATA / "labelstudio_converter_csv_test.json"
    recs = list(read(src, langs=["en"], source="all"))
    assert [r["id"] for r in recs] == ["1/a7", "1/p1"]
    prov = recs[0]["sides"]["en"]["layers"]["entities"]["provenance"]
    assert prov["method"] == "assisted" and prov["annotator"] == "hakan@heartex.com"
    assert prov["review"] == {"status": "rejected", "reviewer": "review@heartex.com",
                              "time": "2022-11-02T20:38:25.027900Z"}
    # image regions are not text spans: they are kept as they are
    assert recs[0]["meta"]["labelstudio"]["results"][0]["type"] == "rectanglelabels"
    out = tmp_path / "back.json"
    write(recs, out)
    assert orjson.loads(out.read_bytes()) == _named(orjson.loads(src.read_bytes()), "en")


def test_code_point_offsets_are_detected_or_forced(tmp_path: Path) -> None:
    task = {"id": 1, "data": {"text": TEXT}, "annotations": [{"result": [_region("x", 7, 16, "เชียงใหม่", "LOC")]}]}
    p = _write_tasks(tmp_path / "cp.json", [task])
    [rec] = read(p, langs=["th"])
    assert rec["sides"]["th"]["layers"]["entities"]["items"][0]["start"] == 7
    with pytest.raises(InputError, match=r"cp.json:2: task 1: annotation 1: region 'x' quotes 'เชียงใหม่' but the "
                                         r"text has ' ไปเชียงใ' at 7..16 \(utf16"):
        list(read(p, offsets="utf16", langs=["th"]))
    [rec] = read(p, offsets="codepoint", langs=["th"])
    assert rec["sides"]["th"]["layers"]["entities"]["items"][0]["end"] == 16


def test_auto_reports_a_quote_that_fits_no_unit(tmp_path: Path) -> None:
    task = {"id": 1, "data": {"text": TEXT}, "annotations": [{"result": [_region("x", 10, 19, "Chiang Mai", "LOC")]}]}
    p = _write_tasks(tmp_path / "bad.json", [task], indent=False)
    with pytest.raises(InputError, match=r"bad.json:1: task 1: annotation 1: region 'x' quotes 'Chiang Mai' but the "
                                         r"text has 'เชียงใหม่' at 10..19 \(utf16 offsets\)"):
        list(read(p, langs=["th"]))


def test_offset_inside_a_surrogate_pair_is_an_error(tmp_path: Path) -> None:
    task = {"id": 1, "data": {"text": "😀 abc"}, "annotations": [{"result": [_region("x", 1, 4, "", "X")]}]}
    p = _write_tasks(tmp_path / "s.json", [task], indent=False)
    with pytest.raises(InputError, match=r"s.json:1: task 1: annotation 1: region 'x': UTF-16 offset 1 falls inside "
                                         r"the character U\+1F600"):
        list(read(p, offsets="utf16", langs=["th"]))


def test_jsonl_and_single_task_inputs(tmp_path: Path) -> None:
    p = tmp_path / "tasks.jsonl"
    p.write_bytes(b"".join(orjson.dumps(t) + b"\n" for t in TASKS))
    assert [r["id"] for r in read(p, langs=["th"], source="all")] == ["7/a10", "7/a11", "7/p2", "8"]
    q = tmp_path / "one.json"
    q.write_bytes(orjson.dumps(TASKS[1], option=orjson.OPT_INDENT_2))
    assert [r["id"] for r in read(q, langs=["en"])] == ["8"]


def test_array_is_read_one_task_at_a_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lsmod, "_CHUNK", 5)  # escapes and brackets split across chunks
    p = _write_tasks(tmp_path / "a.json", TASKS)
    values = [v for _, v in iter_json_values(p)]
    assert values == TASKS
    broken = tmp_path / "b.json"
    broken.write_bytes(b'[{"id": 1, "data": {"text": "a]\\"}"}},\n {"id": 2, "data": {"text": }}]')
    it = iter_json_values(broken)
    assert next(it) == (1, {"id": 1, "data": {"text": 'a]"}'}})
    with pytest.raises(InputError, match=r"b.json:2: malformed JSON"):
        next(it)
    cut = tmp_path / "c.json"
    cut.write_bytes(b'[{"id": 1, "data": {"text": "x"}}, {"id"')
    with pytest.raises(InputError, match="not closed"):
        list(iter_json_values(cut))
    junk = tmp_path / "d.json"
    junk.write_bytes(b'[{"id": 1, "data": {"text": "x"}}, 42]')
    with pytest.raises(InputError, match="expected a task object"):
        list(iter_json_values(junk))


def test_foreign_records_become_tasks(tmp_path: Path) -> None:
    recs = [
        {"id": "s1", "sides": {"zh-Hans": {"text": "我爱北京。", "layers": {"entities": {
            "items": [{"id": "T1", "start": 2, "end": 4, "label": "LOC"}],
            "provenance": {"method": "auto", "tool": {"name": "hanlp", "version": "2.1"},
                           "time": "2026-01-01T00:00:00Z"}}}}}},
        {"id": "s2", "sides": {"zh-Hans": {"text": "😀北京", "layers": {"entities": {
            "items": [{"id": "T1", "start": 1, "end": 3, "label": "LOC"}],
            "provenance": {"method": "manual", "annotator": "ann-01",
                           "review": {"status": "accepted", "reviewer": "rev-1"}}}}}}},
    ]
    out = tmp_path / "o.json"
    write(recs, out)
    tasks = orjson.loads(out.read_bytes())
    assert tasks[0]["predictions"][0]["model_version"] == "hanlp==2.1"
    assert tasks[1]["annotations"][0]["completed_by"] == "ann-01"
    assert tasks[1]["annotations"][0]["result"][0]["value"] == {"start": 2, "end": 4, "text": "北京", "labels": ["LOC"]}
    back = list(read(out, langs=["zh-Hans"], source="all"))
    for a, b in zip(recs, back):
        assert b["sides"] == a["sides"]


def test_writer_refuses_what_label_studio_cannot_hold(tmp_path: Path) -> None:
    def rec(**lay: Any) -> dict[str, Any]:
        return {"id": "r", "sides": {"en": {"text": "New York", "layers": {"entities": {
            "items": [{"id": "e", "start": 0, "end": 8, "label": "LOC"}], **lay}}}}}
    out = tmp_path / "o.json"
    with pytest.raises(InputError, match="record 'r': entity 'e' is discontinuous"):
        write([{"id": "r", "sides": {"en": {"text": "New York", "layers": {"entities": {"items": [
            {"id": "e", "start": 0, "end": 8, "label": "LOC", "fragments": [[0, 3], [4, 8]]}]}}}}}], out)
    with pytest.raises(InputError, match="has 3 arguments"):
        write([rec(relations=[{"label": "x", "args": [{"role": "a", "ref": "e"}] * 3}])], out)
    assert not out.exists()


def test_brat_corpus_converts_to_label_studio_and_back(tmp_path: Path) -> None:
    from lancang.corpora.formats.brat import read as read_brat

    from ..conftest import shared

    src = shared("formats", "brat", "TDT__b105.ann")
    [rec] = read_brat(src, langs=["fi"])
    rec["sides"]["fi"].pop("meta")  # brat's line layout
    out = tmp_path / "tdt.json"
    write([rec], out)
    [back] = read(out, langs=["fi"])
    assert back["sides"] == rec["sides"]  # attributes, notes, relations and offsets survive


def test_reading_without_src_is_a_usage_error_not_und(cli, tmp_path: Path) -> None:
    """Issue 11: a task that does not name its language (any export Label Studio made) needs --src: a
    one-line usage error naming the line and the task (exit 2), never a side called ``und``."""
    p = _write_tasks(tmp_path / "export.json", TASKS)
    assert_needs_src(cli, p, "labelstudio", r"export.json:2: Label Studio task 7 does not name the language "
                                            r"of its text: give it with --src", src="th")


def test_a_lancang_written_export_reads_back_with_its_language(cli, tmp_path: Path) -> None:
    """The writer names each task's language in ``meta.lancang_lang`` (Label Studio keeps task meta on import
    and export), so a file lancang wrote reads back without --src, task by task; --src overrides it; a
    stored value that is not a BCP 47 tag is an input error naming the task."""
    recs = [{"id": "s1", "sides": {"km": {"text": "ភ្នំពេញ", "layers": {"entities": {"items": [
                {"id": "e1", "start": 0, "end": 7, "label": "LOC"}]}}}}},
            {"id": "s2", "sides": {"my": {"text": "ရန်ကုန်"}}}]
    ls = tmp_path / "review.ls.json"
    write(recs, ls)
    assert [t["meta"]["lancang_lang"] for t in orjson.loads(ls.read_bytes())] == ["km", "my"]
    back = list(read(ls))
    assert [b["sides"] for b in back] == [r["sides"] for r in recs]
    assert all("lancang_lang" not in b.get("meta", {}) for b in back)  # not record metadata once read
    assert [list(b["sides"]) for b in read(ls, langs=["lo"])] == [["lo"], ["lo"]]
    out = tmp_path / "back.jsonl"
    assert cli("convert", str(ls), str(out)).exit_code == 0
    assert [list(orjson.loads(x)["sides"]) for x in out.read_bytes().splitlines()] == [["km"], ["my"]]
    _write_tasks(ls, [{"id": 3, "data": {"text": "x"}, "meta": {"lancang_lang": 42}}], indent=False)
    with pytest.raises(InputError, match=r"review.ls.json:1: Label Studio task 3 names its language 42, "
                                         r"which is not a BCP 47 tag"):
        list(read(ls))


def test_a_task_meta_that_is_not_an_object_is_kept_as_it_was(tmp_path: Path) -> None:
    """Nowhere to put the language then: the task comes back unchanged, and reading it back needs --src."""
    tasks = [{"id": 1, "data": {"text": "Budi"}, "meta": "batch-3"}]
    p = _write_tasks(tmp_path / "s.json", tasks)
    out = tmp_path / "o.json"
    write(read(p, langs=["id"]), out)
    assert orjson.loads(out.read_bytes()) == tasks
    with pytest.raises(UsageError, match="Label Studio task 1 does not name the language"):
        list(read(out))


def test_one_side_review_choices_become_meta_review_and_go_back(tmp_path: Path) -> None:
    """Issue 16: the verdict, defect and note controls of a one-side task's annotation are the record's
    meta.review (reviewer = completed_by); written back, they are choices again and the task's meta has
    no review it did not have."""
    task = {"id": 5, "data": {"text": TEXT}, "meta": {"lancang_lang": "th"}, "annotations": [
        {"id": 9, "completed_by": {"id": 2, "email": "rev@x.org"}, "updated_at": "2026-12-01T10:00:00Z",
         "result": [_region("a", 25, 32, "Somchai", "PER"),
                    {"id": "v", "from_name": "verdict", "to_name": "text", "type": "choices",
                     "value": {"choices": ["fail"]}},
                    {"id": "d", "from_name": "defects", "to_name": "text", "type": "choices",
                     "value": {"choices": ["entity"]}},
                    {"id": "n", "from_name": "note", "to_name": "text", "type": "textarea",
                     "value": {"text": ["เชียงใหม่ is a LOC"]}}]}]}
    p = _write_tasks(tmp_path / "r.json", [task])
    [rec] = read(p)
    assert rec["meta"]["review"] == {"reviewer": "rev@x.org", "verdict": "fail", "defects": ["entity"],
                                     "note": "เชียงใหม่ is a LOC", "annotation": 9, "time": "2026-12-01T10:00:00Z"}
    assert "results" not in rec["meta"]["labelstudio"]  # read, not kept aside
    out = tmp_path / "o.json"
    write([rec], out)
    [back] = orjson.loads(out.read_bytes())
    assert "review" not in back["meta"]
    assert [r["value"] for r in back["annotations"][0]["result"][1:]] == [
        {"choices": ["fail"]}, {"choices": ["entity"]}, {"text": ["เชียงใหม่ is a LOC"]}]
    assert list(read(out)) == [rec]
