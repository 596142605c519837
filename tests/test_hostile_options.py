"""Every verb given hostile or mistaken option values answers with one line and exit 2, never a
traceback, and leaves the user's files alone (issue 12)."""

from __future__ import annotations

from pathlib import Path

import pytest

from lancang.corpora.samples import sample_path

SAMPLE = str(sample_path())


def _bad_lexicon(tmp: Path) -> str:
    p = tmp / "bad.lex"
    p.write_bytes(b"\xff\xfe not utf-8\n")
    return str(p)


CASES = {
    "profiles new with a bad id": lambda t: ["profiles", "new", "Bad Id!"],
    "evaluate with a non-UTF-8 lexicon": lambda t: ["evaluate", SAMPLE, SAMPLE, "--lexicon", _bad_lexicon(t)],
    "annotate with a non-UTF-8 lexicon": lambda t: ["annotate", SAMPLE, str(t / "o.jsonl"), "--layers", "tokens",
                                                    "--use", "th=newmm", "--overwrite",
                                                    "--set", f"newmm.lexicon={_bad_lexicon(t)}"],
    "sample with a seed past 64 bits": lambda t: ["sample", SAMPLE, str(t / "s.jsonl"), "--aql", "1.0",
                                                  "--seed", str(2**70)],
    "sample with a negative lot size": lambda t: ["sample", "--plan-only", "--lot-size", "-5", "--aql", "1.0"],
    "align with a text band": lambda t: ["align", SAMPLE, str(t / "a.jsonl"), "--sentences", "--src", "en",
                                         "--tgt", "th", "--set", "band=abc"],
    "align with a NaN prior": lambda t: ["align", SAMPLE, str(t / "a.jsonl"), "--words", "--src", "en",
                                         "--tgt", "th", "--set", "alpha_lex=NaN"],
    "convert with an unknown reader option": lambda t: ["convert", SAMPLE, str(t / "c.tmx"), "-I", "colour=red"],
    "stats of an unknown format": lambda t: ["stats", SAMPLE, "--from", "nosuch"],
    "check with an unknown profile": lambda t: ["check", SAMPLE, "-p", "no-such-profile"],
    "annotate with an unknown setting": lambda t: ["annotate", SAMPLE, str(t / "o.jsonl"), "--set", "jieba.nosuch=1"],
    "agree with one file": lambda t: ["agree", SAMPLE],
    "train ner --force on a folder that is not a model": lambda t: ["train", "ner", SAMPLE, "--src", "th",
                                                                    "-o", str(_precious(t)), "--force"],
    "validate with -I on JSONL": lambda t: ["validate", SAMPLE, "-I", "x=1"],
    "clean with a NaN length-ratio k": lambda t: ["clean", SAMPLE, str(t / "c.jsonl"), "--rejects", str(t / "r.jsonl"),
                                                  "--set", "length-ratio.k=NaN"],
    "clean with a negative length": lambda t: ["clean", SAMPLE, str(t / "c.jsonl"), "--rejects", str(t / "r.jsonl"),
                                               "--set", "length.max_chars=-3"],
    "clean with its output as its input": lambda t: ["clean", SAMPLE, SAMPLE, "--rejects", str(t / "r.jsonl")],
    "clean with rejects on its input": lambda t: ["clean", SAMPLE, str(t / "c.jsonl"), "--rejects", SAMPLE],
    "mask with a missing key file": lambda t: ["mask", SAMPLE, str(t / "m.jsonl"), "--strategy", "pseudonymise",
                                               "--key-file", str(t / "nokey")],
    "mask with an unknown type": lambda t: ["mask", SAMPLE, str(t / "m.jsonl"), "--types", "SHOE_SIZE"],
    "mask with an unknown detector setting": lambda t: ["mask", SAMPLE, str(t / "m.jsonl"), "--set", "phone.x=1"],
    "merge with no reviews of a known format": lambda t: ["merge", SAMPLE, str(_bad_lexicon(t)), "-o",
                                                          str(t / "m.jsonl")],
    "project without tokens": lambda t: ["project", SAMPLE, str(t / "p.jsonl"), "--src", "en", "--tgt", "th"],
    "manifest init over a manifest": lambda t: ["manifest", "init", SAMPLE, "-o",
                                                str(sample_path("sample.manifest.json"))],
}


def _precious(tmp: Path) -> Path:
    d = tmp / "precious"
    d.mkdir(exist_ok=True)
    (d / "thesis.txt").write_text("years of work", encoding="utf-8")
    return d


@pytest.mark.parametrize("case", sorted(CASES))
def test_hostile_option_value(case: str, cli, tmp_path: Path) -> None:
    res = cli(*CASES[case](tmp_path))
    assert res.exit_code == 2, (case, res.output)
    assert "Traceback" not in res.output and not isinstance(res.exception, (AssertionError, TypeError, ValueError))
    errors = [ln for ln in res.stderr.splitlines() if ln.startswith("Error") or ": error: " in ln]
    assert len(errors) == 1, res.stderr
    if (tmp_path / "precious").exists():
        assert (tmp_path / "precious" / "thesis.txt").read_text(encoding="utf-8") == "years of work"
