"""Benchmark `lancang check` on TMX and XLIFF 2 with the validation steps of issue 13 (the bundled
TMX 1.4b DTD, the OASIS XLIFF 2.2 schemas and the coded requirements).

    python benchmarks/bench_check_xml.py [--tmx-mb 1024] [--xliff-mb 200] [--baseline DIR]
                                         [--write docs/benchmarks.md]

Generates a zh-vi TMX of about ``--tmx-mb`` MiB (the generator of bench_tmx.py: real UD sentences,
props, bpt/ept and ph codes) and an XLIFF 2.1 file of about ``--xliff-mb`` MiB (`lancang convert` of
a TMX of the right size, so the same sentences and inline codes), then runs `lancang check FILE -p
tmx-1.4b` and `-p xliff-2` in their own processes, timing the wall clock and CPU and reading the
child's peak RSS. ``--baseline DIR`` also runs the same checks with the lancang source tree in DIR
(e.g. a `git worktree` of an earlier commit) in the same run, for a before/after on one machine.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _report import replace_section  # noqa: E402
from bench_tmx import generate, run  # noqa: E402

#: runs lancang from a source tree given as argv[1] instead of the installed one (an editable install
#: puts its own finder first on sys.meta_path: it is removed so the tree on sys.path wins)
FROM_TREE = """
import sys
tree = sys.argv.pop(1)
sys.meta_path = [f for f in sys.meta_path if "editable" not in repr(f)]
sys.path.insert(0, tree)
import lancang
assert lancang.__file__.startswith(tree), lancang.__file__
from lancang.cli import main
sys.argv[0] = "lancang"
main()
"""


def lancang_cmd(tree: str | None) -> list[str]:
    if tree is None:
        return [str(Path(sys.executable).with_name("lancang"))]
    return [sys.executable, "-c", FROM_TREE, tree]


def check(cmd: list[str], path: Path, profile: str) -> tuple[float, float, float, str]:
    """Wall, CPU, peak RSS and verdict of `lancang check PATH -p PROFILE` (exit 1, not conformant, is a
    result)."""
    import orjson

    out = path.with_suffix(".report.json")
    wall, cpu, rss, _text = run([*cmd, "check", str(path), "-p", profile, "--format", "json", "-o", str(out)],
                                ok=(0, 1))
    verdict = orjson.loads(out.read_bytes())["verdict"]
    out.unlink()
    return wall, cpu, rss, verdict


def check_all(trees: list[tuple[str, str | None]], kind: str, path: Path, profile: str, units: int,
              rows: list[tuple]) -> None:
    """Check ``path`` with each tree's lancang; a row per tree, printed as it comes."""
    size = path.stat().st_size
    for label, tree in trees:
        wall, cpu, rss, verdict = check(lancang_cmd(tree), path, profile)
        rows.append((kind, label, size, units, wall, cpu, rss, verdict))
        print(f"  {label}: {wall:.1f} s ({cpu:.1f} s CPU), {size / 2**20 / wall:.1f} MiB/s, peak {rss:.0f} MiB, "
              f"{verdict}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--tmx-mb", type=float, default=1024)
    ap.add_argument("--xliff-mb", type=float, default=200)
    ap.add_argument("--baseline", help="a lancang source tree to time the same checks with (before/after)")
    ap.add_argument("--write", type=Path, help="replace this benchmark's section of this markdown file")
    ap.add_argument("--tmp", help="folder for the temporary files (default: the system's)")
    args = ap.parse_args()
    trees = [("this tree", None)] + ([("baseline", args.baseline)] if args.baseline else [])
    rows = []
    with tempfile.TemporaryDirectory(dir=args.tmp) as tmp:
        t = Path(tmp)
        tmx = t / "bench.tmx"
        size, n = generate(tmx, args.tmx_mb)
        print(f"TMX {size / 2**20:,.1f} MiB, {n:,} units")
        check_all(trees, "TMX 1.4b", tmx, "tmx-1.4b", n, rows)
        tmx.unlink()
        # XLIFF 2 of about --xliff-mb: an XLIFF 2 file is about 1.6x its TMX (measured on a small one)
        small, xsmall = t / "s.tmx", t / "s.xlf"
        generate(small, 2)
        run([*lancang_cmd(None), "convert", str(small), str(xsmall), "--format", "xliff2"])
        ratio = xsmall.stat().st_size / small.stat().st_size
        src, xlf = t / "x.tmx", t / "bench.xlf"
        generate(src, args.xliff_mb / ratio)
        run([*lancang_cmd(None), "convert", str(src), str(xlf), "--format", "xliff2"])
        src.unlink()
        xsize = xlf.stat().st_size
        units = xlf.read_bytes().count(b"<unit ")
        print(f"XLIFF 2 {xsize / 2**20:,.1f} MiB, {units:,} units")
        check_all(trees, "XLIFF 2.1", xlf, "xliff-2", units, rows)
    if args.write:
        write_section(args.write, rows, args)


def write_section(path: Path, rows: list[tuple], args: argparse.Namespace) -> None:
    from bench_validate import machine, versions

    cmd = f"python benchmarks/bench_check_xml.py --tmx-mb {args.tmx_mb:g} --xliff-mb {args.xliff_mb:g}"
    if args.baseline:
        cmd += " --baseline DIR"
    lines = ["## `lancang check` on TMX and XLIFF 2 with validation (issue 13)", "",
             f"Measured {dt.date.today().isoformat()} by `{cmd}` on {machine()}; {versions()}.", "",
             "One process, end to end: read, validate (TMX: the bundled tmx14.dtd, per `<tu>`; XLIFF 2: the OASIS "
             "2.2 schemas per unit and the coded requirements), the profile's rules, JSON report. "
             + ("The baseline is the code before this session (c932eba), run from its source tree in the same run."
                if args.baseline else ""), "",
             "| file | code | MiB | units | seconds | CPU seconds | MiB/s | peak RSS MiB | verdict |",
             "|---|---|---:|---:|---:|---:|---:|---:|---|"]
    for kind, label, size, n, wall, cpu, rss, verdict in rows:
        lines.append(f"| {kind} | {label} | {size / 2**20:,.1f} | {n:,} | {wall:.1f} | {cpu:.1f} | "
                     f"{size / 2**20 / wall:.1f} | {rss:.0f} | {verdict} |")
    replace_section(path, "bench_check_xml", lines)


if __name__ == "__main__":
    main()
