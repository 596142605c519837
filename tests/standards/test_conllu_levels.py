"""CoNLL-U levels 1-2 (lancang.standards.conllu): a pass and a fail fixture per rule, each fail fixture
found under the UD validator's test id; the wiring into `lancang check -p conllu`; bad input."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from lancang.standards.conllu import RULES, UDEPREL, UPOS, validate

from ..conftest import shared

BASE = (
    "# newdoc id = d1\n"
    "# sent_id = s1\n"
    "# text = Kami membelinya di pasar.\n"
    "1\tKami\tkami\tPRON\t_\tNumber=Plur|Person=1\t2\tnsubj\t2:nsubj\t_\n"
    "2-3\tmembelinya\t_\t_\t_\t_\t_\t_\t_\t_\n"
    "2\tmembeli\tbeli\tVERB\t_\tVoice=Act\t0\troot\t0:root\t_\n"
    "3\tnya\tdia\tPRON\t_\tNumber=Sing|Person=3\t2\tobj\t2:obj\t_\n"
    "4\tdi\tdi\tADP\t_\t_\t5\tcase\t5:case\t_\n"
    "5\tpasar\tpasar\tNOUN\t_\t_\t2\tobl\t2:obl:di\tSpaceAfter=No\n"
    "6\t.\t.\tPUNCT\t_\t_\t2\tpunct\t2:punct\t_\n"
    "\n"
    "# sent_id = s2\n"
    "# text = Ya.\n"
    "1\tYa\tya\tINTJ\t_\t_\t0\troot\t0:root\tSpaceAfter=No\n"
    "1.1\tkosong\tkosong\tVERB\t_\t_\t_\t_\t1:conj\t_\n"
    "2\t.\t.\tPUNCT\t_\t_\t1\tpunct\t1:punct\t_\n"
    "\n"
)
KAMI = "1\tKami\tkami\tPRON\t_\tNumber=Plur|Person=1\t2\tnsubj\t2:nsubj\t_\n"
MWT = "2-3\tmembelinya\t_\t_\t_\t_\t_\t_\t_\t_\n"
EMPTY = "1.1\tkosong\tkosong\tVERB\t_\t_\t_\t_\t1:conj\t_\n"
YA = "1\tYa\tya\tINTJ\t_\t_\t0\troot\t0:root\tSpaceAfter=No\n"
PASAR = "5\tpasar\tpasar\tNOUN\t_\t_\t2\tobl\t2:obl:di\tSpaceAfter=No\n"


def kami(col: int, value: str) -> str:
    cols = KAMI.rstrip("\n").split("\t")
    cols[col] = value
    return BASE.replace(KAMI, "\t".join(cols) + "\n")


def sub(old: str, new: str, count: int = 1) -> str:
    assert old in BASE, old
    return BASE.replace(old, new, count)


def parallel(first: str, second: str) -> str:
    """BASE with a parallel_id on each sentence."""
    return BASE.replace("# sent_id = s1\n", f"# sent_id = s1\n# parallel_id = {first}\n").replace(
        "# sent_id = s2\n", f"# sent_id = s2\n# parallel_id = {second}\n")


#: rule -> (a pass fixture close to the failing one, the fail fixture)
CASES: dict[str, tuple[str | bytes, str | bytes]] = {
    "utf8-invalid": (BASE, BASE.encode().replace(b"pasar\tpasar", b"pas\xffar\tpasar")),
    "line-too-long": (sub("# text = Ya.", "# note = " + "x" * 100 + "\n# text = Ya."),
                      sub("# text = Ya.", "# note = " + "x" * 300 + "\n# text = Ya.")),
    "non-unix-newline": (BASE, BASE.replace("\n", "\r\n")),
    "invalid-line": (BASE, "\ufeff" + BASE),
    "pseudo-empty-line": (BASE, sub("_\n\n# sent_id = s2", "_\n \n# sent_id = s2")),
    "extra-empty-line": (BASE, sub("_\n\n# sent_id = s2", "_\n\n\n# sent_id = s2")),
    "missing-empty-line": (BASE, BASE[:-1]),
    "misplaced-comment": (sub("# text = Ya.\n", "# text = Ya.\n# note = x\n"), sub(YA, YA + "# note = x\n")),
    "unicode-normalization": (kami(9, "Gloss=caf\u00e9"), kami(9, "Gloss=cafe\u0301")),
    "number-of-columns": (BASE, sub(KAMI, KAMI.replace("\t_\n", "\n"))),
    "empty-column": (BASE, kami(4, "")),
    "leading-whitespace": (BASE, kami(2, " kami")),
    "trailing-whitespace": (BASE, kami(2, "kami ")),
    "repeated-whitespace": (kami(2, "ka mi"), kami(2, "ka  mi")),
    "invalid-whitespace": (kami(4, "pr"), kami(4, "p r")),
    "invalid-whitespace-mwt": (BASE, sub(MWT, MWT.replace("membelinya", "membeli nya"))),
    "invalid-word-id": (BASE, kami(0, "1x")),
    "word-id-sequence": (BASE, sub("4\tdi", "5\tdi")),
    "misplaced-word-interval": (BASE, sub(MWT + "2\tmembeli\tbeli\tVERB\t_\tVoice=Act\t0\troot\t0:root\t_\n",
                                          "2\tmembeli\tbeli\tVERB\t_\tVoice=Act\t0\troot\t0:root\t_\n" + MWT)),
    "reversed-word-interval": (BASE, sub(MWT, MWT.replace("2-3", "3-2"))),
    "word-interval-out": (BASE, sub(MWT, MWT.replace("2-3", "2-7"))),
    "overlapping-word-intervals": (BASE, sub("4\tdi", "4-5\tdipasar\t_\t_\t_\t_\t_\t_\t_\t_\n4\tdi").replace(
        "2-3\t", "2-4\t")),
    "misplaced-empty-node": (BASE, sub(EMPTY, EMPTY.replace("1.1", "1.2"))),
    "mwt-nonempty-field": (sub(MWT, MWT.replace("\t_\t_\t_\t_\t_\t_\t_\t_", "\t_\t_\t_\tTypo=Yes\t_\t_\t_\t_")),
                           sub(MWT, MWT.replace("membelinya\t_", "membelinya\tbeli"))),
    "empty-node-nonempty-field": (BASE, sub(EMPTY, EMPTY.replace("\t_\t_\t1:conj", "\t1\tconj\t1:conj"))),
    "unknown-upos": (BASE, kami(3, "pron")),
    "invalid-feature": (kami(5, "Number[psor]=Plur|Person=1"), kami(5, "number=Plur|Person=1")),
    # case-insensitive order: Number < NumType (b < t), although "NumType" < "Number" in code points
    "unsorted-features": (kami(5, "Number=Plur|NumType=Card|Person=1"), kami(5, "NumType=Card|Number=Plur|Person=1")),
    "repeated-feature": (BASE, kami(5, "Number=Plur|Number=Sing|Person=1")),
    "unsorted-feature-values": (kami(5, "Number=Plur,Sing|Person=1"), kami(5, "Number=Sing,Plur|Person=1")),
    "repeated-feature-value": (BASE, kami(5, "Number=Plur,Plur|Person=1")),
    "invalid-head": (BASE, kami(6, "x")),
    "unknown-head": (BASE, kami(6, "9")),
    "invalid-deprel": (BASE, kami(7, "NSUBJ")),
    "unknown-udeprel": (kami(7, "nsubj:pass"), kami(7, "subj")),
    "invalid-deps": (BASE, kami(8, "2-nsubj")),
    "unknown-eudeprel": (kami(8, "2:nsubj:xsubj"), kami(8, "2:subj")),
    "unknown-ehead": (kami(8, "2:nsubj|5:dep"), kami(8, "2:nsubj|9:dep")),
    "unsorted-deps": (sub(PASAR, PASAR.replace("2:obl:di", "2:obl:di|4:dep")),
                      sub(PASAR, PASAR.replace("2:obl:di", "4:dep|2:obl:di"))),
    "deps-self-loop": (BASE, kami(8, "1:nsubj")),
    "repeated-misc": (kami(9, "Gloss=a|Lang=b"), kami(9, "Gloss=a|Gloss=b")),
    "head-self-loop": (BASE, kami(6, "1")),
    "multiple-roots": (BASE, kami(6, "0").replace("\t0\tnsubj\t", "\t0\troot\t")),
    "non-tree": (BASE, sub(PASAR, PASAR.replace("\t2\tobl\t", "\t4\tobl\t"))),
    "missing-sent-id": (BASE, sub("# sent_id = s2\n", "")),
    "multiple-sent-id": (BASE, sub("# sent_id = s2\n", "# sent_id = s2\n# sent_id = s3\n")),
    "invalid-sent-id": (BASE, sub("# sent_id = s2\n", "# sent_id = s 2\n")),
    # one slash is allowed at levels 1-3 (the validator runs them with lang ud), two are not
    "slash-in-sent-id": (sub("# sent_id = s2\n", "# sent_id = s1/2\n"), sub("# sent_id = s2\n", "# sent_id = a/b/c\n")),
    "non-unique-sent-id": (BASE, sub("# sent_id = s2\n", "# sent_id = s1\n")),
    "missing-text": (BASE, sub("# text = Ya.\n", "")),
    "multiple-text": (BASE, sub("# text = Ya.\n", "# text = Ya.\n# text = Ya.\n")),
    "text-form-mismatch": (BASE, sub("# text = Ya.\n", "# text = Yo.\n")),
    "missing-spaceafter": (BASE, sub(YA, YA.replace("SpaceAfter=No", "_"))),
    "text-extra-chars": (BASE, sub("# text = Ya.\n", "# text = Ya.!\n")),
    "spaceafter-value": (BASE, sub(YA, YA.replace("SpaceAfter=No", "SpaceAfter=Yes"))),
    "spaceafter-mwt-node": (BASE, sub("obj\t2:obj\t_\n", "obj\t2:obj\tSpaceAfter=No\n")),
    "spaceafter-empty-node": (BASE, sub(EMPTY, EMPTY.replace("1:conj\t_", "1:conj\tSpaceAfter=No"))),
    "empty-sentence": (BASE, "# sent_id = s0\n# text = x\n\n" + BASE),
    "invalid-edeprel": (kami(8, "2:nsubj:xsubj"), kami(8, "2:NSUBJ")),
    "invalid-ehead": (kami(8, "2:nsubj"), kami(8, "2.0:nsubj")),
    "unsorted-deps-2": (sub(PASAR, PASAR.replace("2:obl:di", "2:dep|2:obl:di")),
                        sub(PASAR, PASAR.replace("2:obl:di", "2:obl:di|2:dep"))),
    "repeated-deps": (BASE, sub(PASAR, PASAR.replace("2:obl:di", "2:obl:di|2:obl:di"))),
    "unconnected-egraph": (BASE, sub(PASAR, PASAR.replace("2:obl:di", "4:obl:di"))),
    "edeps-only-sometimes": (BASE, BASE.replace(EMPTY, "").replace("0:root\tSpaceAfter", "_\tSpaceAfter")
                             .replace("1:punct", "_")),
    # the validator's newdoc expression matches "# newdoc" and "# newdoc x", not "# newdoc id = x"
    "multiple-newdoc": (sub("# newdoc id = d1\n", "# newdoc id = d1\n# newdoc id = d2\n"),
                        sub("# newdoc id = d1\n", "# newdoc\n# newdoc\n")),
    "multiple-newpar": (sub("# sent_id = s2\n", "# newpar\n# sent_id = s2\n"),
                        sub("# sent_id = s2\n", "# newpar\n# newpar\n# sent_id = s2\n")),
    "spaceafter-newdocpar": (sub("# sent_id = s2\n", "# newpar\n# sent_id = s2\n"),
                             sub("# sent_id = s2\n", "# newpar\n# sent_id = s2\n")
                             .replace("2:punct\t_\n", "2:punct\tSpaceAfter=No\n")),
    "nospaceafter-yes": (BASE, kami(9, "NoSpaceAfter=Yes")),
    "invalid-parallel-id": (sub("# sent_id = s2\n", "# sent_id = s2\n# parallel_id = pud/n01-2\n"),
                            sub("# sent_id = s2\n", "# sent_id = s2\n# parallel_id = PUD/n01\n")),
    "multiple-parallel-id": (BASE, sub("# sent_id = s2\n", "# sent_id = s2\n# parallel_id = pud/a\n"
                                                              "# parallel_id = pud/b\n")),
    "non-unique-parallel-id": (parallel("pud/a", "pud/b"), parallel("pud/a", "pud/a")),
    "parallel-id-alt": (parallel("pud/a/alt1", "pud/a/alt2"), parallel("pud/a/alt1", "pud/a/alt3")),
    "parallel-id-part": (parallel("pud/a/part1", "pud/a/part2"), parallel("pud/a", "pud/a/part2")),
}
MAX_LINE = 200  # the bound the line-too-long fixtures are written for


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    p = tmp_path / name
    p.write_bytes(content.encode() if isinstance(content, str) else content)
    return p


def ids(path: Path) -> list[str]:
    return [f.rule for f in validate(path, max_line_bytes=MAX_LINE)]


def test_every_rule_has_a_case() -> None:
    assert set(CASES) == set(RULES)


@pytest.mark.parametrize("rule", sorted(CASES))
def test_pass_fixture(rule: str, tmp_path: Path) -> None:
    assert ids(write(tmp_path, "id_pass.conllu", CASES[rule][0])) == []


@pytest.mark.parametrize("rule", sorted(CASES))
def test_fail_fixture(rule: str, tmp_path: Path) -> None:
    found = ids(write(tmp_path, "id_fail.conllu", CASES[rule][1]))
    assert rule in found, found


def test_label_sets_are_the_documented_ones() -> None:
    assert len(UPOS) == 17 and len(UDEPREL) == 37
    assert {"NOUN", "PROPN", "AUX", "SCONJ"} <= UPOS and {"nsubj", "obj", "root", "reparandum"} <= UDEPREL


def test_findings_are_located(tmp_path: Path) -> None:
    p = write(tmp_path, "id_x.conllu", kami(5, "Person=1|Number=Plur"))
    [f] = list(validate(p))
    assert (f.rule, f.file, f.line, f.record, f.column) == ("unsorted-features", str(p), 4, "s1", 6)
    assert f.clause == "level 2"


def test_a_broken_backbone_stops_the_level2_checks_of_that_sentence(tmp_path: Path) -> None:
    # a wrong word sequence: the tree is not checked (its findings would be noise), the next sentence is
    p = write(tmp_path, "id_x.conllu", sub("4\tdi", "5\tdi").replace(YA, YA.replace("\t0\troot", "\t1\troot")))
    assert ids(p) == ["word-id-sequence", "head-self-loop"]


# ---------------------------------------------------------------------------------- real data, CLI


def test_every_shared_ud_file_passes_levels_1_2() -> None:
    files = sorted(shared("ud").glob("*/*.conllu"))
    assert files
    for f in files:
        assert list(validate(f)) == [], f


def check(cli, path: Path) -> dict:
    res = cli("check", str(path), "-p", "conllu", "--format", "json", "--src", "id")
    assert res.exit_code in (0, 1), res.output
    return orjson.loads(res.stdout)


def format_messages(rep: dict) -> list[str]:
    [req] = [q for q in rep["requirements"] if q["id"] == "format"]
    return [f["message"] for f in req["shown"]]


def test_check_reports_the_levels(cli, tmp_path: Path) -> None:
    rep = check(cli, write(tmp_path, "id_ok.conllu", BASE))
    assert rep["verdict"] == "conformant", format_messages(rep)
    rep = check(cli, write(tmp_path, "id_bad.conllu", kami(5, "Person=1|Number=Plur")))
    assert rep["verdict"] == "not-conformant"
    assert [m.split(":")[0] for m in format_messages(rep)] == ["unsorted-features"]


@pytest.mark.parametrize("rule", ["non-unix-newline", "invalid-line", "missing-empty-line", "extra-empty-line",
                                  "unicode-normalization", "unsorted-features", "invalid-feature", "invalid-deps",
                                  "mwt-nonempty-field", "empty-node-nonempty-field", "missing-sent-id",
                                  "non-unique-sent-id", "invalid-deprel", "unknown-udeprel", "head-self-loop",
                                  "non-tree", "misplaced-empty-node", "invalid-edeprel"])
def test_check_rejects_what_the_issue_lists(cli, tmp_path: Path, rule: str) -> None:
    rep = check(cli, write(tmp_path, "id_bad.conllu", CASES[rule][1]))
    assert rep["verdict"] == "not-conformant"
    assert any(m.startswith(rule + ":") for m in format_messages(rep)), format_messages(rep)


# ---------------------------------------------------------------------------------- bad input


def test_bom_and_crlf_are_findings_not_tracebacks(cli, tmp_path: Path) -> None:
    p = write(tmp_path, "id_bad.conllu", ("\ufeff" + BASE).replace("\n", "\r\n"))
    assert ids(p) == ["invalid-line", "non-unix-newline"]  # CRLF once per file, not once per line
    rep = check(cli, p)
    assert rep["verdict"] == "not-conformant" and rep["summary"]["records"] == 2


def test_a_one_megabyte_sentence(cli, tmp_path: Path) -> None:
    n = 110_000  # one sentence: a 0.55 MB # text, 4.8 MB of token lines
    lines = ["# sent_id = big", "# text = " + " ".join(["kata"] * n) + "."]
    lines.append("1\tkata\tkata\tNOUN\t_\t_\t0\troot\t0:root\t_")
    lines += [f"{i}\tkata\tkata\tNOUN\t_\t_\t1\tdep\t1:dep\t{'SpaceAfter=No' if i == n else '_'}"
              for i in range(2, n + 1)]
    lines.append(f"{n + 1}\t.\t.\tPUNCT\t_\t_\t1\tpunct\t1:punct\t_")
    p = write(tmp_path, "id_big.conllu", "\n".join(lines) + "\n\n")
    assert ids_unbounded(p) == []  # the text is matched by index, not by slicing (no quadratic copy)
    bad = write(tmp_path, "id_bigbad.conllu", "\n".join(lines).replace("\t0\troot\t", "\t1\troot\t", 1) + "\n\n")
    assert ids_unbounded(bad) == ["head-self-loop"]
    rep = check(cli, bad)
    assert rep["verdict"] == "not-conformant"


def ids_unbounded(path: Path) -> list[str]:
    return [f.rule for f in validate(path)]


def test_stdin_is_not_checked_rather_than_passed(cli, tmp_path: Path) -> None:
    bad = kami(5, "Person=1|Number=Plur")
    res = cli("check", "-", "--from", "conllu", "--src", "id", "-p", "conllu", "--format", "json", input=bad)
    assert res.exit_code in (0, 1), res.output
    rep = orjson.loads(res.stdout)
    [req] = [q for q in rep["requirements"] if q["id"] == "format"]
    assert req["verdict"] == "not-checked" and "stdin" in req["reason"]
    assert rep["verdict"] == "incomplete"
