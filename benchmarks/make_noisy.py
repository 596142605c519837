"""Make noisy parallel corpora with known noise, for the cleaning benchmark (issue 14).

    python benchmarks/make_noisy.py OUTDIR [--pairs zh-en,zh-th,zh-id,th-id] [--noise 0.3] [--seed 14]
    python benchmarks/make_noisy.py OUTDIR --natural 30000           # clean real pairs, for speed runs
    python benchmarks/make_noisy.py OUTDIR --throughput 1000000      # clean, distinct, joined, for memory

Sources (read from ../shared/data, never copied): PUD (300 sentences, zh Traditional -> tag
``zh-Hant``, en, th, id; aligned by ``sent_id``) and TALPCo (1,372 sentences in en, id, ms, th, vi,
my; aligned by id). A pair takes every source that has both its languages: zh-en, zh-th and zh-id
have 300 records, th-id 1,672. Exact duplicate pairs already in the data are dropped first, so every
record the generator does not touch is clean.

About ``--noise`` of the records (default 30 %) are noise, in equal shares of ten types, recorded in
``OUTDIR/PAIR.truth.jsonl`` (one line per record: ``id``, ``noise`` = a type or ``clean``, and the
details below). Every draw comes from one seeded ``random.Random``: the same seed makes the same
files.

* ``misaligned``: the target is another record's target (half from a record 1-3 places away, in the
  same document, half from anywhere);
* ``wrong-language``: one side is replaced by the same sentence in a third language (PUD: en/id/th/zh;
  TALPCo: en/ms/vi/my/ja), its tag kept;
* ``untranslated``: the source text copied into the target;
* ``truncated``: the target cut to under 40 % of its length (characters for unspaced scripts, whole
  words elsewhere; the shortest quarter of the possible cuts is not used);
* ``empty``: one side empty (40 %), whitespace only (40 %) or missing (20 %);
* ``duplicate``: a byte-identical copy of an earlier clean record, inserted later with a new id
  (``of`` = the original's id; the original stays clean);
* ``near-duplicate``: a copy of an earlier clean record with one word (one character in unspaced
  scripts) of one side replaced by another word of that language, inserted later;
* ``markup``: HTML tags and entities added to one or both sides (``<b>..</b>``, ``<a href>``,
  ``<p>``, ``<br/>``, ``&amp;``, ``&quot;``, ``&nbsp;``, ``&#39;``). Repairable noise: handled when
  the record is kept and its text, ignoring white space, equals ``expected``;
* ``mojibake``: one side's UTF-8 bytes decoded as cp1252 or latin-1 (any script) or, for zh, as GBK,
  or GBK bytes decoded as UTF-8. ``repairable`` is true when ``ftfy.fix_encoding`` gives back the
  original exactly (checked here): repairable records are handled when kept with their text equal
  to ``expected``; the others when rejected;
* ``number``: one digit of one number of the target changed (only records whose target has a number).

For speed runs, clean records without noise (repeating the data would make the duplicates filter
reject most records and not measure it):

* ``--natural N``: ``OUTDIR/natural.jsonl``, up to N real sentence pairs, every distinct pair of
  every language pair the data has (PUD: 6 pairs of zh-Hant/en/th/id; TALPCo: 15 pairs of
  en/id/ms/th/vi/my), about 22,000, shuffled: records of real length, none a duplicate;
* ``--throughput N``: ``OUTDIR/throughput.jsonl``, N records for the four pairs in turn, each side
  three random sentence pairs of its pair joined (records three times as long as real ones; for the
  memory run). They are distinct, but at a million a quarter share two of their three sentences with
  an earlier record (the zh pairs have 300 sentences), which the duplicates filter rejects.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import align_data as data  # noqa: E402

PAIRS = ("zh-en", "zh-th", "zh-id", "th-id")
TYPES = ("misaligned", "wrong-language", "untranslated", "truncated", "empty", "duplicate",
         "near-duplicate", "markup", "mojibake", "number")
REPAIRABLE = {"markup"}  # and mojibake where ``repairable`` is true
PUD_LANGS = ("zh", "en", "th", "id")
TALPCO_LANGS = ("en", "id", "ms", "th", "vi", "my", "ja")
DIGITS = re.compile(r"[0-9０-９]+")


def tag(lang: str) -> str:
    return "zh-Hant" if lang == "zh" else lang


def load_pair(src: str, tgt: str) -> list[dict]:
    """Base records of a pair: ``{"source", "doc", "texts": {lang: text}}`` with every language of
    the source (for wrong-language replacements), exact duplicate pairs dropped."""
    out: list[dict] = []
    if src in PUD_LANGS and tgt in PUD_LANGS:
        sents = {lang: data.pud_sentences(lang) for lang in PUD_LANGS}
        doc = None
        for k, (sid, newdoc, _, _) in enumerate(sents["en"]):
            doc = newdoc or doc
            out.append({"source": f"PUD {sid}", "doc": f"pud-{doc}",
                        "texts": {lang: sents[lang][k][2] for lang in PUD_LANGS}})
    if src in TALPCO_LANGS and tgt in TALPCO_LANGS:
        tab = {lang: data.talpco(lang) for lang in TALPCO_LANGS}
        ids = sorted(set.intersection(*(set(t) for t in tab.values())), key=int)
        for n, k in enumerate(ids):
            out.append({"source": f"TALPCo {k}", "doc": f"talpco-{n // 20}",
                        "texts": {lang: tab[lang][k] for lang in TALPCO_LANGS}})
    seen: set[tuple[str, str]] = set()
    kept = []
    for r in out:
        key = (r["texts"][src], r["texts"][tgt])
        if key not in seen and all(key):
            seen.add(key)
            kept.append(r)
    return kept


def units(text: str, lang: str) -> list[str]:
    return list(text) if lang in data.UNSPACED else text.split(" ")


def join(parts: list[str], lang: str) -> str:
    return "".join(parts) if lang in data.UNSPACED else " ".join(parts)


def fix_encoding(text: str) -> str:
    import ftfy

    return ftfy.fix_encoding(text)


def sloppy(raw: bytes, codec: str) -> str:
    """Decode as a Windows code page would in a sloppy reader: undefined bytes pass as latin-1."""
    out = []
    for b in raw:
        try:
            out.append(bytes([b]).decode(codec))
        except UnicodeDecodeError:
            out.append(chr(b))
    return "".join(out)


def garble(text: str, lang: str, rnd: random.Random) -> tuple[str, str]:
    """(mojibake text, variant name)."""
    variants = ["utf8-as-cp1252", "utf8-as-latin1"]
    if lang == "zh":
        variants += ["utf8-as-gbk", "gbk-as-utf8", "utf8-as-gbk"]
    elif lang == "th":
        variants += ["utf8-as-cp874"]
    else:
        variants += ["utf8-as-cp1252-strict"]
    v = rnd.choice(variants)
    raw = text.encode("utf-8")
    if v == "utf8-as-cp1252":
        return sloppy(raw, "cp1252"), v
    if v == "utf8-as-latin1":
        return raw.decode("latin-1"), v
    if v == "utf8-as-gbk":
        return raw.decode("gbk", errors="replace"), v
    if v == "gbk-as-utf8":
        return text.encode("gbk", errors="replace").decode("utf-8", errors="replace"), v
    if v == "utf8-as-cp874":
        return raw.decode("cp874", errors="replace"), v
    return raw.decode("cp1252", errors="replace"), v  # strict: undefined bytes lost as U+FFFD


def add_markup(text: str, lang: str, rnd: random.Random) -> str:
    parts = units(text, lang)
    ops = rnd.sample(["bold", "link", "para", "amp", "quot", "nbsp", "br", "apos"], 2)
    for op in ops:
        if op in ("bold", "link") and parts:
            i = rnd.randrange(len(parts))
            j = min(len(parts), i + rnd.randint(1, 3))
            tag_open = "<b>" if op == "bold" else '<a href="https://example.com/p?id=7&amp;x=1">'
            tag_close = "</b>" if op == "bold" else "</a>"
            parts = parts[:i] + [tag_open + join(parts[i:j], lang) + tag_close] + parts[j:]
        elif op == "br" and len(parts) > 1:
            i = rnd.randrange(1, len(parts))
            parts = parts[:i] + ["<br/>" + parts[i]] + parts[i + 1:]
    out = join(parts, lang)
    if "amp" in ops:
        out = re.sub(r"&(?![^<]*>)", "&amp;", out)
    if "quot" in ops:
        out = re.sub(r'"(?![^<]*>)', "&quot;", out)
    if "apos" in ops:
        out = re.sub(r"'(?![^<]*>)", "&#39;", out)
    if "nbsp" in ops and " " in out:
        spaces = [m.start() for m in re.finditer(r" (?![^<]*>)", out)]
        if spaces:
            k = rnd.choice(spaces)
            out = out[:k] + "&nbsp;" + out[k + 1:]
    if "para" in ops or out == text:
        out = "<p>" + out + "</p>"
    return out


def change_number(text: str, rnd: random.Random) -> str:
    nums = list(DIGITS.finditer(text))
    m = rnd.choice(nums)
    s = m.group()
    i = rnd.randrange(len(s))
    d = s[i]
    full = "０" <= d <= "９"
    v = int(d if not full else chr(ord(d) - 0xFF10 + 0x30))
    choices = [x for x in range(10) if x != v and not (i == 0 and x == 0 and len(s) > 1)]
    nv = rnd.choice(choices)
    nd = chr(nv + (0xFF10 if full else 0x30))
    return text[:m.start() + i] + nd + text[m.start() + i + 1:]


def near_edit(text: str, lang: str, vocab: list[str], rnd: random.Random) -> str:
    parts = units(text, lang)
    idx = [i for i, p in enumerate(parts) if re.search(r"\w", p)] or list(range(len(parts)))
    i = rnd.choice(idx)
    for _ in range(20):
        w = rnd.choice(vocab)
        if w != parts[i]:
            break
    parts[i] = w
    return join(parts, lang)


def truncations(text: str, lang: str) -> list[str]:
    """Every prefix of whole units (characters or words) shorter than 40 % of the text."""
    parts = units(text, lang)
    out = []
    for k in range(1, len(parts)):
        cut = join(parts[:k], lang).rstrip()
        if cut and len(cut) < 0.4 * len(text):
            out.append(cut)
    return out


def make_pair(pair: str, rnd: random.Random, noise: float) -> tuple[list[dict], list[dict]]:
    src, tgt = pair.split("-")
    base = load_pair(src, tgt)
    n = len(base)
    vocab = {lang: sorted({u for r in base for u in units(r["texts"][lang], lang) if re.search(r"\w", u)})
             for lang in (src, tgt)}
    # equal shares of the ten types; duplicates add records, the rest modify one
    per_type = max(1, round(noise * n / len(TYPES) / (1 - noise * 2 / len(TYPES))))
    free = list(range(n))
    rnd.shuffle(free)
    taken: dict[int, str] = {}

    def eligible(i: int, kind: str) -> bool:
        t = base[i]["texts"]
        if kind == "number":
            return bool(DIGITS.search(t[tgt]))
        if kind == "mojibake":
            return any(not t[x].isascii() for x in (src, tgt))
        if kind == "truncated":
            return bool(truncations(t[tgt], tgt))
        if kind == "untranslated":
            return t[src] != t[tgt]
        return True

    scarce = ("number", "mojibake", "truncated")  # the types few records can take go first
    for kind in scarce + tuple(k for k in TYPES if k not in scarce):
        got = 0
        for i in free:
            if got == per_type:
                break
            if i not in taken and eligible(i, kind):
                taken[i] = kind
                got += 1
    records: list[dict] = []
    truths: list[dict] = []
    extra: list[tuple[int, dict, dict]] = []  # (insert after base index, record, truth)
    for i, b in enumerate(base):
        t = b["texts"]
        sides = {src: t[src], tgt: t[tgt]}
        kind = taken.get(i, "clean")
        truth: dict = {"noise": kind if kind not in ("duplicate", "near-duplicate") else "clean"}
        if kind == "misaligned":
            near = [j for j in range(i - 3, i + 4) if 0 <= j < n and j != i and base[j]["doc"] == b["doc"]]
            pool = near if near and rnd.random() < 0.5 else [j for j in range(n) if j != i]
            j = rnd.choice(pool)
            while base[j]["texts"][tgt] == t[tgt]:
                j = rnd.choice([j for j in range(n) if j != i])
            sides[tgt] = base[j]["texts"][tgt]
            truth["from"] = j
        elif kind == "wrong-language":
            side = rnd.choice((src, tgt))
            other = [x for x in sorted(t) if x not in (src, tgt) and t[x]]
            x = rnd.choice(other)
            sides[side] = t[x]
            truth.update(side=tag(side), lang=x)
        elif kind == "untranslated":
            sides[tgt] = t[src]
        elif kind == "truncated":
            cuts = truncations(t[tgt], tgt)
            sides[tgt] = rnd.choice(cuts[len(cuts) // 4:])
        elif kind == "empty":
            side = rnd.choice((src, tgt))
            r = rnd.random()
            if r < 0.4:
                sides[side] = ""
            elif r < 0.8:
                sides[side] = rnd.choice([" ", "\u3000", " \t ", "\u00a0"])
            else:
                del sides[side]
            truth["side"] = tag(side)
        elif kind == "markup":
            which = rnd.choice([(src,), (tgt,), (src, tgt)])
            for s in which:
                sides[s] = add_markup(t[s], s, rnd)
            truth["expected"] = {tag(s): t[s] for s in (src, tgt)}
        elif kind == "mojibake":
            side = rnd.choice([x for x in (src, tgt) if not t[x].isascii()])
            sides[side], variant = garble(t[side], side, rnd)
            truth.update(side=tag(side), variant=variant, repairable=fix_encoding(sides[side]) == t[side],
                         expected={tag(s): t[s] for s in (src, tgt)})
        elif kind == "number":
            sides[tgt] = change_number(t[tgt], rnd)
        rec = {"id": "", "doc": b["doc"], "sides": {tag(s): {"text": v} for s, v in sides.items()},
               "meta": {"source": b["source"]}}
        records.append(rec)
        truths.append(truth)
        if kind in ("duplicate", "near-duplicate"):
            dup = json.loads(json.dumps(rec))
            dtruth: dict = {"noise": kind}
            if kind == "near-duplicate":
                side = rnd.choice((src, tgt))
                dup["sides"][tag(side)]["text"] = near_edit(t[side], side, vocab[side], rnd)
                dtruth["side"] = tag(side)
            at = rnd.randrange(i, n)
            extra.append((at, dup, {**dtruth, "_of": len(records) - 1}))
    # interleave the copies after their originals, then number everything
    by_pos: dict[int, list[tuple[dict, dict]]] = {}
    for at, r, tr in extra:
        by_pos.setdefault(at, []).append((r, tr))
    out_r: list[dict] = []
    out_t: list[dict] = []
    for i, (r, tr) in enumerate(zip(records, truths)):
        out_r.append(r)
        out_t.append(tr)
        for dr, dtr in by_pos.get(i, []):
            out_r.append(dr)
            out_t.append(dtr)
    for k, r in enumerate(out_r, 1):
        r["id"] = f"{pair}-{k:05d}"
    for tr in out_t:
        if "_of" in tr:
            tr["of"] = records[tr.pop("_of")]["id"]
        if "from" in tr:
            tr["from"] = records[tr["from"]]["id"]
    return out_r, [{"id": r["id"], **tr} for r, tr in zip(out_r, out_t)]


def write_jsonl(path: Path, items: list[dict]) -> None:
    with path.open("w", encoding="utf-8") as f:
        for x in items:
            f.write(json.dumps(x, ensure_ascii=False) + "\n")


def throughput(path: Path, n: int, seed: int, pairs: tuple[str, ...] = PAIRS, k: int = 3) -> None:
    """N clean records of joined random sentence pairs (no duplicates by chance)."""
    rnd = random.Random(seed)
    bases = []
    for pair in pairs:
        s, t = pair.split("-")
        bases.append((s, t, [(r["texts"][s], r["texts"][t]) for r in load_pair(s, t)]))
    with path.open("w", encoding="utf-8") as f:
        for i in range(n):
            s, t, base = bases[i % len(bases)]
            picks = rnd.sample(base, k)
            rec = {"id": f"tp-{i:07d}", "sides": {
                tag(s): {"text": join([p[0] for p in picks], s)},
                tag(t): {"text": join([p[1] for p in picks], t)}}}
            f.write(json.dumps(rec, ensure_ascii=False) + "\n")


def natural(path: Path, n: int, seed: int) -> int:
    """Up to N distinct real sentence pairs of every language pair of PUD and TALPCo, shuffled;
    returns how many were written."""
    import itertools

    recs = []
    for langs, source in ((PUD_LANGS, "pud"), (tuple(x for x in TALPCO_LANGS if x != "ja"), "talpco")):
        for s, t in itertools.combinations(langs, 2):
            seen = set()
            for r in load_pair(s, t):
                if not r["source"].lower().startswith(source):
                    continue
                key = (r["texts"][s], r["texts"][t])
                if key not in seen:
                    seen.add(key)
                    recs.append({tag(s): key[0], tag(t): key[1]})
    random.Random(seed).shuffle(recs)
    recs = recs[:n]
    with path.open("w", encoding="utf-8") as f:
        for i, sides in enumerate(recs):
            f.write(json.dumps({"id": f"nat-{i:06d}", "sides": {k: {"text": v} for k, v in sides.items()}},
                               ensure_ascii=False) + "\n")
    return len(recs)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("outdir", type=Path)
    ap.add_argument("--pairs", default=",".join(PAIRS))
    ap.add_argument("--noise", type=float, default=0.30)
    ap.add_argument("--seed", type=int, default=14)
    ap.add_argument("--throughput", type=int, metavar="N", help="write N clean distinct joined records instead")
    ap.add_argument("--natural", type=int, metavar="N", help="write up to N clean distinct real pairs instead")
    args = ap.parse_args(argv)
    args.outdir.mkdir(parents=True, exist_ok=True)
    if args.natural:
        k = natural(args.outdir / "natural.jsonl", args.natural, args.seed)
        print(f"{k} records -> {args.outdir / 'natural.jsonl'}")
        return
    if args.throughput:
        throughput(args.outdir / "throughput.jsonl", args.throughput, args.seed)
        print(f"{args.throughput} records -> {args.outdir / 'throughput.jsonl'}")
        return
    for pair in args.pairs.split(","):
        rnd = random.Random(f"{args.seed}-{pair}")
        recs, truth = make_pair(pair, rnd, args.noise)
        write_jsonl(args.outdir / f"{pair}.jsonl", recs)
        write_jsonl(args.outdir / f"{pair}.truth.jsonl", truth)
        counts: dict[str, int] = {}
        for tr in truth:
            counts[tr["noise"]] = counts.get(tr["noise"], 0) + 1
        noisy = sum(v for k, v in counts.items() if k != "clean")
        print(f"{pair}: {len(recs)} records, {noisy} noisy ({noisy / len(recs):.0%}): "
              + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))


if __name__ == "__main__":
    main()
