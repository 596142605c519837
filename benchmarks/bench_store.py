"""Benchmark the corpus store: `lancang index` speed and concordance query latency, SQLite and
PostgreSQL side by side in the same run.

    python benchmarks/bench_store.py [--copies 30] [--pg postgresql://...] [--write docs/benchmarks.md]

The corpus is real text from ../shared/data: TALPCo's 1,372 sentences in th, vi, id and ms
(untokenised: th is indexed by characters, the others by words) repeated ``--copies`` times under new
record ids, PUD's 300 sentences in zh-Hant, th and en with UD's tokens, and PUD's documents (zh-Hant
and th sides with sentences and scored beads). PostgreSQL (``--pg``, default ``$LANCANG_TEST_PG``) gets
a schema of its own, dropped afterwards. CPU time is this process's (``time.process_time``) plus, for
PostgreSQL, its server backend's (``/proc/PID/stat`` of ``pg_backend_pid()``: same machine only).
Latency is wall time of one page of 20 hits, each query repeated ``--repeat`` times.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _report import lancang_version, para, replace_section  # noqa: E402

from lancang.store import Query, index_corpus, open_store  # noqa: E402
from tests.store.helpers import pg_schema_url, pud_documents, pud_pairs, talpco_pairs  # noqa: E402

QUERIES = [  # (what, text, side, regex)
    ("th one word (chars)", "โรงเรียน", "th", False),
    ("th phrase (chars)", "ไป โรงเรียน", "th", False),
    ("vi phrase (words)", "tôi là", "vi", False),
    ("id one word (words)", "sekolah", "id", False),
    ("zh one word (tokens, PUD)", "美國", "zh", False),
    ("zh one character (chars, PUD documents)", "國", "zh", False),
    ("th regex with a literal", r"ไป\S{0,3}โรงเรียน", "th", True),
]


def server_cpu(store) -> float:
    if store.backend != "postgresql":
        return 0.0
    pid = store._fetchone("SELECT pg_backend_pid()")[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_backend(url: str, corpora: dict[str, Path], repeat: int) -> dict:
    out: dict = {"index": {}, "queries": {}}
    with open_store(url) as store:
        s0, c0, t0 = server_cpu(store), time.process_time(), time.perf_counter()
        records = 0
        for name, path in corpora.items():
            records += index_corpus(store, path, name=name).records
        out["index"] = {"records": records, "wall": time.perf_counter() - t0,
                        "cpu": time.process_time() - c0 + server_cpu(store) - s0,
                        "sides": store._fetchone("SELECT COUNT(*) FROM sides")[0]}
        for what, text, side, is_regex in QUERIES:
            walls, cpus, hits = [], [], 0
            for _ in range(repeat):
                s0, c0, t0 = server_cpu(store), time.process_time(), time.perf_counter()
                page = store.search(Query(text, side=side, regex=is_regex, page_size=20))
                walls.append(time.perf_counter() - t0)
                cpus.append(time.process_time() - c0 + server_cpu(store) - s0)
                hits = len(page.hits)
            walls.sort()
            out["queries"][what] = {"p50": statistics.median(walls), "p95": walls[int(0.95 * (len(walls) - 1))],
                                    "cpu": statistics.mean(cpus), "hits": hits}
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--copies", type=int, default=30)
    ap.add_argument("--repeat", type=int, default=30)
    ap.add_argument("--pg", default=os.environ.get("LANCANG_TEST_PG"))
    ap.add_argument("--write", type=Path)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        corpora = {"talpco": talpco_pairs(d / "talpco.jsonl", copies=args.copies),
                   "pud": pud_pairs(d / "pud.jsonl"), "pud-docs": pud_documents(d / "pud-docs.jsonl")}
        results = {"SQLite": run_backend(str(d / "lib.sqlite"), corpora, args.repeat)}
        results["SQLite"]["size"] = (d / "lib.sqlite").stat().st_size
        if args.pg:
            import psycopg

            schema = f"bench_{uuid.uuid4().hex[:10]}"
            with psycopg.connect(args.pg, autocommit=True) as conn:
                conn.execute(f"CREATE SCHEMA {schema}")
            try:
                results["PostgreSQL"] = run_backend(pg_schema_url(args.pg, schema), corpora, args.repeat)
                with psycopg.connect(args.pg, autocommit=True) as conn:
                    results["PostgreSQL"]["size"] = conn.execute(
                        "SELECT SUM(pg_total_relation_size(c.oid)) FROM pg_class c JOIN pg_namespace n "
                        "ON n.oid = c.relnamespace WHERE n.nspname = %s AND c.relkind = 'r'", (schema,)).fetchone()[0]
                    version = conn.execute("SHOW server_version").fetchone()[0]
            finally:
                with psycopg.connect(args.pg, autocommit=True) as conn:
                    conn.execute(f"DROP SCHEMA {schema} CASCADE")
    import sqlite3

    names = list(results)
    lines = ["## Corpus store: indexing and concordance search (issue 19)", "",
             para(f"""{dt.date.today().isoformat()}, {lancang_version()}, Python {platform.python_version()},
             SQLite {sqlite3.sqlite_version}{f', PostgreSQL {version} (local, Unix socket)' if args.pg else ''};
             {os.cpu_count()} cores shared with other jobs: CPU times are this process's (plus the PostgreSQL
             server backend's), the fair per-core figure on a shared machine; wall times are as measured.
             `python benchmarks/bench_store.py --copies {args.copies}`."""), "",
             para(f"""Corpus: real text only. TALPCo's 1,372 th/vi/id/ms sentences repeated {args.copies} times
             under new ids (th indexed by characters, the others by words), PUD's 300 zh-Hant/th/en sentences
             with UD tokens, PUD's documents with sentences and beads:
             {results['SQLite']['index']['records']:,} records, {results['SQLite']['index']['sides']:,} sides.
             The issue's 1M-pair figure is not measured here (no million real zh-th pairs in
             ../shared/data)."""), "",
             "| | " + " | ".join(names) + " |", "|---|" + "---|" * len(names),
             "| index: records/s of CPU | " + " | ".join(
                 f"{r['index']['records'] / r['index']['cpu']:,.0f}" for r in results.values()) + " |",
             "| index: records/s wall | " + " | ".join(
                 f"{r['index']['records'] / r['index']['wall']:,.0f}" for r in results.values()) + " |",
             "| store size | " + " | ".join(f"{r['size'] / 2**20:,.0f} MiB" for r in results.values()) + " |", "",
             "Query latency, one page of 20 hits (wall p50 / p95 ms, mean CPU ms):", "",
             "| query | hits on page | " + " | ".join(names) + " |", "|---|---|" + "---|" * len(names)]
    for what, *_ in QUERIES:
        first = results[names[0]]["queries"][what]
        lines.append(f"| {what} | {first['hits']} | " + " | ".join(
            f"{r['queries'][what]['p50'] * 1e3:.1f} / {r['queries'][what]['p95'] * 1e3:.1f} "
            f"({r['queries'][what]['cpu'] * 1e3:.1f})" for r in results.values()) + " |")
    print("\n".join(lines))
    if args.write:
        replace_section(args.write, "store", lines)


if __name__ == "__main__":
    main()
