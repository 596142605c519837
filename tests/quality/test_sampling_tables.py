"""GB/T 2828.1 tables as data: every cell STANDARDS.md lists, cross-checked cells, and the structure."""

from __future__ import annotations

import itertools
from decimal import Decimal

import pytest

from lancang.errors import UsageError
from lancang.quality import sampling as smp

LETTERS = "ABCDEFGHJKLMNPQR"
N = dict(zip(LETTERS, [2, 3, 5, 8, 13, 20, 32, 50, 80, 125, 200, 315, 500, 800, 1250, 2000]))

# STANDARDS.md §2, table I (lot size -> I, II, III); one lot size from each end of every row.
TABLE_I = [((2, 8), "AAB"), ((9, 15), "ABC"), ((16, 25), "BCD"), ((26, 50), "CDE"), ((51, 90), "CEF"),
           ((91, 150), "DFG"), ((151, 280), "EGH"), ((281, 500), "FHJ"), ((501, 1200), "GJK"),
           ((1201, 3200), "HKL"), ((3201, 10000), "JLM"), ((10001, 35000), "KMN"), ((35001, 150000), "LNP"),
           ((150001, 500000), "MPQ"), ((500001, 10**9), "NQR")]
# Special levels S-1..S-4, the same rows (ANSI/MIL/ISO chart and three implementations agree, see README).
TABLE_I_SPECIAL = ["AAAA", "AAAA", "AABB", "ABBC", "BBCC", "BBCD", "BCDE", "BCDE", "CCEF", "CDEG", "CDFG",
                   "CDFH", "DEGJ", "DEGJ", "DEHK"]


@pytest.mark.parametrize("row", range(len(TABLE_I)))
def test_code_letters_general_and_special(row: int) -> None:
    (lo, hi), general = TABLE_I[row]
    for lot in (lo, hi):
        assert [smp.code_letter(lot, lv) for lv in ("I", "II", "III")] == list(general)
        assert [smp.code_letter(lot, lv) for lv in ("S-1", "S-2", "S-3", "S-4")] == list(TABLE_I_SPECIAL[row])


# STANDARDS.md §2, table II-A excerpt: code letter rows, AQL 0.65 1.0 1.5 2.5 4.0 ("d"/"u" = arrows).
TABLE_IIA = """A d d d d d
B d d d d 0/1
C d d d 0/1 u
D d d 0/1 u d
E d 0/1 u d 1/2
F 0/1 u d 1/2 2/3
G u d 1/2 2/3 3/4
H d 1/2 2/3 3/4 5/6
J 1/2 2/3 3/4 5/6 7/8
K 2/3 3/4 5/6 7/8 10/11
L 3/4 5/6 7/8 10/11 14/15
M 5/6 7/8 10/11 14/15 21/22
N 7/8 10/11 14/15 21/22 u
P 10/11 14/15 21/22 u u
Q 14/15 21/22 u u u
R 21/22 u u u u"""


def _cell(severity: str, letter: str, aql: str):
    t = smp.master_table(severity)
    row = next(r for r in t["rows"] if r["letter"] == letter)
    return row["cells"][t["aql"].index(aql)]


def test_every_table_iia_cell_listed_in_standards_md() -> None:
    checked = 0
    for line in TABLE_IIA.splitlines():
        letter, *cells = line.split()
        for aql, want in zip(("0.65", "1.0", "1.5", "2.5", "4.0"), cells):
            got = _cell("normal", letter, aql)
            if want in ("d", "u"):
                assert got == {"d": "↓", "u": "↑"}[want], (letter, aql)
            else:
                assert got == [int(x) for x in want.split("/")], (letter, aql)
            checked += 1
    assert checked == 80


def test_sample_sizes() -> None:
    assert {r["letter"]: r["n"] for r in smp.master_table("normal")["rows"]} == N
    assert {r["letter"]: r["n"] for r in smp.master_table("tightened")["rows"]} == {**N, "S": 3150}
    reduced = dict(zip(LETTERS, [2, 2, 2, 3, 5, 8, 13, 20, 32, 50, 80, 125, 200, 315, 500, 800]))
    assert {r["letter"]: r["n"] for r in smp.master_table("reduced")["rows"]} == reduced


# Resolved plans (final letter, n, Ac) cross-checked against a third-party transcription of
# GB/T 2828.1-2012 (see tables/README.md); a few per table, including the corners.
RESOLVED = [
    ("normal", "A", "0.010", ("Q", 1250, 0)), ("normal", "A", "10", ("C", 5, 1)), ("normal", "A", "1000", ("A", 2, 30)),
    ("normal", "B", "1000", ("B", 3, 44)), ("normal", "F", "100", ("E", 13, 21)),
    ("normal", "M", "0.065", ("L", 200, 0)), ("normal", "N", "4.0", ("M", 315, 21)),
    ("normal", "R", "0.010", ("Q", 1250, 0)), ("normal", "R", "0.015", ("P", 800, 0)),
    ("normal", "R", "0.025", ("R", 2000, 1)), ("normal", "Q", "0.025", ("R", 2000, 1)),
    ("normal", "L", "2.5", ("L", 200, 10)),
    ("tightened", "A", "10", ("A", 2, 0)), ("tightened", "A", "1000", ("A", 2, 27)),
    ("tightened", "B", "1000", ("B", 3, 41)), ("tightened", "F", "1.5", ("H", 50, 1)),
    ("tightened", "L", "2.5", ("L", 200, 8)), ("tightened", "L", "6.5", ("L", 200, 18)),
    ("tightened", "Q", "0.025", ("S", 3150, 1)), ("tightened", "R", "0.015", ("Q", 1250, 0)),
    ("tightened", "R", "0.040", ("R", 2000, 1)), ("tightened", "S", "0.025", ("S", 3150, 1)),
    ("reduced", "A", "25", ("A", 2, 1)), ("reduced", "B", "4.0", ("B", 2, 0)), ("reduced", "C", "6.5", ("E", 5, 1)),
    ("reduced", "F", "100", ("E", 5, 10)), ("reduced", "L", "2.5", ("L", 80, 6)),
    ("reduced", "Q", "0.025", ("N", 200, 0)), ("reduced", "R", "0.040", ("R", 800, 1)),
    ("reduced", "A", "1000", ("A", 2, 30)), ("reduced", "C", "1000", ("B", 2, 30)),
]


def _resolve(severity: str, letter: str, aql: str) -> tuple[str, int, int] | None:
    t = smp.master_table(severity)
    rows = t["rows"]
    i = next(k for k, r in enumerate(rows) if r["letter"] == letter)
    j = t["aql"].index(aql)
    first = rows[i]["cells"][j]
    cell = first
    while not isinstance(cell, list):
        if cell is None or cell != first:
            return None
        i += 1 if cell == "↓" else -1
        if not 0 <= i < len(rows):
            return None
        cell = rows[i]["cells"][j]
    return rows[i]["letter"], rows[i]["n"], cell[0]


@pytest.mark.parametrize("severity,letter,aql,want", RESOLVED)
def test_resolved_cells(severity: str, letter: str, aql: str, want: tuple[str, int, int]) -> None:
    assert _resolve(severity, letter, aql) == want


@pytest.mark.parametrize("severity", smp.SEVERITIES)
def test_structure(severity: str) -> None:
    """Every cell reaches a plan without an arrow turning back; Re = Ac + 1 (the 1999 edition has no
    gap, not even in 2-C); Ac only grows along a row and down a column; the acceptance numbers are the
    standard's series."""
    t = smp.master_table(severity)
    assert len(t["aql"]) == 26 and [Decimal(a) for a in t["aql"]] == sorted(Decimal(a) for a in t["aql"])
    series = {"normal": {0, 1, 2, 3, 5, 7, 10, 14, 21, 30, 44}, "tightened": {0, 1, 2, 3, 5, 8, 12, 18, 27, 41},
              "reduced": {0, 1, 2, 3, 5, 6, 7, 8, 10, 14, 21, 30}}[severity]
    for r in t["rows"]:
        assert len(r["cells"]) == 26
        acs = [c[0] for c in r["cells"] if isinstance(c, list)]
        assert acs == sorted(acs) and set(acs) <= series
        for c in r["cells"]:
            if isinstance(c, list):
                assert c[1] == c[0] + 1
    for j in range(26):
        col = [r["cells"][j] for r in t["rows"]]
        acs = [c[0] for c in col if isinstance(c, list)]
        assert acs == sorted(acs)
        for r, c in zip(t["rows"], col):
            if c is None:
                assert severity == "tightened" and r["letter"] == "S"
            else:
                assert _resolve(severity, r["letter"], t["aql"][j]) is not None, (r["letter"], t["aql"][j])


def test_plan_lookup_and_arrows() -> None:
    p = smp.gb2828_plan(10_000, "1.0", "II")
    assert (p.code_letter, p.arrow, p.sample_size, p.ac, p.re, p.full_inspection) == ("L", None, 200, 5, 6, False)
    p = smp.gb2828_plan(10_000, "0.10", "II")  # L/0.10 is ↑: first plan above is K (125, 0/1)
    assert (p.arrow, p.arrow_path, p.sample_size, p.ac) == ("↑", ("L", "K"), 125, 0)
    p = smp.gb2828_plan(1_000, "0.40", "II")  # J/0.40 is ↓: first plan below is K (125, 1/2)
    assert (p.code_letter, p.arrow, p.plan_letter, p.sample_size, p.ac, p.re) == ("J", "↓", "K", 125, 1, 2)
    p = smp.gb2828_plan(20, "1.0", "II")  # C, ↓ to E (13) < 20
    assert (p.plan_letter, p.sample_size, p.full_inspection) == ("E", 13, False)
    p = smp.gb2828_plan(8, "1.0", "II")  # A, ↓ to E (13) >= 8: inspect all 8 items
    assert (p.plan_letter, p.table_sample_size, p.sample_size, p.full_inspection, p.ac) == ("E", 13, 8, True, 0)
    assert smp.gb2828_plan(500_000, "0.65", "III", "tightened").to_dict()["sample_size"] == 1250
    assert smp.gb2828_plan(3_000, "2.5", "II", "reduced").sample_size == 50
    p = smp.gb2828_plan(100, "65", count="nonconformities")
    assert (p.code_letter, p.ac, p.re) == ("F", 21, 22)


def test_decision() -> None:
    p = smp.gb2828_plan(10_000, "1.0")
    assert p.decide(5) == "accept" and p.decide(6) == "reject" and p.decide(0) == "accept"


@pytest.mark.parametrize("aql", ["0.7", "3", "abc", "2000"])
def test_aql_not_in_table(aql: str) -> None:
    with pytest.raises(UsageError, match="not"):
        smp.gb2828_plan(1000, aql)


def test_aql_spellings_and_percent_limit() -> None:
    assert smp.parse_aql("1") == smp.parse_aql("1.00") == smp.parse_aql(1.0) == "1.0"
    assert smp.parse_aql("0.01") == "0.010"
    with pytest.raises(UsageError, match="nonconformities per 100 items"):
        smp.gb2828_plan(1000, "15")


@pytest.mark.parametrize("lot", [0, -3])
def test_lot_size_zero(lot: int) -> None:
    with pytest.raises(UsageError, match="nothing to sample"):
        smp.gb2828_plan(lot, "1.0")
    with pytest.raises(UsageError, match="nothing to sample"):
        smp.fixed_plan(lot, "tc260-003-9.2-manual")


def test_unknown_level_and_severity() -> None:
    with pytest.raises(UsageError, match="inspection level"):
        smp.gb2828_plan(100, "1.0", "IV")
    with pytest.raises(UsageError, match="severity"):
        smp.gb2828_plan(100, "1.0", "II", "strict")


def test_tc260_003_fixed_plans() -> None:
    p = smp.fixed_plan(100_000, "tc260-003-9.2-manual")
    assert (p.sample_size, p.ac, p.re, p.full_inspection) == (4000, 160, 161, False)  # 96% of 4000 = 3840
    assert p.decide(160) == "accept" and p.decide(161) == "reject"
    p = smp.fixed_plan(3_000, "tc260-003-9.2-manual")  # fewer than 4000 items: all of them
    assert (p.sample_size, p.ac, p.full_inspection) == (3000, 120, True)
    p = smp.fixed_plan(12_345, "tc260-003-9.2-automated")  # >= 10%: 1235 items, >= 98% passing
    assert (p.sample_size, p.ac) == (1235, 24)
    p = smp.fixed_plan(50_000, "tc260-003-9.3-generated")
    assert (p.sample_size, p.ac) == (1000, 100)


def test_plan_from_profile_specs() -> None:
    # the plans the shipped profiles state (gb-t-40035-2021, tc260-003)
    p = smp.plan_from_spec({"scheme": "gb-t-2828.1", "level": "II", "aql": 2.5, "severity": "normal"}, 5000)
    assert (p.code_letter, p.sample_size, p.ac) == ("L", 200, 10)
    p = smp.plan_from_spec({"scheme": "fixed", "min_sample": 4000, "min_pass_rate": 0.96}, 10_000)
    assert (p.sample_size, p.ac) == (4000, 160)
    with pytest.raises(UsageError, match="unknown key"):
        smp.plan_from_spec({"scheme": "fixed", "min_sample": 10, "min_pass_rate": 0.9, "pass": 1}, 100)
    with pytest.raises(UsageError, match="scheme"):
        smp.plan_from_spec({"scheme": "mil-std"}, 100)


def test_plan_round_trip() -> None:
    for p in (smp.gb2828_plan(777, "0.25", "S-4", "reduced"), smp.fixed_plan(9000, "tc260-003-9.2-automated")):
        assert smp.Plan.from_dict(p.to_dict()) == p
    d = smp.gb2828_plan(777, "0.25").to_dict()
    d["ac"] = 3
    with pytest.raises(UsageError, match="does not match"):
        smp.Plan.from_dict(d)


def test_selection_is_exact_reproducible_and_uniform() -> None:
    picks = list(smp.select(1000, 80, seed=5))
    assert sum(picks) == 80 and picks == list(smp.select(1000, 80, seed=5))
    assert picks != list(smp.select(1000, 80, seed=6))
    assert sum(smp.select(10, 50, seed=1)) == 10
    # inclusion frequency of every position is n/N: 2000 draws of 5 from 20, expected 500 each
    counts = [0] * 20
    for seed in range(2000):
        for k, hit in enumerate(smp.select(20, 5, seed)):
            counts[k] += hit
    chi2 = sum((c - 500) ** 2 / 500 for c in counts)
    assert chi2 < 43.8  # chi-square, 19 degrees of freedom, p = 0.001


def test_all_levels_severities_aqls_resolve() -> None:
    for lot, level, sev, aql in itertools.product((2, 90, 3200, 600_000), smp.LEVELS, smp.SEVERITIES,
                                                  smp.aql_values()):
        p = smp.gb2828_plan(lot, aql, level, sev, count="nonconformities")
        assert 1 <= p.sample_size <= lot and p.re == p.ac + 1
