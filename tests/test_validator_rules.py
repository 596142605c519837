"""One passing and one failing fixture for every record rule of `lancang validate`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from lancang.schemas.validator import RecordValidator

from .conftest import valid_record

ENGINES = ["rs", "py"]


def zh(r: dict[str, Any]) -> dict[str, Any]:
    return r["sides"]["zh-Hans"]


def lay(r: dict[str, Any], name: str, side: str = "zh-Hans") -> dict[str, Any]:
    return r["sides"][side]["layers"][name]


def set_(path: Callable[[dict[str, Any]], dict[str, Any]], key: Any, value: Any) -> Callable[[dict[str, Any]], None]:
    def mutate(r: dict[str, Any]) -> None:
        path(r)[key] = value
    return mutate


# rule id -> mutation of the valid record that must trigger exactly that rule
BROKEN: dict[str, Callable[[dict[str, Any]], None]] = {
    "schema-additional-properties": lambda r: r.update(extra=1),
    "schema-required": lambda r: r.pop("sides"),
    "schema-type": lambda r: r.update(id=5),
    "schema-pattern": lambda r: r["sides"].update({"not a tag": {"text": "x"}}),
    "schema-enum": lambda r: lay(r, "tokens")["provenance"].update(method="magic"),
    "schema-min-length": lambda r: lay(r, "entities")["items"][0].update(label=""),
    "text-not-nfc": lambda r: r["sides"].update({"vi": {"text": "Vie\u0302\u0323t Nam"}}),
    "span-out-of-range": lambda r: lay(r, "tokens")["spans"].__setitem__(-1, [7, 9]),
    "span-reversed": lambda r: lay(r, "entities")["items"][0].update(start=4, end=2),
    "span-empty": lambda r: lay(r, "tokens")["spans"].__setitem__(1, [1, 1]),
    "spans-unordered": lambda r: lay(r, "tokens")["spans"].__setitem__(slice(0, 2), [[1, 2], [0, 1]]),
    "spans-overlap": lambda r: lay(r, "tokens")["spans"].__setitem__(1, [0, 2]),
    "sentences-gap": lambda r: lay(r, "sentences")["spans"].__setitem__(1, [6, 8]),
    "fragment-outside": lambda r: lay(r, "entities")["items"][0].update(fragments=[[2, 3], [3, 6]]),
    "layer-length-mismatch": lambda r: lay(r, "pos")["values"].pop(),
    "layer-missing": lambda r: zh(r)["layers"].pop("tokens") and zh(r)["layers"].pop("pos"),
    "duplicate-entity-id": lambda r: lay(r, "entities")["items"].append(
        {"id": "T1", "start": 0, "end": 1, "label": "PER"}),
    "relation-dangling-ref": lambda r: lay(r, "entities").update(
        relations=[{"label": "at", "args": [{"role": "Arg1", "ref": "T1"}, {"role": "Arg2", "ref": "T9"}]}]),
    "link-unknown-side": lambda r: r["links"][1].update(tgt="th"),
    "link-same-side": lambda r: r["links"][0].update(tgt="zh-Hans"),
    "link-index-out-of-range": lambda r: r["links"][1]["pairs"].append([0, 7, "S"]),
    "link-duplicate": lambda r: r["links"][0]["beads"].append({"src": [1], "tgt": []}),
}


@pytest.fixture(scope="module", params=ENGINES)
def validator(request: pytest.FixtureRequest) -> RecordValidator:
    return RecordValidator(request.param)


def test_valid_record_passes(validator: RecordValidator) -> None:
    assert validator.check(valid_record()) == []


@pytest.mark.parametrize("rule", sorted(BROKEN))
def test_rule_fires(validator: RecordValidator, rule: str) -> None:
    r = valid_record()
    BROKEN[rule](r)
    found = validator.check(r)
    rules = {f[0] for f in found}
    assert rule in rules, found
    for f in found:
        assert f[2] is not None and (f[2] == "" or f[2].startswith("/")), f  # a JSON pointer


def test_pointer_and_message_name_the_place(validator: RecordValidator) -> None:
    r = valid_record()
    lay(r, "tokens")["spans"][-1] = [7, 12]
    [(rule, sev, ptr, msg)] = validator.check(r)
    assert (rule, sev, ptr) == ("span-out-of-range", "error", "/sides/zh-Hans/layers/tokens/spans/6")
    assert "[7, 12]" in msg and "length 8" in msg


def test_unknown_top_level_key_is_named(validator: RecordValidator) -> None:
    found = validator.check(valid_record(colour="red"))
    assert [f[0] for f in found] == ["schema-additional-properties"]
    assert "colour" in found[0][3]


def test_extension_layer_allowed_but_checked(validator: RecordValidator) -> None:
    r = valid_record()
    zh(r)["layers"]["x-sentiment"] = {"value": "positive", "provenance": {"method": "auto"}}
    assert validator.check(r) == []
    zh(r)["layers"]["x-sentiment"]["provenance"] = {"method": "guess"}
    assert [f[0] for f in validator.check(r)] == ["schema-enum"]
    zh(r)["layers"]["sentiment"] = {}
    assert "schema-additional-properties" in {f[0] for f in validator.check(r)}


def test_link_kind_must_match_payload(validator: RecordValidator) -> None:
    r = valid_record()
    r["links"][0]["pairs"] = [[0, 0, "S"]]
    assert validator.check(r), "a beads link carrying pairs must be rejected"


def test_discontinuous_entity_valid(validator: RecordValidator) -> None:
    r = valid_record()
    lay(r, "entities")["items"][0].update(start=0, end=4, fragments=[[0, 1], [2, 4]])
    assert validator.check(r) == []


def test_vietnamese_token_with_inner_space_is_fine(validator: RecordValidator) -> None:
    r = valid_record()
    r["sides"]["vi"] = {"text": "Hà Nội đẹp", "layers": {"tokens": {"spans": [[0, 6], [7, 10]]}}}
    assert validator.check(r) == []
