"""The HTML report renders in a real browser (Debian's headless Chromium) and shows the verdicts."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from lxml import html as lhtml

from lancang.corpora.samples import sample_path


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
    # 22: lancang-zh-asean-parallel replaces GB/T 40035's completeness-empty by id (one limit, not two)
    assert len(rows) == 22 and verdicts.count("fail") >= 1 and verdicts.count("pass") >= 10
    assert dom.xpath("//tr[@data-id='chinese-side']/td[1]")[0].text_content() == "不通过"
    assert "每条记录含中文一侧" in dom.text_content()
    assert len(dom.xpath("//svg")) >= 3, "the distribution charts render as inline SVG"
