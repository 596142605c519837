"""Declared reader and writer options (issue 11): every format declares them, `lancang formats` lists
them with their defaults, and an option a format does not take is an error naming the format."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import orjson
import pytest

from lancang.corpora.formats import all_formats, get_format
from lancang.errors import UsageError

FORMATS = [f.name for f in all_formats()]


def test_every_format_declares_its_options() -> None:
    for f in all_formats():
        if f.read is not None:
            assert f.read_options is not None, f"{f.name}: reader options not declared"
        if f.write is not None:
            assert f.write_options is not None, f"{f.name}: writer options not declared"


@pytest.mark.parametrize("name", FORMATS)
def test_the_options_a_module_reads_are_the_ones_it_declares(name: str) -> None:
    """Every ``options.get("key")`` in a format module names a declared option (no hidden options)."""
    f = get_format(name)
    source = inspect.getsource(inspect.getmodule(f.read or f.write))
    used = set(re.findall(r"options\.get\(\"(\w+)\"", source))
    declared = set(f.read_options or {}) | set(f.write_options or {})
    assert used <= declared, f"{name} reads undeclared options {sorted(used - declared)}"


def test_options_round_trip_through_formats_json(cli) -> None:
    res = cli("formats", "--format", "json")
    assert res.exit_code == 0
    listed = {d["name"]: d for d in orjson.loads(res.stdout)}
    for f in all_formats():
        for key, declared in (("read_options", f.read_options), ("write_options", f.write_options)):
            got = listed[f.name][key]
            assert set(got) == set(declared or {}), (f.name, key)
            for opt, o in (declared or {}).items():
                assert got[opt]["default"] == o.default and got[opt]["help"] == o.help
                assert got[opt]["choices"] == (None if o.choices is None else list(o.choices))


def test_formats_text_shows_options_with_defaults(cli) -> None:
    res = cli("formats")
    assert "-I scheme=auto [auto|iob1|iob2|bioes|bilou]" in res.stdout
    assert "-O offsets=utf16 [utf16|codepoint]" in res.stdout
    assert "-I index_base=0 [0|1]" in res.stdout


@pytest.mark.parametrize("name", [f.name for f in all_formats() if f.read is not None])
def test_unknown_reader_option_is_exit_2(cli, tmp_path: Path, name: str) -> None:
    src = tmp_path / "in.dat"
    src.write_bytes(b"")
    res = cli("convert", str(src), str(tmp_path / "out.jsonl"), "--from", name, "--src", "th", "--tgt", "vi",
              "-I", "colour=red")
    assert res.exit_code == 2, res.output
    assert f"format {name!r}: unknown reader option colour (-I)" in res.stderr
    assert "Traceback" not in res.output


@pytest.mark.parametrize("name", [f.name for f in all_formats() if f.write is not None and f.name != "jsonl"])
def test_unknown_writer_option_is_exit_2(cli, tmp_path: Path, name: str) -> None:
    src = tmp_path / "in.txt"
    src.write_text("สวัสดี\n", encoding="utf-8")
    out = tmp_path / "out.dat"
    res = cli("convert", str(src), str(out), "--src", "th", "--to", name, "-O", "colour=red", "--allow-loss")
    assert res.exit_code == 2, res.output
    assert f"format {name!r}: unknown writer option colour (-O)" in res.stderr
    assert not out.exists()


@pytest.mark.parametrize("name", ["tmx", "xliff", "xliff2"])
def test_formats_that_swallowed_options_now_refuse_them(tmp_path: Path, name: str) -> None:
    """These readers and writers took ``**_`` and ignored any option; called directly they refuse one too."""
    f = get_format(name)
    with pytest.raises(UsageError, match=f"format {name!r}: unknown reader option scheme"):
        next(iter(f.read(tmp_path / "none.xml", scheme="iob2")))
    with pytest.raises(UsageError, match=f"format {name!r}: unknown writer option scheme"):
        f.write([], tmp_path / "o.xml", scheme="iob2")
    assert not (tmp_path / "o.xml").exists()


def test_bad_option_value_names_the_choices(cli, tmp_path: Path) -> None:
    src = tmp_path / "a.conll"
    src.write_text("Budi B-PER\n", encoding="utf-8")
    res = cli("convert", str(src), str(tmp_path / "a.jsonl"), "--src", "id", "-I", "scheme=iob9")
    assert res.exit_code == 2
    assert "format 'conll': reader option scheme='iob9' is not one of auto, iob1, iob2, bioes, bilou" in res.stderr
