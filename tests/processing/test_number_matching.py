"""The qa filter's number pairing is a maximum matching in a fixed order: the same counts in every
process (a set's iteration order follows PYTHONHASHSEED) and the best pairing when a number has
several readings."""

from __future__ import annotations

import os
import subprocess
import sys

from lancang.processing.filters.text import number_mismatch, number_values

ZH = "投資人分別投資了20億英鎊和14億英鎊。研究人員付出了約20年的努力。"
EN = "Investors put £2bn and £1.4bn respectively. Researchers have worked for around 20 years."


def test_each_number_finds_its_reading() -> None:
    # 20億 may mean 20 or 2,000,000,000: pairing it with the 20 (years) would leave 20年 unpaired
    assert number_mismatch(number_values(ZH), number_values(EN)) == (0, 0)


def test_the_same_counts_under_every_hash_seed() -> None:
    code = ("from lancang.processing.filters.text import number_mismatch, number_values\n"
            f"print(number_mismatch(number_values({ZH!r}), number_values({EN!r})))")
    outs = set()
    for seed in ("0", "1", "2", "3", "4", "5"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        outs.add(subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                                check=True).stdout.strip())
    assert outs == {"(0, 0)"}, outs


def test_greedy_past_the_limit_stays_fixed_and_counts_every_number() -> None:
    a = [frozenset({str(i)}) for i in range(300)]
    b = [frozenset({str(i)}) for i in range(150, 450)]
    assert number_mismatch(a, b) == (150, 0)
