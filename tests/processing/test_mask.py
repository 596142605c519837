"""lancang mask: redact, pseudonymise and tag on zh, vi, th, id, ms and en records with tokens,
sentences, entities and links; re-segmenting what a replacement cuts; idempotence; the bad inputs
of issue 15."""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lancang.corpora.formats import read_corpus
from lancang.corpora.invariants import check_record
from lancang.errors import InputError, UsageError
from lancang.processing.detectors import build_detectors
from lancang.processing.mask import (
    MIN_KEY_BYTES,
    PII_LAYER,
    Masker,
    MaskStats,
    load_key,
    mask_file,
    placeholder,
    residual,
    unmasked,
)

from ..conftest import shared

KEY = bytes(range(32))
OTHER_KEY = bytes(range(1, 33))

#: checksum-valid identifiers and numbers as people write them
CN_ID = "11010519491231002X"
CN_MOBILE = "138 0013 8000"
VN_MOBILE = "0912 345 678"
TH_MOBILE = "081 234 5678"
ID_MOBILE = "0812-3456-7890"
MY_MOBILE = "012-345 6789"
EMAIL = "dewi.lestari@example.co.id"
VALUES = [CN_ID, CN_MOBILE, VN_MOBILE, TH_MOBILE, ID_MOBILE, MY_MOBILE, EMAIL]


def tokens_of(text: str, lang: str) -> list[list[int]]:
    """Characters of Han text (digit and Latin runs kept whole), white-space words elsewhere."""
    pat = r"[0-9A-Za-z]+|\S" if lang.startswith("zh") else r"\S+"
    return [[m.start(), m.end()] for m in re.finditer(pat, text)]


def side(text: str, lang: str, **layers: Any) -> dict[str, Any]:
    lay: dict[str, Any] = {"sentences": {"spans": [[0, len(text)]]}, "tokens": {"spans": tokens_of(text, lang)}}
    lay.update(layers)
    return {"text": text, "layers": lay}


def record(rid: str, **sides: dict[str, Any]) -> dict[str, Any]:
    rec: dict[str, Any] = {"id": rid, "sides": {k.replace("_", "-"): v for k, v in sides.items()}}
    tags = list(rec["sides"])
    if len(tags) == 2:
        a, b = (rec["sides"][t] for t in tags)
        n = min(len(a["layers"]["tokens"]["spans"]), len(b["layers"]["tokens"]["spans"]))
        rec["links"] = [{"kind": "beads", "src": tags[0], "tgt": tags[1], "beads": [{"src": [0], "tgt": [0]}]},
                        {"kind": "tokens", "src": tags[0], "tgt": tags[1], "pairs": [[i, i, "S"] for i in range(n)]}]
    assert not [x for x in check_record(rec) if x[1] == "error"], check_record(rec)
    return rec


def corpus() -> list[dict[str, Any]]:
    zh_text = f"请拨打{CN_MOBILE}联系张伟，身份证号{CN_ID}。"
    zh_ents = {"items": [{"id": "T1", "start": zh_text.index("张伟"), "end": zh_text.index("张伟") + 2,
                          "label": "PER"}]}
    return [
        record("zh-en",
               zh_Hans=side(zh_text, "zh", entities=zh_ents),
               en=side(f"Call {CN_MOBILE} to reach Zhang Wei, ID number {CN_ID}.", "en")),
        record("zh-vi",
               zh_Hans=side(f"越南的电话是{VN_MOBILE}。", "zh"),
               vi=side(f"Số điện thoại của tôi là {VN_MOBILE}, gọi sau 8 giờ nhé.", "vi")),
        record("th-en",
               th=side(f"ติดต่อโทร {TH_MOBILE} ได้ทุกวัน", "th"),
               en=side(f"Call {TH_MOBILE} any day.", "en")),
        with_meta(record("id-ms",
                         id=side(f"Hubungi nomor telepon {ID_MOBILE} atau email {EMAIL} sebelum tahun 2024.", "id"),
                         ms=side(f"Sila hubungi nombor telefon {MY_MOBILE} sebelum pukul 5.", "ms"))),
        record("clean", en=side("The 2019 final ended 3-1 and tickets cost 25 dollars.", "en")),
    ]


def with_meta(rec: dict[str, Any]) -> dict[str, Any]:
    """Copies of the values where readers keep them: a TMX note and header attribute (record meta), a
    CoNLL-U ``# text =`` comment and a translation (side meta)."""
    rec["meta"] = {"tmx": {"header": {"attrs": {"creationdate": "20240101T120000Z", "creationid": EMAIL}},
                           "props": [{"type": "x-note", "text": f"kontak {EMAIL}"}]}}
    rec["sides"]["ms"]["meta"] = {"text_en": f"Please call {MY_MOBILE} before 5.",
                                  "conllu": {"comments": ["# sent_id = 7", f"# text = telefon {MY_MOBILE}"]}}
    return rec


def run(records: list[dict[str, Any]], strategy: str = "redact", key: bytes | None = None,
        types: list[str] | None = None) -> tuple[list[dict[str, Any]], MaskStats]:
    masker = Masker(build_detectors({}, types), strategy, key)
    stats = MaskStats(strategy=strategy)
    out = [masker.mask(r, stats, {"file": "t.jsonl", "line": i, "record": r["id"]}) for i, r in enumerate(records, 1)]
    return out, stats


def valid(rec: dict[str, Any]) -> bool:
    return not [x for x in check_record(rec) if x[1] == "error"]


def dump(records: list[dict[str, Any]]) -> str:
    return orjson.dumps(records).decode()


# ------------------------------------------------------------------------------------ redact

def test_redact_replaces_every_value_and_keeps_records_valid() -> None:
    recs = corpus()
    before = copy.deepcopy(recs)
    out, stats = run(recs)
    assert recs == before, "the input records are not changed"
    text = dump(out)
    for v in VALUES:
        assert v not in text
    assert all(valid(r) for r in out)
    zh = out[0]["sides"]["zh-Hans"]
    assert zh["text"].startswith("请拨打[PHONE]联系")
    assert "[CN_RESIDENT_ID]" in zh["text"] and "[CN_RESIDENT_ID]" in out[0]["sides"]["en"]["text"]
    # the name of the entities layer is masked too, and its entity covers the placeholder
    ent = zh["layers"]["entities"]["items"][0]
    assert zh["text"][ent["start"]:ent["end"]] == "[PERSON]" and "张伟" not in zh["text"]
    assert out[1]["sides"]["vi"]["text"] == "Số điện thoại của tôi là [PHONE], gọi sau 8 giờ nhé."
    assert out[2]["sides"]["th"]["text"] == "ติดต่อโทร [PHONE] ได้ทุกวัน"
    assert "[EMAIL]" in out[3]["sides"]["id"]["text"] and "2024" in out[3]["sides"]["id"]["text"]
    assert out[3]["sides"]["ms"]["text"] == "Sila hubungi nombor telefon [PHONE] sebelum pukul 5."
    assert out[4] is recs[4], "a record with nothing to mask is passed through as it is"
    assert stats.counts == {"PHONE": 10, "CN_RESIDENT_ID": 2, "PERSON": 1, "EMAIL": 3}
    meta, ms_meta = out[3]["meta"], out[3]["sides"]["ms"]["meta"]
    assert meta["tmx"]["props"][0]["text"] == "kontak [EMAIL]" and meta["tmx"]["header"]["attrs"] == {
        "creationdate": "20240101T120000Z", "creationid": "[EMAIL]"}
    assert ms_meta == {"text_en": "Please call [PHONE] before 5.",
                       "conllu": {"comments": ["# sent_id = 7", "# text = telefon [PHONE]"]}}
    assert stats.changed == 4 and stats.records == 5


def test_redact_merges_the_tokens_a_value_spanned_and_remaps_links() -> None:
    out, stats = run(corpus()[2:3])
    th = out[0]["sides"]["th"]
    spans = th["layers"]["tokens"]["spans"]
    assert [th["text"][s:e] for s, e in spans] == ["ติดต่อโทร", "[PHONE]", "ได้ทุกวัน"]
    en = out[0]["sides"]["en"]
    assert [en["text"][s:e] for s, e in en["layers"]["tokens"]["spans"]] == ["Call", "[PHONE]", "any", "day."]
    # pairs (i, i) of the 6 and 6 tokens: the three number tokens became token 1 on both sides
    assert out[0]["links"][1]["pairs"] == [[0, 0, "S"], [1, 1, "S"], [2, 2, "S"]]
    assert stats.adjusted == {"tokens merged": 2}
    locs = {(x["side"], x["layer"], x["index"], x["action"]) for x in stats.locations}
    assert locs == {("th", "tokens", 1, "merged 3"), ("en", "tokens", 1, "merged 3")}
    assert all(x["file"] == "t.jsonl" and x["line"] == 1 and x["record"] == "th-en" for x in stats.locations)


def test_a_value_hidden_by_its_neighbour_is_masked_in_a_second_pass() -> None:
    text = f"{CN_MOBILE} {ID_MOBILE}"  # read as one run of digits, only the second is a phone at first
    out, stats = run([record("two", en=side(text, "en"))])
    assert out[0]["sides"]["en"]["text"] == "[PHONE] [PHONE]"
    assert stats.counts == {"PHONE": 2} and stats.changed == 1 and stats.already == 0


def test_placeholders_per_type() -> None:
    assert placeholder("PHONE") == "[PHONE]"
    assert placeholder("cn-resident id") == "[CN_RESIDENT_ID]"


# ------------------------------------------------------------------------------------ pseudonymise

def test_pseudonymise_is_consistent_across_sides_and_keeps_the_shape() -> None:
    out, stats = run(corpus()[:1], "pseudonymise", KEY)
    zh, en = out[0]["sides"]["zh-Hans"], out[0]["sides"]["en"]
    assert CN_MOBILE not in zh["text"] + en["text"] and CN_ID not in zh["text"] + en["text"]
    items = {(it["type"], zh["text"][it["start"]:it["end"]]) for it in zh["layers"][PII_LAYER]["items"]
             if it["type"] != "PERSON"}  # the name comes from the zh side's entities layer only
    items_en = {(it["type"], en["text"][it["start"]:it["end"]]) for it in en["layers"][PII_LAYER]["items"]}
    assert items == items_en, "the same value has the same surrogate on every side"
    phones = [v for t, v in items if t == "PHONE"]
    ids = [v for t, v in items if t == "CN_RESIDENT_ID"]
    assert len(phones) == 1 and re.fullmatch(r"1\d\d \d{4} \d{4}", phones[0])
    assert len(ids) == 1 and _gb11643_ok(ids[0])
    assert all(it["surrogate"] is True and "value" not in it for it in zh["layers"][PII_LAYER]["items"])
    # a surrogate as long as the value changes only its digits: token boundaries at the spaces stay
    assert [zh["text"][s:e] for s, e in zh["layers"]["tokens"]["spans"][3:6]] == phones[0].split(" ")
    assert not stats.adjusted
    assert valid(out[0])


def _gb11643_ok(v: str) -> bool:
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    check = "10X98765432"[sum(int(c) * w for c, w in zip(v[:17], weights)) % 11]
    return len(v) == 18 and v[17] == check


def test_pseudonymise_same_key_same_surrogate_across_files(tmp_path: Path) -> None:
    key = tmp_path / "k"
    key.write_bytes(KEY)
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    recs = corpus()
    a.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in recs[:1]))
    # the second file writes the number another way: full-width digits, dashes
    other = record("other", zh_Hans=side("电话：１３８-００１３-８０００", "zh"))
    b.write_bytes(orjson.dumps(other) + b"\n")
    mask_file(a, tmp_path / "a.out.jsonl", strategy="pseudonymise", key_file=key)
    mask_file(b, tmp_path / "b.out.jsonl", strategy="pseudonymise", key_file=key)
    ra = orjson.loads((tmp_path / "a.out.jsonl").read_bytes())
    rb = orjson.loads((tmp_path / "b.out.jsonl").read_bytes())

    def phone_digits(r: dict[str, Any], tag: str) -> str:
        s = r["sides"][tag]
        [it] = [it for it in s["layers"][PII_LAYER]["items"] if it["type"] == "PHONE"]
        value = s["text"][it["start"]:it["end"]]
        return re.sub(r"\D", "", value.translate({c: c - 0xFEE0 for c in range(0xFF10, 0xFF1A)}))

    assert phone_digits(ra, "zh-Hans") == phone_digits(rb, "zh-Hans") != re.sub(r"\D", "", CN_MOBILE)
    assert "１" in rb["sides"]["zh-Hans"]["text"], "full-width digits stay full-width"
    other_key, _ = run(recs[:1], "pseudonymise", OTHER_KEY)
    assert other_key[0]["sides"]["zh-Hans"]["text"] != ra["sides"]["zh-Hans"]["text"]


# ------------------------------------------------------------------------------------ tag

def test_tag_leaves_text_and_adds_a_review_layer() -> None:
    recs = corpus()
    out, stats = run(recs, "tag")
    for a, b in zip(recs, out):
        for t in a["sides"]:
            assert a["sides"][t]["text"] == b["sides"][t]["text"]
            kept = {k: v for k, v in b["sides"][t].get("layers", {}).items() if k != PII_LAYER}
            assert kept == a["sides"][t]["layers"]
    items = out[1]["sides"]["vi"]["layers"][PII_LAYER]["items"]
    vi = out[1]["sides"]["vi"]["text"]
    assert [(vi[it["start"]:it["end"]], it["type"]) for it in items] == [(VN_MOBILE, "PHONE")]
    assert set(items[0]) == {"start", "end", "type", "detector", "score"}
    assert out[1]["sides"]["vi"]["layers"][PII_LAYER]["provenance"]["tool"]["name"] == "lancang mask"
    assert PII_LAYER not in out[4]["sides"]["en"].get("layers", {})


# ------------------------------------------------------------------------------------ idempotence

@pytest.mark.parametrize("strategy", ["redact", "pseudonymise", "tag"])
def test_masking_a_masked_corpus_changes_nothing(strategy: str) -> None:
    once, _ = run(corpus(), strategy, KEY)
    twice, stats = run(once, strategy, KEY)
    assert twice == once
    assert stats.changed == 0 and not stats.counts and stats.already > 0


def test_residual_leaves_out_placeholders_and_marked_surrogates() -> None:
    dets = build_detectors({}, None)
    found = [(ptr, h.type) for ptr, h in residual(corpus()[3], dets)]
    assert found == [("/sides/id/text", "PHONE"), ("/sides/id/text", "EMAIL"), ("/meta/tmx/header/attrs/creationid",
                     "EMAIL"), ("/meta/tmx/props/0/text", "EMAIL"), ("/sides/ms/text", "PHONE"),
                     ("/sides/ms/meta/text_en", "PHONE"), ("/sides/ms/meta/conllu/comments/1", "PHONE")]
    assert [p for p, _ in residual(corpus()[3], dets, tags=["ms"])] == [
        "/sides/ms/text", "/sides/ms/meta/text_en", "/sides/ms/meta/conllu/comments/1"]
    for strategy in ("redact", "pseudonymise"):
        out, _ = run(corpus(), strategy, KEY)
        assert [list(residual(r, dets)) for r in out] == [[]] * len(out)
    tagged, _ = run(corpus(), "tag")
    assert len(list(residual(tagged[1], dets))) == 2, "tagging masks nothing"


# ------------------------------------------------------------------------------------ bad input

def test_key_file_missing_or_short(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such key file"):
        load_key(tmp_path / "nope")
    short = tmp_path / "short"
    short.write_bytes(b"x" * (MIN_KEY_BYTES - 1))
    with pytest.raises(InputError, match=r"short: the key file has 31 bytes.*at least 32"):
        load_key(short)
    with pytest.raises(UsageError, match="--key-file"):
        load_key(None)
    good = tmp_path / "good"
    good.write_bytes(KEY)
    assert load_key(good) == KEY


def test_value_spanning_an_inline_code() -> None:
    text = f"Call {TH_MOBILE} now."
    s = side(text, "en")
    at = text.index("234")
    s["layers"]["codes"] = {"items": [{"kind": "ph", "start": at, "end": at, "id": "1"},
                                      {"kind": "bpt", "start": text.index("Call"), "end": at + 1, "id": "2"}]}
    rec = record("code", en=s)
    out, stats = run([rec])
    new = out[0]["sides"]["en"]
    assert new["text"] == "Call [PHONE] now."
    codes = new["layers"]["codes"]["items"]
    assert codes[0]["start"] == codes[0]["end"] == new["text"].index("[PHONE]")
    assert codes[1]["end"] == new["text"].index("[PHONE]") + len("[PHONE]")
    assert valid(out[0])
    assert {(x["layer"], x["index"], x["action"]) for x in stats.locations} >= {("codes", 0, "widened"),
                                                                              ("codes", 1, "widened")}


def test_entity_overlapping_a_detected_number() -> None:
    text = f"Số điện thoại {VN_MOBILE} của Lan."
    s = side(text, "vi")
    at = text.index(VN_MOBILE)
    s["layers"]["entities"] = {"items": [{"id": "E1", "start": at + 5, "end": len(text) - 1, "label": "MISC"}]}
    out, stats = run([record("ent", vi=s)])
    new = out[0]["sides"]["vi"]
    assert new["text"] == "Số điện thoại [PHONE] của Lan."
    ent = new["layers"]["entities"]["items"][0]
    assert new["text"][ent["start"]:ent["end"]] == "[PHONE] của Lan"
    assert ("entities", 0, "widened") in {(x["layer"], x["index"], x["action"]) for x in stats.locations}
    assert valid(out[0])


def test_replacement_that_would_break_sentence_tiling_merges_sentences_and_beads() -> None:
    # a sentence splitter cut the number after "081 234." : the boundary lies inside the value
    text = f"Tel. {TH_MOBILE} please."
    cut = text.index("5678")
    zh_text = "请拨打电话。谢谢。"
    a = side(text, "en", sentences={"spans": [[0, cut - 1], [cut, len(text)]]})
    b = side(zh_text, "zh", sentences={"spans": [[0, 6], [6, 9]]})
    rec = record("tiling", en=a, zh_Hans=b)
    rec["links"][0]["beads"] = [{"src": [0], "tgt": [0]}, {"src": [1], "tgt": [1]}]
    assert valid(rec)
    out, stats = run([rec])
    new = out[0]["sides"]["en"]
    assert new["text"] == "Tel. [PHONE] please."
    assert new["layers"]["sentences"]["spans"] == [[0, len(new["text"])]]
    assert out[0]["links"][0]["beads"] == [{"src": [0], "tgt": [0, 1]}]
    assert ("sentences", 0, "merged 2") in {(x["layer"], x["index"], x["action"]) for x in stats.locations}
    assert valid(out[0])


def test_dependency_tree_over_merged_tokens_is_dropped_and_reported() -> None:
    text = f"Call {TH_MOBILE}"
    s = side(text, "en", pos={"values": ["VERB", "NUM", "NUM", "NUM"]},
             lemma={"values": ["call", "081", "234", "5678"]}, head={"values": [0, 1, 2, 2]},
             deprel={"values": ["root", "obj", "flat", "flat"]})
    out, stats = run([record("tree", en=s)])
    lay = out[0]["sides"]["en"]["layers"]
    assert lay["pos"]["values"] == ["VERB", "NUM"]
    assert lay["lemma"]["values"] == ["call", "[PHONE]"], "a merged token's lemma is its new text, never the value"
    assert "head" not in lay and "deprel" not in lay
    assert {("head", "dropped"), ("deprel", "dropped")} <= {(x["layer"], x["action"]) for x in stats.locations}
    assert valid(out[0])


def test_record_that_is_not_an_object_or_has_no_sides(tmp_path: Path) -> None:
    src = tmp_path / "bad.jsonl"
    src.write_text('{"id": "a", "sides": {"en": {"text": "hi"}}}\n[1, 2]\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"bad.jsonl:2: a record is a JSON object, not an array"):
        mask_file(src, tmp_path / "out.jsonl")
    assert not (tmp_path / "out.jsonl").exists(), "nothing is written when the run stops"
    src.write_text('{"id": "a", "sides": {"en": {"txt": "hi"}}}\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"bad.jsonl:1: record 'a': the record is not valid .* at /sides/en/text "
                                         r"\[schema-type\]; nothing was written"):
        mask_file(src, tmp_path / "out.jsonl")
    # an invalid record is named by rule and pointer only: the message would quote the text
    bad = record("gap", en=side(f"Call {TH_MOBILE}.", "en"))
    bad["sides"]["en"]["layers"]["sentences"]["spans"] = [[0, 4]]
    src.write_bytes(orjson.dumps(bad) + b"\n")
    with pytest.raises(InputError) as exc:
        mask_file(src, tmp_path / "out.jsonl")
    assert "[sentences-gap]" in str(exc.value) and "081" not in str(exc.value)


def test_unknown_strategy_and_detector() -> None:
    with pytest.raises(UsageError, match="--strategy"):
        Masker([], "shred")
    with pytest.raises(UsageError):
        build_detectors({"no-such-detector": {}}, None)


def test_types_limit_what_is_masked() -> None:
    out, stats = run(corpus()[3:4], types=["EMAIL"])
    assert set(stats.counts) == {"EMAIL"}
    assert ID_MOBILE in out[0]["sides"]["id"]["text"] and EMAIL not in out[0]["sides"]["id"]["text"]


# ------------------------------------------------------------------------------------ the runner

def test_mask_file_logs_the_step_with_counts_only(tmp_path: Path) -> None:
    src = tmp_path / "c.jsonl"
    src.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in corpus()))
    man = tmp_path / "manifest.json"
    man.write_text('{"manifest": "lancang/manifest/1", "id": "c", "processing": []}', encoding="utf-8")
    key = tmp_path / "k"
    key.write_bytes(KEY)
    st = mask_file(src, tmp_path / "o.jsonl", strategy="pseudonymise", key_file=key, manifest=man)
    [step] = orjson.loads(man.read_bytes())["processing"]
    assert step["step"] == "desensitisation" and step["tool"] == "lancang mask"
    assert step["settings"]["strategy"] == "pseudonymise" and len(step["settings"]["key_id"]) == 16
    assert step["counts"]["masked"] == dict(sorted(st.counts.items()))
    assert step["inputs"][0]["path"] == "c.jsonl" and step["outputs"][0]["path"] == "o.jsonl"
    assert KEY.hex() not in man.read_text(encoding="utf-8")


def test_missing_manifest_stops_before_reading(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such manifest"):
        mask_file(tmp_path / "absent.jsonl", tmp_path / "o.jsonl", manifest=tmp_path / "m.json")


# ------------------------------------------------------------------------------------ scripts and real data

NATIVE = [("km", "ទូរស័ព្ទ ០១២ ៣៤៥ ៦៧៨ សូមអរគុណ", "០១២ ៣៤៥ ៦៧៨", "០"),
          ("lo", "ໂທ ໐໒໐ ໕໕໕໕ ໑໒໓໔ ຂອບໃຈ", "໐໒໐ ໕໕໕໕ ໑໒໓໔", "໐"),
          ("my", "ဖုန်း ၀၉ ၄၅၀ ၀၀၀ ၁၂၃ ပါ", "၀၉ ၄၅၀ ၀၀၀ ၁၂၃", "၀")]


@pytest.mark.parametrize("lang,text,value,zero", NATIVE, ids=[x[0] for x in NATIVE])
def test_khmer_lao_myanmar_numbers_in_native_digits(lang: str, text: str, value: str, zero: str) -> None:
    rec = record(lang, **{lang: side(text, lang)})
    red, _ = run([rec])
    new = red[0]["sides"][lang]
    assert new["text"] == text.replace(value, "[PHONE]") and valid(red[0])
    assert [new["text"][s:e] for s, e in new["layers"]["tokens"]["spans"]][1] == "[PHONE]"
    pseudo, stats = run([rec], "pseudonymise", KEY)
    new = pseudo[0]["sides"][lang]
    [it] = new["layers"][PII_LAYER]["items"]
    sur = new["text"][it["start"]:it["end"]]
    assert sur != value and len(sur) == len(value) and not stats.adjusted
    digits = {chr(ord(zero) + i) for i in range(10)}
    assert all(c in digits or c == " " for c in sur), "the surrogate is written in the same digits"
    assert run(pseudo, "pseudonymise", KEY)[0] == pseudo


@pytest.mark.parametrize("lang", ["zh", "en", "th", "id"])
def test_real_sentences_without_personal_data_are_not_changed(tmp_path: Path, lang: str) -> None:
    """PUD (CoNLL-U: tokens, POS, dependency trees) has years, quantities and scores, no personal data."""
    src = shared("parallel", "pud", f"{lang}_pud.conllu")
    st = mask_file(src, tmp_path / "out.jsonl", langs=[lang])
    assert st.records == 300 and st.changed == 0 and not st.counts
    assert list(read_corpus(tmp_path / "out.jsonl")) == list(read_corpus(src, langs=[lang]))


# ------------------------------------------------------------------------------------ property

_WORDS = ["电话", "请", "Gọi", "số", "โทร", "hubungi", "nombor", "call", "。", ",", "2019", "3-1"]
_PHONES = [CN_MOBILE, VN_MOBILE, TH_MOBILE, ID_MOBILE, MY_MOBILE, CN_ID, EMAIL]


@st.composite
def _cut_record(draw: Any) -> dict[str, Any]:
    """A side whose tokens and sentences are cut anywhere between characters (a value may span several
    tokens or hold a sentence boundary), with per-token values and a second side linked to it."""
    parts = draw(st.lists(st.one_of(st.sampled_from(_WORDS), st.sampled_from(_PHONES)), min_size=1, max_size=8))
    text = " ".join(parts)
    cuts = sorted(draw(st.sets(st.integers(1, len(text) - 1), max_size=12))) if len(text) > 1 else []
    bounds = [0, *cuts, len(text)]
    tokens = []
    for a, b in zip(bounds, bounds[1:]):
        for m in re.finditer(r"\S+", text[a:b]):
            tokens.append([a + m.start(), a + m.end()])
    sbounds = sorted({0, len(text), *draw(st.sets(st.sampled_from(cuts or [0]), max_size=2))})
    sents = [[a, b] for a, b in zip(sbounds, sbounds[1:]) if text[a:b].strip()]
    sents = [[a + len(text[a:b]) - len(text[a:b].lstrip()), b - (len(text[a:b]) - len(text[a:b].rstrip()))]
             for a, b in sents]
    a, b = sorted(draw(st.tuples(st.integers(0, len(text) - 1), st.integers(1, len(text)))))
    ents = [{"id": "E1", "start": a, "end": b, "label": "MISC"}] if a < b else []
    at = draw(st.integers(0, len(text)))
    main = {"text": text, "layers": {"tokens": {"spans": tokens}, "sentences": {"spans": sents},
                                     "pos": {"values": ["X"] * len(tokens)},
                                     "entities": {"items": ents},
                                     "codes": {"items": [{"kind": "ph", "start": at, "end": at}]}}}
    other = side("请 联系 我们 。", "zh")
    rec = {"id": "p", "sides": {"en": main, "zh-Hans": other},
           "links": [{"kind": "beads", "src": "en", "tgt": "zh-Hans",
                      "beads": [{"src": [i], "tgt": [0] if i == 0 else []} for i in range(len(sents))]},
                     {"kind": "tokens", "src": "en", "tgt": "zh-Hans",
                      "pairs": [[i, min(i, 3), "S"] for i in range(len(tokens))]}]}
    return rec


@settings(max_examples=80, deadline=None)
@given(rec=_cut_record(), strategy=st.sampled_from(["redact", "pseudonymise", "tag"]))
def test_any_cut_leaves_a_valid_record_without_the_values(rec: dict[str, Any], strategy: str) -> None:
    if not valid(rec):  # a bead list the generator made invalid (empty both sides) is not this test's concern
        return
    from lancang.processing.detectors import find_all

    out, _ = run([rec], strategy, KEY)
    assert valid(out[0])
    en = out[0]["sides"]["en"]
    if strategy == "tag":
        assert en["text"] == rec["sides"]["en"]["text"]
    else:
        assert unmasked(find_all(en["text"], "en", en), en) == [], "nothing the detectors find is left"
    assert run(out, strategy, KEY)[0] == out


@pytest.mark.parametrize("strategy", ["redact", "pseudonymise"])
def test_the_lemma_of_a_masked_token_never_keeps_the_value(strategy: str) -> None:
    text = "Email dewi@example.co.id or call 0812-3456-7890 ."
    s = side(text, "id")
    words = [text[a:b] for a, b in s["layers"]["tokens"]["spans"]]
    s["layers"]["lemma"] = {"values": [w.lower() if w != "or" else None for w in words]}
    s["layers"]["pos"] = {"values": ["X"] * len(words)}
    out, _ = run([record("lemma", id=s)], strategy, KEY)
    new = out[0]["sides"]["id"]
    assert "dewi@example.co.id" not in dump(out) and "0812-3456-7890" not in dump(out)
    got = [new["text"][a:b] for a, b in new["layers"]["tokens"]["spans"]]
    # the masked tokens' lemmas are their new text; the others are untouched (None stays None)
    assert new["layers"]["lemma"]["values"] == ["email", got[1], None, "call", got[4], "."]
    assert got[1] != "dewi@example.co.id" and got[4] != "0812-3456-7890"


def test_pseudonymised_meta_copies_get_the_text_surrogate_and_marks() -> None:
    out, _ = run(corpus()[3:4], "pseudonymise", KEY)
    ms = out[0]["sides"]["ms"]
    [it] = ms["layers"][PII_LAYER]["items"]
    sur = ms["text"][it["start"]:it["end"]]
    assert sur != MY_MOBILE and ms["meta"]["text_en"] == f"Please call {sur} before 5."
    assert ms["meta"]["conllu"]["comments"][1] == f"# text = telefon {sur}"
    marks = ms["meta"][PII_LAYER]
    assert set(marks) == {"/text_en", "/conllu/comments/1"}
    assert all(m["surrogate"] and m["type"] == "PHONE" for ms_ in marks.values() for m in ms_)
    assert EMAIL not in dump(out) and set(out[0]["meta"][PII_LAYER]) == {"/tmx/header/attrs/creationid",
                                                                          "/tmx/props/0/text"}
    tagged, _ = run(corpus()[3:4], "tag")
    assert tagged[0]["meta"] == corpus()[3]["meta"], "tag changes no text, in meta neither"
