"""Bounded memory on hostile inputs (issue 12): a zlib-bomb DocBin, an XLIFF unit of hundreds of
thousands of segments and a TMX header of hundreds of thousands of properties are refused with a clear
error, in a few tens of MB, instead of taking hundreds of MB to GBs (figures in docs/decisions.md)."""

from __future__ import annotations

import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from lancang.corpora.formats import read_corpus
from lancang.errors import InputError

from ..memory import PRINT_OWN_PEAK_MB

#: peak RSS allowed while refusing each hostile file: the interpreter, lancang, lxml and spaCy take
#: about 60-100 MB of it; the old readers took 300 MB to 4 GB on these files
PEAK_MB = 200


def zlib_bomb(path: Path, mib: int) -> Path:
    co = zlib.compressobj(9)
    chunk = b"\0" * (1 << 20)
    path.write_bytes(b"".join(co.compress(chunk) for _ in range(mib)) + co.flush())
    return path


def repeated(path: Path, head: str, item: str, count: int, tail: str) -> Path:
    """A file of ``head``, ``count`` copies of ``item`` (``{i}`` numbered) and ``tail``, written as it goes."""
    with open(path, "w", encoding="utf-8") as f:
        f.write('<?xml version="1.0"?>\n' + head)
        f.writelines(item.format(i=i, k=i % 10) for i in range(count))
        f.write(tail)
    return path


def xliff2_unit(path: Path, segments: int) -> Path:
    return repeated(path, '<xliff xmlns="urn:oasis:names:tc:xliff:document:2.0" version="2.0" srcLang="en" '
                    'trgLang="th"><file id="f1"><unit id="u1">', '<segment id="s{i}"><source>a{i}</source></segment>',
                    segments, "</unit></file></xliff>\n")


def xliff2_file_notes(path: Path, notes: int) -> Path:
    return repeated(path, '<xliff xmlns="urn:oasis:names:tc:xliff:document:2.0" version="2.0" srcLang="en" '
                    'trgLang="th"><file id="f1"><notes>', '<note id="n{i}">x</note>', notes,
                    '</notes><unit id="u1"><segment><source>a</source></segment></unit></file></xliff>\n')


def xliff1_unit(path: Path, notes: int) -> Path:
    return repeated(path, '<xliff xmlns="urn:oasis:names:tc:xliff:document:1.2" version="1.2"><file '
                    'source-language="en" target-language="th" datatype="plaintext" original="x"><body>'
                    '<trans-unit id="t1"><source>a</source>', "<note>n{i}</note>", notes,
                    "</trans-unit></body></file></xliff>\n")


def tmx_header(path: Path, props: int) -> Path:
    return repeated(path, '<tmx version="1.4"><header creationtool="x" creationtoolversion="1" segtype="sentence" '
                    'o-tmf="x" adminlang="en" srclang="en" datatype="plaintext">', '<prop type="x-{k}">v</prop>', props,
                    '</header><body><tu><tuv xml:lang="en"><seg>a</seg></tuv><tuv xml:lang="th"><seg>b</seg></tuv>'
                    "</tu></body></tmx>\n")


def peak_rss_reading(path: Path, fmt: str) -> tuple[str, float]:
    """Read ``path`` in a fresh interpreter: (the error or 'ok', peak RSS in MB)."""
    code = f"""
from lancang.corpora.formats import read_corpus
from lancang.errors import InputError
try:
    for _ in read_corpus({str(path)!r}, {fmt!r}, ["th"]):
        pass
    out = "ok"
except InputError as exc:
    out = str(exc)
""" + PRINT_OWN_PEAK_MB + "print(out)\n"
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    peak, message = res.stdout.split("\n", 1)
    return message.strip(), float(peak)


def test_docbin_zlib_bomb_is_refused_in_bounded_memory(tmp_path: Path) -> None:
    pytest.importorskip("spacy", reason='spaCy is not installed (pip install "lancang[spacy]")')
    bomb = zlib_bomb(tmp_path / "bomb.spacy", 400)  # 400 KB that inflate to 400 MiB
    message, peak = peak_rss_reading(bomb, "docbin")
    assert "inflates to more than 256 MiB" in message and "-I max_mb=N" in message
    assert peak < PEAK_MB, f"peak RSS {peak:.0f} MB"
    with pytest.raises(InputError, match="inflates to more than 1 MiB"):
        list(read_corpus(zlib_bomb(tmp_path / "small.spacy", 2), "docbin", max_mb=1))


def test_xliff2_unit_of_many_segments_is_refused_in_bounded_memory(tmp_path: Path) -> None:
    path = xliff2_unit(tmp_path / "big.xlf", 150_000)
    message, peak = peak_rss_reading(path, "xliff2")
    assert "<unit id='u1'> has more than 50,000 elements" in message and "[xliff2-unit-too-large]" in message
    assert f"{path}:2:" in message
    assert peak < PEAK_MB, f"peak RSS {peak:.0f} MB"


def test_many_units_in_a_file_are_not_refused(tmp_path: Path) -> None:
    """The limit counts what is held at once: it starts again after every unit."""
    path = repeated(tmp_path / "many.xlf", '<xliff xmlns="urn:oasis:names:tc:xliff:document:2.0" version="2.0" '
                    'srcLang="en" trgLang="th"><file id="f1"><group id="g">',
                    '<unit id="u{i}"><notes><note>n</note></notes><segment><source>a{i}</source></segment></unit>',
                    30, "</group></file></xliff>\n")
    assert len(list(read_corpus(path, "xliff2", max_unit_elements=10))) == 30


def test_tmx_header_of_many_properties_is_refused_in_bounded_memory(tmp_path: Path) -> None:
    path = tmx_header(tmp_path / "big.tmx", 400_000)
    message, peak = peak_rss_reading(path, "tmx")
    assert "more than 50,000 elements in one <tu> or <header>" in message and "[tmx-unit-too-large]" in message
    assert peak < PEAK_MB, f"peak RSS {peak:.0f} MB"


@pytest.mark.parametrize(("make", "fmt", "rule"), [
    (lambda p, n: xliff2_unit(p, n), "xliff2", "xliff2-unit-too-large"),
    (lambda p, n: xliff2_unit(p, n), "xliff", "xliff2-unit-too-large"),  # handed from xliff to xliff2
    (lambda p, n: xliff2_file_notes(p, n), "xliff2", "xliff2-unit-too-large"),  # kept whole with the file
    (lambda p, n: xliff1_unit(p, n), "xliff", "xliff-unit-too-large"),
    (lambda p, n: tmx_header(p, n), "tmx", "tmx-unit-too-large"),
])
def test_the_limit_is_a_reader_option(tmp_path: Path, make, fmt: str, rule: str) -> None:
    path = make(tmp_path / "f.xml", 30)
    with pytest.raises(InputError, match=rf"more than 20 elements.*\[{rule}\]"):
        list(read_corpus(path, fmt, ["th"], max_unit_elements=20))
    assert list(read_corpus(path, fmt, ["th"]))  # the default reads it
