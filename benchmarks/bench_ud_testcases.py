"""Agreement of `lancang check -p conllu` with the UD validator (levels 1-2) on the validator's own
test files (UniversalDependencies/tools, ``test-cases/``).

    python benchmarks/bench_ud_testcases.py DIR [--tree SRC] [--write docs/benchmarks.md]

DIR holds the fetched files in the validator's folders (``valid/``, ``nonvalid/``,
``invalid-level1-2/``, ``invalid-level3/``, ...) and, optionally, ``SOURCES.tsv`` (name, repository
path, commit: where each file was read). The files are public test data: they are not part of
lancang, and neither the tests nor CI read them.

Each file goes through :func:`lancang.standards.checker.check` with the ``conllu`` profile (the
library call behind ``lancang check FILE -p conllu``) and, for the rule ids, through
:func:`lancang.standards.conllu.validate`. The expected verdict is the validator's at level 2
(``validate.py --level 2 --lang ud``): a file of ``valid/`` has no error, a file of
``invalid-level1-2/`` or ``nonvalid/`` has at least one, a file of ``invalid-level3/`` or
``invalid-level4-5/`` is invalid only at a higher level and so has none at level 2 -- except the
files listed in :data:`LEVEL` with the reason read in udtools' ``level1.py`` / ``level2.py``: a
file whose fault only levels 3-5 see is out of the level-2 target; a stored version that also
breaks a level-2 rule (old copies without ``# text``) is invalid at level 2 whatever its folder.

:data:`INTENDED` names, per file, the validator's test ids for the fault the file was written for
(from the validator's own log, ``udtools/tests/test-cases/test.log``, for the files of the same
name, and from the file's comment otherwise), so the run also says whether lancang caught a file for
that fault or only for another one.

``--tree SRC`` imports lancang from the source tree SRC (e.g. a ``git worktree`` of an earlier
commit) instead of the installed one: a before/after on one machine. ``--write`` replaces the
section ``ud-testcases`` of the given Markdown file with the table.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import platform
import subprocess
import sys
from pathlib import Path

#: file -> (expected verdict at level 2: "invalid" | "valid" | "level3+", why), where the folder's
#: verdict does not hold for the stored version at level 2 (read in udtools level1.py / level2.py)
LEVEL: dict[str, tuple[str, str]] = {
    "valid/empty-nodes.conllu": ("invalid", "the stored version has no # text: missing-text (check_text_meta, L2)"),
    "valid/minimal-empty-node.conllu": ("invalid", "the stored version has no # text: missing-text (L2)"),
    "invalid-level1-2/space-in-field.conllu": (
        "level3+", "the stored version has the space in FORM, which check_whitespace (L1) allows; only "
                   "check_words_with_spaces (L4) rejects it"),
    "nonvalid/whitespace_nonv.conllu": ("level3+", "spaces in FORM and LEMMA only: L4 check_words_with_spaces"),
    "nonvalid/empty-node-without-dependent.conllu": (
        "level3+", "no level-1/2 check looks for an empty node without dependents; its enhanced graph is "
                   "connected (check_egraph_connected)"),
    "nonvalid/head-0-deprel-not-root.conllu": ("invalid", "written for L3 0-is-not-root; the stored version has "
                                                          "no # text (L2 missing-text)"),
    "nonvalid/head-not-0-deprel-root.conllu": ("invalid", "written for L3 root-is-not-0; no # text (L2)"),
    "nonvalid/non-proj.conllu": ("invalid", "written for L3 punct-is-nonproj; no # sent_id, no # text (L2)"),
    "nonvalid/space-in-field.conllu": ("invalid", "written for a space in FORM (L4); no # text (L2)"),
    "nonvalid/dos-newlines.conllu": ("invalid", "written for non-unix-newline; the stored copy reached us without "
                                                "its CR bytes (577 characters stored, 560 received), no # text (L2)"),
    "udtools-invalid-functions/non-unix-newline.conllu": (
        "valid", "the stored version has LF line ends only (739 characters stored and received): nothing for "
                 "levels 1-2 to find"),
}

#: file name -> the validator's test ids for the fault the file was written for ("" = a level-3+ fault)
INTENDED: dict[str, str] = {
    "ambiguous-feature.conllu": "invalid-feature",
    "cyclic-deps.conllu": "non-tree",
    "deprel-not-empty-in-empty.conllu": "empty-node-nonempty-field",
    "dos-newlines.conllu": "non-unix-newline",
    "duplicate-feature.conllu": "repeated-feature",
    "duplicate-id.conllu": "word-id-sequence",
    "duplicate-layered-feature.conllu": "repeated-feature",
    "duplicate-value.conllu": "repeated-feature-value",
    "empty-field.conllu": "empty-column",
    "empty-head.conllu": "empty-column invalid-head",
    "empty-node-without-dependent.conllu": "",
    "empty-sentence.conllu": "empty-sentence",
    "extra-empty-line.conllu": "empty-sentence extra-empty-line",
    "extra-field.conllu": "number-of-columns",
    "head-0-deprel-not-root.conllu": "",
    "head-not-0-deprel-root.conllu": "",
    "head-not-empty-in-empty.conllu": "empty-node-nonempty-field",
    "id-starting-from-2.conllu": "word-id-sequence",
    "id-with-extra-0.conllu": "invalid-word-id",
    "invalid-deps-id.conllu": "unknown-ehead",
    "invalid-deps-order.conllu": "unsorted-deps",
    "invalid-deps-syntax.conllu": "invalid-deps",
    "invalid-head.conllu": "unknown-head",
    "invalid-range-format.conllu": "invalid-word-id",
    "invalid-range.conllu": "reversed-word-interval",
    "lowercase-feature-in-empty.conllu": "invalid-feature",
    "lowercase-feature-value-in-empty.conllu": "invalid-feature",
    "lowercase-feature.conllu": "invalid-feature",
    "lowercase-postag-in-empty.conllu": "unknown-upos",
    "lowercase-postag.conllu": "unknown-upos",
    "lowercase-value.conllu": "invalid-feature",
    "malformed_deps.conllu": "invalid-deps",
    "misindexed-empty-node.conllu": "misplaced-empty-node",
    "misplaced-empty-node-2.conllu": "misplaced-empty-node",
    "invalid-line.conllu": "invalid-line",
    "mwt-nonempty-field.conllu": "mwt-nonempty-field",
    "multiple-roots.conllu": "multiple-roots",
    "non-unix-newline.conllu": "non-unix-newline",
    "pseudo-empty-line.conllu": "pseudo-empty-line",
    "parallel-id.conllu": "invalid-parallel-id multiple-parallel-id parallel-id-alt non-unique-parallel-id",
    "word-id-sequence-2.conllu": "word-id-sequence",
    "misordered-feature.conllu": "unsorted-features",
    "misordered-layered-feature.conllu": "unsorted-features",
    "misordered-multiword.conllu": "misplaced-word-interval",
    "misplaced-comment-end.conllu": "empty-sentence missing-empty-line",
    "misplaced-comment-mid.conllu": "misplaced-comment",
    "missing-final-line.conllu": "missing-empty-line",
    "missing-space-after.conllu": "missing-spaceafter",
    "multiple-sent_id.conllu": "multiple-sent-id",
    "multiword-with-pos.conllu": "mwt-nonempty-field",
    "non-proj.conllu": "",
    "nonsequential-empty-node-id.conllu": "misplaced-empty-node",
    "nonsequential-id.conllu": "word-id-sequence",
    "overlapping-multiword.conllu": "overlapping-word-intervals",
    "self-cycle-deps.conllu": "deps-self-loop",
    "self-cycle-head.conllu": "head-self-loop",
    "space-in-field.conllu": "",
    "seemingly-empty-line.conllu": "pseudo-empty-line",
    "tanl-broken.conllu": "empty-sentence word-id-sequence invalid-feature",
    "token_with_cols_filled.conllu": "mwt-nonempty-field",
    "trailing-tab.conllu": "number-of-columns",
    "uppercase-deprel.conllu": "invalid-deprel",
    "uppercase-deps-deprel.conllu": "invalid-edeprel",
    "whitespace_nonv.conllu": "",
}
#: the level-1/2 test ids of the validator's own log (udtools/tests/test-cases/test.log, commit 102dea8) for the
#: current files of the same name, to compare lancang's ids with (the log's level 3-5 lines left out)
LOG: dict[str, str] = {
    "udtools-invalid-functions/invalid-line.conllu": "invalid-line",
    "udtools-invalid-functions/mwt-nonempty-field.conllu": "mwt-nonempty-field",
    "udtools-invalid-functions/pseudo-empty-line.conllu": "pseudo-empty-line",
    "udtools-invalid-level1/misplaced-comment-mid.conllu": "misplaced-comment",
    "udtools-invalid-level1/misplaced-empty-node-2.conllu": "misplaced-empty-node",
    "udtools-invalid-level1/non-unix-newline.conllu": "non-unix-newline",
    "udtools-invalid-level1/overlapping-multiword.conllu": "overlapping-word-intervals",
    "udtools-invalid-level1/word-id-sequence-2.conllu": "word-id-sequence",
    "udtools-invalid-level1-2/malformed_deps.conllu": "invalid-deps",
    "udtools-invalid-level1-2/uppercase-deprel.conllu": "invalid-deprel",
    "udtools-invalid-level2/invalid-deps-order.conllu": "unsorted-deps",
    "udtools-invalid-level2/lowercase-value.conllu": "invalid-feature",
    "udtools-invalid-level2/misordered-layered-feature.conllu": "unsorted-features",
    "udtools-invalid-level2/misplaced-comment-end.conllu": "empty-sentence",
    "udtools-invalid-level2/multiple-roots.conllu": "multiple-roots",
    "udtools-invalid-level2/parallel-id.conllu": "invalid-parallel-id multiple-parallel-id parallel-id-alt "
                                                 "non-unique-parallel-id",
    "udtools-invalid-level3/nmod-obl.conllu": "",
    "udtools-invalid-level4-5/yrl_complin-mwt-typo-yes.conllu": "",
    "udtools-valid/empty-nodes.conllu": "",
    "udtools-valid/minimal-empty-node.conllu": "",
    "udtools-valid/nmod-obl.conllu": "",
    "udtools-valid/whitespace.conllu": "",
}
#: the folder's verdict at level 2 when :data:`LEVEL` does not say otherwise
FOLDER = {"valid": "valid", "invalid-functions": "invalid", "nonvalid": "invalid", "invalid-level1-2": "invalid",
          "invalid-level1": "invalid", "invalid-level2": "invalid", "invalid-level3": "level3+",
          "invalid-level4-5": "level3+"}


def use_tree(tree: str) -> None:
    """Import lancang from the source tree ``tree`` (the editable install's finder is removed)."""
    sys.meta_path = [f for f in sys.meta_path if "editable" not in repr(f)]
    sys.path.insert(0, tree)


def expected(rel: str) -> str:
    """The verdict the validator gives ``rel`` at level 2 (``udtools-valid/`` is the folder ``valid/`` of
    the current layout, ``udtools/tests/test-cases/``)."""
    if rel in LEVEL:
        return LEVEL[rel][0]
    return FOLDER.get(rel.split("/", 1)[0].removeprefix("udtools-"), "?")


def judge(path: Path) -> tuple[str, list[str]]:
    """(the verdict of check -p conllu, or "input-error: ..."; the level 1-2 rule ids found)."""
    from lancang.errors import LancangError
    from lancang.standards.checker import check
    from lancang.standards.profiles import load_profile

    try:
        rep = check(path, [load_profile("conllu")], from_format="conllu", langs=["und"])
        verdict = rep["verdict"]
    except LancangError as exc:  # exit 2 in the CLI: the file is rejected, but not by a finding
        verdict = f"input-error: {str(exc)[:80]}"
    try:
        from lancang.standards.conllu import validate
    except ImportError:  # a tree from before the level 1-2 pass (issue 13): the verdict alone
        return verdict, []
    return verdict, sorted({f.rule for f in validate(path) if f.severity == "error"})


def run(root: Path) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        for path in sorted(folder.glob("*.conllu")):
            rel = f"{folder.name}/{path.name}"
            verdict, rules = judge(path)
            want = expected(rel)
            intended = set(INTENDED.get(path.name, "").split())
            out.setdefault(folder.name, []).append({
                "file": rel, "verdict": verdict, "rules": rules, "expected": want,
                "caught": verdict != "conformant", "intended": sorted(intended),
                "by_intended": bool(intended & set(rules)),
                "why": LEVEL.get(rel, ("", ""))[1]})
    return out


def summarise(res: dict[str, list[dict]]) -> tuple[list[str], dict[str, int]]:
    lines = ["| folder | files | judged not conformant | expected invalid at L1-2 | caught | valid at L1-2 "
             "| passed | L3+ only |", "|---|---|---|---|---|---|---|---|"]
    tot = dict.fromkeys(("files", "rejected", "inv", "caught", "intended", "has_intended", "val", "passed", "l3"), 0)
    for folder, rows in res.items():
        inv = [r for r in rows if r["expected"] == "invalid"]
        val = [r for r in rows if r["expected"] in ("valid", "level3+")]
        n = {"files": len(rows), "rejected": sum(r["caught"] for r in rows), "inv": len(inv),
             "caught": sum(r["caught"] for r in inv), "intended": sum(r["by_intended"] for r in inv),
             "has_intended": sum(bool(r["intended"]) and r["file"] not in LEVEL for r in inv),
             "val": len(val), "passed": sum(not r["caught"] for r in val),
             "l3": sum(r["expected"] == "level3+" for r in rows)}
        for k in tot:
            tot[k] += n[k]
        lines.append(f"| `{folder}/` | {n['files']} | {n['rejected']} | {n['inv']} | {n['caught']} | {n['val']} "
                     f"| {n['passed']} | {n['l3']} |")
    lines.append(f"| **all** | {tot['files']} | {tot['rejected']} | {tot['inv']} | **{tot['caught']}** "
                 f"| {tot['val']} | **{tot['passed']}** | {tot['l3']} |")
    return lines, tot


def against_log(res: dict[str, list[dict]]) -> list[str]:
    """lancang's rule ids against the ids of the validator's own log, file by file (:data:`LOG`)."""
    rows = [r for rs in res.values() for r in rs if r["file"] in LOG]
    if not rows:
        return []
    same = [r for r in rows if set(r["rules"]) == set(LOG[r["file"]].split())]
    covered = [r for r in rows if set(LOG[r["file"]].split()) <= set(r["rules"])]
    lines = ["", f"Against the validator's own log ({len(rows)} current files): the same level-1/2 test ids in "
                 f"{len(same)}; every id of the log found in {len(covered)}."]
    for r in rows:
        want = set(LOG[r["file"]].split())
        if set(r["rules"]) != want:
            lines.append(f"- `{r['file']}`: log {sorted(want)}, lancang {r['rules']}")
    return lines


def report(res: dict[str, list[dict]]) -> list[str]:
    lines, tot = summarise(res)
    lines += ["", f"Invalid at levels 1-2 caught: {tot['caught']} of {tot['inv']}; {tot['intended']} of the "
                  f"{tot['has_intended']} whose stored copy still holds the level-1/2 fault it was written for are "
                  f"caught with the validator's own test id for that fault; files valid at levels 1-2 passed: "
                  f"{tot['passed']} of {tot['val']}.", ""]
    bad = [r for rows in res.values() for r in rows
           if r["caught"] != (r["expected"] == "invalid")]
    lines.append("Disagreements with the expected verdict:" + ("" if bad else " none."))
    for r in bad:
        lines.append(f"- `{r['file']}`: expected {r['expected']}, lancang {r['verdict']} {r['rules']}")
    other = [r for rows in res.values() for r in rows
             if r["expected"] == "invalid" and r["caught"] and r["intended"] and not r["by_intended"]]
    if other:
        lines.append("")
        lines.append("Caught, but not with the intended test id:")
        lines += [f"- `{r['file']}`: intended {r['intended']}, lancang {r['rules']}" for r in other]
    notes = [r for rows in res.values() for r in rows if r["why"]]
    if notes:
        lines += ["", "Files whose level-2 verdict is not their folder's (read in udtools level1.py / level2.py):"]
        lines += [f"- `{r['file']}` ({r['expected']}): {r['why']}" for r in notes]
    return lines


#: files the validator's test suite pairs as one treebank (their comments: "The sent_id is intentionally same
#: here and in the id_test_part2.conllu file"): valid one by one, a repeated sent_id when checked together
TREEBANK = ("valid/id_test_part1.conllu", "valid/id_test_part2.conllu")


def treebank(root: Path) -> list[str]:
    """The rule ids of ``validate_files`` on :data:`TREEBANK` (the validator's ``validate.py a b``)."""
    paths = [root / p for p in TREEBANK]
    if not all(p.exists() for p in paths):
        return []
    try:
        from lancang.standards.conllu import validate_files
    except ImportError:  # a tree from before validate_files
        return ["(several files cannot be checked together)"]
    found = [f"{f.rule} ({Path(f.file or '').name}:{f.line})" for f in validate_files(paths) if f.severity == "error"]
    return [f"Checked together as one treebank, `{'` + `'.join(TREEBANK)}`: {', '.join(found) or 'no finding'}."]


#: what the run does not show (written by hand; the docs section repeats it)
LIMITS = [
    "Not fetched: `test-cases/invalid-level4-5/cs_pud-ud-test.conllu` (a level-4/5 case, written for "
    "`--level 5 --lang cs`). The validator's `valid/empty-file.conllu` (passed by the validator) is not in the "
    "store: `lancang check` on an empty file says `incomplete` (nothing examined), not `conformant`.",
    "Most `test-cases/` copies in the store are old versions written before `# sent_id` and `# text` were "
    "required, so many are also caught by `missing-text`; the intended-id column is the sharper measure.",
    "Found outside the suite, and fixed: a multiword token with fewer characters than words (Portuguese `à` = "
    "`a` + `a`, valid at level 2) stopped the CoNLL-U reader and `check -p conllu` failed the file under "
    "`format`; the reader now keeps such a sentence as its surface tokens with its lines as read, and `check` "
    "reports a `lancang/model-limits` warning, so the verdict is the level 1-2 pass's "
    "(tests/formats/test_conllu_contractions.py).",
]


def sources(root: Path) -> list[str]:
    """The commits the files were read at (``SOURCES.tsv``: name, repository path, commit[, note])."""
    src = root / "SOURCES.tsv"
    if not src.exists():
        return []
    by_folder: dict[str, set[str]] = {}
    for row in src.read_text(encoding="utf-8").splitlines():
        name, path, commit, *_ = row.split("\t")
        by_folder.setdefault(path.rsplit("/", 2)[0], set()).add(commit[:7])
    return [f"`{folder}/` at {', '.join(sorted(c))}" for folder, c in sorted(by_folder.items())]


def compare(baselines: list[tuple[str, dict[str, list[dict]]]], after: dict[str, list[dict]]) -> list[str]:
    """Before/after: the totals of every run, and the files whose verdict or rule ids changed since the last
    baseline."""
    lines = ["| run | invalid at L1-2 caught | with the intended test id | valid at L1-2 passed |", "|---|---|---|---|"]
    for name, res in [*baselines, ("this tree", after)]:
        _, t = summarise(res)
        lines.append(f"| {name} | {t['caught']} of {t['inv']} | {t['intended']} of {t['has_intended']} "
                     f"| {t['passed']} of {t['val']} |")
    old = {r["file"]: r for rows in baselines[-1][1].values() for r in rows}
    changed = [(old[r["file"]], r) for rows in after.values() for r in rows if r["file"] in old
               and (old[r["file"]]["rules"], old[r["file"]]["verdict"]) != (r["rules"], r["verdict"])]
    if changed:
        lines += ["", f"Files whose findings changed since {baselines[-1][0]}:"]
        lines += [f"- `{r['file']}`: {o['verdict']} {o['rules']} -> {r['verdict']} {r['rules']}" for o, r in changed]
    return lines


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("dir", type=Path, help="the fetched test-cases folder")
    ap.add_argument("--tree", help="import lancang from this source tree instead of the installed one")
    ap.add_argument("--baseline", action="append", default=[], metavar="LABEL=SRC",
                    help="also run the lancang source tree SRC (a child process), shown as LABEL; repeatable, oldest "
                         "first: a before/after on one machine")
    ap.add_argument("--json", action="store_true", help="print the per-file results as JSON only")
    ap.add_argument("--write", type=Path, help="replace the ud-testcases section of this Markdown file")
    args = ap.parse_args()
    if args.tree:
        use_tree(args.tree)
    import lancang

    res = run(args.dir)
    if args.json:
        print(json.dumps(res))
        return
    lines = report(res) + against_log(res) + [""] + treebank(args.dir)
    if args.baseline:
        runs = []
        for spec in args.baseline:
            label, _, tree = spec.rpartition("=")
            child = subprocess.run([sys.executable, __file__, str(args.dir), "--tree", tree, "--json"],
                                   check=True, capture_output=True, text=True)
            runs.append((label or tree, json.loads(child.stdout)))
        lines += ["", "Before and after, in the same run (each earlier tree imported from a `git archive` of it):", ""]
        lines += compare(runs, res)
    for rows in res.values():
        for r in rows:
            print(f"{r['file']:<58} {r['expected']:<8} {r['verdict']:<15} {' '.join(r['rules'])}")
    print()
    print("\n".join(lines))
    if args.write:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from _report import replace_section
        from bench_validate import machine

        intro = (f"`python benchmarks/bench_ud_testcases.py DIR` on {dt.date.today().isoformat()}, lancang "
                 f"{lancang.__version__}, {machine()}, Python {platform.python_version()}: every `.conllu` file "
                 "of the UD validator's own test suite that the code search holds (UniversalDependencies/tools), "
                 "judged by `lancang.standards.checker.check` with the `conllu` profile (the call behind "
                 "`lancang check FILE -p conllu`). Files read from: " + "; ".join(sources(args.dir)) + ". The "
                 "expected verdict is the validator's at level 2, read in its code (udtools `level1.py` at 053b58f, "
                 "`level2.py` at 00d843c, `validator.py` at 0c360c8, `compiled_regex.py` at fcae38f) and, for the "
                 "current files, in its own log (`udtools/tests/test-cases/test.log` at 102dea8); the script says "
                 "per file where it differs from the folder. Verdicts, not speed: no timing here.")
        head = ["## CoNLL-U: UD validator test cases (issue 13)", "", intro, ""]
        replace_section(args.write, "ud-testcases", head + lines + ["", "What this does not show:", ""]
                        + [f"- {x}" for x in LIMITS])


if __name__ == "__main__":
    main()
