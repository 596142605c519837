"""``duplicates``: exact and near duplicates across the whole corpus, the first kept.

**Exact** duplicates are equal after normalisation: NFC, case folded, every run of whitespace,
punctuation and symbols made one space. The key is the pair (both sides, by tag), or one side
alone (``key``: ``source`` is a record's first side, ``target`` its second), so a corpus can also
be kept free of repeated source sentences with different translations.

**Near** duplicates share most of their shingles: character ``char_ngram``-grams of the sides in
the languages written without spaces (zh, ja, th, km, lo, my: :func:`~lancang.corpora.langs.unspaced`;
spaces left out) and word ``word_ngram``-grams elsewhere. Their Jaccard similarity is estimated
with MinHash (Broder 1997) and candidates are found by LSH banding (``bands`` bands of
``num_perm / bands`` rows: a pair of similarity ``s`` becomes a candidate with probability
``1 - (1 - s^r)^b``); a candidate at least ``threshold`` similar by its signature is a duplicate.

The MinHash is vectorised over a batch: shingles are hashed to 64 bits without Python's salted
``hash()`` (word hashes by CRC-32, n-grams by a polynomial over the units, mixed by the SplitMix64
finaliser), permuted by ``num_perm`` seeded multiply-add-shift hashes in one (shingles ×
permutations) array, and reduced per record with ``np.minimum.reduceat``. The results are the
same in every run and process.

The first occurrence is kept (its keys, band keys and signature are indexed); a later duplicate is
scored ``{"duplicate_of": <id of the first>, "kind": "exact"|"near", "similarity": s}`` and not
indexed. Memory is bounded: each index (:class:`~lancang.corpora.dupes.FirstSeen`) moves to a
temporary SQLite file once it holds ``spill_at`` records.
"""

from __future__ import annotations

import hashlib
import unicodedata
import zlib
from collections.abc import Mapping, Sequence
from itertools import chain
from typing import Any, ClassVar

import regex

from ...corpora.dupes import FirstSeen
from ...corpora.langs import unspaced
from ...errors import UsageError
from .base import Filter, Reason, Scores

_SEP = regex.compile(r"[\s\p{P}\p{S}\p{Cc}\p{Cf}]+")
_M64 = (1 << 64) - 1
#: LSH candidates less similar than this by their signatures are not reported at all
FLOOR = 0.5
#: records indexed in memory (about 3.5 kB each with the defaults) before the indexes spill to disk
SPILL_RECORDS = 20_000


def normalise(text: str) -> str:
    """NFC, case folded, runs of whitespace, punctuation, symbols and controls made one space."""
    return _SEP.sub(" ", unicodedata.normalize("NFC", text).casefold()).strip()


def _mix(x: Any) -> Any:
    """SplitMix64's finaliser on a uint64 array (wrapping arithmetic)."""
    import numpy as np

    x = x ^ (x >> np.uint64(30))
    x = x * np.uint64(0xBF58476D1CE4E5B9)
    x = x ^ (x >> np.uint64(27))
    x = x * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


class Duplicates(Filter):
    name = "duplicates"
    description = ("Exact duplicates after normalisation and near duplicates (MinHash + LSH) across the corpus, "
                   "in bounded memory; the first is kept, later ones name the id they duplicate.")
    languages = ("*",)
    kind = "stream"
    parameters: ClassVar[Mapping[str, Any]] = {
        "type": "object", "additionalProperties": False,
        "properties": {
            "key": {"enum": ["pair", "source", "target"], "default": "pair",
                    "description": "what must repeat: the pair, the first side or the second side"},
            "near": {"type": "boolean", "default": True, "description": "also find near duplicates"},
            "threshold": {"type": "number", "minimum": FLOOR, "maximum": 1, "default": 0.7,
                          "description": "estimated Jaccard similarity of shingles that makes a near duplicate"},
            "num_perm": {"type": "integer", "minimum": 8, "maximum": 512, "default": 64,
                         "description": "MinHash permutations (64: four times faster than 128 on the cleaning "
                                        "benchmark, the same duplicates caught; more for finer estimates)"},
            "bands": {"type": "integer", "minimum": 1, "default": 16,
                      "description": "LSH bands (num_perm / bands rows each)"},
            "char_ngram": {"type": "integer", "minimum": 1, "maximum": 16, "default": 3,
                           "description": "shingle size in characters for unspaced scripts"},
            "word_ngram": {"type": "integer", "minimum": 1, "maximum": 8, "default": 2,
                           "description": "shingle size in words elsewhere"},
            "seed": {"type": "integer", "minimum": 0, "default": 1},
            "spill_at": {"type": "integer", "minimum": 1, "default": SPILL_RECORDS,
                         "description": "records indexed in memory before the indexes move to disk"},
        },
    }
    direction: ClassVar[Mapping[str, str]] = {"similarity": "lower"}
    modules = ("numpy",)

    def __init__(self, **params: Any):
        super().__init__(**params)
        p = self.params
        if p["num_perm"] % p["bands"]:
            raise UsageError(f"filter 'duplicates': bands ({p['bands']}) must divide num_perm ({p['num_perm']})")
        import numpy as np

        rng = np.random.default_rng(p["seed"])
        self._a = rng.integers(1, 1 << 63, p["num_perm"], dtype=np.uint64) | np.uint64(1)
        self._b = rng.integers(0, 1 << 63, p["num_perm"], dtype=np.uint64)
        self._rows = p["num_perm"] // p["bands"]
        spill = p["spill_at"]
        self._exact = FirstSeen(1, spill)  # key -> id of the first record
        # band key -> ordinal of the first record; the biggest index, so the biggest page cache
        self._bands = FirstSeen(1, spill * p["bands"], cache_kib=32_000)
        self._sigs = FirstSeen(2, spill)  # ordinal -> (id, signature bytes)
        self._next = 0  # ordinal of the next indexed record

    # ------------------------------------------------------------------ keys and shingles
    def _sides(self, rec: Mapping[str, Any]) -> list[tuple[str, str]]:
        """(tag, normalised text) of the sides the key is made of, in a stable order."""
        sides = rec.get("sides") or {}
        items = [(t, s.get("text")) for t, s in sides.items() if isinstance(s, dict) and isinstance(s.get("text"), str)]
        key = self.params["key"]
        if key == "pair":
            chosen = sorted(items)
        else:
            k = 0 if key == "source" else 1
            chosen = items[k:k + 1]
        return [(t, normalise(x)) for t, x in chosen]

    def _shingles(self, sides_of: Sequence[list[tuple[str, str]]]) -> tuple[Any, Any]:
        """(uint64 shingle hashes, record index of each), ordered by record."""
        import numpy as np

        p = self.params
        out_h: list[Any] = []
        out_r: list[Any] = []
        # every side once: (piece, record, salt) in the character group (unspaced scripts) or the word group
        groups: dict[bool, list[tuple[Any, int, int]]] = {True: [], False: []}
        for r, sides in enumerate(sides_of):
            for s, (tag, text) in enumerate(sides):
                chars = unspaced(tag, text)
                piece = text.replace(" ", "") if chars else text.split()
                if piece:
                    groups[chars].append((piece, r, s + 1))
        for chars in (True, False):
            n = p["char_ngram"] if chars else p["word_ngram"]
            if not groups[chars]:
                continue
            pieces, owner, salts = (list(x) for x in zip(*groups[chars]))
            lens_l = list(map(len, pieces))
            if chars:
                allu = np.frombuffer("".join(pieces).encode("utf-32-le"), np.uint32).astype(np.uint64)
            else:
                words = chain.from_iterable(pieces)  # CRC-32 of each word's UTF-8, mapped at C level
                allu = np.fromiter(map(zlib.crc32, map(str.encode, words)), np.uint64, sum(lens_l))
            lens = np.array(lens_l, np.int64)
            starts = np.concatenate([[0], np.cumsum(lens)[:-1]])
            # n-gram hash at every position: sum_k u[i+k] * P^(n-1-k), wrapping; positions whose
            # n-gram runs into the next side are dropped; a side shorter than n is one shingle
            pad = np.concatenate([allu, np.zeros(n, np.uint64)])
            h = np.zeros(len(allu), np.uint64)
            P = np.uint64(0x100000001B3)
            for k in range(n):
                h = h * P + pad[k:k + len(allu)]
            side_of = np.repeat(np.arange(len(lens)), lens)
            ok = np.arange(len(allu)) + np.minimum(lens, n)[side_of] <= (starts + lens)[side_of]
            for j in np.nonzero(lens < n)[0]:  # a short side's one shingle: the polynomial of its units only
                v = 0
                for x in allu[starts[j]:starts[j] + lens[j]].tolist():
                    v = (v * int(P) + x) & _M64
                h[starts[j]] = v
            salt = np.array(salts, np.uint64)[side_of] * np.uint64(0x9E3779B97F4A7C15)
            out_h.append(_mix(h[ok] ^ salt[ok]))
            out_r.append(np.array(owner, np.int64)[side_of][ok])
        if not out_h:
            return np.zeros(0, np.uint64), np.zeros(0, np.int64)
        hs, rs = np.concatenate(out_h), np.concatenate(out_r)
        order = np.argsort(rs, kind="stable")
        return hs[order], rs[order]

    def signatures(self, sides_of: Sequence[list[tuple[str, str]]]) -> tuple[Any, Any]:
        """(MinHash signatures, one uint32 row per record, and whether the record has any shingle)."""
        import numpy as np

        hs, rs = self._shingles(sides_of)
        n = len(sides_of)
        sig = np.full((n, self.params["num_perm"]), np.iinfo(np.uint32).max, np.uint32)
        has = np.zeros(n, bool)
        if len(hs):
            # multiply-add-shift hashes of the shingles' top 32 bits (Dietzfelbinger 1996), one row
            # per permutation, computed in place; then the minimum of each record's columns
            perm = np.empty((len(self._a), len(hs)), np.uint64)
            np.multiply(self._a[:, None], (hs >> np.uint64(32))[None, :], out=perm)
            perm += self._b[:, None]
            perm >>= np.uint64(32)
            firsts = np.concatenate([[0], np.nonzero(rs[1:] != rs[:-1])[0] + 1])
            sig[rs[firsts]] = np.minimum.reduceat(perm, firsts, axis=1).T  # < 2^32: fits the uint32 rows
            has[rs[firsts]] = True
        return sig, has

    def _band_keys(self, sig: Any) -> Any:
        import numpy as np

        n = len(sig)
        b, r = self.params["bands"], self._rows
        s = sig.reshape(n, b, r).astype(np.uint64)
        h = np.zeros((n, b), np.uint64)
        for k in range(r):
            h = _mix(h ^ s[:, :, k])
        return _mix(h ^ (np.arange(b, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)))

    # ------------------------------------------------------------------ scores
    def score_batch(self, records: Sequence[dict[str, Any]]) -> list[Scores]:
        import numpy as np

        near, nperm = self.params["near"], self.params["num_perm"]
        sides_of = [self._sides(r) for r in records]
        exact = []
        for sides in sides_of:
            if not sides or not any(t for _, t in sides):
                exact.append(None)
                continue
            key = "\x1f".join(f"{tag}\x1e{text}" for tag, text in sides)
            exact.append(int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "little", signed=True))
        known_exact = self._exact.get_many(k for k in exact if k is not None)
        if near:
            sig, has = self.signatures(sides_of)
            bkeys = self._band_keys(sig).view(np.int64).tolist()  # signed: SQLite's integers
            # band key -> ordinal: those indexed before this batch, then this batch's new ones
            bands = self._bands.get_many({k for row, h in zip(bkeys, has) if h for k in row})
            old = set(bands.values())
            old_sigs = {o: (v[0], np.frombuffer(v[1], np.uint32)) for o, v in self._sigs.get_many(old).items()}
        local_exact: dict[int, Any] = {}
        new_bands: dict[int, int] = {}
        new_sigs: dict[int, tuple[Any, ...]] = {}
        local_sigs: dict[int, tuple[Any, Any]] = {}
        out: list[Scores] = []
        for i, rec in enumerate(records):
            rid = rec.get("id")
            k = exact[i]
            if k is None:
                out.append({"duplicate_of": None})
                continue
            if k in local_exact or k in known_exact:
                first = local_exact[k] if k in local_exact else known_exact[k]
                out.append({"duplicate_of": first, "kind": "exact", "similarity": 1.0})
                continue
            best: tuple[float, Any] | None = None
            row = bkeys[i] if near and has[i] else ()
            known = bands.keys() & row if row else ()  # band keys seen before (C-level)
            if known:
                for o in sorted({bands[bk] for bk in known}):
                    cid, csig = local_sigs.get(o) or old_sigs[o]
                    sim = float(np.count_nonzero(csig == sig[i])) / nperm
                    if sim >= FLOOR and (best is None or sim > best[0]):
                        best = (sim, cid)
            if best is not None and best[0] >= self.params["threshold"]:
                out.append({"duplicate_of": best[1], "kind": "near", "similarity": round(best[0], 4)})
                continue
            out.append({"duplicate_of": None} if best is None else
                       {"duplicate_of": None, "nearest": best[1], "similarity": round(best[0], 4)})
            local_exact[k] = rid
            if row:
                o = self._next
                self._next += 1
                fresh = dict.fromkeys(row, o)
                for bk in known:  # a band key keeps its first record
                    del fresh[bk]
                bands.update(fresh)
                new_bands.update(fresh)
                local_sigs[o] = (rid, sig[i])
                new_sigs[o] = (rid, sig[i].tobytes())
        self._exact.put_many(local_exact.items())
        if near:
            self._bands.put_many(new_bands.items())
            self._sigs.put_many(new_sigs.items())
        return out

    def score(self, record: dict[str, Any]) -> Scores:
        return self.score_batch([record])[0]

    def decide(self, scores: Scores) -> list[Reason]:
        """Exact duplicates, and near ones at least ``threshold`` similar (a re-decision with a lower
        threshold also rejects a record whose ``nearest`` kept record is similar enough)."""
        first = scores.get("duplicate_of")
        if first is not None and scores.get("kind") == "exact":
            return [Reason(self.name, "duplicate_of", first, message="exact duplicate")]
        other = first if first is not None else scores.get("nearest")
        sim = scores.get("similarity")
        if other is not None and sim is not None and sim >= self.params["threshold"]:
            return [Reason(self.name, "similarity", sim, self.params["threshold"],
                           message=f"near duplicate of {other!r}")]
        return []

    def close(self) -> None:
        for index in (self._exact, self._bands, self._sigs):
            index.close()
