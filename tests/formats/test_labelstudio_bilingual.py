"""Issue 16: one Label Studio task per bilingual record (every side, entities per side, beads and
token links as relations), the labelling configuration, and two reviewers' annotations read back."""

from __future__ import annotations

import copy
import unicodedata
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lancang.corpora.formats.labelstudio import config_for_tasks, config_xml, read, write
from lancang.errors import InputError
from lancang.schemas.validator import RecordValidator


def u16(text: str, cp: int) -> int:
    """A code-point offset as Label Studio counts it (UTF-16 code units)."""
    return len(text[:cp].encode("utf-16-le")) // 2


def auto(name: str) -> dict[str, Any]:
    return {"method": "auto", "tool": {"name": name, "version": "1.0"}}


ZH = "我在清迈😀见到了宋猜。"  # an emoji (2 UTF-16 units) before the person
TH = "ฉันพบสมชาย😀ที่เชียงใหม่"
ID = "Saya tinggal di Jakarta 🏙️. Budi juga."
MS = "Saya dan Budi tinggal di Jakarta 🏙️."

ZH_TH = {"id": "pud-7", "sides": {
    "zh-Hans": {"text": ZH, "layers": {
        "sentences": {"spans": [[0, 11]]},
        "tokens": {"spans": [[0, 1], [1, 2], [2, 4], [4, 5], [5, 7], [7, 8], [8, 10], [10, 11]],
                   "provenance": auto("jieba")},
        "entities": {"items": [{"id": "T1", "start": 2, "end": 4, "label": "LOC"},
                               {"id": "T2", "start": 8, "end": 10, "label": "PER"}], "provenance": auto("ner-zh")}}},
    "th": {"text": TH, "layers": {
        "sentences": {"spans": [[0, 23]]},
        "tokens": {"spans": [[0, 3], [3, 5], [5, 10], [10, 11], [11, 14], [14, 23]]},
        "entities": {"items": [{"id": "T1", "start": 5, "end": 10, "label": "PER"}], "provenance": auto("project")}}}},
    "links": [{"kind": "beads", "src": "zh-Hans", "tgt": "th", "beads": [{"src": [0], "tgt": [0], "score": 0.9}],
               "provenance": auto("bertalign")},
              {"kind": "tokens", "src": "zh-Hans", "tgt": "th", "pairs": [[0, 0, "S"], [2, 5, "S"], [6, 2, "P"]],
               "provenance": auto("simalign")}]}

ID_MS = {"id": "talpco-3", "sides": {
    "id": {"text": ID, "layers": {
        "sentences": {"spans": [[0, 27], [28, 38]]},
        "tokens": {"spans": [[0, 4], [5, 12], [13, 15], [16, 23], [24, 26], [26, 27], [28, 32], [33, 37], [37, 38]]},
        "entities": {"items": [{"id": "T1", "start": 16, "end": 23, "label": "LOC"},
                               {"id": "T2", "start": 28, "end": 32, "label": "PER"}], "provenance": auto("ner-id")}}},
    "ms": {"text": MS, "layers": {
        "sentences": {"spans": [[0, 36]]},
        "tokens": {"spans": [[0, 4], [5, 8], [9, 13], [14, 21], [22, 24], [25, 32], [33, 35], [35, 36]]},
        "entities": {"items": [{"id": "T1", "start": 9, "end": 13, "label": "PER"}], "provenance": auto("project")}}}},
    "links": [{"kind": "beads", "src": "id", "tgt": "ms", "beads": [{"src": [0, 1], "tgt": [0]}],
               "provenance": auto("bertalign")},
              {"kind": "tokens", "src": "id", "tgt": "ms", "pairs": [[0, 0, "S"], [3, 5, "S"], [6, 2, "S"]],
               "provenance": auto("simalign")}]}


def test_records_are_valid() -> None:
    rv = RecordValidator()
    assert rv.check(ZH_TH) == [] and rv.check(ID_MS) == []
    assert ZH[8:10] == "宋猜" and TH[14:23] == "เชียงใหม่" and ID[16:23] == "Jakarta" and MS[9:13] == "Budi"


@pytest.fixture()
def tasks_file(tmp_path: Path) -> Path:
    out = tmp_path / "tasks.ls.json"
    assert write([ZH_TH, ID_MS], out) == 2
    return out


def test_one_task_per_record_with_every_side(tasks_file: Path) -> None:
    t1, t2 = orjson.loads(tasks_file.read_bytes())
    assert t1["data"] == {"text_1": ZH, "text_2": TH}
    assert t1["meta"]["lancang_langs"] == ["zh-Hans", "th"] and t1["meta"]["lancang_id"] == "pud-7"
    [pred] = t1["predictions"]  # the machine's layers, all of them: a reviewer starts from one prediction
    assert "annotations" not in t1
    regions = {r["id"]: r for r in pred["result"] if r["type"] == "labels"}
    # entities per side, in UTF-16 units: 宋猜 is at code points 8..10, UTF-16 9..11 after the emoji
    assert regions["1.T2"]["value"] == {"start": 9, "end": 11, "text": "宋猜", "labels": ["PER"]}
    assert (regions["1.T2"]["from_name"], regions["1.T2"]["to_name"]) == ("label_1", "text_1")
    assert regions["2.T1"]["to_name"] == "text_2"
    # the sentences and tokens the links join are regions; the links are relations between them
    rels = [(r["from_id"], r["to_id"], r["labels"]) for r in pred["result"] if r["type"] == "relation"]
    assert rels == [("1.s0", "2.s0", ["bead"]), ("1.t0", "2.t0", ["sure"]), ("1.t2", "2.t5", ["sure"]),
                    ("1.t6", "2.t2", ["possible"])]
    assert regions["2.t5"]["value"]["text"] == "เชียงใหม่" and regions["2.t5"]["from_name"] == "token_2"
    assert pred["model_version"] == "ner-zh==1.0; project==1.0; bertalign==1.0; simalign==1.0"
    assert pred["lancang_provenance"]["links/tokens/zh-Hans/th"] == auto("simalign")
    # the 2-1 bead of the id-ms record: two relations to the one Malay sentence
    rels2 = [(r["from_id"], r["to_id"]) for r in t2["predictions"][0]["result"] if r.get("labels") == ["bead"]]
    assert rels2 == [("1.s0", "2.s0"), ("1.s1", "2.s0")]


def test_predictions_read_back_exactly(tasks_file: Path) -> None:
    back = list(read(tasks_file, source="predictions"))
    assert [b["id"] for b in back] == ["pud-7", "talpco-3"]
    for orig, b in zip([ZH_TH, ID_MS], back):
        assert b["sides"] == orig["sides"] and b["links"] == orig["links"]
        assert b["meta"]["labelstudio"]["record_id"] == orig["id"]
    # by default the annotations are read: none yet, so the task's text and the layers kept in its meta
    [r1, _r2] = read(tasks_file)
    assert "entities" not in r1["sides"]["th"]["layers"] and r1["links"] == ZH_TH["links"]
    # written back, the same tasks
    again = tasks_file.parent / "again.ls.json"
    write(read(tasks_file, source="predictions"), again)
    assert orjson.loads(again.read_bytes()) == orjson.loads(tasks_file.read_bytes())


def _as_exported(tasks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What Label Studio exports after import: its own task and prediction ids."""
    out = []
    for k, t in enumerate(tasks):
        t = copy.deepcopy(t)
        t["id"] = 101 + k
        t["predictions"][0]["id"] = 1 + k
        out.append(t)
    return out


def _annotation(task: dict[str, Any], ann_id: int, who: Any, edit: Any, verdict: str | None = None,
                defects: list[str] = ()) -> dict[str, Any]:  # type: ignore[assignment]
    """A reviewer's submitted annotation: the prediction's results (Label Studio copies them, ids and
    all), edited by ``edit``, with the verdict and defect choices."""
    result = copy.deepcopy(task["predictions"][0]["result"])
    result = edit(result)
    if verdict:
        result.append({"id": f"v{ann_id}", "from_name": "verdict", "to_name": "text_1", "type": "choices",
                       "value": {"choices": [verdict]}})
    if defects:
        result.append({"id": f"d{ann_id}", "from_name": "defects", "to_name": "text_1", "type": "choices",
                       "value": {"choices": list(defects)}})
    return {"id": ann_id, "completed_by": who, "parent_prediction": task["predictions"][0]["id"],
            "created_at": "2026-12-01T09:00:00.000000Z", "updated_at": "2026-12-01T09:05:00.000000Z",
            "result": result, "was_cancelled": False, "lead_time": 30.5}


def _add_loc(result: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Alice adds เชียงใหม่ (LOC) on the Thai side: after the emoji, so UTF-16 offsets are one more."""
    s, e = u16(TH, 14), u16(TH, 23)
    assert (s, e) == (15, 24)
    return result + [{"id": "alice-1", "from_name": "label_2", "to_name": "text_2", "type": "labels",
                      "value": {"start": s, "end": e, "text": "เชียงใหม่", "labels": ["LOC"]}}]


def _fix_link(result: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Bob removes the Thai PER and the possible link 6-2, and links 宋猜 (token 6) to สมชาย (token 2) as sure."""
    out = [r for r in result if r.get("id") != "2.T1" and r.get("from_id") != "1.t6"]
    return out + [{"from_id": "1.t6", "to_id": "2.t2", "type": "relation", "direction": "right", "labels": ["sure"]}]


@pytest.fixture()
def reviewed(tasks_file: Path, tmp_path: Path) -> Path:
    tasks = _as_exported(orjson.loads(tasks_file.read_bytes()))
    alice = {"id": 3, "email": "alice@example.org", "first_name": "Alice"}
    for k, t in enumerate(tasks):
        t["annotations"] = [_annotation(t, 11 + 2 * k, alice, _add_loc if k == 0 else (lambda r: r), "pass"),
                            _annotation(t, 12 + 2 * k, 4, _fix_link if k == 0 else (lambda r: r), "fail",
                                        ["alignment", "entity"] if k == 0 else ["translation"])]
    out = tmp_path / "export.json"
    out.write_bytes(orjson.dumps(tasks, option=orjson.OPT_INDENT_2))
    return out


def test_two_reviewers_read_back(reviewed: Path) -> None:
    recs = list(read(reviewed))
    assert [r["id"] for r in recs] == ["pud-7/a11", "pud-7/a12", "talpco-3/a13", "talpco-3/a14"]
    rv = RecordValidator()
    assert all(rv.check(r) == [] for r in recs)
    alice, bob = recs[0], recs[1]
    assert alice["meta"]["labelstudio"]["record_id"] == "pud-7"  # the BASE record they came from
    th = alice["sides"]["th"]
    assert th["text"] == TH
    assert [(TH[i["start"]:i["end"]], i["label"], i["start"]) for i in th["layers"]["entities"]["items"]] == [
        ("สมชาย", "PER", 5), ("เชียงใหม่", "LOC", 14)]  # code points again
    # provenance: the person who corrected the machine's layer, with that layer's own tool
    assert th["layers"]["entities"]["provenance"] == {
        "method": "assisted", "tool": {"name": "project", "version": "1.0"}, "annotator": "alice@example.org",
        "time": "2026-12-01T09:05:00.000000Z"}
    assert alice["sides"]["zh-Hans"]["layers"]["entities"]["provenance"]["tool"]["name"] == "ner-zh"
    assert alice["sides"]["zh-Hans"]["layers"]["entities"]["items"] == ZH_TH["sides"]["zh-Hans"]["layers"][
        "entities"]["items"]
    assert alice["sides"]["zh-Hans"]["layers"]["tokens"] == ZH_TH["sides"]["zh-Hans"]["layers"]["tokens"]
    assert [lk["kind"] for lk in alice["links"]] == ["beads", "tokens"]
    assert alice["links"][1]["pairs"] == ZH_TH["links"][1]["pairs"]
    assert alice["links"][1]["provenance"]["annotator"] == "alice@example.org"
    assert alice["links"][1]["provenance"]["tool"] == {"name": "simalign", "version": "1.0"}
    assert alice["meta"]["review"] == {"reviewer": "alice@example.org", "verdict": "pass", "defects": [],
                                       "annotation": 11, "time": "2026-12-01T09:05:00.000000Z"}
    # bob's corrections
    assert bob["sides"]["th"]["layers"]["entities"]["items"] == []
    assert bob["links"][1]["pairs"] == [[0, 0, "S"], [2, 5, "S"], [6, 2, "S"]]
    assert bob["links"][0]["beads"] == [{"src": [0], "tgt": [0], "score": 0.9}]
    assert bob["meta"]["review"]["reviewer"] == "4" and bob["meta"]["review"]["verdict"] == "fail"
    assert bob["meta"]["review"]["defects"] == ["alignment", "entity"]
    # the id-ms task: the 2-1 bead rebuilt from its two relations
    assert recs[2]["links"][0]["beads"] == [{"src": [0, 1], "tgt": [0]}]
    assert recs[2]["sides"]["id"]["layers"]["entities"]["items"] == ID_MS["sides"]["id"]["layers"]["entities"][
        "items"]
    assert recs[3]["meta"]["review"]["defects"] == ["translation"]
    # predictions on request, separately
    preds = list(read(reviewed, source="predictions"))
    assert [p["id"] for p in preds] == ["pud-7", "talpco-3"] and preds[0]["sides"] == ZH_TH["sides"]


def test_reviewed_export_writes_back_and_reads_the_same(reviewed: Path, tmp_path: Path) -> None:
    recs = list(read(reviewed))
    out = tmp_path / "again.ls.json"
    write(recs, out)
    assert list(read(out)) == recs
    tasks = orjson.loads(out.read_bytes())
    assert [len(t["annotations"]) for t in tasks] == [2, 2] and [len(t["predictions"]) for t in tasks] == [1, 1]


def test_config_and_tasks_pass_label_studios_own_validation(tasks_file: Path, reviewed: Path) -> None:
    li_mod = pytest.importorskip("label_studio_sdk.label_interface", reason="label-studio-sdk is a test extra")
    xml = config_for_tasks(reviewed)
    assert '<Text name="text_1" value="$text_1"/>' in xml and '<Choices name="verdict"' in xml
    li = li_mod.LabelInterface(xml)
    li.validate()  # raises on a schema error, a repeated name or a toName naming no object
    for t in orjson.loads(reviewed.read_bytes()):
        for obj in li.objects:
            assert isinstance(t["data"].get(obj.value_name), str)
        for x in t["predictions"] + t["annotations"]:
            assert li.validate_prediction(x, return_errors=True) == []
    # the validation is real: a region on a side the configuration lacks is refused
    bad = copy.deepcopy(orjson.loads(reviewed.read_bytes())[0]["annotations"][0])
    bad["result"][0]["to_name"] = "text_3"
    assert li.validate_prediction(bad, return_errors=True) != []
    # the machine's tasks alone: no review choices unless asked for
    plain = config_for_tasks(tasks_file)
    assert "verdict" not in plain
    li_mod.LabelInterface(plain).validate()


def test_config_xml_by_hand() -> None:
    li_mod = pytest.importorskip("label_studio_sdk.label_interface", reason="label-studio-sdk is a test extra")
    xml = config_xml(["zh-Hans", "th"], [["LOC", "PER"], ["PER"]], ["wrong span", "missing link"], tokens=True)
    li = li_mod.LabelInterface(xml)
    li.validate()
    assert set(li.get_control("label_1").labels) == {"LOC", "PER"} and li.get_control("label_2").labels == ["PER"]
    assert li.get_control("defects").labels == ["wrong span", "missing link"]
    one = config_xml(["th"], ["PER", 'A "quoted" & <odd> label'])
    li_mod.LabelInterface(one).validate()
    assert 'name="label" toName="text"' in one and "&quot;quoted&quot; &amp; &lt;odd&gt;" in one


def _export(tmp_path: Path, reviewed: Path, change: Any) -> Path:
    tasks = orjson.loads(reviewed.read_bytes())
    change(tasks)
    p = tmp_path / "bad.json"
    p.write_bytes(orjson.dumps(tasks))
    return p


def test_a_region_on_a_side_the_task_lacks_is_a_located_error(reviewed: Path, tmp_path: Path) -> None:
    def change(tasks: list[dict[str, Any]]) -> None:
        tasks[1]["annotations"][0]["result"][0]["to_name"] = "text_3"
    with pytest.raises(InputError, match=r"bad.json:1: task 102: annotation 13: result '1.T1' names 'text_3', a "
                                         r"side this task does not have \(it has text_1 \(id\), text_2 \(ms\)\)"):
        list(read(_export(tmp_path, reviewed, change)))


def test_a_link_to_a_token_that_no_longer_exists_is_a_located_error(reviewed: Path, tmp_path: Path) -> None:
    def change(tasks: list[dict[str, Any]]) -> None:
        tasks[0]["meta"]["lancang_sides"]["th"]["layers"]["tokens"]["spans"][5] = [14, 18]  # re-segmented
    with pytest.raises(InputError, match=r"task 101: annotation 11: token region '2.t5' of side 2 \(th\) at "
                                         r"14..23 is not a token of the task's tokens layer"):
        list(read(_export(tmp_path, reviewed, change)))


def test_the_same_reviewer_twice_keeps_both_and_says_so(reviewed: Path, tmp_path: Path) -> None:
    def change(tasks: list[dict[str, Any]]) -> None:
        tasks[0]["annotations"][1]["completed_by"] = {"id": 3, "email": "alice@example.org"}
        tasks[0]["annotations"][1]["id"] = 11  # even with the same annotation id
    recs = list(read(_export(tmp_path, reviewed, change)))
    assert [r["id"] for r in recs[:2]] == ["pud-7/a11", "pud-7/a11-2"]
    assert recs[0]["meta"]["labelstudio"]["same_reviewer"] == ["11"]
    assert recs[1]["meta"]["review"]["reviewer"] == "alice@example.org"
    assert "same_reviewer" not in recs[2]["meta"]["labelstudio"]


def test_a_verdict_that_is_not_pass_or_fail_is_an_error(reviewed: Path, tmp_path: Path) -> None:
    def change(tasks: list[dict[str, Any]]) -> None:
        [v] = [r for r in tasks[0]["annotations"][0]["result"] if r.get("from_name") == "verdict"]
        v["value"]["choices"] = ["maybe"]
    with pytest.raises(InputError, match=r"task 101: annotation 11: the verdict choice is \['maybe'\]"):
        list(read(_export(tmp_path, reviewed, change)))


def test_src_and_tgt_rename_the_sides(tasks_file: Path) -> None:
    [rec, _] = read(tasks_file, langs=["zh", "th-TH"], source="predictions")
    assert list(rec["sides"]) == ["zh", "th-TH"] and rec["links"][0]["src"] == "zh"


def test_convert_config_out(cli, tmp_path: Path) -> None:
    src = tmp_path / "c.jsonl"
    src.write_bytes(orjson.dumps(ZH_TH) + b"\n" + orjson.dumps(ID_MS) + b"\n")
    out, cfg = tmp_path / "t.ls.json", tmp_path / "config.xml"
    res = cli("convert", str(src), str(out), "--config-out", str(cfg))
    assert res.exit_code == 0, res.output
    xml = cfg.read_text(encoding="utf-8")
    assert '<Header value="Side 1"/>' in xml  # zh-Hans in one task, id in the other
    assert '<Label value="LOC"/>' in xml and '<Relation value="bead"/>' in xml
    res = cli("convert", str(src), str(tmp_path / "t.jsonl"), "--config-out", str(cfg))
    assert res.exit_code == 2 and "the output must be labelstudio" in res.stderr
    assert not (tmp_path / "t.jsonl").exists()


def test_a_skipped_annotation_is_no_review(reviewed: Path, tmp_path: Path) -> None:
    """An annotation the reviewer skipped (``was_cancelled``) says nothing about the entities: not a
    record (merge would take it for "no entities"), kept in the task and written back."""
    def change(tasks: list[dict[str, Any]]) -> None:
        tasks[0]["annotations"][1].update(was_cancelled=True, result=[])
    recs = list(read(_export(tmp_path, reviewed, change)))
    assert [r["id"] for r in recs] == ["pud-7", "talpco-3/a13", "talpco-3/a14"]
    assert recs[0]["meta"]["review"]["reviewer"] == "alice@example.org"
    out = tmp_path / "back.ls.json"
    write(recs, out)
    [t1, _] = orjson.loads(out.read_bytes())
    assert [(a["id"], a.get("was_cancelled")) for a in t1["annotations"]] == [(12, True), (11, False)]


TEXT = st.text(st.sampled_from("ab 清迈😀👩🏽\u200d💻ไทยe\u0301"), min_size=1, max_size=12).map(
    lambda t: unicodedata.normalize("NFC", t))


@given(TEXT, TEXT, st.data())
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_bilingual_round_trip_property(tmp_path: Path, a: str, b: str, data: Any) -> None:
    """Any two texts (astral characters, ZWJ sequences, combining marks), one token per code point,
    entities on token boundaries and any word links: written as a task and read back from its prediction,
    the same record."""
    sides = {}
    for tag, text in (("zh-Hans", a), ("th", b)):
        n = len(text)
        s = data.draw(st.integers(0, n - 1))
        e = data.draw(st.integers(s + 1, n))
        sides[tag] = {"text": text, "layers": {
            "sentences": {"spans": [[0, n]]}, "tokens": {"spans": [[i, i + 1] for i in range(n)]},
            "entities": {"items": [{"id": "T1", "start": s, "end": e, "label": "X"}], "provenance": auto("m")}}}
    pairs = sorted(set(data.draw(st.lists(st.tuples(st.integers(0, len(a) - 1), st.integers(0, len(b) - 1),
                                                    st.sampled_from("SP")), max_size=6))))
    rec = {"id": "p", "sides": sides,
           "links": [{"kind": "beads", "src": "zh-Hans", "tgt": "th", "beads": [{"src": [0], "tgt": [0]}],
                      "provenance": auto("m")}] +
                    ([{"kind": "tokens", "src": "zh-Hans", "tgt": "th", "pairs": [list(p) for p in pairs],
                       "provenance": auto("m")}] if pairs else [])}
    out = tmp_path / "p.ls.json"
    write([rec], out)
    [back] = read(out, source="predictions")
    assert back["sides"] == rec["sides"] and back["links"] == rec["links"]


def test_two_projects_exports_join_record_by_record_in_agree(tasks_file: Path, tmp_path: Path, cli) -> None:
    """Each Label Studio project renumbers its tasks; the records read back keep the lancang record id,
    so `lancang agree` joins alice's export and bob's without --intersect."""
    exported = _as_exported(orjson.loads(tasks_file.read_bytes()))
    files = []
    for who, first_id, edit in (("alice@example.org", 5001, _add_loc), ("bob@example.org", 9001, lambda r: r)):
        tasks = copy.deepcopy(exported)
        for k, t in enumerate(tasks):
            t["id"] = first_id + k
            t["annotations"] = [_annotation(t, first_id * 10 + k, who, edit if k == 0 else (lambda r: r))]
        path = tmp_path / f"{who.split('@')[0]}.ls.json"
        path.write_bytes(orjson.dumps(tasks))
        files.append(str(path))
    res = cli("agree", *files, "--layers", "entities", "--format", "json")
    assert res.exit_code == 0, res.output
    agreement = orjson.loads(res.stdout)["agreement"]
    assert agreement["records"] == 2  # both records joined, none missing
    # alice added one LOC on the first record's Thai side; bob did not: one disagreement
    assert agreement["layers"]["entities"]["confusion"]["alice.ls~bob.ls"]["LOC"] == {"LOC": 2, "O": 1}
