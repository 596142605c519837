"""Agreement of lancang's XLIFF 2 verdicts with the OASIS XLIFF TC's own test suite
(``oasis-tcs/xliff-xliff-22``, ``xliff-22/test-suite/core/{valid,invalid}``).

    python benchmarks/bench_xliff2_suite.py DIR [--tree SRC] [--write docs/benchmarks.md]

DIR holds the suite's files in its two folders, ``invalid/`` and ``valid/``. The files are public
test data: they are not part of lancang, and neither the tests nor CI read them.

Each file is judged twice, by the two library calls behind the CLI: the XLIFF 2 reader
(:func:`lancang.corpora.formats.read_corpus`, what ``lancang convert`` and every verb use; a
rejected file is an :class:`~lancang.errors.InputError` with its rule id) and
:func:`lancang.standards.checker.check` with the ``xliff-2`` profile (``lancang check FILE -p
xliff-2``; a rejected file is a report whose verdict is not conformant). The expected verdict is the
folder's. Warnings of the profile's own lancang defaults (empty or copied targets) do not make a
verdict and are not counted.

``--tree SRC`` imports lancang from the source tree SRC instead of the installed one (a before/after
on one machine). ``--write`` replaces the section ``xliff2-suite`` of the given Markdown file.
"""

from __future__ import annotations

import argparse
import datetime as dt
import platform
import sys
from pathlib import Path


def judge(path: Path) -> tuple[str | None, bool]:
    """(the reader's rule id when it refuses the file, else None; whether check says not conformant)."""
    from lancang.corpora.formats import read_corpus
    from lancang.errors import LancangError
    from lancang.standards.checker import check
    from lancang.standards.profiles import load_profile

    rule = None
    try:
        for _ in read_corpus(path, "xliff2"):
            pass
    except LancangError as exc:
        rule = getattr(exc, "rule", None) or type(exc).__name__
    rep = check(path, [load_profile("xliff-2")], from_format="xliff2")
    return rule, rep["verdict"] != "conformant"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("dir", type=Path, help="the suite's folder holding invalid/ and valid/")
    ap.add_argument("--tree", help="import lancang from this source tree instead of the installed one")
    ap.add_argument("--write", type=Path, help="replace this benchmark's section of this Markdown file")
    args = ap.parse_args()
    if args.tree:
        sys.path.insert(0, args.tree)
    import lancang

    rows: dict[str, list[tuple[str, str | None, bool]]] = {}
    for folder in ("invalid", "valid"):
        files = sorted((args.dir / folder).glob("*.xlf"))
        if not files:
            sys.exit(f"{args.dir / folder}: no .xlf files")
        rows[folder] = [(f.name, *judge(f)) for f in files]
    inv, val = rows["invalid"], rows["valid"]
    read_caught = sum(r is not None for _, r, _ in inv)
    check_caught = sum(c for _, _, c in inv)
    read_ok = sum(r is None for _, r, _ in val)
    check_ok = sum(not c for _, _, c in val)
    lines = [
        "## XLIFF 2: the OASIS XLIFF TC test suite (core)",
        "",
        f"`python benchmarks/bench_xliff2_suite.py DIR` on {dt.date.today():%Y-%m-%d}, lancang {lancang.__version__}, "
        f"Python {platform.python_version()}, {platform.machine()}. DIR: `xliff-22/test-suite/core/` of "
        "oasis-tcs/xliff-xliff-22 (read through the search tool's copy; not in the repository).",
        "",
        "| files | reader (any verb) | `check -p xliff-2` |",
        "|---|---|---|",
        f"| invalid ({len(inv)}) | {read_caught} refused ({read_caught / len(inv):.1%}) | "
        f"{check_caught} not conformant ({check_caught / len(inv):.1%}) |",
        f"| valid ({len(val)}) | {read_ok} read ({read_ok / len(val):.1%}) | {check_ok} conformant |",
        "",
    ]
    missed = [n for n, r, c in inv if r is None or not c]
    wrong = [n for n, r, c in val if r is not None or c]
    lines.append("Invalid files accepted: " + (", ".join(f"`{n}`" for n in missed) or "none") + ".")
    lines.append("Valid files refused: " + (", ".join(f"`{n}`" for n in wrong) or "none") + ".")
    print("\n".join(lines))
    for n, r, c in inv:
        print(f"  invalid {n}: reader {r or 'ACCEPTED'}; check {'not conformant' if c else 'CONFORMANT'}")
    if args.write:
        sys.path.insert(0, str(Path(__file__).parent))
        from _report import replace_section

        replace_section(args.write, "xliff2-suite", lines)


if __name__ == "__main__":
    main()
