"""Benchmark reading and writing the speech formats (issue 18) on a generated transcript set.

    python benchmarks/bench_speech_formats.py [--hours 100] [--write docs/benchmarks.md]

The set: ``--hours`` of speech as recordings of 15 minutes (400 for 100 hours), a quarter each in
Chinese, Thai, Vietnamese and Indonesian, cut into segments of 2-4 seconds with short pauses, one or
two speakers a recording, each segment the text of a real sentence (UD PUD's Chinese clauses, TALPCo's
Thai, Vietnamese and Indonesian sentences) and word timings over its words (PUD's and TALPCo's tokens
for zh and th, white-space words for vi and id) for CTM and the word tiers. The records are generated
one at a time into a canonical JSONL file per language in a temporary folder (never held whole).

Each measurement is a child process (``os.wait4``: CPU seconds user + system, peak RSS) that does one
thing for the four languages: write a format from the canonical JSONL through
``lancang.corpora.formats.write_corpus``, or read it back through ``read_corpus``, counting the timed
units seen. The child times its operation with ``time.process_time`` and, when writing, subtracts the
CPU spent parsing the JSONL it writes from, so a row is the format's own work; interpreter start-up
and imports are left out (the child's whole CPU is printed too). Peers run on the same files in the
same run where installed: praatio for TextGrid and pympi-ling for EAF (test extras); ``webvtt-py`` and
``srt`` only if already installed.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import random
import sys
import tempfile
import time
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path
from typing import Any

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _report import lancang_version, measure_cpu, para, replace_section  # noqa: E402
from bench_validate import machine  # noqa: E402

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "parallel"
LANGS = ("zh", "th", "vi", "id")
#: the files of each language: recordings with one speaker, with two (a TextGrid reader is told its tiers)
GROUPS = [(lang, k) for lang in LANGS for k in (1, 2)]
RECORDING = 900.0  # seconds: 15 minutes
#: (format, output path under the language folder: a folder for one-file-per-record formats)
FORMATS = (("jsonl", "set.jsonl"), ("textgrid", "textgrid"), ("eaf", "eaf"), ("webvtt", "webvtt"),
           ("srt", "srt"), ("kaldi", "kaldi"), ("stm", "set.stm"), ("ctm", "set.ctm"))
PEERS = {"textgrid": ("praatio", "praatio"), "eaf": ("pympi-ling", "pympi"), "webvtt": ("webvtt-py", "webvtt"),
         "srt": ("srt", "srt")}


# ------------------------------------------------------------------------------------------ the set

def _talpco_tokens(name: str) -> list[list[str]]:
    """Sentences of a TALPCo ``*-token.txt`` file: an id line, a token a line, ``<EOS>``."""
    out: list[list[str]] = []
    cur: list[str] | None = None
    for line in (SHARED / "talpco" / name).read_text(encoding="utf-8-sig").splitlines():
        line = line.strip()
        if cur is None:
            cur = []
        elif line == "<EOS>":
            if cur:
                out.append(cur)
            cur = None
        elif line:
            cur.append(line)
    return out


def _pud_clauses() -> list[list[str]]:
    """UD PUD's Chinese sentences as word lists, cut after ，；。 (a clause is about 3 seconds spoken)."""
    out: list[list[str]] = []
    cur: list[str] = []
    for line in (SHARED / "pud" / "zh_pud.conllu").read_text(encoding="utf-8").splitlines():
        cols = line.split("\t")
        if len(cols) == 10 and cols[0].isdigit():
            cur.append(cols[1])
            if cols[1] in ("，", "；", "。", "！", "？"):
                out.append(cur)
                cur = []
        elif not line and cur:
            out.append(cur)
            cur = []
    return [c for c in out if len(c) > 1]


def sentences() -> dict[str, list[tuple[str, list[str]]]]:
    """Per language: (text, words) with every word found in the text in order."""
    out: dict[str, list[tuple[str, list[str]]]] = {
        "zh": [("".join(c), c) for c in _pud_clauses()],
        "th": [("".join(c), c) for c in _talpco_tokens("tha_data_tha-token.txt")]}
    for lang, name in (("vi", "vie_data_vie.txt"), ("id", "ind_data_ind.txt")):
        rows = (line.split("\t", 1)[1].strip() for line in
                (SHARED / "talpco" / name).read_text(encoding="utf-8-sig").splitlines() if "\t" in line)
        out[lang] = [(t, t.split()) for t in rows if t]
    return out


def recording(i: int, lang: str, pool: list[tuple[str, list[str]]], rng: random.Random) -> dict[str, Any]:
    """One 15-minute recording's record: segments of 2-4 s, one or two speakers, word timings."""
    from lancang.corpora.model import Record

    rid = f"{lang}-rec{i:04d}"
    speakers = ["A", "B"][:1 + i % 2]  # the tier names; the speaker ids are the recording's
    utts, words_t, t = [], [], round(rng.uniform(0.2, 1.0), 3)
    while True:
        dur = round(rng.uniform(2.0, 4.0), 3)
        if t + dur > RECORDING:
            break
        text, words = pool[rng.randrange(len(pool))]
        step = dur / len(words)
        words_t.append([(round(t + k * step, 3), round(t + (k + 1) * step, 3)) for k in range(len(words))])
        tier = speakers[len(utts) % len(speakers)]
        utts.append({"text": text, "t0": t, "t1": round(t + dur, 3), "speaker": f"{rid}-{tier}", "tier": tier,
                     "words": words})
        t = round(t + dur + rng.uniform(0.1, 0.6), 3)
    rec = Record.new(rid)
    side = rec.add_transcript(lang, [{k: u[k] for k in ("text", "t0", "t1", "speaker", "tier")} for u in utts])
    side.set_media(f"audio/{rid}.wav", duration=RECORDING, sample_rate=16000, channels=1)
    spans, text = [], side.text
    for seg, u, times in zip(side.layers["segments"]["spans"], utts, words_t, strict=True):
        cursor = seg["start"]
        for w, (a, b) in zip(u["words"], times, strict=True):
            at = text.index(w, cursor, seg["end"])
            spans.append({"start": at, "end": at + len(w), "t0": a, "t1": b})
            cursor = at + len(w)
    side.set_words(spans)
    return rec.data


def generate(root: Path, hours: float) -> dict[str, Any]:
    """The canonical JSONL of each language and number of speakers, ``root/<lang>-<1|2>/set.jsonl``;
    the set's counts. Recording i has 1 + i % 2 speakers."""
    pools, rng = sentences(), random.Random(18)
    n = max(len(GROUPS), round(hours * 3600 / RECORDING))
    stats = {"recordings": 0, "segments": 0, "words": 0, "hours": 0.0, "speakers": 0}
    for k, (lang, nspk) in enumerate(GROUPS):
        (root / f"{lang}-{nspk}").mkdir(parents=True, exist_ok=True)
        with open(root / f"{lang}-{nspk}" / "set.jsonl", "wb") as f:
            for i in range(k, n, len(GROUPS)):
                rec = recording(i, lang, pools[lang], rng)
                side = rec["sides"][lang]
                stats["recordings"] += 1
                stats["segments"] += len(side["layers"]["segments"]["spans"])
                stats["words"] += len(side["layers"]["words"]["spans"])
                stats["hours"] += sum(s["t1"] - s["t0"] for s in side["layers"]["segments"]["spans"]) / 3600
                stats["speakers"] += 2 if i % 2 else 1
                f.write(orjson.dumps(rec) + b"\n")
    return stats


# -------------------------------------------------------------------------------------- the child

class Feed:
    """Records from a canonical JSONL file, with the CPU seconds spent parsing them."""

    def __init__(self, path: Path):
        self.path, self.cpu = path, 0.0

    def __iter__(self) -> Iterator[dict[str, Any]]:
        with open(self.path, "rb") as f:
            while True:
                t0 = time.process_time()
                line = f.readline()
                rec = orjson.loads(line) if line else None
                self.cpu += time.process_time() - t0
                if rec is None:
                    return
                yield rec


def units_of(rec: dict[str, Any], words: bool) -> int:
    layers = next(iter(rec["sides"].values())).get("layers", {})
    return len(layers.get("words" if words else "segments", {}).get("spans", ()))


def lancang_op(op: str, fmt: str, src: Path, out: Path, lang: str, nspk: int) -> tuple[float, int]:
    from lancang.corpora.formats import read_corpus, write_corpus

    words = fmt == "ctm"
    if op == "write":
        feed = Feed(src)
        t0 = time.process_time()
        write_corpus(feed, out, fmt, [lang])
        return time.process_time() - t0 - feed.cpu, sum(units_of(r, words) for r in Feed(src))
    t0 = time.process_time()
    options = {"tier": "A,B"[:2 * nspk - 1]} if fmt == "textgrid" else {}  # the speakers' tiers, not "words"
    n = sum(units_of(r, words) for r in read_corpus(out, fmt, [lang], **options))
    return time.process_time() - t0, n


def _segments_and_words(rec: dict[str, Any]) -> tuple[str, list[dict[str, Any]], list[dict[str, Any]]]:
    side = next(iter(rec["sides"].values()))
    return side["text"], side["layers"]["segments"]["spans"], side["layers"]["words"]["spans"]


def peer_op(op: str, fmt: str, src: Path, out: Path) -> tuple[float, int]:
    """The peer library doing the same: a file per record, the segments as a tier per speaker and the
    words as a tier; reading opens every file and counts the segment tiers' intervals."""
    if fmt == "textgrid":
        from praatio import textgrid
        from praatio.data_classes.interval_tier import IntervalTier
    elif fmt == "eaf":
        import warnings

        import pympi
        warnings.simplefilter("ignore")
    out.mkdir(parents=True, exist_ok=True)
    n = 0
    t0 = time.process_time()
    if op == "write":
        feed = Feed(src)
        for rec in feed:
            text, segs, words = _segments_and_words(rec)
            n += len(segs)
            tiers: dict[str, list[tuple[float, float, str]]] = {}
            for s in segs:
                tiers.setdefault(s["tier"], []).append((s["t0"], s["t1"], text[s["start"]:s["end"]]))
            wl = [(w["t0"], w["t1"], text[w["start"]:w["end"]]) for w in words]
            if fmt == "textgrid":
                tg = textgrid.Textgrid()
                for name, items in [*tiers.items(), ("words", wl)]:
                    tg.addTier(IntervalTier(name, items, 0, RECORDING))
                tg.save(str(out / f"{rec['id']}.TextGrid"), format="long_textgrid", includeBlankSpaces=True)
            else:
                eaf = pympi.Elan.Eaf(author="bench")
                eaf.remove_tier("default")
                for name, items in tiers.items():
                    eaf.add_tier(name)
                    for a, b, label in items:
                        eaf.add_annotation(name, round(a * 1000), round(b * 1000), label)
                eaf.add_tier("words")
                for a, b, label in wl:
                    eaf.add_annotation("words", round(a * 1000), round(b * 1000), label)
                eaf.to_file(str(out / f"{rec['id']}.eaf"))
        return time.process_time() - t0 - feed.cpu, n
    for p in sorted(out.iterdir()):
        if fmt == "textgrid":
            tg = textgrid.openTextgrid(str(p), includeEmptyIntervals=False)
            n += sum(len(tg.getTier(name).entries) for name in tg.tierNames if name != "words")
        else:
            eaf = pympi.Elan.Eaf(str(p))
            n += sum(len(eaf.get_annotation_data_for_tier(t)) for t in eaf.get_tier_names() if t != "words")
    return time.process_time() - t0, n


def child(op: str, fmt: str, impl: str, root: Path) -> None:
    cpu, n = 0.0, 0
    for lang, nspk in GROUPS:
        folder = root / f"{lang}-{nspk}"
        src = folder / "set.jsonl"
        out = folder / ("peer-" + fmt if impl != "lancang" else dict(FORMATS)[fmt])
        if fmt == "jsonl":
            out = folder / "copy.jsonl"
        c, k = lancang_op(op, fmt, src, out, lang, nspk) if impl == "lancang" else peer_op(op, fmt, src, out)
        cpu, n = cpu + c, n + k
    print(json.dumps({"cpu": cpu, "units": n}))


# -------------------------------------------------------------------------------------- the parent

def size_of(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def run(op: str, fmt: str, impl: str, root: Path) -> dict[str, Any]:
    wall, total, rss, code, data = measure_cpu([sys.executable, __file__, "--child", op, fmt, impl, str(root)])
    if code != 0:
        raise SystemExit(f"{impl} {op} {fmt} failed:\n{data[-1500:].decode(errors='replace')}")
    res = json.loads(data.decode().strip().splitlines()[-1])
    name = dict(FORMATS)[fmt] if impl == "lancang" else "peer-" + fmt
    if fmt == "jsonl":
        name = "copy.jsonl"
    size = sum(size_of(root / f"{lang}-{nspk}" / name) for lang, nspk in GROUPS)
    row = {"op": op, "fmt": fmt, "impl": impl, "cpu": res["cpu"], "total": total, "wall": wall, "rss": rss,
           "units": res["units"], "mb": size / 1e6}
    print(f"{impl:10} {op:5} {fmt:8} {res['units']:>9,} units {res['cpu']:7.2f} CPU s (child {total:.2f}, wall "
          f"{wall:.1f}) {size / 1e6:8.1f} MB  RSS {rss:.0f} MiB", file=sys.stderr, flush=True)
    return row


def peers_installed() -> dict[str, str]:
    out = {}
    for fmt, (dist, _mod) in PEERS.items():
        with contextlib.suppress(metadata.PackageNotFoundError):
            out[fmt] = f"{dist} {metadata.version(dist)}"
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--hours", type=float, default=100.0, help="hours of segments, in recordings of 15 minutes")
    ap.add_argument("--formats", default=",".join(f for f, _ in FORMATS), help="formats to measure, joined by ','")
    ap.add_argument("--no-peers", action="store_true")
    ap.add_argument("--write", type=Path)
    ap.add_argument("--child", nargs=4, metavar=("OP", "FORMAT", "IMPL", "ROOT"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        op, fmt, impl, root = args.child
        child(op, fmt, impl, Path(root))
        return
    fmts = [f for f in args.formats.split(",") if f]
    peers = {} if args.no_peers else {f: v for f, v in peers_installed().items()
                                      if f in fmts and f in ("textgrid", "eaf")}
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-speech-") as tmp:
        root = Path(tmp)
        t0 = time.process_time()
        stats = generate(root, args.hours)
        gen = time.process_time() - t0
        print(f"generated {stats} in {gen:.1f} CPU s", file=sys.stderr, flush=True)
        for fmt in fmts:
            for op in ("write", "read"):
                rows.append(run(op, fmt, "lancang", root))
                if fmt in peers:
                    rows.append(run(op, fmt, "peer", root))
    lines = report(rows, stats, peers, args)
    print("\n".join(lines))
    if args.write:
        replace_section(args.write, "bench_speech_formats", lines)


def report(rows: list[dict[str, Any]], stats: dict[str, Any], peers: dict[str, str], args: Any) -> list[str]:
    cmd = f"python benchmarks/bench_speech_formats.py --hours {args.hours:g}" + (
        f" --formats {args.formats}" if args.formats != ",".join(f for f, _ in FORMATS) else "") + \
        " --write docs/benchmarks.md"
    installed = peers_installed()
    missing = [d for f, (d, _m) in PEERS.items() if f not in installed]
    lines = [
        "## Speech formats: reading and writing (issue 18)",
        "",
        para(f"""Measured {dt.date.today()} by `{cmd}` on {machine()}; Python {sys.version.split()[0]};
        {lancang_version()}{"; " + ", ".join(peers.values()) if peers else ""}. Figures are CPU seconds (user +
        system) of the operation in a child process on a shared machine (8 agents at work), not wall time;
        peak RSS is the child's, read by `os.wait4`."""),
        "",
        para(f"""The set: {stats["recordings"]:,} recordings of 15 minutes ({stats["recordings"] / 4:g} hours
        of audio, {stats["hours"]:.1f} hours inside segments), a quarter each in zh, th, vi and id,
        {stats["segments"]:,} segments of 2-4 s (texts of UD PUD's Chinese clauses and TALPCo's Thai,
        Vietnamese and Indonesian sentences), {stats["speakers"]:,} speakers (one or two a recording),
        {stats["words"]:,} timed words; generated one record at a time into canonical JSONL files (one per
        language and number of speakers) in a temporary folder. Each row writes that JSONL in the format with
        `write_corpus` (the JSONL parsing it reads from is subtracted) or reads the written files back with
        `read_corpus`; units are segments (CTM: words, the only layer it holds). TextGrid and EAF write the
        words as a tier too; WebVTT, SRT, Kaldi and STM do not hold them (nor the media, which only Kaldi and
        EAF name). The TextGrid reader is told the speakers' tiers (`-I tier=A` or `A,B`): by default it takes
        the first tier with a transcript name, and of lancang's own output (tiers named by speaker, then
        `words`) that is the words tier. Kaldi and STM write one utterance per segment, so they read back
        {stats["segments"]:,} records. MB are the bytes the format wrote (MB/s of them). The peers do the same
        with their own objects (a tier per speaker and a words tier), reading into their own objects, not
        lancang records."""),
        "",
        "| format | operation | by | units | CPU s | units/s | MB | MB/s | peak RSS MiB |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        by = "lancang" if r["impl"] == "lancang" else peers[r["fmt"]]
        cpu = max(r["cpu"], 1e-9)
        lines.append(f"| {r['fmt']} | {r['op']} | {by} | {r['units']:,} | {r['cpu']:.2f} | {r['units'] / cpu:,.0f} | "
                     f"{r['mb']:.1f} | {r['mb'] / cpu:.2f} | {r['rss']:.0f} |")
    hours = stats["recordings"] / 4
    per_hour = [(r["fmt"], r["op"], r["cpu"] / hours) for r in rows if r["impl"] == "lancang"]
    slow = max(per_hour, key=lambda x: x[2])
    for fmt, peer in peers.items():
        ours = {r["op"]: r["cpu"] for r in rows if r["fmt"] == fmt and r["impl"] == "lancang"}
        theirs = {r["op"]: r["cpu"] for r in rows if r["fmt"] == fmt and r["impl"] == "peer"}
        ratio = ", ".join(f"{op}s in {ours[op] / max(theirs[op], 1e-9):.2f}x {peer.split()[0]}'s CPU time"
                          for op in ("write", "read") if op in ours and op in theirs)
        lines += ["", para(f"""{fmt}: lancang {ratio}.""")]
    lines += ["", para("""Reading does more than the peers' parsers: it makes canonical records (NFC text, a
    segment span per interval or annotation, each word located in its segment's text, the `x-textgrid` /
    `x-eaf` layer that makes the round trip lossless), and writing runs the invariant guard on every
    record. A profile of the TextGrid reader puts most of its time in its tokenizer (`textgrid._Tokens`),
    the EAF reader's in walking the parsed document (`eaf._Doc`).""")]
    lines += ["", para(f"""Per hour of audio the slowest lancang row ({slow[0]} {slow[1]}) takes {slow[2]:.2f} CPU
    s, so a 100-hour set is {slow[2] * 100:.0f} CPU s in that format.""")]
    if missing:
        lines += ["", para(f"""Not installed, so not run: {", ".join(missing)} (no peer is added as a dependency
        for a benchmark).""")]
    return lines


if __name__ == "__main__":
    main()
