"""The invariant checker names a layer of the wrong shape by its JSON pointer and a rule id (never a
``TypeError`` at ``/``): a pass and a fail fixture for every shape rule, through :func:`check_record` (the
invariants meet the wrong value first, then the shape walk says where it is) and :func:`side_shape_issues`."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from lancang.corpora.invariants import check_record, layer_shape_issues, side_shape_issues
from lancang.standards.messages import CATALOG

#: a record with every layer and link kind the invariants read, valid
VALID: dict[str, Any] = {
    "id": "r1",
    "sides": {
        "zh": {
            "text": "我爱北京。你好。",
            "media": {"uri": "a.wav", "duration": 3.0},
            "layers": {
                "tokens": {"spans": [[0, 1], [1, 2], [2, 4], [4, 5], [5, 7], [7, 8]]},
                "sentences": {"spans": [[0, 5], [5, 8]]},
                "pos": {"values": ["PRON", "VERB", "PROPN", "PUNCT", "INTJ", "PUNCT"]},
                "entities": {"items": [{"id": "e1", "start": 2, "end": 4, "label": "LOC", "fragments": [[2, 4]]},
                                       {"id": "e2", "start": 0, "end": 1, "label": "PER"}],
                             "relations": [{"id": "r1", "label": "likes", "args": [{"role": "arg1", "ref": "e2"},
                                                                                  {"role": "arg2", "ref": "e1"}]}]},
                "codes": {"items": [{"kind": "ph", "start": 5}, {"kind": "g", "start": 0, "end": 5}]},
                "segments": {"spans": [{"start": 0, "end": 5, "t0": 0.0, "t1": 1.5, "speaker": "A"},
                                       {"start": 5, "end": 8, "t0": 1.5, "t1": 2.5, "speaker": "B"}]},
                "words": {"spans": [{"start": 0, "end": 1, "t0": 0.0, "t1": 0.3}]},
            },
        },
        "en": {
            "text": "I love Beijing. Hello.",
            "layers": {"tokens": {"spans": [[0, 1], [2, 6], [7, 14], [14, 15], [16, 21], [21, 22]]},
                       "sentences": {"spans": [[0, 15], [16, 22]]}},
        },
    },
    "links": [{"kind": "beads", "src": "zh", "tgt": "en",
               "beads": [{"src": [0], "tgt": [0]}, {"src": [1], "tgt": [1]}]},
              {"kind": "tokens", "src": "zh", "tgt": "en", "pairs": [[0, 0, "S"], [2, 2, "S"], [4, 4, "P"]]}],
}

ZH = "/sides/zh/layers"


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    """A mutation: the value at the JSON pointer ``path`` (its last part a key or index) set to ``value``."""
    def mutate(rec: dict[str, Any]) -> None:
        *parents, last = path.strip("/").split("/")
        node: Any = rec
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node[part]
        node[int(last) if isinstance(node, list) else last] = value
    return mutate


def _drop(path: str) -> Callable[[dict[str, Any]], None]:
    def mutate(rec: dict[str, Any]) -> None:
        *parents, last = path.strip("/").split("/")
        node: Any = rec
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node[part]
        del node[last]
    return mutate


#: per shape rule: (a mutation it lets pass, [(a mutation it fails, the rule id and the pointer it names)])
Mutation = Callable[[dict[str, Any]], None]
CASES: dict[str, tuple[Mutation, list[tuple[Mutation, str, str]]]] = {
    "container": (_set(f"{ZH}/tokens/provenance", {"method": "auto"}), [
        (_set(f"{ZH}/tokens/spans", 3), "record-malformed", f"{ZH}/tokens/spans"),
        (_set("/sides/zh/layers", ["tokens"]), "record-malformed", "/sides/zh/layers"),
        (_set(f"{ZH}/pos", ["PRON"]), "record-malformed", f"{ZH}/pos"),
        (_set("/sides/zh/media", "a.wav"), "record-malformed", "/sides/zh/media"),
        (_set(f"{ZH}/entities/relations/0/args", {"role": "x"}), "record-malformed", f"{ZH}/entities/relations/0/args"),
        (_set("/links/0/beads/1/tgt", 1), "record-malformed", "/links/0/beads/1/tgt"),
    ]),
    "item": (_set(f"{ZH}/x-notes", ["free", 1]), [
        (_set(f"{ZH}/segments/spans/1", 5), "schema-type", f"{ZH}/segments/spans/1"),
        (_set(f"{ZH}/entities/items/0", [2, 4, "LOC"]), "schema-type", f"{ZH}/entities/items/0"),
        (_set(f"{ZH}/codes/items/1", "g"), "schema-type", f"{ZH}/codes/items/1"),
        (_set("/links/1", "zh-en"), "schema-type", "/links/1"),
        (_set("/links/0/beads/0", [[0], [0]]), "schema-type", "/links/0/beads/0"),
    ]),
    "member": (_drop(f"{ZH}/segments/spans/0/speaker"), [
        (_drop(f"{ZH}/segments/spans/0/t0"), "schema-required", f"{ZH}/segments/spans/0/t0"),
        (_drop(f"{ZH}/words/spans/0/end"), "schema-required", f"{ZH}/words/spans/0/end"),
        (_drop(f"{ZH}/tokens/spans"), "schema-required", f"{ZH}/tokens/spans"),
        (_drop(f"{ZH}/entities/items/1/start"), "schema-required", f"{ZH}/entities/items/1/start"),
        (_drop(f"{ZH}/entities/relations/0/args/1/ref"), "schema-required", f"{ZH}/entities/relations/0/args/1/ref"),
        (_drop("/links/1/pairs"), "schema-required", "/links/1/pairs"),
        (_drop("/links/0/kind"), "schema-required", "/links/0/kind"),
    ]),
    "pair": (_set(f"{ZH}/tokens/spans/3", (4, 5)), [
        (_set(f"{ZH}/tokens/spans/3", [4, 5, 6]), "schema-max-items", f"{ZH}/tokens/spans/3"),
        (_set(f"{ZH}/sentences/spans/1", 5), "schema-type", f"{ZH}/sentences/spans/1"),
        (_set(f"{ZH}/entities/items/0/fragments/0", [2]), "schema-min-items", f"{ZH}/entities/items/0/fragments/0"),
        (_set("/links/1/pairs/1", [2, 2, "S", "x"]), "schema-max-items", "/links/1/pairs/1"),
    ]),
    "offset": (_set(f"{ZH}/tokens/spans/3", [4, 5.0]), [  # 5.0 is offset-not-integer, an invariant
        (_set(f"{ZH}/tokens/spans/3", [4, "5"]), "offset-not-integer", f"{ZH}/tokens/spans/3/1"),
        (_set(f"{ZH}/segments/spans/1/start", None), "offset-not-integer", f"{ZH}/segments/spans/1/start"),
        (_set(f"{ZH}/sentences/spans/0", ["0", 5]), "offset-not-integer", f"{ZH}/sentences/spans/0/0"),
        (_set(f"{ZH}/codes/items/0/start", "5"), "offset-not-integer", f"{ZH}/codes/items/0/start"),
        (_set("/links/0/beads/1/src", ["1"]), "offset-not-integer", "/links/0/beads/1/src/0"),
        (_set("/links/1/pairs/2", ["4", 4, "P"]), "offset-not-integer", "/links/1/pairs/2/0"),
    ]),
    "time": (_set(f"{ZH}/segments/spans/1/t1", 3), [
        (_set(f"{ZH}/segments/spans/0/t0", "0.0"), "schema-type", f"{ZH}/segments/spans/0/t0"),
        (_set(f"{ZH}/words/spans/0/t1", None), "schema-type", f"{ZH}/words/spans/0/t1"),
        (_set("/sides/zh/media/duration", "3 s"), "schema-type", "/sides/zh/media/duration"),
    ]),
    "string": (_set(f"{ZH}/segments/spans/0/speaker", "说话人甲"), [
        (_set("/links/0/src", ["zh"]), "schema-type", "/links/0/src"),
        (_set(f"{ZH}/entities/items/0/id", ["e1"]), "schema-type", f"{ZH}/entities/items/0/id"),
        (_set(f"{ZH}/entities/relations/0/args/0/ref", {"id": "e2"}), "schema-type",
         f"{ZH}/entities/relations/0/args/0/ref"),
        (_set(f"{ZH}/segments/spans/1/speaker", ["B"]), "schema-type", f"{ZH}/segments/spans/1/speaker"),
    ]),
}


def test_the_valid_record_is_valid() -> None:
    assert check_record(VALID) == [] and layer_shape_issues(VALID) == []
    assert side_shape_issues(VALID["sides"]["zh"], "/sides/zh") == []


@pytest.mark.parametrize("rule", sorted(CASES))
def test_pass_fixture(rule: str) -> None:
    rec = copy.deepcopy(VALID)
    CASES[rule][0](rec)
    assert layer_shape_issues(rec) == []
    if rule == "offset":  # 5.0 has the shape of an offset; that it is not an integer is the invariant's to say
        assert [i[:3] for i in check_record(rec)] == [("offset-not-integer", "error", f"{ZH}/tokens/spans/3")]
    else:
        assert check_record(rec) == []


@pytest.mark.parametrize("rule, k", [(r, k) for r in sorted(CASES) for k in range(len(CASES[r][1]))])
def test_fail_fixture(rule: str, k: int) -> None:
    """The wrong value is found by its exact pointer and rule, in one line; the invariants, which meet it
    first, did not turn it into a traceback or a pointer-less record-malformed."""
    mutate, rid, ptr = CASES[rule][1][k]
    rec = copy.deepcopy(VALID)
    mutate(rec)
    shapes = layer_shape_issues(rec)
    assert [(i[0], i[2]) for i in shapes] == [(rid, ptr)], shapes
    issues = check_record(rec)
    errors = [(i[0], i[2]) for i in issues if i[1] == "error"]
    # check_record pays for the walk only when the invariants cannot read the record: a value they read
    # without an exception (a string offset of a code is offset-not-integer there) is named at its place
    assert errors == [(rid, ptr)] or all(ptr.startswith(p) for _r, p in errors), issues
    for _rule, _sev, _ptr, message in shapes:
        assert "\n" not in message and "Error" not in message and len(message) < 120


def test_check_record_reports_the_pointer_not_a_traceback() -> None:
    rec = copy.deepcopy(VALID)
    rec["sides"]["zh"]["layers"]["tokens"]["spans"][3] = [4, "5"]
    assert check_record(rec) == [("offset-not-integer", "error", f"{ZH}/tokens/spans/3/1",
                                  "token span's end is a string ('5'), not a number")]
    rec = copy.deepcopy(VALID)
    del rec["sides"]["zh"]["layers"]["segments"]["spans"][1]["t0"]
    assert check_record(rec) == [("schema-required", "error", f"{ZH}/segments/spans/1/t0", "segment has no t0")]
    rec["sides"]["zh"]["layers"]["segments"]["spans"][1]["t0"] = "1.5"
    assert check_record(rec) == [("schema-type", "error", f"{ZH}/segments/spans/1/t0",
                                  "segment t0 is '1.5', not a time in seconds")]


def test_every_wrong_value_is_reported_not_only_the_first() -> None:
    rec = copy.deepcopy(VALID)
    rec["sides"]["zh"]["layers"]["tokens"]["spans"][0] = "0-1"
    rec["sides"]["en"]["layers"]["sentences"]["spans"][1] = [16, None]
    rec["links"][0]["beads"][0] = 0
    assert [(i[0], i[2]) for i in check_record(rec)] == [
        ("schema-type", f"{ZH}/tokens/spans/0"), ("offset-not-integer", "/sides/en/layers/sentences/spans/1/1"),
        ("schema-type", "/links/0/beads/0")]


def test_side_shape_issues_of_named_layers_only() -> None:
    side = copy.deepcopy(VALID["sides"]["zh"])
    side["layers"]["tokens"] = 3
    side["media"] = "a.wav"
    assert side_shape_issues(side, "/sides/zh", ("segments", "words")) == []
    assert [(i[0], i[2]) for i in side_shape_issues(side, "/sides/zh")] == [
        ("record-malformed", "/sides/zh/media"), ("record-malformed", f"{ZH}/tokens")]
    assert side_shape_issues("text", "/sides/th") == [("schema-type", "error", "/sides/th",
                                                       "side is a string, not an object")]


def test_a_tilde_or_slash_in_a_side_tag_is_escaped_in_the_pointer() -> None:
    rec = {"id": "x", "sides": {"x/y~z": {"text": "ab", "layers": {"tokens": {"spans": [[0, "2"]]}}}}}
    assert [i[2] for i in check_record(rec)] == ["/sides/x~1y~0z/layers/tokens/spans/0/1"]


def test_every_shape_rule_id_is_in_the_catalog_in_chinese() -> None:
    for rule in {rid for _ok, fails in CASES.values() for _m, rid, _p in fails}:
        assert "zh" in CATALOG[f"invariant/{rule}"], rule


def test_a_string_offset_read_by_the_invariants_is_shown_as_a_string() -> None:
    rec = copy.deepcopy(VALID)
    rec["sides"]["zh"]["layers"]["entities"]["items"][1]["end"] = "1"
    assert ("offset-not-integer", "error", f"{ZH}/entities/items/1",
            "entity span [0, '1']: offsets are integers") in check_record(rec)
