"""Parquet (issue 17, columnar export): the format contract, the bundled sample byte-identical through
Parquet and back, the typed columns, key order and everything else kept in ``extra``, row groups of N
records, flat memory, pandas, Dask and foreign tables."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lancang.corpora.jsonl import read_records, write_records
from lancang.errors import InputError, UsageError

from ..memory import PRINT_OWN_PEAK_MB
from .contract import TEXTS, FormatContract, make_side

pa = pytest.importorskip("pyarrow", reason='pyarrow is not installed (pip install "lancang[parquet]")')
pq = pytest.importorskip("pyarrow.parquet")

from lancang.corpora.formats import FEATURES  # noqa: E402
from lancang.corpora.formats.parquet import read, to_pandas, write  # noqa: E402

SAMPLE = Path(__file__).resolve().parents[2] / "lancang" / "corpora" / "samples" / "sample.jsonl"


class TestParquet(FormatContract):
    format_name = "parquet"
    crlf_bom = False  # a binary format


def _dumps(recs: list[dict[str, Any]]) -> list[bytes]:
    return [orjson.dumps(r) for r in recs]


def test_sample_is_byte_identical_through_parquet_and_back(cli, tmp_path: Path) -> None:
    """``lancang convert corpus.jsonl corpus.parquet`` and back: the hub picks the format by extension."""
    pq_path, back = tmp_path / "corpus.parquet", tmp_path / "back.jsonl"
    res = cli("convert", str(SAMPLE), str(pq_path))
    assert res.exit_code == 0, res.output
    assert pq_path.read_bytes()[:4] == b"PAR1"
    res = cli("convert", str(pq_path), str(back))
    assert res.exit_code == 0, res.output
    assert back.read_bytes() == SAMPLE.read_bytes()
    # the content tells the format when the name does not
    odd = tmp_path / "corpus.bin"
    odd.write_bytes(pq_path.read_bytes())
    assert cli("convert", str(odd), str(tmp_path / "again.jsonl")).exit_code == 0
    assert (tmp_path / "again.jsonl").read_bytes() == SAMPLE.read_bytes()


def test_typed_columns(tmp_path: Path) -> None:
    """One row per record and side; layers in nested typed columns; links and meta on the first row; extra
    null for a side the typed columns rebuild."""
    rec = {"id": "r1", "doc": "d1", "meta": {"source": "t"}, "sides": {
        "zh-Hans": {"text": "我爱北京。", "layers": {
            "sentences": {"spans": [[0, 5]]}, "tokens": {"spans": [[0, 1], [1, 2], [2, 4], [4, 5]]},
            "pos": {"values": ["PRON", "VERB", "PROPN", None]}, "lemma": {"values": ["我", "爱", "北京", "。"]},
            "entities": {"items": [{"start": 2, "end": 4, "label": "LOC", "id": "T1"},
                                   {"start": 0, "end": 1, "label": "PER"}]}}},
        "vi": {"text": "Tôi yêu Bắc Kinh."}},
        "links": [{"kind": "beads", "src": "zh-Hans", "tgt": "vi", "beads": [{"src": [0], "tgt": [0]}]}]}
    p = tmp_path / "c.parquet"
    assert write([rec], p) == 1
    t = pq.read_table(p)
    assert t.schema.field("tokens").type == pa.list_(pa.list_(pa.int32()))
    assert t.schema.field("entities").type == pa.list_(pa.struct(
        [("start", pa.int32()), ("end", pa.int32()), ("label", pa.string()), ("id", pa.string())]))
    assert t.schema.field("pos").type == pa.list_(pa.string())
    rows = t.to_pylist()
    assert [(r["id"], r["doc"], r["side"], r["text"]) for r in rows] == [
        ("r1", "d1", "zh-Hans", "我爱北京。"), ("r1", "d1", "vi", "Tôi yêu Bắc Kinh.")]
    zh, vi = rows
    assert zh["tokens"] == [[0, 1], [1, 2], [2, 4], [4, 5]] and zh["sentences"] == [[0, 5]]
    assert zh["pos"] == ["PRON", "VERB", "PROPN", None] and zh["lemma"] == ["我", "爱", "北京", "。"]
    assert zh["entities"] == [{"start": 2, "end": 4, "label": "LOC", "id": "T1"},
                              {"start": 0, "end": 1, "label": "PER", "id": None}]
    assert orjson.loads(zh["links"]) == rec["links"] and orjson.loads(zh["meta"]) == {"source": "t"}
    assert vi["links"] is None and vi["meta"] is None and vi["tokens"] is None
    assert zh["extra"] is None and vi["extra"] is None and zh["record_extra"] is None
    assert _dumps(list(read(p))) == _dumps([rec])


def test_what_the_columns_do_not_hold_stays_in_extra(tmp_path: Path) -> None:
    """Provenance, entity attributes, fragments and relations, other layers, side meta, media, values of
    another type, and every key in its own place: the same JSON text back."""
    rec = {"meta": {"k": [1, 2.5, None]}, "links": [
        {"kind": "tokens", "src": "th", "tgt": "km", "pairs": [[0, 0, "S"]], "provenance": {"method": "auto"}}],
        "id": "x", "sides": {
        "th": {"meta": {"note": "n"}, "layers": {
            "entities": {"relations": [{"id": "R1", "label": "r", "args": [{"role": "a", "ref": "T1"},
                                                                         {"role": "b", "ref": "T2"}]}],
                         "items": [{"id": "T1", "label": "PER", "end": 3, "start": 0, "attrs": {"neg": True}},
                                   {"label": "LANG", "id": "T2", "fragments": [[3, 6], [6, 13]],
                                    "start": 3, "end": 13}],
                         "provenance": {"method": "assisted", "annotator": "a1", "tool": {"name": "t"}}},
            "tokens": {"provenance": {"method": "manual", "annotator": "a"}, "spans": [[0, 3], [3, 6], [6, 13]]},
            "x-note": {"v": 1}, "head": {"values": [0, 1, 1]}, "pos": {"values": ["PRON", 7, "NOUN"]}},
            "text": TEXTS["th"]},
        "km": {"text": TEXTS["km"], "layers": {"tokens": {"spans": [[0, 5]]}, "sentences": {"spans": [[0, 21]]}},
               "media": {"uri": "file:a.wav", "duration": 1.5}}}}
    p = tmp_path / "c.parquet"
    write([rec], p)
    [back] = read(p)
    assert orjson.dumps(back) == orjson.dumps(rec)
    th, km = pq.read_table(p).to_pylist()
    assert th["pos"] is None, "a value that is not a string keeps the layer in extra"
    assert th["tokens"] == [[0, 3], [3, 6], [6, 13]] and th["entities"][1]["id"] == "T2"
    assert orjson.loads(th["extra"])["layers"]["tokens"] == {"provenance": {"method": "manual", "annotator": "a"},
                                                            "spans": None}
    assert km["extra"] is not None  # sentences after tokens, and media
    assert th["record_extra"] is not None  # meta and links before id
    # what the writer gets only from the library (the hub refuses these records): kept as they are
    odd = [{"id": "n", "doc": None, "sides": {}}, {"id": "m", "sides": {"th": "not a side"}, "doc": "d"},
           {"sides": {"th": {"text": "x", "layers": {"tokens": {"spans": [[0, 2 ** 40]]}}}}, "id": "o"}]
    write(odd, p)
    assert _dumps(list(read(p))) == _dumps(odd)


layer_names = st.permutations(["sentences", "tokens", "pos", "lemma", "entities", "x-y"])
entity_keys = st.permutations(["start", "end", "label", "id"])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(order=layer_names, keys=entity_keys, keep=st.lists(st.booleans(), min_size=6, max_size=6),
       side_first=st.booleans(), lang=st.sampled_from(list(TEXTS)))
def test_any_key_order_and_layer_subset_comes_back_as_the_same_json(tmp_path: Path, order: list[str],
                                                                     keys: list[str], keep: list[bool],
                                                                     side_first: bool, lang: str) -> None:
    text = TEXTS[lang]
    full = make_side(text, frozenset(FEATURES), 0)["layers"]
    full["lemma"] = {"values": ["l"] * len(full["tokens"]["spans"])}
    full["x-y"] = {"v": [1]}
    full["entities"]["items"] = [{k: it[k] for k in keys} for it in full["entities"]["items"]]
    layers = {name: full[name] for name, k in zip(order, keep) if k}
    side: dict[str, Any] = {"layers": layers, "text": text} if side_first else {"text": text, "layers": layers}
    rec = {"id": "h", "sides": {lang: side, "vi": {"text": TEXTS["vi"]}}}
    p = tmp_path / "h.parquet"
    write([rec], p)
    assert _dumps(list(read(p))) == _dumps([rec])


def _records(n: int, text: str = TEXTS["th"]) -> list[dict[str, Any]]:
    return [{"id": f"r{i}", "sides": {"th": {"text": text}, "km": {"text": TEXTS["km"]}} if i % 3 else
             {"th": {"text": text}}} for i in range(n)]


def test_row_groups_hold_n_records_and_the_writer_streams(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    recs = _records(10)
    p = tmp_path / "g.parquet"
    assert write(iter(recs), p, row_group=3) == 10
    meta = pq.ParquetFile(p).metadata
    sides = [len(r["sides"]) for r in recs]
    assert meta.num_row_groups == 4
    assert [meta.row_group(k).num_rows for k in range(4)] == [sum(sides[i:i + 3]) for i in range(0, 10, 3)]
    assert list(read(p)) == recs
    # the writer hands a row group to pyarrow once it has its records, before it has seen the rest
    written: list[int] = []
    real = pq.ParquetWriter.write_table

    def spy(self: Any, table: Any, *args: Any, **kwargs: Any) -> None:
        written.append(table.num_rows)
        real(self, table, *args, **kwargs)
    monkeypatch.setattr(pq.ParquetWriter, "write_table", spy)
    seen: list[int] = []

    def produce() -> Any:
        for rec in recs:
            seen.append(len(written))
            yield rec
    write(produce(), tmp_path / "w.parquet", row_group=3)
    assert seen == [0, 0, 0, 1, 1, 1, 2, 2, 2, 3] and len(written) == 4


def test_writer_and_reader_memory_stay_flat(tmp_path: Path) -> None:
    """Peak RSS of writing then reading 40,000 records (120 MB of UTF-8 text) stays within 100 MB of 2,000
    records: 20 to 45 MB more in practice (pyarrow's memory pool keeps some), where a writer holding the whole
    table takes 300 MB more."""
    def peak(n: int) -> int:
        code = f"""
from lancang.corpora.formats.parquet import read, write
text = "ภาษาไทย" * 140
def recs():
    for i in range({n}):
        yield {{"id": f"r{{i}}", "sides": {{"th": {{"text": text, "layers": {{"tokens": {{"spans": [[0, 7]] }}}}}}}}}}
p = {str(tmp_path / f"m{n}.parquet")!r}
assert write(recs(), p, row_group=500) == {n}
assert sum(1 for _ in read(p)) == {n}
""" + PRINT_OWN_PEAK_MB
        res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
        assert res.returncode == 0, res.stderr
        return int(res.stdout.split()[0])
    small, large = peak(2000), peak(40000)
    assert large - small < 100, (small, large)


def test_to_pandas_from_parquet_and_from_any_corpus(tmp_path: Path) -> None:
    pd = pytest.importorskip("pandas")
    p = tmp_path / "s.parquet"
    write(read_records(SAMPLE), p)
    df = to_pandas(p)
    assert len(df) == sum(len(r["sides"]) for r in read_records(SAMPLE))
    assert df.loc[0, "id"] == "pud-n01001011" and df.loc[0, "side"] == "zh-Hant"
    assert list(df.loc[0, "tokens"][0]) == [0, 1]
    pd.testing.assert_frame_equal(to_pandas(SAMPLE), df)
    small = to_pandas(p, columns=["id", "side", "text"])
    assert list(small.columns) == ["id", "side", "text"]
    assert small.equals(to_pandas(SAMPLE, ["id", "side", "text"]))
    with pytest.raises(UsageError, match="no column colour; the columns are id, doc, side"):
        to_pandas(p, ["colour"])


def test_the_top_level_to_pandas_is_this_one() -> None:
    import lancang

    assert lancang.to_pandas is to_pandas


def test_a_table_pandas_wrote_back_reads_as_records(tmp_path: Path) -> None:
    """Rows filtered in pandas and written with ``DataFrame.to_parquet`` (int64 spans, an index column) read
    back as the records they hold."""
    pytest.importorskip("pandas")
    df = to_pandas(SAMPLE)
    keep = sorted(set(df["id"]))[::5]
    out = tmp_path / "some.parquet"
    df[df["id"].isin(keep)].to_parquet(out)
    want = [r for r in read_records(SAMPLE) if r["id"] in keep]
    assert _dumps(list(read(out))) == _dumps(want)


def test_dask_reads_the_output(tmp_path: Path) -> None:
    dd = pytest.importorskip("dask.dataframe", reason='Dask is not installed (pip install "lancang[dask]")')
    p = tmp_path / "s.parquet"
    write(read_records(SAMPLE), p, row_group=10)
    ddf = dd.read_parquet(str(p))
    assert ddf.npartitions >= 1
    got = ddf.compute()
    assert len(got) == len(to_pandas(p))
    assert list(got["side"].groupby(got["id"]).count()) == [
        len(r["sides"]) for r in sorted(read_records(SAMPLE), key=lambda r: r["id"])]
    assert set(ddf.columns) >= {"id", "side", "text", "tokens", "entities", "extra"}
    assert ddf[ddf.side == "th"]["text"].compute().str.len().gt(0).all()


def test_errors_are_one_located_line(cli, tmp_path: Path) -> None:
    bad = tmp_path / "bad.parquet"
    bad.write_bytes(b"PAR1 this is not parquet")
    res = cli("convert", str(bad), str(tmp_path / "o.jsonl"))
    assert res.exit_code == 2 and len(res.stderr.strip().splitlines()) == 1, res.output
    assert "bad.parquet: not a Parquet file" in res.stderr and not (tmp_path / "o.jsonl").exists()
    other = tmp_path / "other.parquet"
    pq.write_table(pa.table({"sentence": ["a"]}), other)
    with pytest.raises(InputError, match=r"other.parquet: not a lancang Parquet table: no column id, side, text"):
        list(read(other))
    dup = tmp_path / "dup.parquet"
    pq.write_table(pa.table({"id": ["a", "a"], "side": ["th", "th"], "text": ["x", "y"]}), dup)
    with pytest.raises(InputError, match=r"dup.parquet: row 1 \(record 'a'\): side 'th' again"):
        list(read(dup))
    with pytest.raises(UsageError, match="compresses itself"):
        write([], tmp_path / "x.parquet.gz")
    src = tmp_path / "in.jsonl"
    write_records(src, _records(3))
    out = tmp_path / "o.parquet"
    res = cli("convert", str(src), str(out), "-O", "row_group=0")
    assert res.exit_code == 2 and "row_group=0 is not a positive whole number" in res.stderr
    res = cli("convert", str(src), str(out), "-O", "compression=brotli9")
    assert res.exit_code == 2 and "compression='brotli9' is not one of" in res.stderr
    assert not out.exists()


def test_stdin_and_stdout(cli, tmp_path: Path) -> None:
    """``-`` both ways: written straight to stdout; read from stdin through a temporary file (Parquet is
    read from its footer)."""
    res = cli("convert", str(SAMPLE), "-", "--to", "parquet")
    assert res.exit_code == 0 and res.stdout_bytes[:4] == b"PAR1"
    back = tmp_path / "back.jsonl"
    res = cli("convert", "-", str(back), "--from", "parquet", input=res.stdout_bytes)
    assert res.exit_code == 0, res.output
    assert back.read_bytes() == SAMPLE.read_bytes()
    res = cli("convert", "-", str(tmp_path / "no.jsonl"), "--from", "parquet", input=b"junk\n")
    assert res.exit_code == 2 and "-: not a Parquet file" in res.stderr


def test_without_pyarrow_the_install_hint(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # what `import pyarrow` finds where it is not installed
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    out = tmp_path / "o.parquet"
    res = cli("convert", str(SAMPLE), str(out))
    assert res.exit_code == 2 and res.stderr.strip() == 'Error: Parquet needs pyarrow: pip install "lancang[parquet]"'
    assert not out.exists()


def test_a_failing_record_leaves_nothing_behind(tmp_path: Path) -> None:
    out = tmp_path / "o.parquet"

    def recs() -> Any:
        yield from _records(5)
        yield {"id": 5, "sides": {"th": {"text": "x"}}}
    with pytest.raises(InputError, match="record 5: /id is not a string"):
        write(recs(), out, row_group=2)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("compression", ["snappy", "none"])
def test_compression_option(tmp_path: Path, compression: str) -> None:
    p = tmp_path / "c.parquet"
    write(_records(4), p, compression=compression)
    codec = pq.ParquetFile(p).metadata.row_group(0).column(0).compression
    assert codec == ("SNAPPY" if compression == "snappy" else "UNCOMPRESSED")
    assert list(read(p)) == _records(4)


def test_the_docs_recipes_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture) -> None:
    """The pandas and Dask recipes of docs/notes/formats.md run on the sample (the ``datasets`` one is only
    shown: datasets is not a lancang dependency)."""
    import re

    notes = (Path(__file__).resolve().parents[2] / "docs" / "notes" / "formats.md").read_text(encoding="utf-8")
    section = notes[notes.index("## Parquet (columnar export)"):]
    blocks = re.findall(r"```python\n(.*?)```", section, re.S)
    assert len(blocks) == 3 and "load_dataset(\"parquet\", data_files=" in blocks[2]
    write(read_records(SAMPLE), tmp_path / "corpus.parquet")
    monkeypatch.chdir(tmp_path)
    exec(compile(blocks[0], "formats.md", "exec"), {})
    assert capsys.readouterr().out == "24\n"  # the 24 UD PUD records have both zh-Hant and th
    pytest.importorskip("dask.dataframe", reason='Dask is not installed (pip install "lancang[dask]")')
    exec(compile(blocks[1], "formats.md", "exec"), {})
    mean = float(capsys.readouterr().out)
    th = [len(r["sides"]["th"]["text"]) for r in read_records(SAMPLE)]
    assert mean == pytest.approx(sum(th) / len(th))
