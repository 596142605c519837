"""CoNLL-U levels 1-2 beyond one file and one verdict: several files checked as one treebank
(validate_files), the UD validator's level-2 warnings (reported only when asked, never in the verdict),
and two places where lancang now names a file's faults as the validator does (udtools level1.py /
level2.py). Every fixture is written here, none is copied from the UD test files."""

from __future__ import annotations

from pathlib import Path

import pytest

from lancang.standards.conllu import RULES, WARNINGS, validate, validate_files

from .test_conllu_levels import BASE, KAMI, check, kami, write

#: a second file of the same treebank: its own ids, the same shape as BASE
OTHER = BASE.replace("# sent_id = s1\n", "# sent_id = t1\n").replace("# sent_id = s2\n", "# sent_id = t2\n")


def rules(findings) -> list[str]:
    return [f.rule for f in findings]


def ya(sid: str, deps: tuple[str, str] = ("0:root", "1:punct")) -> str:
    """A two-word sentence "Ya." with the given DEPS of its two words."""
    return (f"# sent_id = {sid}\n# text = Ya.\n1\tYa\tya\tINTJ\t_\t_\t0\troot\t{deps[0]}\tSpaceAfter=No\n"
            f"2\t.\t.\tPUNCT\t_\t_\t1\tpunct\t{deps[1]}\t_\n\n")


# ---------------------------------------------------------------------------------- several files, one treebank


def test_sent_id_is_unique_across_the_files_checked_together(tmp_path: Path) -> None:
    a = write(tmp_path, "a.conllu", BASE)
    b = write(tmp_path, "b.conllu", OTHER)
    assert rules(validate_files([a, b])) == []
    dup = write(tmp_path, "c.conllu", OTHER.replace("# sent_id = t2\n", "# sent_id = s1\n"))
    assert rules(validate(dup)) == []  # alone, the file is fine
    [f] = validate_files([a, dup])
    assert (f.rule, f.file, f.line, f.record) == ("non-unique-sent-id", str(dup), 12, "s1")
    assert str(a) in f.message  # says where the id was first used


def test_a_repeat_within_one_file_still_says_so(tmp_path: Path) -> None:
    a = write(tmp_path, "a.conllu", BASE)
    dup = write(tmp_path, "d.conllu", OTHER.replace("# sent_id = t2\n", "# sent_id = t1\n"))
    [f] = validate_files([a, dup])
    assert (f.rule, f.file, f.line) == ("non-unique-sent-id", str(dup), 12) and "in this file" in f.message


def test_parallel_id_is_unique_across_files(tmp_path: Path) -> None:
    a = write(tmp_path, "a.conllu", BASE.replace("# sent_id = s1\n", "# sent_id = s1\n# parallel_id = pud/n1\n"))
    b = write(tmp_path, "b.conllu", OTHER.replace("# sent_id = t1\n", "# sent_id = t1\n# parallel_id = pud/n2\n"))
    assert rules(validate_files([a, b])) == []
    c = write(tmp_path, "c.conllu", OTHER.replace("# sent_id = t1\n", "# sent_id = t1\n# parallel_id = pud/n1\n"))
    assert rules(validate_files([a, c])) == ["non-unique-parallel-id"]


def test_enhanced_graphs_all_or_none_across_files(tmp_path: Path) -> None:
    a = write(tmp_path, "a.conllu", ya("a1") + ya("a2"))  # enhanced graphs in every sentence
    b = write(tmp_path, "b.conllu", ya("b1", ("_", "_")) + ya("b2", ("_", "_")))  # in none
    assert rules(validate(a)) == [] and rules(validate(b)) == []
    found = list(validate_files([a, b]))
    assert rules(found) == ["edeps-only-sometimes"] and found[0].file == str(b)


def test_spaceafter_no_at_the_end_of_a_file_meets_the_next_files_newdoc(tmp_path: Path) -> None:
    a = write(tmp_path, "a.conllu", BASE)
    # the validator's newdoc/newpar expressions match "# newpar" (not "# newdoc id = x"): see conllu._NEWDOC
    b = write(tmp_path, "b.conllu", OTHER.replace("# newdoc id = d1\n", "# newpar\n"))
    assert rules(validate_files([a, b])) == []
    a_no = write(tmp_path, "a2.conllu", BASE.replace("2\t.\t.\tPUNCT\t_\t_\t1\tpunct\t1:punct\t_\n",
                                                      "2\t.\t.\tPUNCT\t_\t_\t1\tpunct\t1:punct\tSpaceAfter=No\n"))
    assert rules(validate(a_no)) == []
    assert rules(validate_files([a_no, b])) == ["spaceafter-newdocpar"]


def test_validate_files_streams_file_by_file(tmp_path: Path) -> None:
    """A generator over the paths: the second file is not opened before the first is read."""
    a = write(tmp_path, "a.conllu", kami(5, "Person=1|Number=Plur"))
    missing = tmp_path / "not-there.conllu"
    it = validate_files([a, missing])
    assert next(it).rule == "unsorted-features"
    with pytest.raises(Exception):  # noqa: B017 - the error of the missing file, whatever its class
        next(it)


# ---------------------------------------------------------------------------------- the validator's own naming


def test_unreadable_deps_is_not_an_enhanced_graph_for_the_next_sentence(tmp_path: Path) -> None:
    # udtools: validate_sentence returns after check_id_references fails, before check_deps_all_or_none, so a
    # sentence whose DEPS cannot be parsed neither has nor lacks an enhanced graph
    ok = write(tmp_path, "ok.conllu", ya("s1", ("_", "_")) + ya("s2", ("_", "_")))
    assert rules(validate(ok)) == []
    p = write(tmp_path, "x.conllu", ya("s1", ("broken", "_")) + ya("s2", ("_", "_")))
    assert rules(validate(p)) == ["invalid-deps"]  # before: also a spurious edeps-only-sometimes on s2
    real = write(tmp_path, "y.conllu", ya("s1") + ya("s2", ("_", "_")))  # a real mix is still reported
    assert rules(validate(real)) == ["edeps-only-sometimes"]
    # nor does a sentence with a malformed feature count (validate_sentence returns when FEATS is not safe)
    feat = write(tmp_path, "z.conllu", ya("s1").replace("\tINTJ\t_\t_\t", "\tINTJ\t_\tlower=Yes\t")
                 + ya("s2", ("_", "_")))
    assert rules(validate(feat)) == ["invalid-feature"]


def test_comments_after_the_last_sentence_without_an_empty_line(tmp_path: Path) -> None:
    # check_sentence_lines: a block that ends the file without its empty line is missing-empty-line; the
    # validator says empty-sentence only for a comment block closed by an empty line
    ok = write(tmp_path, "ok.conllu", BASE)
    assert rules(validate(ok)) == []
    bad = write(tmp_path, "bad.conllu", BASE + "# a note after the last sentence\n")
    assert rules(validate(bad)) == ["missing-empty-line"]
    closed = write(tmp_path, "closed.conllu", BASE + "# a note after the last sentence\n\n")
    assert rules(validate(closed)) == ["empty-sentence"]


# ---------------------------------------------------------------------------------- level-2 warnings

#: warning -> (a MISC close to the failing one that gives no warning, the MISC that gives it)
WARN_CASES = {
    "empty-misc": ("Gloss=we|Lang=id", "Gloss=we||Lang=id"),
    "empty-misc-key": ("Gloss=we", "=we"),
    "misc-extra-space": ("Gloss=we two|Lang=id", "Gloss=we |Lang=id"),
    "misc-attr-typo": ("SpaceAfter=No", "spaceafter=No"),
}


def test_every_warning_has_a_case() -> None:
    assert set(WARN_CASES) == set(WARNINGS)
    assert not set(WARNINGS) & set(RULES)


@pytest.mark.parametrize("rule", sorted(WARN_CASES))
def test_warning_pass_fixture(rule: str, tmp_path: Path) -> None:
    misc = WARN_CASES[rule][0]
    # SpaceAfter=No on Kami: the text must join it to the next word
    text = BASE.replace("# text = Kami membelinya", "# text = Kamimembelinya") if "SpaceAfter" in misc else BASE
    p = write(tmp_path, "w.conllu", text.replace(KAMI, KAMI.rstrip("\n").rsplit("\t", 1)[0] + f"\t{misc}\n"))
    assert list(validate(p, warnings=True)) == []


@pytest.mark.parametrize("rule", sorted(WARN_CASES))
def test_warning_fail_fixture(rule: str, tmp_path: Path) -> None:
    p = write(tmp_path, "w.conllu", kami(9, WARN_CASES[rule][1]))
    found = list(validate(p, warnings=True))
    assert [(f.rule, f.severity, f.clause) for f in found] == [(rule, "warning", "level 2")], found
    assert list(validate(p)) == []  # not asked for: nothing, as the validator's verdict ignores warnings


def test_misc_extra_space_is_reported_once_per_attribute(tmp_path: Path) -> None:
    p = write(tmp_path, "w.conllu", kami(9, "Lang=id| Note = we |Ref=x"))
    assert rules(validate(p, warnings=True)) == ["misc-extra-space"]
    # a known name with spaces around is both (check_misc tests the spaces, then the spelling)
    p = write(tmp_path, "w.conllu", kami(9, "Lang=id| Gloss =we|Ref=x"))
    assert rules(validate(p, warnings=True)) == ["misc-extra-space", "misc-attr-typo"]


def test_a_file_with_warnings_only_is_conformant(cli, tmp_path: Path) -> None:
    rep = check(cli, write(tmp_path, "w.conllu", kami(9, "Gloss=we||Lang=id")))
    assert rep["verdict"] == "conformant"


# ---------------------------------------------------------------------------------- line ends


def test_a_lone_cr_inside_a_line_is_non_unix_newline(tmp_path: Path) -> None:
    # check_newlines: with universal newlines a lone CR is a line end, so the file's line ends are not all LF;
    # lancang once accepted a FORM and a # text holding the same lone CR (FORM may hold whitespace)
    def split(sep: str) -> str:  # "pasar" spelt with sep inside, in FORM and in # text
        return BASE.replace("pasar\tpasar", f"pa{sep}sar\tpasar").replace("di pasar.", f"di pa{sep}sar.")

    ok = write(tmp_path, "ok.conllu", split(" "))
    assert rules(validate(ok)) == []
    bad = write(tmp_path, "cr.conllu", split("\r"))
    assert rules(validate(bad)) == ["non-unix-newline"]
    crlf = write(tmp_path, "crlf.conllu", BASE.replace("\n", "\r\n"))
    [f] = validate(crlf)
    assert (f.rule, f.line) == ("non-unix-newline", 1) and "CR LF" in f.message


def test_separator_controls_are_whitespace_at_a_column_edge(tmp_path: Path) -> None:
    # check_whitespace tests the column's first and last character with str.isspace, which is true for
    # U+001C..U+001F; lancang's shortcut for lines without whitespace once skipped them
    ok = write(tmp_path, "ok.conllu", kami(2, "ka\x1fmi"))  # inside LEMMA: \s does not match it, isspace is not asked
    assert rules(validate(ok)) == []
    bad = write(tmp_path, "bad.conllu", kami(2, "kami\x1f"))
    assert rules(validate(bad)) == ["trailing-whitespace"]
