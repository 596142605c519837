"""The HTML report renders in a real browser (Debian's headless Chromium) and shows the verdicts."""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import numpy as np
import pytest
from lxml import html as lhtml

from lancang.corpora.samples import sample_path
from lancang.standards.html import CSS


def chromium() -> str:
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if exe is None:
        if os.environ.get("LANCANG_REQUIRE_CHROMIUM"):
            pytest.fail("chromium is required here (LANCANG_REQUIRE_CHROMIUM is set) but not installed")
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    return exe


def test_html_report_renders(cli, tmp_path: Path) -> None:
    exe = chromium()
    out = tmp_path / "report.html"
    res = cli("check", str(sample_path()), "--manifest", str(sample_path("sample.manifest.json")),
              "-p", "lancang-zh-asean-parallel", "--format", "html", "-o", str(out), "--lang", "zh")
    assert res.exit_code == 1  # the sample is not conformant (TALPCo records have no Chinese side)
    proc = subprocess.run(
        [exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom", out.as_uri()],
        capture_output=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    dom = lhtml.fromstring(proc.stdout)
    verdict = dom.get_element_by_id("verdict")
    assert verdict.get("data-verdict") == "not-conformant" and verdict.text_content() == "不符合"
    rows = dom.xpath("//table[@class='requirements']/tbody/tr")
    verdicts = [r.get("data-verdict") for r in rows]
    # 23: lancang-zh-asean-parallel replaces GB/T 40035's completeness-empty by id (one limit, not two)
    assert len(rows) == 23 and verdicts.count("fail") >= 1 and verdicts.count("pass") >= 10
    assert dom.xpath("//tr[@data-id='chinese-side']/td[1]")[0].text_content() == "不通过"
    assert "每条记录含中文一侧" in dom.text_content()
    assert len(dom.xpath("//svg")) >= 3, "the distribution charts render as inline SVG"
    assert "中国—东盟翻译语料库规范" in dom.xpath("//p[@class='standard']")[0].text_content()
    assert [s.get("data-profile") for s in dom.xpath("//section")][-1] == "lancang-zh-asean-parallel"
    assert dom.xpath("//tr[@data-id='sentences']//details/summary")[0].text_content() == "其余 17 条"


#: one pair of different letters per script the report must render: (lang for fc-list, letter, letter)
GLYPHS = [("zh", "中", "语"), ("th", "ก", "ษ"), ("km", "ក", "ឃ"), ("lo", "ກ", "ຂ"), ("my", "က", "ဃ")]
BOX = 100  # px: each letter is drawn alone in a BOX x BOX cell


def read_png(data: bytes) -> np.ndarray:
    """Decode an 8-bit RGB or RGBA, non-interlaced PNG (what Chromium's --screenshot writes) to an array."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, head = 8, [], None
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            head = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
    assert head is not None
    width, height, depth, colour, _c, _f, interlace = head
    assert depth == 8 and colour in (2, 6) and interlace == 0, head
    bpp = 3 if colour == 2 else 4
    raw = zlib.decompress(b"".join(idat))
    stride = width * bpp
    out = np.zeros((height, stride), dtype=np.uint8)
    prev = np.zeros(stride, dtype=np.int32)
    for y in range(height):
        kind, line = raw[y * (stride + 1)], np.frombuffer(raw, np.uint8, stride, y * (stride + 1) + 1).astype(np.int32)
        if kind == 2:
            line = (line + prev) % 256
        elif kind in (1, 3, 4):
            cur = line.copy()
            for x in range(stride):
                a = cur[x - bpp] if x >= bpp else 0
                b = prev[x]
                if kind == 1:
                    pred = a
                elif kind == 3:
                    pred = (a + b) // 2
                else:
                    c = prev[x - bpp] if x >= bpp else 0
                    p = a + b - c
                    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                    pred = a if pa <= pb and pa <= pc else b if pb <= pc else c
                cur[x] = (cur[x] + pred) % 256
            line = cur
        out[y] = line
        prev = line
    return out.reshape(height, width, bpp)[:, :, :3].astype(np.float64)


def test_screenshot_renders_cjk_thai_khmer_lao_burmese_glyphs(tmp_path: Path) -> None:
    """Each script's letters, in the report's own font stack, leave ink where they are placed, and two
    different letters differ: a missing font draws the same empty box (tofu) for both."""
    exe = chromium()
    for lang, _a, _b in GLYPHS:
        if shutil.which("fc-list") and not subprocess.run(["fc-list", f":lang={lang}"], capture_output=True,
                                                         text=True).stdout.strip():
            if os.environ.get("LANCANG_REQUIRE_CHROMIUM"):
                pytest.fail(f"no font for {lang} (CI installs fonts-noto-cjk and fonts-noto-core)")
            pytest.skip(f"no font for {lang} is installed (apt-get install fonts-noto-cjk fonts-noto-core)")
    cells = []
    for row, (lang, a, b) in enumerate(GLYPHS):
        for col, ch in enumerate((a, b)):
            cells.append(f'<div lang="{lang}" style="position:absolute;left:{col * BOX}px;top:{row * BOX}px;'
                         f'width:{BOX}px;height:{BOX}px;font-size:60px;line-height:{BOX}px;text-align:center">'
                         f"{ch}</div>")
    page = tmp_path / "glyphs.html"
    page.write_text(f'<!DOCTYPE html><html><head><meta charset="utf-8"><style>{CSS}body{{margin:0}}</style></head>'
                    f"<body>{''.join(cells)}</body></html>", encoding="utf-8")
    shot = tmp_path / "glyphs.png"
    width, height = 3 * BOX, len(GLYPHS) * BOX
    proc = subprocess.run(
        [exe, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--hide-scrollbars", f"--user-data-dir={tmp_path / 'p'}",
         f"--window-size={width},{height}", f"--screenshot={shot}", page.as_uri()],
        capture_output=True, timeout=120)
    assert proc.returncode == 0 and shot.is_file(), proc.stderr[-2000:]
    img = read_png(shot.read_bytes())
    assert img.shape[:2] == (height, width)

    def cell(row: int, col: int) -> np.ndarray:
        return img[row * BOX:(row + 1) * BOX, col * BOX:(col + 1) * BOX]

    blank = cell(0, 2)  # the third column holds no text
    assert blank.std() < 1.0
    for row, (lang, a, b) in enumerate(GLYPHS):
        first, second = cell(row, 0), cell(row, 1)
        for ch, area in ((a, first), (b, second)):
            ink = (area.mean(axis=2) < 128).sum()
            assert area.std() > blank.std() + 20 and ink > 40, f"{lang} {ch}: blank glyph area"
        differ = (np.abs(first - second).mean(axis=2) > 64).sum()
        assert differ > 40, f"{lang}: {a} and {b} render alike (a missing font's empty box?)"
