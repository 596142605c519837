from __future__ import annotations

from pathlib import Path

import pytest

from lancang.errors import InputError

from .contract import FormatContract


class TestJsonl(FormatContract):
    format_name = "jsonl"
    crlf_bom = True

    def to_crlf_bom(self, path: Path) -> None:
        data = path.read_bytes().replace(b"\n", b"\r\n")
        path.write_bytes(b"\xef\xbb\xbf" + data)


class TestText(FormatContract):
    format_name = "text"
    keeps_ids = False
    langs = ["th"]

    def test_line_break_in_text_is_an_error(self, tmp_path: Path) -> None:
        with pytest.raises(InputError, match="record 'x'.*line break"):
            self.write([{"id": "x", "sides": {"th": {"text": "a\nb"}}}], tmp_path / "o.txt")

    def test_non_nfc_line_is_normalised_and_marked(self, tmp_path: Path) -> None:
        p = tmp_path / "i.txt"
        p.write_bytes("Vie\u0302\u0323t\n".encode())
        [rec] = self.read(p)
        assert rec["sides"]["th"] == {"text": "Việt", "meta": {"source_not_nfc": True}}
