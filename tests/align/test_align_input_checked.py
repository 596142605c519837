"""align checks each record against the model's invariants as it reads it: a layer of the wrong
shape is one line naming the file, line and record (exit 2), never a traceback, and nothing is
written."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from lancang.cli import main

BAD = ('{"id":"r1","sides":{"zh":{"text":"我爱你。","layers":{"sentences":[[0,4]]}},'
       '"th":{"text":"ฉันรักเธอ","layers":{"sentences":{"spans":[[0,9]]}}}}}\n')
PAST = ('{"id":"r2","sides":{"zh":{"text":"我爱你。","layers":{"sentences":{"spans":[[0,40]]}}},'
        '"th":{"text":"ฉันรักเธอ","layers":{"sentences":{"spans":[[0,9]]}}}}}\n')


def test_a_malformed_layer_is_one_located_line(tmp_path: Path) -> None:
    for name, line in (("bad", BAD), ("past", PAST)):
        src, out = tmp_path / f"{name}.jsonl", tmp_path / f"{name}.out.jsonl"
        src.write_text(line, encoding="utf-8")
        res = CliRunner().invoke(main, ["align", str(src), str(out), "--sentences"])
        assert res.exit_code == 2, res.output
        assert "Traceback" not in res.output and f"{src}:1: record " in res.output, res.output
        assert len(res.output.strip().splitlines()) == 1 and not out.exists()
