"""mask checks each record's invariants once as it comes in and once more only when masking changed
it; the writer does not check them a third time (the records it gets were all checked)."""

from __future__ import annotations

from pathlib import Path

import orjson

import lancang.corpora.invariants as inv
import lancang.processing.mask as mask_mod
from lancang.processing.mask import mask_file


def test_each_record_is_checked_once_more_only_when_changed(tmp_path: Path, monkeypatch) -> None:
    zh = [f"请打电话 13912345678 找{i}号。" if i % 2 else f"第{i}句没有号码。" for i in range(10)]
    recs = [{"id": f"r{i}", "sides": {"zh-Hans": {"text": t}, "en": {"text": f"Sentence {i}."}}}
            for i, t in enumerate(zh)]
    src = tmp_path / "in.jsonl"
    src.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in recs))
    calls: list[str] = []
    real = inv.check_record

    def counting(rec, *a, **k):
        calls.append(rec["id"])
        return real(rec, *a, **k)

    monkeypatch.setattr(mask_mod, "check_record", counting)
    monkeypatch.setattr(inv, "check_record", counting)
    stats = mask_file(src, tmp_path / "out.jsonl", types=["phone"])
    out = [orjson.loads(x) for x in (tmp_path / "out.jsonl").read_bytes().splitlines()]
    assert sum(a["sides"] != b["sides"] for a, b in zip(recs, out)) == stats.changed == 5, out
    assert len(calls) == len(recs) + stats.changed, calls
