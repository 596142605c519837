"""Extension layers between the speech formats (issue 18): each format keeps its own ``x-*`` layer
(``Format.x_layers``), so convert refuses to drop another format's (a TextGrid's phone tiers in
``x-textgrid``) unless ``--allow-loss`` is given."""

from __future__ import annotations

from pathlib import Path

import pytest

from lancang.corpora.formats import get_format

from ..conftest import shared


@pytest.mark.parametrize("fmt,layer", [("textgrid", "x-textgrid"), ("eaf", "x-eaf"), ("webvtt", "x-webvtt"),
                                       ("srt", "x-srt"), ("ctm", "x-ctm")])
def test_each_speech_format_declares_its_layer(fmt: str, layer: str) -> None:
    assert get_format(fmt).x_layers == frozenset({layer})


def test_textgrid_phone_tiers_into_webvtt_need_allow_loss(cli, tmp_path: Path) -> None:
    src = shared("speech", "textgrid", "charsiu", "SSB00050015.TextGrid")  # words + phones tiers
    out = tmp_path / "s.vtt"
    res = cli("convert", str(src), str(out), "--src", "zh-Hans")
    assert res.exit_code == 2
    assert res.stderr.count("\n") == 1 and "cannot hold layer x-textgrid" in res.stderr and "--allow-loss" in res.stderr
    assert not out.exists()
    res = cli("convert", str(src), str(out), "--src", "zh-Hans", "--allow-loss")
    assert res.exit_code == 0 and "not carried: layer x-textgrid in 1 records" in res.stderr
    [rec] = get_format("webvtt").read(out, langs=["zh-Hans"])
    assert rec["sides"]["zh-Hans"]["text"].replace("\n", "") == "经广州日报报道后成为了社会热点"
    assert "phones" not in out.read_text(encoding="utf-8")


def test_a_textgrid_without_other_tiers_converts_without_loss(cli, tmp_path: Path) -> None:
    """One transcript tier over the whole file: no x-textgrid layer, so nothing to refuse."""
    src = shared("speech", "textgrid", "mfa", "61-70968-0000.TextGrid")
    out = tmp_path / "s.vtt"
    res = cli("convert", str(src), str(out), "--src", "en")
    assert res.exit_code == 0 and "not carried" not in res.stderr
    assert "HE BEGAN A CONFUSED COMPLAINT" in out.read_text(encoding="utf-8")


def test_a_webvtt_note_into_a_textgrid_needs_allow_loss(cli, tmp_path: Path) -> None:
    src = tmp_path / "n.vtt"
    src.write_text("WEBVTT\n\nNOTE kept only by WebVTT\n\n00:00.000 --> 00:01.000\nhello\n", encoding="utf-8")
    out = tmp_path / "n.TextGrid"
    res = cli("convert", str(src), str(out), "--src", "en")
    assert res.exit_code == 2 and "cannot hold layer x-webvtt" in res.stderr and not out.exists()
    res = cli("convert", str(src), str(out), "--src", "en", "--allow-loss")
    assert res.exit_code == 0 and "not carried: layer x-webvtt in 1 records" in res.stderr
