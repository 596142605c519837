"""Progress through one helper (lancang.pipeline.progress.Display): rows with counts, rate and time left;
off when stderr is not a terminal or with --quiet, forced by --progress."""

from __future__ import annotations

from pathlib import Path

import orjson
from click.testing import CliRunner

from lancang.cli import main
from lancang.pipeline.progress import Display, shown
from tests.pipeline.test_run import corpus, pipeline


def invoke(*args: object) -> tuple[int, str, str]:
    res = CliRunner(env={"COLUMNS": "250"}).invoke(main, [str(a) for a in args], catch_exceptions=False)
    return res.exit_code, res.stdout, res.stderr


def test_shown_on_a_terminal_forced_or_hidden_by_the_flags() -> None:
    assert shown(True, quiet=True) is True  # --progress forces it, even with --quiet
    assert shown(False) is False
    assert shown(None, quiet=True) is False
    assert shown(None) is False  # pytest's stderr is not a terminal
    with Display(False) as d:
        assert d.task("anything", total=3) is None  # off: a library function gets no callback


def test_forced_progress_shows_count_rate_and_time_left(tmp_path: Path) -> None:
    src = corpus(tmp_path / "in.jsonl", 12)  # 576 records: three parts of 250 or fewer
    code, _, err = invoke("validate", src, "--jobs", "2", "--progress")
    assert code == 0
    assert "validating" in err and "576/576" in err and "records/s" in err and "left" in err
    code, _, err = invoke("validate", src, "--jobs", "2")
    assert code == 0 and "validating" not in err  # not a terminal: no display
    code, _, err = invoke("validate", src, "--quiet")
    assert "validating" not in err


def test_run_shows_its_phases_shards_and_records(tmp_path: Path) -> None:
    corpus(tmp_path / "in.jsonl", 3)
    p = pipeline(tmp_path, [{"step": "clean", "filters": {"adequacy": False}}, {"step": "stats"},
                            {"step": "convert", "output": "out.tmx", "allow_loss": True}])
    code, out, err = invoke("run", p, "--jobs", "2", "--progress", "--format", "json")
    assert code == 0, err
    assert orjson.loads(out)["shards"] == 3
    assert "step 0 (clean): length-ratio, duplicates over the whole input" in err
    assert "shards (clean, stats)" in err and "3/3" in err and "144/144" in err
    assert "step 2 (convert) on the whole output" in err
    code, out, err = invoke("run", pipeline(tmp_path, [{"step": "stats"}], "p2.json", output="out2"), "--quiet")
    assert code == 0 and "shards (stats)" not in err and "records/s" not in err
