"""The contract every format's tests subclass (in the style of translate-toolkit's per-format tests).

A subclass sets ``format_name`` (and ``langs`` for formats that do not name their languages) and
inherits round-trip tests over Chinese (Simplified and Traditional), Thai, Khmer, Lao, Burmese and
Vietnamese text, emoji and combining marks, empty segments, entities at the text edges, CRLF and
BOM input, and the refusal to lose what it cannot carry. Records are built to fit what the format
declares it carries (``FORMAT.carries`` and ``max_sides``), so the comparison is exact: what goes in
is what comes out, projected onto what the format can hold.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest
import regex

from lancang.corpora.convert import LossError, convert
from lancang.corpora.formats import FEATURES, Format, get_format, project
from lancang.corpora.jsonl import write_records
from lancang.errors import UsageError
from lancang.schemas.validator import RecordValidator

TEXTS = {
    "zh-Hans": "我爱北京天安门。",
    "zh-Hant": "我愛臺北的夜市。",
    "th": "ฉันรักภาษาไทยมาก",
    "km": "ខ្ញុំស្រលាញ់ភាសាខ្មែរ",
    "lo": "ຂ້ອຍຮັກພາສາລາວ",
    "my": "ကျွန်တော် မြန်မာစာ လေ့လာနေတယ်။",
    "vi": "Tôi yêu tiếng Việt lắm.",
    "en": "I ❤️ Bangkok 🇹🇭 and q\u0301 marks 👩🏽‍💻!",
}
WORD = regex.compile(r"\w+|[^\w\s]+")


def tokens_of(text: str) -> list[list[int]]:
    return [[m.start(), m.end()] for m in WORD.finditer(text)]


def assert_needs_src(cli: Any, path: Path, fmt: str, message: str, src: str | None = None) -> str:
    """Issue 11: reading ``path`` in format ``fmt`` without --src stops, never naming a side ``und``: the
    reader with the usage error ``message`` (a regex for all of it), ``lancang convert`` with one line and
    exit 2, writing nothing. With ``src``, the same conversion names every side ``src``. Returns the
    line ``convert`` printed."""
    with pytest.raises(UsageError, match=message + r"\Z"):
        list(get_format(fmt).read(path))
    out = path.parent / "no-src.jsonl"
    res = cli("convert", str(path), str(out), "--from", fmt)
    assert res.exit_code == 2 and len(res.output.strip().splitlines()) == 1, res.output
    assert res.output.strip().endswith("does not name the language of its text: give it with --src"), res.output
    assert not out.exists()
    if src:
        assert cli("convert", str(path), str(out), "--from", fmt, "--src", src).exit_code == 0
        assert {tuple(orjson.loads(x)["sides"]) for x in out.read_bytes().splitlines()} == {(src,)}
    return res.output.strip()


def make_side(text: str, carries: frozenset[str], k: int) -> dict[str, Any]:
    side: dict[str, Any] = {"text": text}
    layers: dict[str, Any] = {}
    toks = tokens_of(text)
    if "tokens" in carries and toks:
        layers["tokens"] = {"spans": toks}
        if "token-values" in carries:
            layers["pos"] = {"values": ["X"] * len(toks)}
    if "sentences" in carries and text:
        layers["sentences"] = {"spans": [[0, len(text)]]}
    if "entities" in carries and toks:
        items = [{"id": "T1", "start": toks[0][0], "end": toks[0][1], "label": "PER"}]
        if len(toks) > 1:  # one at each edge of the text
            items.append({"id": "T2", "start": toks[-1][0], "end": toks[-1][1], "label": "LOC"})
        layers["entities"] = {"items": items}
        if "relations" in carries and len(items) > 1:
            layers["entities"]["relations"] = [{"id": "R1", "label": "near",
                                                "args": [{"role": "Arg1", "ref": "T1"}, {"role": "Arg2", "ref": "T2"}]}]
    if "segments" in carries and text:  # speech: the text spoken from 0 s, words at a quarter second each
        layers["segments"] = {"spans": [{"start": 0, "end": len(text), "t0": 0.0, "t1": 1.5 + k}]}
    if "words" in carries and toks:
        layers["words"] = {"spans": [{"start": s, "end": e, "t0": i / 4, "t1": (i + 1) / 4}
                                     for i, (s, e) in enumerate(toks)]}
    if "provenance" in carries and "tokens" in layers:
        layers["tokens"]["provenance"] = {"method": "manual", "annotator": f"ann-{k}"}
    if layers:
        side["layers"] = layers
    if "media" in carries and text:
        side["media"] = {"uri": f"audio/side-{k}.wav"}
    return side


class FormatContract:
    format_name: str = ""
    #: languages for formats that need them (default: the first two of TEXTS)
    langs: list[str] | None = None
    #: file name of the output (a folder name for folder formats)
    filename: str = "out"
    #: whether the format keeps record ids
    keeps_ids: bool = True
    #: whether reading accepts CRLF line ends and a BOM (all text formats must)
    crlf_bom: bool = True

    @property
    def fmt(self) -> Format:
        return get_format(self.format_name)

    def sides_langs(self) -> list[str]:
        if self.langs:
            return list(self.langs)
        n = self.fmt.max_sides
        return list(TEXTS) if n is None else list(TEXTS)[:n]

    def sample_records(self) -> list[dict[str, Any]]:
        """Records this format can carry in full: every script, an empty segment, entities at edges."""
        langs = self.sides_langs()
        carries = self.fmt.carries
        texts = list(TEXTS.values())
        recs = []
        for i in range(len(texts)):
            sides = {lang: make_side(texts[(i + j) % len(texts)], carries, j) for j, lang in enumerate(langs)}
            rec: dict[str, Any] = {"id": f"r{i}", "sides": sides}
            if "doc" in carries:
                rec["doc"] = "d1"
            if "token-links" in carries and len(langs) > 1 and all("layers" in s for s in sides.values()):
                rec["links"] = [{"kind": "tokens", "src": langs[0], "tgt": langs[1], "pairs": [[0, 0, "S"]]}]
            recs.append(rec)
        recs.append({"id": "empty", "sides": {lang: {"text": ""} for lang in langs}})
        return recs

    # -- helpers -------------------------------------------------------------------------------
    def path(self, tmp_path: Path) -> Path:
        ext = self.fmt.extensions[0] if self.fmt.extensions else ""
        return tmp_path / (self.filename + ext)

    def write(self, records: list[dict[str, Any]], path: Path) -> None:
        assert self.fmt.write is not None
        self.fmt.write(iter(records), path, langs=self.sides_langs())

    def read(self, path: Path) -> list[dict[str, Any]]:
        assert self.fmt.read is not None
        return list(self.fmt.read(path, langs=self.sides_langs()))

    def normalise(self, rec: dict[str, Any]) -> dict[str, Any]:
        r = project(rec, self.fmt.carries)
        if not self.keeps_ids:
            r.pop("id", None)
        return r

    def assert_same(self, original: list[dict[str, Any]], back: list[dict[str, Any]]) -> None:
        assert len(back) == len(original)
        for a, b in zip(original, back):
            assert self.normalise(b) == self.normalise(a)

    def to_crlf_bom(self, path: Path) -> None:
        data = path.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
        path.write_bytes(b"\xef\xbb\xbf" + data)

    # -- the contract --------------------------------------------------------------------------
    def test_declares_known_features(self) -> None:
        assert self.fmt.name == self.format_name
        assert set(self.fmt.carries) <= set(FEATURES)
        assert self.fmt.read is not None or self.fmt.write is not None

    def test_sample_records_are_valid(self) -> None:
        rv = RecordValidator()
        for rec in self.sample_records():
            assert rv.check(rec) == [], rec

    def test_round_trip_all_scripts(self, tmp_path: Path) -> None:
        if self.fmt.read is None or self.fmt.write is None:
            pytest.skip("format is read-only or write-only")
        recs = self.sample_records()
        p = self.path(tmp_path)
        self.write(recs, p)
        back = self.read(p)
        self.assert_same(recs, back)
        rv = RecordValidator()
        for rec in back:
            assert rv.check(rec) == [], rec

    def test_round_trip_is_stable(self, tmp_path: Path) -> None:
        """Writing what was read gives the same bytes again."""
        if self.fmt.read is None or self.fmt.write is None:
            pytest.skip("format is read-only or write-only")
        p1, p2 = self.path(tmp_path / "a"), self.path(tmp_path / "b")
        p1.parent.mkdir()
        p2.parent.mkdir()
        self.write(self.sample_records(), p1)
        self.write(self.read(p1), p2)
        assert _snapshot(p1) == _snapshot(p2)

    def test_crlf_and_bom_input(self, tmp_path: Path) -> None:
        if not self.crlf_bom or self.fmt.read is None or self.fmt.write is None:
            pytest.skip("not a text format")
        recs = self.sample_records()
        p = self.path(tmp_path)
        self.write(recs, p)
        self.to_crlf_bom(p)
        self.assert_same(recs, self.read(p))

    def test_loss_is_refused(self, tmp_path: Path) -> None:
        carries_all = set(self.fmt.carries) >= set(FEATURES) - {"sides>2"} and self.fmt.max_sides is None
        if self.fmt.write is None or carries_all:
            pytest.skip("format carries everything")
        rec = {"id": "full", "doc": "d", "meta": {"k": "v"}, "sides": {
            lang: make_side(TEXTS[lang], frozenset(FEATURES), 0) for lang in TEXTS}}
        rec["sides"]["zh-Hans"]["layers"]["x-note"] = {"v": 1}
        rec["links"] = [{"kind": "tokens", "src": "zh-Hans", "tgt": "th", "pairs": [[0, 0, "S"]]}]
        src = tmp_path / "in.jsonl"
        write_records(src, [rec])
        out = self.path(tmp_path)
        with pytest.raises(LossError, match="record 'full'.*cannot hold"):
            convert(src, out, to_format=self.format_name, langs=self.sides_langs()[:2])
        assert not out.exists(), "nothing is written when loss is refused"


def _snapshot(p: Path) -> Any:
    if p.is_dir():
        return {q.name: q.read_bytes() for q in sorted(p.iterdir())}
    return p.read_bytes()
