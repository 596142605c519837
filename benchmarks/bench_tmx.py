"""Benchmark TMX reading and writing through `lancang convert`: MB/s, TU/s and peak memory.

    python benchmarks/bench_tmx.py [--mb 1024] [--ttk /tmp/ttk-venv/bin/python] [--ttk-mb 55]
                                   [--write docs/benchmarks.md]

Generates a zh–vi TMX of about ``--mb`` MiB (real sentences: UD Chinese GSDSimp and UD Vietnamese
VTB from ../shared/data, the bundled sample corpus if that is absent; every <tu> has tuid,
creationdate/creationid/changedate and a domain <prop>; one in five has a bpt/ept pair and one in
twenty a <ph>, as CAT-tool exports do), streaming it to a temporary file. Then runs, each in its own
process, `lancang convert x.tmx x.jsonl` and `lancang convert x.jsonl y.tmx`, timing the wall clock
and reading the child's peak RSS with ``os.wait4``. With ``--ttk`` it also loads a ``--ttk-mb`` TMX
with Translate Toolkit's ``tmxfile`` in that interpreter (a separate virtualenv: Translate Toolkit is
not a lancang dependency), for comparison. Targets (issue 3): reading >= 40 MB/s per core, peak RSS
< 300 MB for 1 GB.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _report import write_block  # noqa: E402
from bench_validate import machine  # noqa: E402

START, END = "<!-- bench_tmx:start -->", "<!-- bench_tmx:end -->"


def sentences() -> tuple[list[str], list[str], str]:
    """(zh sentences, vi sentences, where they come from)."""
    def texts(p: Path) -> list[str]:
        return [ln[9:].strip() for ln in p.read_text(encoding="utf-8").splitlines() if ln.startswith("# text = ")]

    zh_p = SHARED / "ud" / "zh_gsdsimp" / "zh_gsdsimp-ud-dev.conllu"
    vi_ps = sorted((SHARED / "ud" / "vi_vtb").glob("*.conllu"))
    if zh_p.exists() and vi_ps:
        return texts(zh_p), [t for p in vi_ps for t in texts(p)], "UD Chinese GSDSimp dev + UD Vietnamese VTB"
    import orjson

    from lancang.corpora.samples import sample_path

    recs = [orjson.loads(x) for x in sample_path().read_bytes().splitlines()]
    zh = [r["sides"]["zh-Hant"]["text"] for r in recs if "zh-Hant" in r["sides"]]
    vi = [r["sides"]["vi"]["text"] for r in recs if "vi" in r["sides"]]
    return zh, vi, "the bundled sample corpus (PUD zh-Hant, TALPCo vi)"


def generate(path: Path, mib: float, seed: int = 7) -> tuple[int, int]:
    """Write a zh–vi TMX of about ``mib`` MiB; returns (bytes, translation units)."""
    zh, vi, _ = sentences()
    rnd = random.Random(seed)
    target = int(mib * 2**20)
    n = 0
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write('<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE tmx SYSTEM "tmx14.dtd">\n<tmx version="1.4">\n'
                '<header creationtool="bench_tmx" creationtoolversion="1" segtype="sentence" o-tmf="lancang" '
                'adminlang="en" srclang="zh-CN" datatype="html"/>\n<body>\n')
        buf: list[str] = []
        size = 0
        while size < target:
            z, v = escape(rnd.choice(zh)), escape(rnd.choice(vi))
            if n % 5 == 0:
                z = f'<bpt i="1" type="bold">&lt;b&gt;</bpt>{z}<ept i="1">&lt;/b&gt;</ept>'
                v = f'<bpt i="1" type="bold">&lt;b&gt;</bpt>{v}<ept i="1">&lt;/b&gt;</ept>'
            if n % 20 == 3:
                z += '<ph x="2">&lt;br/&gt;</ph>'
                v += '<ph x="2">&lt;br/&gt;</ph>'
            tu = (f'<tu tuid="{n + 1}" creationdate="20261123T1{n % 60:02d}000Z" creationid="tr{n % 7}" '
                  f'changedate="20261124T090000Z">\n <prop type="x-domain">{("news", "law", "it")[n % 3]}</prop>\n'
                  f' <tuv xml:lang="zh-CN"><seg>{z}</seg></tuv>\n <tuv xml:lang="vi-VN"><seg>{v}</seg></tuv>\n</tu>\n')
            buf.append(tu)
            size += len(tu.encode("utf-8"))
            n += 1
            if len(buf) >= 4096:
                f.write("".join(buf))
                buf = []
        f.write("".join(buf) + "</body>\n</tmx>\n")
    return path.stat().st_size, n


def run(cmd: list[str], ok: tuple[int, ...] = (0,)) -> tuple[float, float, float, str]:
    """Wall seconds, CPU seconds (user + system) and peak RSS (MiB) of the child (``os.wait4``), and
    its output. CPU time gives the per-core rate even when other work shares the machine. An exit
    code outside ``ok`` stops the benchmark."""
    with tempfile.TemporaryFile() as out:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        out.seek(0)
        text = out.read().decode("utf-8", "replace")
    if os.waitstatus_to_exitcode(status) not in ok:
        raise SystemExit(f"{' '.join(cmd)} failed: {text[-2000:]}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, text.strip()


TTK_SCRIPT = """
import sys, time
from translate.storage import tmx
t0 = time.perf_counter()
store = tmx.tmxfile.parsefile(sys.argv[1])
n = len(store.units)
print(n, time.perf_counter() - t0)
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--mb", type=float, default=1024, help="size of the generated TMX in MiB (default 1024)")
    ap.add_argument("--ttk", help="python of a virtualenv with translate-toolkit, to compare its TMX loading")
    ap.add_argument("--ttk-mb", type=float, default=55, help="size of the TMX Translate Toolkit loads (MiB)")
    ap.add_argument("--write", type=Path, help="replace the TMX section of this markdown file")
    ap.add_argument("--tmp", help="folder for the temporary files (default: the system's)")
    args = ap.parse_args()
    lancang = str(Path(sys.executable).with_name("lancang"))
    rows: list[tuple[str, float, int, float, float, float]] = []
    with tempfile.TemporaryDirectory(dir=args.tmp) as tmp:
        t = Path(tmp)
        src, js, back = t / "bench.tmx", t / "bench.jsonl", t / "back.tmx"
        t0 = time.perf_counter()
        size, n = generate(src, args.mb)
        print(f"generated {size / 2**20:,.1f} MiB, {n:,} TUs in {time.perf_counter() - t0:.1f} s")
        wall, cpu, rss, out = run([lancang, "convert", str(src), str(js)])
        rows.append(("TMX -> JSONL (`lancang convert x.tmx x.jsonl`)", size, n, wall, cpu, rss))
        print(f"read : {size / 2**20 / wall:6.1f} MiB/s ({size / 2**20 / cpu:.1f} per CPU second) {n / wall:9,.0f} "
              f"TU/s peak {rss:6.1f} MiB  ({out})")
        jsize = js.stat().st_size
        wall, cpu, rss, out = run([lancang, "convert", str(js), str(back)])
        rows.append(("JSONL -> TMX (`lancang convert x.jsonl y.tmx`)", size, n, wall, cpu, rss))
        print(f"write: {size / 2**20 / wall:6.1f} MiB/s ({size / 2**20 / cpu:.1f} per CPU second) of TMX "
              f"{n / wall:9,.0f} TU/s peak {rss:6.1f} MiB  ({out}; JSONL {jsize / 2**20:,.1f} MiB)")
        js.unlink()
        back.unlink()
        ttk = None
        if args.ttk:
            small = t / "ttk.tmx"
            ssize, sn = generate(small, args.ttk_mb)
            script = t / "ttk_load.py"
            script.write_text(TTK_SCRIPT, encoding="utf-8")
            wall, _, rss, out = run([args.ttk, str(script), str(small)])
            probe = "import importlib.metadata as m; print(m.version('translate-toolkit'))"
            ver = subprocess.run([args.ttk, "-c", probe], capture_output=True, text=True).stdout.strip()
            ttk = (ver, ssize, sn, wall, rss)
            print(f"Translate Toolkit {ver}: {ssize / 2**20:,.1f} MiB, {sn:,} TUs: {wall:.2f} s, peak {rss:.1f} MiB")
            wall2, _, rss2, _ = run([lancang, "convert", str(small), str(t / "ttk.jsonl")])
            ttk = ttk + (wall2, rss2)
            print(f"lancang on the same file: {wall2:.2f} s, peak {rss2:.1f} MiB")
    if args.write:
        write_section(args.write, rows, ttk, args.mb)


def write_section(path: Path, rows: list[tuple[str, float, int, float, float, float]], ttk: tuple | None,
                  mib: float) -> None:
    _, _, source = sentences()
    lines = [START, "## TMX reading and writing (`lancang convert`)", "",
             f"Measured {dt.date.today().isoformat()} by `python benchmarks/bench_tmx.py --mb {mib:g}"
             f"{' --ttk ...' if ttk else ''} --write docs/benchmarks.md` on {machine()}; Python "
             f"{platform.python_version()}, lancang {metadata.version('lancang')}, lxml {metadata.version('lxml')}, "
             f"orjson {metadata.version('orjson')}.", "",
             f"Input: a generated zh–vi TMX ({source}); every `<tu>` has a tuid, three dates/ids and a `<prop>`, "
             "one in five a `bpt`/`ept` pair, one in twenty a `<ph>`. One process each (one core); peak memory is the "
             "child's maximum RSS. Targets: reading at least 40 MB/s per core, peak RSS under 300 MB for 1 GB.", "",
             "| run | TMX MiB | TUs | seconds | MiB/s | MiB per CPU second | TUs/s | peak RSS MiB |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for name, size, n, wall, cpu, rss in rows:
        lines.append(f"| {name} | {size / 2**20:,.1f} | {n:,} | {wall:.2f} | {size / 2**20 / wall:.1f} | "
                     f"{size / 2**20 / cpu:.1f} | {n / wall:,.0f} | {rss:.1f} |")
    if ttk:
        ver, ssize, sn, wall, rss, wall2, rss2 = ttk
        lines += ["", f"Side by side on a {ssize / 2**20:,.1f} MiB TMX ({sn:,} TUs):", "",
                  "| tool | seconds | peak RSS MiB |", "|---|---:|---:|",
                  f"| Translate Toolkit {ver} `tmxfile.parsefile` (load only) | {wall:.2f} | {rss:.1f} |",
                  f"| lancang `convert x.tmx x.jsonl` (read, convert, write) | {wall2:.2f} | {rss2:.1f} |"]
    lines += ["", END]
    write_block(path, "bench_tmx", "\n".join(lines))


if __name__ == "__main__":
    main()
