"""A switching history cannot be shortened or rewritten unnoticed (issue 12, "harden", a truncated history).

Each line carries ``prev`` (the sha256 of the previous line's canonical JSON) and every append records
the last lot and its hash in the history's lock sidecar; what can and cannot be detected is in
docs/decisions.md, "Switching history integrity".
"""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from lancang.corpora.io import lock_path
from lancang.errors import InputError
from lancang.quality import sampling as smp
from lancang.quality import switching as sw
from lancang.quality.switching import LotResult, next_state

from .test_switching import CORPUS, Series, acc, lines, put, rej, review, write_history


def history(tmp_path: Path, lots: int = 3) -> Path:
    h = tmp_path / "lots.jsonl"
    write_history(h, [rej(), acc(), acc(), acc()][:lots])
    return h


def refused(h: Path, line: int | None, *needles: str) -> str:
    with pytest.raises(InputError) as exc:
        sw.read_history(h)
    msg = str(exc.value)
    assert "\n" not in msg
    assert (f"{h}:{line}:" if line else f"{h}:") in msg
    for n in needles:
        assert n in msg
    return msg


def test_every_line_is_chained_and_the_sidecar_names_the_last_lot(tmp_path: Path) -> None:
    h = history(tmp_path)
    rows = lines(h)
    assert rows[0]["prev"] is None
    assert [r["prev"] for r in rows[1:]] == [sw.line_hash(r) for r in rows[:-1]]
    assert sw.read_head(h) == {"history": sw.HISTORY_ID, "lots": 3, "sha256": sw.line_hash(rows[-1])}
    assert sw.read_history(h).lots == 3
    put(h, rows)  # the content is hashed, not the bytes: reformatting a line keeps the chain
    assert sw.read_history(h).lots == 3


def test_last_line_cut_mid_way(tmp_path: Path) -> None:
    h = history(tmp_path)
    h.write_bytes(h.read_bytes()[:-40])
    refused(h, 3, "the last line is cut short", "lot 3 was not written whole")


def test_whole_last_lines_cut(tmp_path: Path) -> None:
    h = history(tmp_path)
    data = h.read_bytes().splitlines(keepends=True)
    h.write_bytes(b"".join(data[:1]))
    refused(h, 2, "ends after lot 1", "records lot 3", str(lock_path(h)))


def test_last_line_cut_at_its_line_end_is_whole(tmp_path: Path) -> None:
    h = history(tmp_path)
    h.write_bytes(h.read_bytes().rstrip(b"\n"))
    assert sw.read_history(h).lots == 3


def test_last_lot_replaced_by_another(tmp_path: Path) -> None:
    """Lots cut from the end and a different lot 3 appended: every line replays, the sidecar tells."""
    h = history(tmp_path)
    head = lock_path(h).read_bytes()
    h.write_bytes(b"".join(h.read_bytes().splitlines(keepends=True)[:2]))
    lock_path(h).write_bytes(b"")
    write_history_from(h, 2, [rej()])
    lock_path(h).write_bytes(head)
    refused(h, 3, "lot 3 is not the one its lock sidecar", "replaced or edited")


def write_history_from(h: Path, k: int, lots: list[tuple]) -> None:
    for plan, d in lots:
        hist = sw.read_history(h)
        lot = LotResult(plan, d)
        state, events = next_state(hist.state, lot)
        sw.append_history(h, sw.history_line(hist, lot, state, events, time=f"2026-02-{k + 1:02d}T00:00:00Z",
                                             sample={"path": f"x{k}.jsonl", "digest": f"x{k}"}))
        k += 1


def test_middle_line_removed_and_the_rest_fixed_up(tmp_path: Path) -> None:
    """Line 2 removed, line 3 renumbered and its state recomputed so that the lots replay: the chain breaks."""
    h = history(tmp_path)
    rows = lines(h)
    put(tmp_path / "first.jsonl", rows[:1])
    hist = sw.read_history(tmp_path / "first.jsonl")
    third = rows[2]
    plan = smp.Plan.from_dict(third["plan"])
    state, events = next_state(hist.state, LotResult(plan, third["defects"]))
    third.update(lot=2, state=state.to_dict(), events=[e.to_dict() for e in events])
    put(h, [rows[0], third])
    lock_path(h).write_bytes(b"")  # the sidecar lost too: the chain alone tells
    refused(h, 2, "prev is", "not the sha256 of lot 1's line", "chain is broken")


def test_edited_middle_line_breaks_the_chain(tmp_path: Path) -> None:
    """A field the replay cannot check (the sample's path) edited on lot 1."""
    h = history(tmp_path)
    rows = lines(h)
    rows[0]["sample"]["path"] = "elsewhere.jsonl"
    put(h, rows)
    refused(h, 2, "chain is broken")


def test_history_removed_while_its_sidecar_remains(tmp_path: Path) -> None:
    h = history(tmp_path)
    h.unlink()
    msg = refused(h, None, "no such file", "records lot 3", "remove the sidecar to start a new history")
    assert str(lock_path(h)) in msg


def test_garbage_sidecar_is_refused(tmp_path: Path) -> None:
    h = history(tmp_path)
    lock_path(h).write_bytes(b'{"lots": "three"}\n')
    with pytest.raises(InputError, match=r"lots\.jsonl\.lock: not the head of a lancang switching history"):
        sw.read_history(h)


def test_sidecar_one_lot_behind_reads(tmp_path: Path) -> None:
    """A crash after the history's rename and before the sidecar's write leaves the sidecar one lot behind."""
    h = history(tmp_path, 2)
    head = lock_path(h).read_bytes()
    write_history_from(h, 2, [acc()])
    lock_path(h).write_bytes(head)
    assert sw.read_history(h).lots == 3


def test_old_history_without_chain_reads_and_is_chained_from_the_next_append(tmp_path: Path) -> None:
    h = history(tmp_path, 2)
    rows = lines(h)
    for r in rows:
        del r["prev"]
    put(h, rows)
    lock_path(h).unlink()  # an older lancang left an empty sidecar, or none
    assert sw.read_history(h).lots == 2
    write_history_from(h, 2, [acc(), acc()])
    rows = lines(h)
    assert "prev" not in rows[1] and rows[2]["prev"] == sw.line_hash(rows[1])
    assert sw.read_history(h).lots == 4
    del rows[3]["prev"]  # the chain, once started, cannot be dropped
    put(h, rows)
    lock_path(h).unlink()
    refused(h, 4, "prev is missing")


def test_cli_inspect_refuses_a_cut_history(cli, tmp_path: Path) -> None:
    s = Series(cli, tmp_path)
    s.lot(0)
    s.lot(0)
    out = tmp_path / "next.jsonl"
    assert cli("sample", str(CORPUS), str(out), "--history", str(s.history), "--seed", "7").exit_code == 0
    review(out, 0)
    s.history.write_bytes(s.history.read_bytes().splitlines(keepends=True)[0])
    before = s.history.read_bytes()
    res = cli("inspect", str(out), "--history", str(s.history))
    assert res.exit_code == 2 and "Traceback" not in res.stderr
    err = res.stderr.strip()
    assert "\n" not in err and f"{s.history}:2:" in err and "ends after lot 1" in err and "records lot 2" in err
    assert s.history.read_bytes() == before  # nothing appended to a cut history
    res = cli("sample", str(CORPUS), str(tmp_path / "again.jsonl"), "--history", str(s.history))
    assert res.exit_code == 2 and "ends after lot 1" in res.stderr
    assert orjson.loads(before)["lot"] == 1


def test_sample_names_its_lot(cli, tmp_path: Path) -> None:
    s = Series(cli, tmp_path)
    s.lot(0)
    out = tmp_path / "next.jsonl"
    assert cli("sample", str(CORPUS), str(out), "--history", str(s.history), "--seed", "7").exit_code == 0
    assert {orjson.loads(x)["meta"]["sample"]["lot"] for x in out.read_bytes().splitlines()} == {2}
    plain = tmp_path / "plain.jsonl"
    assert cli("sample", str(CORPUS), str(plain), "--aql", "1.0", "--seed", "7").exit_code == 0
    assert "lot" not in orjson.loads(plain.read_bytes().splitlines()[0])["meta"]["sample"]


def test_cli_inspect_refuses_a_cut_history_copied_without_its_sidecar(cli, tmp_path: Path) -> None:
    """The sidecar is gone (the history was copied elsewhere): the sample's lot number is the evidence."""
    s = Series(cli, tmp_path)
    for _ in range(3):
        s.lot(0)
    out = tmp_path / "next.jsonl"
    assert cli("sample", str(CORPUS), str(out), "--history", str(s.history), "--seed", "7").exit_code == 0
    review(out, 0)
    copy = tmp_path / "copy.jsonl"
    copy.write_bytes(b"".join(s.history.read_bytes().splitlines(keepends=True)[:2]))
    assert sw.read_history(copy).lots == 2  # on its own, the copy looks whole
    res = cli("inspect", str(out), "--history", str(copy))
    assert res.exit_code == 2 and "Traceback" not in res.stderr
    err = res.stderr.strip()
    assert "\n" not in err and f"{out}:" in err and "drawn for lot 4" in err and "ends after lot 2" in err
    assert sw.read_history(copy).lots == 2


def test_sample_lot_must_agree_across_records(tmp_path: Path) -> None:
    out = tmp_path / "r.jsonl"
    plan = smp.gb2828_plan(sum(1 for _ in CORPUS.open("rb")), "1.0")
    rows = list(smp.draw(CORPUS, plan, 3, lot=5))
    rows[1]["meta"]["sample"]["lot"] = 6
    out.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in rows))
    with pytest.raises(InputError, match=r"r\.jsonl:2 \[.*\]: meta\.sample\.lot 6 differs from the first record's"):
        smp.inspect(out)
