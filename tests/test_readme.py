"""README as test: its console examples run through the CLI, its Python block runs, its quickstart
is exactly two commands, and docs/cli.md matches the commands' --help."""

from __future__ import annotations

import contextlib
import io
import re
import shlex
from pathlib import Path

from click.testing import CliRunner

from lancang.cli import docgen, main

from .conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
BLOCK = re.compile(r"(?:<!-- file: (?P<file>\S+) -->\n)?```(?P<lang>\w+)\n(?P<body>.*?)```", re.S)


def blocks(lang: str) -> list[tuple[str | None, str]]:
    return [(m["file"], m["body"]) for m in BLOCK.finditer(README) if m["lang"] == lang]


def test_quickstart_is_two_commands_and_ci_runs_the_test_command() -> None:
    cmds = [b.strip() for _, b in blocks("sh")]
    assert len(cmds) == 2 and all("\n" not in c for c in cmds)
    assert cmds[0].endswith("lancang demo") and 'pip install ".[all]"' in cmds[0]
    test_cmd = cmds[1].split("&&")[-1].strip()
    assert test_cmd == ".venv/bin/python -m pytest"
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert '"$venv/bin/python" -m pytest\n' in ci, "CI must run the README's test command"


def test_console_examples(in_tmp: Path) -> None:
    for name, body in blocks("json"):
        if name:
            (in_tmp / name).write_text(body, encoding="utf-8")
    runner = CliRunner()
    ran = 0
    for _, body in blocks("console"):
        steps: list[tuple[str, list[str], int]] = []
        for line in body.splitlines():
            if line.startswith("$ "):
                steps.append((line[2:], [], 0))
            elif line.startswith("# exit "):
                cmd, exp, _ = steps[-1]
                steps[-1] = (cmd, exp, int(line.split()[-1]))
            elif line.strip():
                steps[-1][1].append(line)
        for cmd, expected, code in steps:
            argv = shlex.split(cmd)
            assert argv[0] == "lancang"
            res = runner.invoke(main, argv[1:], catch_exceptions=False)
            assert res.exit_code == code, (cmd, res.output)
            out = res.stdout.splitlines()
            pos = 0
            for exp in expected:  # expected lines appear in order; "..." matches any tail
                pat = re.escape(exp).replace(re.escape("..."), ".*")
                while pos < len(out) and not re.fullmatch(pat, out[pos]):
                    pos += 1
                assert pos < len(out), f"{cmd!r}: expected line {exp!r} not found in:\n{res.stdout}"
                pos += 1
            ran += 1
    assert ran >= 4


def test_python_example(in_tmp: Path) -> None:
    [(_, code)] = blocks("python")
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        exec(compile(code, "README.md", "exec"), {})
    assert buf.getvalue().strip() == "['Tôi', 'yêu', 'Bắc Kinh', '.']"
    assert "prints `['Tôi', 'yêu', 'Bắc Kinh', '.']`" in README


def test_data_model_example_is_a_valid_record() -> None:
    import orjson

    from lancang.schemas.validator import RecordValidator

    [body] = [b for n, b in blocks("json") if n is None]
    assert RecordValidator().check(orjson.loads(body)) == []


def test_cli_docs_are_fresh() -> None:
    committed = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    assert committed == docgen.render(), "docs/cli.md is stale: run `python -m lancang.cli.docgen docs/cli.md`"


def test_help_lists_verbs_with_examples() -> None:
    res = CliRunner().invoke(main, ["--help"])
    for verb in ("validate", "stats", "demo"):
        assert re.search(rf"^\s+{verb}\s", res.output, re.M)
        sub = CliRunner().invoke(main, [verb, "--help"])
        assert "Examples:" in sub.output and f"lancang {verb}" in sub.output
