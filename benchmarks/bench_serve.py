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
import signal
import socket
import subprocess
import sys
import tempfile
import threading
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


# ---------------------------------------------------------------------------- the bounded load test
DATA = ROOT.parent / "shared" / "data"
#: uploads: (file under ../shared/data, profiles, extra form fields); real TMX, XLIFF 1.2 and 2.0 files and
#: two JSONL corpora made from real text (PUD with its manifest, a TALPCo slice)
UPLOADS = [
    (("formats", "tmx_okapi", "Paragraph_TM.tmx"), ("tmx-1.4b",), {}),
    (("formats", "tmx_okapi", "html_test.tmx"), ("tmx-1.4b",), {}),
    (("formats", "tmx_okapi", "ImportTest2A.tmx"), ("tmx-1.4b", "lancang-text-hygiene"), {}),
    (("formats", "xliff12_okapi", "OnTramTest01.xlf"), ("lancang-text-hygiene",), {}),
    (("formats", "xliff12_okapi", "SF-12-Test03.xlf"), ("lancang-text-hygiene",), {}),
    (("formats", "xliff2_okapi", "valid_correspondingCodes.xlf"), ("xliff-2",), {}),
    (("pud.jsonl",), ("lancang-zh-asean-parallel",), {"manifest": "sample.manifest.json"}),
    (("talpco-th-vi.jsonl",), ("lancang-text-hygiene",), {}),
]
LOAD_SEARCHES = [  # real words of the library's Chinese and Thai sides (PUD, TALPCo)
    {"q": "美國", "side": "zh", "tgt": "th"}, {"q": "政府", "side": "zh"}, {"q": "中國 政府", "side": "zh"},
    {"q": "國", "side": "zh", "tgt": "th"}, {"q": "ประเทศ", "side": "th", "tgt": "zh"},
    {"q": "โรงเรียน", "side": "th"}, {"q": "ไป โรงเรียน", "side": "th", "tgt": "vi"}, {"q": "ครับ", "side": "th"},
    {"q": r"ไป\S{0,3}โรงเรียน", "side": "th", "regex": "1"}, {"q": "美國", "side": "zh", "page": "2"},
]
#: requests that must be refused, and with what status (they count as intended, not as errors)
INTENDED = [
    ("GET", "/api/search?q=%28&regex=1", None, 400),        # an invalid regex
    ("GET", "/api/jobs/{other}", "submit", 404),             # another user's job
    ("GET", "/api/corpora/no-such-corpus", None, 404),
    ("POST", "/api/jobs", None, 401),                       # an upload without a token
    ("GET", "/api/jobs", "read", 403),                      # a read token listing jobs
]


def talpco_th_vi(path: Path) -> Path:
    """TALPCo's 1,372 th/vi sentence pairs (real text, no tokens) as JSONL."""
    import orjson

    from tests.store.helpers import talpco_records

    with path.open("wb") as f:
        for r in talpco_records():
            f.write(orjson.dumps({"id": r["id"], "sides": {k: r["sides"][k] for k in ("th", "vi")}}) + b"\n")
    return path


def free_port() -> int:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return port


def start_server(url: str, folder: Path, port: int, workers: int, log: Path) -> subprocess.Popen:
    import httpx

    with log.open("ab") as err:
        server = subprocess.Popen([sys.executable, "-c", "from lancang.cli import main; main()", "serve", "--db", url,
                                   "--port", str(port), "--files", str(folder), "--workers", str(workers)],
                                  stdout=subprocess.DEVNULL, stderr=err)
    for _ in range(600):
        try:
            httpx.get(f"http://127.0.0.1:{port}/api/formats", timeout=5)
            return server
        except httpx.TransportError:
            if server.poll() is not None:
                tail = log.read_text(encoding="utf-8", errors="replace")[-3000:]
                raise SystemExit(f"the server ended with {server.returncode}:\n{tail}") from None
            time.sleep(0.1)
    raise SystemExit("the server did not start in 60 s")


def stop_server(server: subprocess.Popen) -> None:
    server.send_signal(signal.SIGTERM)  # uvicorn's graceful shutdown: the pool is stopped in the lifespan
    try:
        server.wait(60)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


class Tally:
    """Requests per kind: latencies, statuses, errors (thread-safe)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.lat: dict[str, list[float]] = {}
        self.status: dict[str, dict[int, int]] = {}
        self.errors: list[str] = []
        self.intended = 0
        self.jobs: dict[int, str] = {}  # job id -> its upload's file

    def add(self, kind: str, seconds: float, status: int, ok: bool, what: str = "") -> None:
        with self.lock:
            self.lat.setdefault(kind, []).append(seconds)
            by = self.status.setdefault(kind, {})
            by[status] = by.get(status, 0) + 1
            if not ok:
                self.errors.append(f"{kind}: {what}")


def client_loop(k: int, base: str, tokens: dict[str, str], files: list[tuple[Path, tuple[str, ...], dict]],
                deadline: float, tally: Tally, upload_every: float) -> None:
    import random

    import httpx

    rng = random.Random(k)
    user = f"user{k % 5}"
    auth = {"Authorization": f"Bearer {tokens[user]}"}
    mine: list[int] = []
    reports: list[int] = []
    next_upload = time.monotonic() + rng.uniform(0, upload_every)
    n = 0
    kinds = ["search", "search", "search", "page", "page", "job", "report", "corpora", "intended"]
    with httpx.Client(base_url=base, timeout=120) as client:
        while time.monotonic() < deadline:
            n += 1
            if time.monotonic() >= next_upload:
                kind = "upload"
                next_upload += upload_every
            else:
                kind = rng.choice(kinds)
                if kind == "job" and not mine:
                    kind = "corpora"
                if kind == "report" and not reports:
                    kind = "page"
            expect, files_arg, extra = 200, None, {}
            method, path, headers, data = "GET", "", auth, None
            if kind == "upload":
                path_, profiles, fields = files[rng.randrange(len(files))]
                method, path, expect = "POST", "/api/jobs", 202
                data = {"profile": list(profiles), "name": f"load-{k}-{n}", "public": str(rng.randrange(2))}
                files_arg = {"corpus": (path_.name, path_.read_bytes())}
                if fields.get("manifest"):
                    files_arg["manifest"] = ("manifest.json", sample_path(fields["manifest"]).read_bytes())
            elif kind == "search":
                q = LOAD_SEARCHES[rng.randrange(len(LOAD_SEARCHES))]
                kind = f"search {q['side']}"
                path = "/api/search?" + str(httpx.QueryParams(q))
            elif kind == "page":
                path = rng.choice(["/?lang=zh", "/?lang=en&language=zh&language=th", "/corpora/pud?lang=zh",
                                   "/search?" + str(httpx.QueryParams({"q": "ประเทศ", "side": "th", "lang": "zh"})),
                                   "/search?" + str(httpx.QueryParams({"q": "美國", "side": "zh", "lang": "en"}))])
                headers = {}
            elif kind == "job":
                path = f"/api/jobs/{rng.choice(mine[-5:])}"
            elif kind == "report":
                rid = rng.choice(reports[-5:])
                path = rng.choice([f"/api/reports/{rid}?format=json", f"/api/reports/{rid}?format=html&lang=zh",
                                   f"/api/reports/{rid}?format=junit"])
            elif kind == "corpora":
                path = rng.choice(["/api/corpora", "/api/corpora?language=zh&language=th", "/api/corpora/pud",
                                   "/api/corpora/talpco/reports"])
            else:
                method, path, role, expect = INTENDED[rng.randrange(len(INTENDED))]
                with tally.lock:
                    others = [j for j, who in tally.jobs.items() if not who.startswith(user + " ")][-20:]
                path = path.replace("{other}", str(rng.choice(others) if others else 999_999_999))
                headers = {"Authorization": f"Bearer {tokens['reader']}"} if role == "read" else (
                    auth if role else {})
                if method == "POST":
                    files_arg = {"corpus": ("a.tmx", b"<tmx/>")}
                    data = {"profile": "tmx-1.4b"}
            t0 = time.perf_counter()
            try:
                r = client.request(method, path, headers=headers, data=data, files=files_arg, **extra)
            except httpx.HTTPError as exc:
                tally.add(kind, time.perf_counter() - t0, 0, False, f"{method} {path}: {type(exc).__name__}: {exc}")
                continue
            dt_ = time.perf_counter() - t0
            ok = r.status_code == expect
            if kind == "intended" and ok:
                with tally.lock:
                    tally.intended += 1
            tally.add(kind, dt_, r.status_code, ok, f"{method} {path} -> {r.status_code} {r.text[:200]}")
            if kind == "upload" and ok:
                mine.append(r.json()["job"])
                with tally.lock:
                    tally.jobs[r.json()["job"]] = f"{user} {path_.name}"
            elif kind == "job" and ok and r.json()["state"] == "done":
                reports.append(r.json()["result"]["report"])


def all_jobs(base: str, admin: str) -> dict[int, dict]:
    import httpx

    r = httpx.get(base + "/api/jobs", headers={"Authorization": f"Bearer {admin}"}, timeout=300)
    r.raise_for_status()
    return {j["id"]: j for j in r.json()}


def load_backend(url: str, folder: Path, tmp: Path, clients: int, seconds: float, workers: int,
                 upload_every: float, drain_timeout: float, kill: bool = False) -> dict:
    """Run the load test on one store: returns the tally and the jobs' fate."""
    from lancang.serve.auth import create_token

    pud = pud_pairs(tmp / "pud.jsonl")
    talpco = talpco_th_vi(tmp / "talpco-th-vi.jsonl")
    with open_store(url) as store:
        index_corpus(store, pud, name="pud")
        index_corpus(store, talpco, name="talpco")
        tokens = {f"user{i}": create_token(store, f"user{i}", "submit")[1] for i in range(5)}
        tokens["reader"] = create_token(store, "reader", "read")[1]
        tokens["root"] = create_token(store, "root", "admin")[1]
    files = []
    for parts, profiles, fields in UPLOADS:
        p = tmp / parts[0] if len(parts) == 1 else DATA.joinpath(*parts)
        files.append((p, profiles, fields))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp / f"server-{uuid.uuid4().hex[:6]}.log"
    server = start_server(url, folder, port, workers, log)
    pg = url.startswith("postgresql")
    tally = Tally()
    load0 = os.getloadavg()
    s0, b0, c0 = proc_cpu(server.pid), pg_backends_cpu(url) if pg else 0.0, time.process_time()
    t0 = time.perf_counter()
    deadline = time.monotonic() + seconds
    threads = [threading.Thread(target=client_loop, args=(k, base, tokens, files, deadline, tally, upload_every))
               for k in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    load1 = os.getloadavg()
    server_cpu = proc_cpu(server.pid) - s0 + ((pg_backends_cpu(url) - b0) if pg else 0.0)
    client_cpu = time.process_time() - c0
    killed: dict[str, list[int]] = {}
    if kill:  # the server killed with jobs in flight (SIGKILL: no shutdown), then started again
        server.kill()
        server.wait()
        with open_store(url) as store:
            killed = {st: [j.id for j in store.jobs(state=st)] for st in ("queued", "running")}
        server = start_server(url, folder, port, workers, log)
    # drain: every submitted job reaches done or failed
    d0, sd0 = time.perf_counter(), proc_cpu(server.pid) + (pg_backends_cpu(url) if pg else 0.0)
    while True:
        jobs = all_jobs(base, tokens["root"])
        open_ = [j for j in jobs.values() if j["state"] in ("queued", "running")]
        if not open_ or time.perf_counter() - d0 > drain_timeout:
            break
        time.sleep(1.0)
    drain = time.perf_counter() - d0
    drain_cpu = proc_cpu(server.pid) + (pg_backends_cpu(url) if pg else 0.0) - sd0
    before = all_jobs(base, tokens["root"])
    stop_server(server)
    server = start_server(url, folder, port, workers, log)
    try:
        after = all_jobs(base, tokens["root"])
    finally:
        stop_server(server)
    text = log.read_text(encoding="utf-8", errors="replace")
    tracebacks = text.count("Traceback")
    return {"tally": tally, "wall": wall, "server_cpu": server_cpu, "client_cpu": client_cpu, "load": (load0, load1),
            "drain": drain, "drain_cpu": drain_cpu, "before": before, "after": after, "tracebacks": tracebacks,
            "log": text if tracebacks else "", "submitted": dict(tally.jobs), "killed": killed}


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p * (len(xs) - 1))))]


def load_lines(results: dict, args: argparse.Namespace) -> list[str]:
    import collections

    out = [f"## `lancang serve` under load: {args.clients} clients on the loopback address (issue 19)", "",
           para(f"{dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC, {lancang_version()}, Python "
                f"{platform.python_version()}, {platform.processor() or platform.machine()}, {os.cpu_count()} cores "
                "shared with other jobs. "
                f"`python benchmarks/bench_serve.py --load --clients {args.clients} --seconds {args.seconds:g} "
                f"--workers {args.workers}{' --kill' if args.kill else ''}{' --pg URL' if args.pg else ''}`: "
                f"`lancang serve` (uvicorn, "
                f"{args.workers} job workers) in a child process; {args.clients} client threads of one process, each "
                "with its own httpx connection and a real API token (5 submit users, a read and an admin token), "
                "send requests back to back for the run's length: every client uploads a real corpus every "
                f"{args.upload_every:g} s (TMX and XLIFF 1.2/2.0 files of ../shared/data, PUD as JSONL with its "
                "manifest, TALPCo th-vi as JSONL; each a check job), and between uploads picks at random: "
                "a concordance search in Chinese or Thai (10 queries: words, phrases, a regex, page 2), a page "
                "(library, corpus datasheet, search page; zh and en), its latest job's status, one of its reports "
                "(JSON, HTML zh, JUnit), the corpora API, or a request that must be refused (invalid regex 400, "
                "another user's job 404, unknown corpus 404, upload without a token 401, a read token listing "
                "jobs 403). An error is a connection error or any status other than the one expected."), ""]
    for name, r in results.items():
        t: Tally = r["tally"]
        total = sum(len(v) for v in t.lat.values())
        out += [f"### {name}", "",
                para(f"{total:,} requests in {r['wall']:.1f} s ({total / r['wall']:,.1f}/s wall); CPU: server "
                     f"{r['server_cpu']:.1f} s{' (with its PostgreSQL backends)' if name == 'PostgreSQL' else ''}, "
                     f"client {r['client_cpu']:.1f} s; load average {r['load'][0][0]:.2f} at the start, "
                     f"{r['load'][1][0]:.2f} at the end (1-minute, 2 cores). Errors: {len(t.errors)}; "
                     f"intended refusals answered as expected: {t.intended:,}; server tracebacks: "
                     f"{r['tracebacks']}."), "",
                "| request | served | statuses | p50 ms | p95 ms | max ms |", "|---|---:|---|---:|---:|---:|"]
        for kind in sorted(t.lat):
            lat = t.lat[kind]
            st = ", ".join(f"{s}: {c:,}" for s, c in sorted(t.status[kind].items()))
            out.append(f"| {kind} | {len(lat):,} | {st} | {pct(lat, .5) * 1e3:,.0f} | {pct(lat, .95) * 1e3:,.0f} | "
                       f"{max(lat) * 1e3:,.0f} |")
        sub = r["submitted"]
        before, after = r["before"], r["after"]
        states = collections.Counter(before[j]["state"] if j in before else "missing" for j in sub)
        lost = [j for j in sub if j not in after or after[j]["state"] not in ("done", "failed")]
        changed = [j for j in sub if j in after and j in before and after[j]["state"] != before[j]["state"]]
        reasons = collections.Counter((after.get(j) or {}).get("error") for j in sub
                                      if (after.get(j) or {}).get("state") == "failed")
        verdicts = collections.Counter(((after.get(j) or {}).get("result") or {}).get("verdict") for j in sub
                                       if (after.get(j) or {}).get("state") == "done")
        k = r["killed"]
        kill_text = (f"the server was killed (SIGKILL) as the clients stopped, with {len(k['running'])} jobs running "
                     f"and {len(k['queued'])} queued, and started again; " if k else "")
        out += ["", para(f"Jobs: {len(sub)} submitted (202); {kill_text}the pool drained in {r['drain']:.1f} s "
                         f"after the clients stopped ({r['drain_cpu']:.1f} CPU s); then "
                         + ", ".join(f"{c} {s}" for s, c in sorted(states.items()))
                         + f". After a graceful restart of the server: {len(sub) - len(lost)} of {len(sub)} listed "
                         f"with a final state, {len(lost)} lost, {len(changed)} changed state. Verdicts: "
                         + ", ".join(f"{c} {v}" for v, c in sorted(verdicts.items(), key=str))
                         + (". Failed: " + "; ".join(f"{c} x {e}" for e, c in reasons.items()) if reasons else "")
                         + "."), ""]
        if t.errors:
            out += ["First errors:", ""] + [f"* `{e[:300]}`" for e in t.errors[:10]] + [""]
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--requests", type=int, default=400)
    ap.add_argument("--pg", default=os.environ.get("LANCANG_TEST_PG"))
    ap.add_argument("--write", type=Path)
    ap.add_argument("--load", action="store_true", help="the bounded load test instead of requests per second")
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--workers", type=int, default=2, help="the server's job workers (--load)")
    ap.add_argument("--upload-every", type=float, default=10.0, help="seconds between a client's uploads (--load)")
    ap.add_argument("--drain-timeout", type=float, default=900.0)
    ap.add_argument("--no-sqlite", action="store_true", help="PostgreSQL only (--load)")
    ap.add_argument("--kill", action="store_true",
                    help="--load: kill the server (SIGKILL) when the clients stop, with jobs in flight, and restart it")
    args = ap.parse_args()
    if args.load:
        return main_load(args)
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


def main_load(args: argparse.Namespace) -> None:
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        t = Path(tmp)
        common = (args.clients, args.seconds, args.workers, args.upload_every, args.drain_timeout, args.kill)
        if not args.no_sqlite:
            (t / "sqlite").mkdir()
            results["SQLite"] = load_backend(str(t / "lib.sqlite"), t / "files-sqlite", t / "sqlite", *common)
        if args.pg:
            import psycopg

            schema = f"bench_{uuid.uuid4().hex[:10]}"
            with psycopg.connect(args.pg, autocommit=True) as conn:
                conn.execute(f"CREATE SCHEMA {schema}")
            try:
                (t / "pg").mkdir()
                results["PostgreSQL"] = load_backend(pg_schema_url(args.pg, schema), t / "files-pg", t / "pg", *common)
            finally:
                with psycopg.connect(args.pg, autocommit=True) as conn:
                    conn.execute(f"DROP SCHEMA {schema} CASCADE")
    lines = load_lines(results, args)
    print("\n".join(lines))
    for name, r in results.items():
        if r["log"]:
            print(f"--- {name} server log with tracebacks ---\n{r['log'][-20000:]}", file=sys.stderr)
    if args.write:
        replace_section(args.write, "serve-load", lines)


if __name__ == "__main__":
    main()
