"""Benchmark `lancang serve`: requests per second for concordance search and report download, with a
local client on the loopback address, SQLite and PostgreSQL side by side in the same run.

    python benchmarks/bench_serve.py [--requests 400] [--pg postgresql://...] [--write docs/benchmarks.md]

The service runs as `lancang serve` (uvicorn) in a child process on a free loopback port; an httpx
client in this process sends the requests one after another. The library holds PUD's 300 zh-Hant/th/en sentences (real
text from ../shared/data, with UD's tokens) and one check report (PUD checked against
lancang-zh-asean-parallel with the bundled sample's manifest). A floor runs in the same run:
``GET /api/formats`` (no store access), the cost of the HTTP stack alone. CPU time is the server's (its process,
``/proc``; plus, for PostgreSQL, the backends of its connections: same machine only) and the
client's (``time.process_time``); requests per CPU second is the fair per-core figure on a shared
machine.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import platform
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _report import lancang_version, para, replace_section  # noqa: E402

from lancang.corpora.samples import sample_path  # noqa: E402
from lancang.standards.checker import check  # noqa: E402
from lancang.standards.profiles import load_profile  # noqa: E402
from lancang.store import index_corpus, open_store  # noqa: E402
from tests.store.helpers import pg_schema_url, pud_pairs  # noqa: E402

SEARCHES = [{"q": "美國", "side": "zh", "tgt": "th"}, {"q": "ประเทศ", "side": "th", "tgt": "zh"},
            {"q": "政府", "side": "zh"}, {"q": "the", "side": "en", "tgt": "zh"}]


def proc_cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def pg_backends_cpu(url: str) -> float:
    """CPU seconds of the PostgreSQL backends serving the database of ``url`` (the service's connections)."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        pids = [r[0] for r in conn.execute("SELECT pid FROM pg_stat_activity WHERE backend_type = 'client backend' "
                                           "AND datname = current_database() AND pid <> pg_backend_pid()")]
    total = 0.0
    for pid in pids:
        with contextlib.suppress(OSError):  # a backend that ended
            total += proc_cpu(pid)
    return total


def run_backend(url: str, folder: Path, corpus: Path, n: int) -> dict:
    import httpx

    with open_store(url) as store:
        index_corpus(store, corpus, name="pud")
        rep = check(corpus, [load_profile("lancang-zh-asean-parallel")], sample_path("sample.manifest.json"))
        rid = store.add_report(store.corpus("pud"), "check", rep)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    server = subprocess.Popen([sys.executable, "-c", "from lancang.cli import main; main()", "serve", "--db", url,
                               "--port", str(port), "--files", str(folder), "--workers", "1"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    kinds = {
        "floor: GET /api/formats": lambda k: "/api/formats",
        "search, one page of 20 hits": lambda k: "/api/search?" + str(httpx.QueryParams(SEARCHES[k % len(SEARCHES)])),
        "report download, JSON": lambda k: f"/api/reports/{rid}?format=json",
        "report download, HTML (zh)": lambda k: f"/api/reports/{rid}?format=html&lang=zh",
    }
    pg = url.startswith("postgresql")
    out = {}
    try:
        with httpx.Client(base_url=base) as client:
            for _ in range(300):
                try:
                    client.get("/api/formats")
                    break
                except httpx.TransportError:
                    time.sleep(0.1)
            for what, path in kinds.items():
                for k in range(20):  # warm-up: connections, caches
                    client.get(path(k)).raise_for_status()
                c0, s0, b0 = time.process_time(), proc_cpu(server.pid), pg_backends_cpu(url) if pg else 0.0
                t0 = time.perf_counter()
                size = 0
                for k in range(n):
                    r = client.get(path(k))
                    r.raise_for_status()
                    size += len(r.content)
                wall = time.perf_counter() - t0
                client_cpu = time.process_time() - c0
                server_cpu = proc_cpu(server.pid) - s0 + ((pg_backends_cpu(url) - b0) if pg else 0.0)
                out[what] = {"cpu_rps": n / (client_cpu + server_cpu), "server_rps": n / server_cpu,
                             "wall_rps": n / wall, "bytes": size / n}
    finally:
        server.terminate()
        server.wait(30)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--requests", type=int, default=400)
    ap.add_argument("--pg", default=os.environ.get("LANCANG_TEST_PG"))
    ap.add_argument("--write", type=Path)
    args = ap.parse_args()
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        t = Path(tmp)
        corpus = pud_pairs(t / "pud.jsonl")
        results["SQLite"] = run_backend(str(t / "lib.sqlite"), t / "files-sqlite", corpus, args.requests)
        if args.pg:
            import psycopg

            schema = f"bench_{uuid.uuid4().hex[:10]}"
            with psycopg.connect(args.pg, autocommit=True) as conn:
                conn.execute(f"CREATE SCHEMA {schema}")
            try:
                results["PostgreSQL"] = run_backend(pg_schema_url(args.pg, schema), t / "files-pg", corpus,
                                                    args.requests)
            finally:
                with psycopg.connect(args.pg, autocommit=True) as conn:
                    conn.execute(f"DROP SCHEMA {schema} CASCADE")
    backs = list(results)
    lines = ["## `lancang serve`: requests per second (issue 19)", "",
             para(f"{dt.date.today()}, {lancang_version()}, Python {platform.python_version()}; 2 cores "
                  "shared with other jobs: the figures are CPU time on a shared machine (the server process, plus the "
                  "PostgreSQL backends of its connections, and the client); wall figures as measured. "
                  f"`python benchmarks/bench_serve.py --requests {args.requests}`: `lancang serve` (uvicorn) "
                  "on the loopback address, one httpx client sending requests one after another, PUD's 300 "
                  "zh-Hant/th/en sentences and one check report in the library."),
             "", "Requests per CPU second of server and client (per CPU second of the server alone; per wall second):",
             "",
             "| request | " + " | ".join(backs) + " |", "|---|" + "---|" * len(backs)]
    for what in results[backs[0]]:
        cells = [f"{results[b][what]['cpu_rps']:,.0f} ({results[b][what]['server_rps']:,.0f}; "
                 f"{results[b][what]['wall_rps']:,.0f})" for b in backs]
        lines.append(f"| {what} | " + " | ".join(cells) + " |")
    lines += ["", para("The floor (`GET /api/formats`, no store access) is the HTTP stack's own cost in the same "
                       "run; wall figures moved with the other jobs' load (the machine's load average was "
                       f"{os.getloadavg()[0]:.1f} on its 2 cores). "
                       "The search rotates four queries (zh, th, en; with and without --tgt); the report is "
                       f"{results[backs[0]]['report download, JSON']['bytes'] / 1024:,.0f} KiB of JSON, rendered "
                       "to HTML on each request.")]
    print("\n".join(lines))
    if args.write:
        replace_section(args.write, "serve", lines)


if __name__ == "__main__":
    main()
