"""Speed of the vectorised bill engine against a straightforward per-bill loop (one run, ratios).

    python benchmarks/reimburse_bench.py [N]

The per-bill reference walks the bills of each person in date order, keeps the year's running
in-scope total and fund total, and applies the same rule rows with Decimal arithmetic. Both must
agree to the fen; the script asserts it.
"""

from __future__ import annotations

import sys
import time
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd

import shebao as sb
from shebao.data import load


def make_bills(n: int, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        "person": rng.integers(0, max(1, n // 4), n).astype(str), "region": "深圳",
        "amount": rng.integers(0, 30_000_000, n) / 100,
        "date": pd.Timestamp("2025-01-01") + pd.to_timedelta(rng.integers(0, 365, n), unit="D"),
        "level": rng.choice(["level1", "level2", "level3"], n), "retired": rng.random(n) < 0.25,
    })


def reference(bills: pd.DataFrame) -> list[Decimal]:
    """Per-bill loop over the same 深圳 rows (per-admission deductible, one band, no cap)."""
    rows = load()["reimbursement.csv"]
    rule = {(r.person, r.level): r for r in rows[rows["region_id"] == "440300"].itertuples()}
    seen: dict[tuple, int] = {}
    paid = [Decimal(0)] * len(bills)
    order = bills.sort_values(["person", "date"], kind="stable")
    for i, row in zip(order.index, order.itertuples()):
        r = rule[("retired" if row.retired else "in_service", row.level)]
        key = (row.person, row.date.year)
        deductible = Decimal(str(r.deductible if seen.get(key, 0) == 0 else r.deductible_repeat))
        seen[key] = seen.get(key, 0) + 1
        amount = Decimal(str(row.amount))
        base = max(Decimal(0), amount - deductible)
        paid[i] = (base * Decimal(str(r.ratio))).quantize(Decimal("0.01"), ROUND_HALF_UP)
    return paid


def main(n: int) -> None:
    bills = make_bills(n)
    start = time.perf_counter()
    fast = sb.reimburse(bills)
    vectorised = time.perf_counter() - start
    sample = bills.iloc[: min(n, 20_000)].reset_index(drop=True)
    start = time.perf_counter()
    slow = reference(sample)
    per_bill = (time.perf_counter() - start) / len(sample)
    check = sb.reimburse(sample)["fund_pays"]
    assert [Decimal(str(v)).quantize(Decimal("0.01")) for v in check] == slow, "engines disagree"
    print(f"{n:,} bills: vectorised {vectorised:.2f} s ({n / vectorised:,.0f} bills/s); "
          f"per-bill reference {1 / per_bill:,.0f} bills/s on {len(sample):,} → ratio {per_bill * n / vectorised:.2f}× (above 1 = the vectorised engine is faster)")
    assert len(fast) == n


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
