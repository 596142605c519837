"""`lancang convert` and `lancang formats` through the command line."""

from __future__ import annotations

from pathlib import Path

import orjson


def test_formats_lists_every_registered_format(cli) -> None:
    res = cli("formats", "--format", "json")
    names = {f["name"] for f in orjson.loads(res.stdout)}
    assert {"jsonl", "text", "conllu", "brat", "labelstudio", "doccano", "conll", "moses", "tsv", "pharaoh"} <= names


def test_convert_with_reader_and_writer_options(cli, tmp_path: Path) -> None:
    src = tmp_path / "ner.conll"
    src.write_text("Budi B-PER\ntinggal O\ndi O\nJakarta B-LOC\n. O\n", encoding="utf-8")
    out = tmp_path / "ner.jsonl"
    res = cli("convert", str(src), str(out), "--src", "id", "-I", "scheme=iob2")
    assert res.exit_code == 0, res.output
    [rec] = [orjson.loads(x) for x in out.read_bytes().splitlines()]
    side = rec["sides"]["id"]
    assert [side["text"][i["start"]:i["end"]] for i in side["layers"]["entities"]["items"]] == ["Budi", "Jakarta"]
    back = tmp_path / "back.conll"
    res = cli("convert", str(out), str(back), "--to", "conll", "-O", "scheme=bioes")
    assert res.exit_code == 0, res.output
    assert "S-PER" in back.read_text(encoding="utf-8") and "S-LOC" in back.read_text(encoding="utf-8")


def test_unknown_option_and_bad_option_syntax_are_errors(cli, tmp_path: Path) -> None:
    src = tmp_path / "a.txt"
    src.write_text("สวัสดี\n", encoding="utf-8")
    res = cli("convert", str(src), str(tmp_path / "a.jsonl"), "--src", "th", "-I", "colour=red")
    assert res.exit_code == 2 and "unknown reader option colour" in res.stderr
    res = cli("convert", str(src), str(tmp_path / "a.jsonl"), "--src", "th", "-I", "colour")
    assert res.exit_code == 2 and "is not KEY=VALUE" in res.stderr


def test_loss_is_refused_from_the_cli(cli, tmp_path: Path) -> None:
    from lancang.corpora.samples import sample_path

    out = tmp_path / "s.txt"
    res = cli("convert", str(sample_path()), str(out), "--src", "th")
    assert res.exit_code == 2 and "record 'pud-n01001011'" in res.stderr and "--allow-loss" in res.stderr
    assert not out.exists()
    res = cli("convert", str(sample_path()), str(out), "--src", "th", "--allow-loss")
    assert res.exit_code == 0 and "not carried:" in res.stderr and res.stdout == ""
    assert len(out.read_text(encoding="utf-8").splitlines()) == 48
