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
import itertools
import os
import platform
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import regex

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _report import lancang_version, para, replace_section  # noqa: E402

from lancang.store import Query, index_corpus, open_store  # noqa: E402
from tests.store.helpers import pg_schema_url, pud_documents, pud_pairs, talpco_pairs  # noqa: E402

DATA = ROOT.parent / "shared" / "data"

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


# ---------------------------------------------------------------------------- the 1M-record corpus
def _conllu_sentences(path: Path, lang: str) -> Iterator[tuple[str, list[str]]]:
    from lancang.corpora.formats import read_corpus

    for r in read_corpus(path, langs=[lang]):
        side = r["sides"][lang]
        text = side["text"]
        yield text, [text[s:e] for s, e in side["layers"]["tokens"]["spans"]]


def _weibo(path: Path) -> Iterator[str]:
    """Weibo NER's posts: one character a line with a segmentation digit and a tag; a blank line ends a post."""
    chars: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        if not line.strip():
            if chars:
                yield "".join(chars)
            chars = []
            continue
        tok = line.split("\t")[0].split(" ")[0]
        chars.append(tok[:-1] if len(tok) > 1 and tok[-1].isdigit() else tok)


def _thainer(path: Path) -> Iterator[str]:
    """ThaiNER 1.5's sentences with their inline tags removed (lines that are a URL skipped)."""
    for line in path.read_text(encoding="utf-8-sig").splitlines():
        text = " ".join(regex.sub(r"\[/?[A-Z]+\]", "", line).split())
        if text and "http" not in text and len(text) >= 10:
            yield text


def sentence_pools() -> dict[str, dict[str, Any]]:
    """Real sentences per language (zh, th, vi) from ../shared/data, with the UD-tokenised ones' tokens
    (where the query words and phrases come from)."""
    ud = DATA / "ud"
    pud, tal = DATA / "parallel" / "pud", DATA / "parallel" / "talpco"
    pools: dict[str, dict[str, Any]] = {}
    for lang, conllu, plain in (
            ("zh", [(pud / "zh_pud.conllu", "zh-Hant"), (ud / "zh_gsdsimp" / "zh_gsdsimp-ud-dev.conllu", "zh-Hans")],
             lambda: _weibo(DATA / "ner" / "zh_weibo" / "weiboNER_2nd_conll.train")),
            ("th", [(pud / "th_pud.conllu", "th"), (ud / "th_tud" / "th_tud-ud-train.conllu", "th"),
                    (ud / "th_tud" / "th_tud-ud-dev.conllu", "th")],
             lambda: itertools.chain((s.split("\t", 1)[1].strip() for s in (tal / "tha_data_tha.txt").read_text(
                 encoding="utf-8").splitlines() if "\t" in s), _thainer(DATA / "ner" / "th_thainer15" / "train.txt"))),
            ("vi", [(ud / "vi_vtb" / "vi_vtb-ud-train.conllu", "vi"), (ud / "vi_vtb" / "vi_vtb-ud-dev.conllu", "vi")],
             lambda: (s.split("\t", 1)[1].strip() for s in (tal / "vie_data_vie.txt").read_text(
                 encoding="utf-8").splitlines() if "\t" in s))):
        texts, tokens = [], []
        for path, tag in conllu:
            for text, toks in _conllu_sentences(path, tag):
                texts.append(text)
                tokens.append(toks)
        seen = set(texts)
        for text in plain():
            if text not in seen:
                seen.add(text)
                texts.append(text)
        pools[lang] = {"texts": texts, "tokens": tokens}
    return pools


def make_million(path: Path, n: int, pools: dict[str, dict[str, Any]], seed: int = 19) -> dict[str, Any]:
    """Write ``n`` records to ``path`` (JSONL), one at a time: even positions zh-th, odd ones zh-vi; each side
    2 or 3 random real sentences of its language's pool (the same count on both sides), joined without a
    space in zh and with one in th and vi. Returns, per language, the (records, 3) array of the pool
    sentences each record's side holds (-1 = none): what the frequency of a word is counted from."""
    import numpy as np
    import orjson

    rng = np.random.default_rng(seed)
    held = {lang: np.full((n, 3), -1, dtype=np.int32) for lang in pools}
    sizes = {lang: len(p["texts"]) for lang, p in pools.items()}
    joiner = {"zh": "", "th": " ", "vi": " "}
    chunk = 10_000
    with path.open("wb") as f:
        for start in range(0, n, chunk):
            m = min(chunk, n - start)
            ks = rng.integers(2, 4, size=m)
            picks = {lang: rng.integers(0, sizes[lang], size=(m, 3)) for lang in pools}
            lines = []
            for j in range(m):
                i, k = start + j, int(ks[j])
                other = "th" if i % 2 == 0 else "vi"
                sides = {}
                for lang in ("zh", other):
                    idx = picks[lang][j, :k]
                    held[lang][i, :k] = idx
                    sides[lang] = {"text": joiner[lang].join(pools[lang]["texts"][x] for x in idx)}
                lines.append(orjson.dumps({"id": f"m{i:07d}", "sides": sides}))
            f.write(b"\n".join(lines) + b"\n")
    return held


class _Haystack:
    """A pool's sentences prepared for deciding, as the search does, whether a plain query hits them
    (zh, th: any substring, any white space between the query's words; vi: whole words)."""

    def __init__(self, lang: str, texts: list[str]):
        from lancang.store.terms import pieces

        self.lang, self.texts = lang, texts
        if lang in ("zh", "th"):
            self.flat = ["".join(t.casefold().split()) for t in texts]
        else:
            self.flat = [" " + " ".join(pieces(t)) + " " for t in texts]

    def holding(self, query: str) -> list[int]:
        from lancang.store.terms import pieces

        if self.lang in ("zh", "th"):
            needle = "".join(query.casefold().split())
            pat = regex.compile(r"\s*".join(regex.escape(w) for w in query.split()), regex.IGNORECASE)
            return [i for i, t in enumerate(self.flat) if needle in t and pat.search(self.texts[i])]
        needle = " " + " ".join(pieces(query)) + " "
        return [i for i, t in enumerate(self.flat) if needle in t]


def choose_queries(pools: dict[str, dict[str, Any]], held: dict[str, Any], per_band: int = 10,
                   sample: int = 1500, seed: int = 19) -> list[dict[str, Any]]:
    """Query words and two-word phrases of each language drawn from its UD-tokenised sentences (case-folded,
    with a letter), put in frequency bands by the number of records whose side holds them (counted exactly
    from ``held``): rare (the least frequent in at least one record), median, frequent (the most frequent)."""
    import random

    import numpy as np

    from lancang.store.terms import pieces

    rnd = random.Random(seed)
    out = []
    for lang, pool in pools.items():
        hay = _Haystack(lang, pool["texts"])
        used = np.bincount(held[lang][held[lang] >= 0], minlength=len(pool["texts"]))
        words, phrases = set(), set()
        shortest = 3 if lang == "th" else 2  # Thai: UD TUD has syllable-sized tokens (แล, อา) found inside most words
        for toks in pool["tokens"]:
            toks = [t.casefold() for t in toks]
            good = {t for t in toks if pieces(t) == [t] and len(t) >= shortest and regex.search(r"\p{L}", t)}
            words.update(good)
            phrases.update(f"{a} {b}" for a, b in zip(toks, toks[1:]) if a in good and b in good)
        for kind, cands in (("word", sorted(words)), ("phrase", sorted(phrases))):
            cands = rnd.sample(cands, min(sample, len(cands)))
            approx = []
            for q in cands:
                hold = hay.holding(q)
                if hold and used[hold].sum() > 0:  # in at least one record
                    approx.append((int(used[hold].sum()), q, hold))
            approx.sort()
            mid = len(approx) // 2
            bands = {"rare": approx[:per_band], "median": approx[mid - per_band // 2:mid + (per_band + 1) // 2],
                     "frequent": approx[-per_band:]}
            for band, items in bands.items():
                for _, q, hold in items:
                    df = int(np.isin(held[lang], np.array(hold, dtype=np.int32)).any(axis=1).sum())
                    out.append({"lang": lang, "kind": kind, "band": band, "q": q, "records": df})
    return out


def run_queries(store: Any, queries: list[dict[str, Any]], repeat: int) -> list[dict[str, Any]]:
    """Each query ``repeat`` times (page 1 of 20 hits; the frequent words also at page 10): wall, CPU, hits,
    candidates read."""
    out = []
    for rnd in range(repeat):
        for q in queries:
            pages = (1, 10) if q["kind"] == "word" and q["band"] == "frequent" else (1,)
            for page in pages:
                s0, c0, t0 = server_cpu(store), time.process_time(), time.perf_counter()
                res = store.search(Query(q["q"], side=q["lang"], page=page, page_size=20))
                wall = time.perf_counter() - t0
                out.append({**q, "page": page, "round": rnd, "wall": wall,
                            "cpu": time.process_time() - c0 + server_cpu(store) - s0,
                            "hits": len(res.hits), "candidates": res.scanned})
    return out


def million_backend(url: str, corpus: Path, queries: list[dict[str, Any]], repeat: int, reuse: bool) -> dict:
    out: dict[str, Any] = {}
    with open_store(url) as store:
        c = store.corpus("million")
        if c is not None and c.state == "ready" and reuse:
            out["index"] = None
        else:
            if c is not None:
                store.delete_corpus("million")
            s0, c0, t0 = server_cpu(store), time.process_time(), time.perf_counter()
            res = index_corpus(store, corpus, name="million", batch=1000)
            out["index"] = {"records": res.records, "wall": time.perf_counter() - t0,
                            "cpu": time.process_time() - c0, "server_cpu": server_cpu(store) - s0}
        out["sides"] = store._fetchone("SELECT COUNT(*) FROM sides")[0]
        out["queries"] = run_queries(store, queries, repeat)
    return out


def million_lines(args: argparse.Namespace, meta: dict[str, Any], results: dict[str, dict]) -> list[str]:
    import sqlite3

    names = list(results)
    pg_version = meta.get("pg_version") or results.get("PostgreSQL", {}).get("version")
    pg_text = f", PostgreSQL {pg_version} (local, Unix socket, default settings)" if pg_version else ""
    lines = ["## Corpus store on 1M zh-th / zh-vi records: indexing and search latency (issue 19)", "",
             para(f"""{dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC, {lancang_version()}, Python
             {platform.python_version()}, SQLite {sqlite3.sqlite_version}{pg_text}; {os.cpu_count()} cores
             shared with other jobs (load average at the end of each backend's run, 1 / 5 / 15 minutes:
             {'; '.join(f"{n} {r['when']}: {r['load'][0]:.1f} / {r['load'][1]:.1f} / {r['load'][2]:.1f}"
                        for n, r in results.items())}).
             `python benchmarks/bench_store.py --million {args.million} --repeat {args.repeat}
             {'--pg URL' if args.pg else ''}`."""), "",
             para(f"""The corpus is made, not collected: ../shared/data holds no million real zh-th pairs. Sentence
             pools of real text: zh {meta['pools']['zh']:,} sentences (UD PUD zh-Hant, UD GSDSimp, Weibo NER
             posts), th {meta['pools']['th']:,} (UD PUD, UD TUD, TALPCo, ThaiNER 1.5 with its tags removed), vi
             {meta['pools']['vi']:,} (UD VTB, TALPCo). Each of the {args.million:,} records (even positions zh-th,
             odd ones zh-vi) has a zh side and a th or vi side of 2 or 3 random sentences of the pool (the same
             count on both sides), under a new id, written one record at a time to a JSONL file and indexed from
             it with `index_corpus` (what `lancang index` runs). The sides are not translations of each other:
             the search does not read the alignment, so this does not change what is measured. No tokens layer:
             zh and th sides are indexed by characters and character bigrams, vi by words (what an uploaded TMX
             gets). {meta['distinct_zh']:,} distinct zh texts of {args.million:,}. Uniform draws from pools of a
             few thousand sentences make every sentence occur in hundreds of records, so the rarest word of a
             pool is in about as many records as the one sentence holding it appears in; a real corpus of 1M
             pairs has words in one or ten records, which cost less than the rare band here."""), "",
             para("""Queries: words and two-word phrases taken from the UD-tokenised sentences of each pool, a
             random sample of each put in bands by the number of records whose side holds them (counted
             exactly from the draws): rare (the 10 least frequent), median (10 around the median), frequent
             (the 10 most frequent). Each query is run """ + f"{args.repeat}" + """ times (the first round
             on a cold cache), one page of 20 hits with the aligned side, as `lancang search` and
             `/api/search` ask; the frequent words also at page 10. Latency is wall time in this process
             (p50 / p95 over the band's runs); CPU is this process's plus, for PostgreSQL, its backend's."""), "",
             "| | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]
    idx = {n: r["index"] for n, r in results.items()}
    if all(idx.values()):
        lines += ["| index: records/s of CPU (client + server) | " + " | ".join(
                      f"{i['records'] / (i['cpu'] + i['server_cpu']):,.0f}" for i in idx.values()) + " |",
                  "| index: records/s wall | " + " | ".join(
                      f"{i['records'] / i['wall']:,.0f}" for i in idx.values()) + " |",
                  "| index: CPU s (client + server) / wall s | " + " | ".join(
                      f"{i['cpu']:,.0f} + {i['server_cpu']:,.0f} / {i['wall']:,.0f}" for i in idx.values()) + " |"]
    lines += ["| sides | " + " | ".join(f"{r['sides']:,}" for r in results.values()) + " |",
              "| store size | " + " | ".join(f"{r['size'] / 2**30:,.2f} GiB" for r in results.values()) + " |", "",
              "Search latency, one page of 20 hits (wall p50 / p95 ms; mean CPU ms); records = records holding the "
              "query (min-max over the band), hits on the page and candidates read (median):", "",
              "| side | query | band | records | hits | candidates | " + " | ".join(names) + " |",
              "|---|---|---|---:|---:|---:|" + "---|" * len(names)]
    first = results[names[0]]["queries"]
    keys = list(dict.fromkeys((q["lang"], q["kind"], q["band"], q["page"]) for q in first))
    for key in keys:
        cells = []
        for n in names:
            rows = [q for q in results[n]["queries"] if (q["lang"], q["kind"], q["band"], q["page"]) == key]
            walls = sorted(q["wall"] for q in rows)
            cells.append(f"{statistics.median(walls) * 1e3:,.0f} / {walls[int(0.95 * (len(walls) - 1))] * 1e3:,.0f} "
                         f"({statistics.mean(q['cpu'] for q in rows) * 1e3:,.0f})")
        rows = [q for q in first if (q["lang"], q["kind"], q["band"], q["page"]) == key]
        recs = [q["records"] for q in rows]
        what = key[1] + (f", page {key[3]}" if key[3] != 1 else "")
        lines.append(f"| {key[0]} | {what} | {key[2]} | {min(recs):,}-{max(recs):,} | "
                     f"{statistics.median(q['hits'] for q in rows):.0f} | "
                     f"{statistics.median(q['candidates'] for q in rows):,.0f} | " + " | ".join(cells) + " |")
    allq = {n: sorted(q["wall"] for q in r["queries"]) for n, r in results.items()}
    lines += ["", "All queries: " + "; ".join(
        f"{n} p50 {statistics.median(w) * 1e3:,.0f} ms, p95 {w[int(0.95 * (len(w) - 1))] * 1e3:,.0f} ms, max "
        f"{w[-1] * 1e3:,.0f} ms over {len(w):,} searches" for n, w in allq.items()) + ".",
              "", "The queries (side, kind, band: query = records):", "",
              para("; ".join(f"{q['lang']} {q['kind']} {q['band']}: {q['q']} = {q['records']:,}"
                             for q in meta["queries"])) + "."]
    return lines


def main_million(args: argparse.Namespace) -> None:
    import json

    import numpy as np

    work = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="bench-store-"))
    work.mkdir(parents=True, exist_ok=True)
    corpus, held_file, qfile = (work / f"million-{args.million}.jsonl", work / f"million-{args.million}.npz",
                                work / f"million-{args.million}.queries.json")
    pools = sentence_pools()
    meta: dict[str, Any] = {"pools": {lang: len(p["texts"]) for lang, p in pools.items()}}
    if not (corpus.exists() and held_file.exists()):
        t0, c0 = time.perf_counter(), time.process_time()
        held = make_million(corpus.with_suffix(".part"), args.million, pools)
        corpus.with_suffix(".part").replace(corpus)
        np.savez(held_file, **held)
        print(f"generated {args.million:,} records in {time.perf_counter() - t0:.0f} s "
              f"({time.process_time() - c0:.0f} CPU s)", file=sys.stderr)
    held = dict(np.load(held_file))
    meta["distinct_zh"] = len(np.unique(held["zh"], axis=0))
    if not qfile.exists():
        qfile.write_text(json.dumps(choose_queries(pools, held), ensure_ascii=False), encoding="utf-8")
    queries = json.loads(qfile.read_text(encoding="utf-8"))
    meta["queries"] = queries
    results: dict[str, dict] = {}
    if not args.no_sqlite:
        db = work / f"million-{args.million}.sqlite"
        results["SQLite"] = million_backend(str(db), corpus, queries, args.repeat, reuse=bool(args.workdir))
        results["SQLite"]["size"] = sum(p.stat().st_size for p in work.glob(db.name + "*"))
        print(f"SQLite: {results['SQLite']['index']}", file=sys.stderr)
    if args.pg:
        import psycopg

        schema = f"bench_million_{args.million}"
        with psycopg.connect(args.pg, autocommit=True) as conn:
            conn.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
            meta["pg_version"] = conn.execute("SHOW server_version").fetchone()[0]
        try:
            results["PostgreSQL"] = million_backend(pg_schema_url(args.pg, schema), corpus, queries, args.repeat,
                                                    reuse=bool(args.workdir))
            results["PostgreSQL"]["version"] = meta["pg_version"]
            with psycopg.connect(args.pg, autocommit=True) as conn:
                results["PostgreSQL"]["size"] = int(conn.execute(
                    "SELECT SUM(pg_total_relation_size(c.oid)) FROM pg_class c JOIN pg_namespace n "
                    "ON n.oid = c.relnamespace WHERE n.nspname = %s AND c.relkind = 'r'", (schema,)).fetchone()[0])
        finally:
            if not args.workdir:
                with psycopg.connect(args.pg, autocommit=True) as conn:
                    conn.execute(f"DROP SCHEMA {schema} CASCADE")
    for name, r in results.items():
        r["load"], r["when"] = os.getloadavg(), f"{dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC"
        saved = work / f"results-{name}.json"
        if r["index"] is None and saved.exists():  # the store was reused: its index figures are its making's
            r["index"] = json.loads(saved.read_text(encoding="utf-8")).get("index")
        if args.workdir:
            saved.write_text(json.dumps(r, ensure_ascii=False), encoding="utf-8")
    if args.workdir:  # side by side with the other backend's last run on the same corpus and queries
        for name in ("SQLite", "PostgreSQL"):
            saved = work / f"results-{name}.json"
            if name not in results and saved.exists():
                results[name] = json.loads(saved.read_text(encoding="utf-8"))
        results = {n: results[n] for n in ("SQLite", "PostgreSQL") if n in results}
    lines = million_lines(args, meta, results)
    print("\n".join(lines))
    if not args.workdir:
        import shutil

        shutil.rmtree(work, ignore_errors=True)
    if args.write:
        replace_section(args.write, "store-million", lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--copies", type=int, default=30)
    ap.add_argument("--repeat", type=int, default=30)
    ap.add_argument("--pg", default=os.environ.get("LANCANG_TEST_PG"))
    ap.add_argument("--write", type=Path)
    ap.add_argument("--million", type=int, default=0, metavar="N",
                    help="the large run instead: N made records of real zh, th, vi sentences (1000000)")
    ap.add_argument("--workdir", help="--million: keep the corpus and stores here and reuse them on the next run")
    ap.add_argument("--no-sqlite", action="store_true", help="--million: PostgreSQL only")
    args = ap.parse_args()
    if args.million:
        return main_million(args)
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
