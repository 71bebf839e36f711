"""Speed of ``payroll`` against a per-row Python reference and a bare numpy kernel (ratios, one run).

    python benchmarks/payroll_bench.py [--sizes 1000000 10000000] [--reference-rows 100000]

The per-row reference (benchmarks/reference.py) applies the same rule one employee at a time:
look up each figure with fallback, clamp, multiply and round half up with ``decimal``; it is
timed on --reference-rows rows and compared as rows per second. The bare
kernel gets region codes, integer fen and parameter arrays ready-made and does only the
arithmetic. Peak memory is the child process's max RSS for the largest size.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time

import numpy as np
import pandas as pd

ON = "2025-08-01"


def synthetic(n: int, seed: int = 0) -> pd.DataFrame:
    import shebao as sb

    regions = sb.covered_regions(2025)
    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        "region": pd.Categorical.from_codes(rng.integers(0, len(regions), n), categories=regions),
        "base": rng.integers(0, 6_000_000, n) / 100,
    })


def parameters(frame: pd.DataFrame):
    """Per-region, per-item parameters in force on ON, as the bare kernel gets them ready-made."""
    import shebao as sb

    table = {}
    for region in frame["region"].cat.categories:
        rows = sb.contributions(10000, region, on=ON).set_index("item")
        low = sb.contributions(0, region, on=ON).set_index("item")["base_used"]
        high = sb.contributions(1e8, region, on=ON).set_index("item")["base_used"]
        table[region] = {item: (round(r.employee_rate * 1e6), round(r.employer_rate * 1e6),
                                round(low[item] * 100), round(high[item] * 100),
                                _fixed(r.employee_monthly, r.base_used, r.employee_rate),
                                _fixed(r.employer_monthly, r.base_used, r.employer_rate))
                         for item, r in rows.iterrows()}
    return table


def rounding_units(categories, items) -> np.ndarray:
    """Fen per rounding unit (1 fen, 10 jiao, 100 yuan) of each (region, item) in force on ON; half up only."""
    import shebao as sb
    from shebao.periods import month_number, resolve, to_date

    tables = sb.load()
    units = np.ones((len(categories), len(items)), dtype=np.int64)
    for table in ("contributions.csv", "housing_fund.csv"):
        res = resolve(tables, table)
        month = month_number(to_date(ON)) - res.first_month
        column = res.columns.index("rounding")
        for c, region in enumerate(categories):
            for i, item in enumerate(items):
                if item not in res.groups:
                    continue
                row = res.row[res.code_of[region], month, res.groups.index(item), column]
                rule = res.table.at[row, "rounding"] if row >= 0 else None
                if rule:
                    unit, mode = rule.split("_", 1)
                    assert mode == "half_up", f"the bare kernel rounds half up only ({region} {item}: {rule})"
                    units[c, i] = {"fen": 1, "jiao": 10, "yuan": 100}[unit]
    return units


def _fixed(monthly: float, base_used: float, rate: float) -> int:
    """The fixed part of a monthly amount (fen): the amount less the rate on the base, rounded half up."""
    return round(monthly * 100) - (round(base_used * 100) * round(rate * 1e6) + 500_000) // 1_000_000


def per_row_reference(frame: pd.DataFrame) -> list[int]:
    """Employee totals in fen, one employee at a time (benchmarks/reference.py)."""
    import datetime as dt

    from reference import Reference

    import shebao as sb

    reference = Reference(sb.load())
    day = dt.date.fromisoformat(ON)
    return [int(sum(e for e, _ in reference.employee(region, base, day).values()) * 100)
            for region, base in zip(frame["region"], frame["base"])]


def bare_kernel(codes, base, items, ee, er, low, high, fixed_ee, fixed_er, unit):
    """The same arithmetic and outputs (per-item yuan columns, totals) with everything ready-made;
    ``unit`` is the rounding unit in fen (1, 10 or 100), half up."""
    base_fen = np.rint(base * 100).astype(np.int64)
    out = {}
    employee_total = np.zeros(len(codes), dtype=np.int64)
    employer_total = np.zeros(len(codes), dtype=np.int64)
    for i, item in enumerate(items):
        used = np.minimum(np.maximum(base_fen, low[codes, i]), high[codes, i])
        step = unit[codes, i] * 1_000_000
        employee = (used * ee[codes, i] + step // 2) // step * unit[codes, i] + fixed_ee[codes, i]
        employer = (used * er[codes, i] + step // 2) // step * unit[codes, i] + fixed_er[codes, i]
        out[f"{item}_employee"], out[f"{item}_employer"] = employee / 100, employer / 100
        employee_total += employee
        employer_total += employer
    out["employee_total"], out["employer_total"] = employee_total / 100, employer_total / 100
    return out


def timed(fn, *args):
    start = time.perf_counter()
    result = fn(*args)
    return time.perf_counter() - start, result


def run(sizes, reference_rows):
    import shebao as sb

    small = synthetic(reference_rows)
    t_ref, ref = timed(per_row_reference, small)
    check = sb.payroll(small, on=ON)
    assert [round(x * 100) for x in check["employee_total"]] == ref, "reference disagrees"
    ref_rate = reference_rows / t_ref
    print(f"per-row reference: {reference_rows:,} rows in {t_ref:.2f} s = {ref_rate:,.0f} rows/s")
    params = parameters(small)
    categories = list(small["region"].cat.categories)
    items = sorted({item for per in params.values() for item in per})
    arrays = np.zeros((6, len(categories), len(items)), dtype=np.int64)  # absent item: rate 0
    for c, region in enumerate(categories):
        for i, item in enumerate(items):
            arrays[:, c, i] = params[region].get(item, (0, 0, 0, 0, 0, 0))
    units = rounding_units(categories, items)
    for n in sizes:
        frame = synthetic(n, seed=1)
        sb.payroll(frame.head(1000), on=ON)  # warm caches
        t_vec, out = timed(sb.payroll, frame, ON)
        t_bare, bare = timed(bare_kernel, frame["region"].cat.codes.to_numpy(), frame["base"].to_numpy(), items,
                             *arrays, units)
        assert np.array_equal(bare["employee_total"], out["employee_total"].to_numpy())
        rate = n / t_vec
        print(f"{n:>12,} rows: payroll {t_vec:.2f} s ({rate:,.0f} rows/s) | bare kernel {t_bare:.2f} s | "
              f"payroll/bare = {t_vec / t_bare:.2f}x | payroll vs per-row reference = {rate / ref_rate:,.0f}x faster")


def peak_memory(n: int) -> None:
    code = ("import sys; sys.path.insert(0, 'benchmarks'); import payroll_bench as b, shebao as sb, resource; "
            f"f = b.synthetic({n}); sb.payroll(f, on=b.ON); "
            "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)")
    kib = int(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)
    print(f"peak memory of a {n:,}-row payroll run (input included): {kib / 1024 / 1024:.2f} GiB")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--reference-rows", type=int, default=20_000)
    args = parser.parse_args()
    run(args.sizes, args.reference_rows)
    peak_memory(max(args.sizes))
