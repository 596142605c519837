from __future__ import annotations

from pathlib import Path

import orjson

from .conftest import valid_record, write_jsonl


def test_stats_json(cli, tmp_path: Path) -> None:
    bad = tmp_path / "s.jsonl"
    write_jsonl(bad, [valid_record(id="a"), valid_record(id="b", doc="d2"), "oops"])
    res = cli("stats", str(bad), "--format", "json")
    assert res.exit_code == 0, res.output
    st = orjson.loads(res.stdout)
    assert st["records"] == 2 and st["skipped_lines"] == 1 and st["documents"] == 2
    assert st["languages"]["zh-Hans"] == {"sides": 2, "characters": 16, "sentences": 4, "tokens": 14,
                                          "entities": 2, "relations": 0}
    assert st["layers"] == {"entities": 2, "pos": 2, "sentences": 4, "tokens": 4}
    assert st["labels"] == {"LOC": 2}
    assert st["provenance"]["tokens"] == {"auto": 2, "none": 2}
    assert st["provenance"]["entities"] == {"manual": 2}
    assert st["links"]["pairs-sure"] == 6 and st["links"]["pairs-possible"] == 2
    assert st["bead_types"] == {"1-1": 4}


def test_stats_text_and_errors(cli, tmp_path: Path) -> None:
    p = write_jsonl(tmp_path / "s.jsonl", [valid_record()])
    res = cli("stats", str(p))
    assert res.exit_code == 0
    assert "records: 1" in res.stdout and "zh-Hans" in res.stdout and "LOC 1" in res.stdout
    res = cli("stats", str(tmp_path))
    assert res.exit_code == 2 and "is a directory" in res.stderr and "Traceback" not in res.output


def test_demo_writes_only_its_folder(cli, tmp_path: Path) -> None:
    out = tmp_path / "demo"
    res = cli("demo", "--out", str(out))
    assert res.exit_code == 0, res.output
    names = {p.name for p in out.iterdir()}
    assert {"corpus.jsonl", "manifest.json", "report.html", "report.json", "stats.json", "validation.json"} <= names
    try:
        # imported only to learn whether the segmentation backends are installed
        import jieba  # noqa: F401
        import pythainlp  # noqa: F401
    except ImportError:
        assert "skipped:" in res.stdout
    else:  # with the language backends installed the demo segments, splits and scores every side
        assert {"annotated.jsonl", "accuracy.json"} <= names
        acc = orjson.loads((out / "accuracy.json").read_bytes())
        assert set(acc["languages"]) == {"zh-Hant", "en", "th", "id", "ms", "vi", "my"}
        assert acc["languages"]["en"]["f1"] > 0.95 and acc["languages"]["zh-Hant"]["f1"] > 0.7
        from lancang.corpora.jsonl import read_records
        from lancang.schemas.validator import RecordValidator

        rv = RecordValidator()
        aligned = list(read_records(out / "aligned.jsonl"))
        assert len(aligned) == 48 and all(rv.check(r) == [] for r in aligned)
        assert all({lk["kind"] for lk in r["links"]} == {"beads", "tokens"} for r in aligned)
        # the processing log wrote itself, and GB/T 40035's flow passes on that evidence alone
        log = orjson.loads((out / "manifest.json").read_bytes())["processing"]
        logged = [s["step"] for s in log if s.get("tool", "").startswith("lancang ")]
        assert logged[:4] == ["preparation", "cleaning", "deduplication", "desensitisation"]
        assert logged[-3:] == ["alignment", "sampling", "review"]
        flow = [q for q in orjson.loads((out / "report.json").read_bytes())["requirements"]
                if q["id"] == "processing-flow"]
        assert [q["verdict"] for q in flow] == ["pass"]
        # the report shows the evidence it judged on: every step of the log, cleaning with its hashes
        rep_steps = orjson.loads((out / "report.json").read_bytes())["processing"]
        assert [s["step"] for s in rep_steps] == [s["step"] for s in log]
        html_page = (out / "report.html").read_text(encoding="utf-8")
        assert '<tr data-step="cleaning"><td>cleaning</td><td>lancang clean ' in html_page
        assert "3. clean, de-duplicate and desensitise" in res.stdout
    rep = orjson.loads((out / "report.json").read_bytes())
    assert rep["signature"]["profiles"][0]["id"] == "lancang-zh-asean-parallel"
    assert rep["verdict"] in ("not-conformant", "incomplete")
    val = orjson.loads((out / "validation.json").read_bytes())
    assert val["status"] == "valid" and val["findings"] == []
    st = orjson.loads((out / "stats.json").read_bytes())
    assert st["records"] == 48
    assert set(st["languages"]) == {"zh-Hant", "en", "th", "id", "ms", "vi", "my"}
    assert "48 records, 48 valid" in res.stdout
    assert "48 records -> corpus.tmx -> 48 records; texts identical in 48" in res.stdout
    from lxml import etree

    assert etree.parse(str(out / "corpus.tmx")).getroot().get("version") == "1.4"


def test_demo_refuses_package_folder(cli) -> None:
    import lancang

    res = cli("demo", "--out", str(Path(lancang.__file__).parent / "demo-out"))
    assert res.exit_code == 2 and "does not write into the installed package" in res.stderr
