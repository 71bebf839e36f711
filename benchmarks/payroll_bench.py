"""Speed of ``payroll`` against a per-row Python reference and a bare numpy kernel (ratios, one run).

    python benchmarks/payroll_bench.py [--sizes 1000000 10000000] [--reference-rows 100000]

The per-row reference applies the same rule (clamp, rate, half-up to the fen, per item) in a
Python loop; it is timed on --reference-rows rows and compared as rows per second. The bare
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
    """Per-region, per-item parameters in force on ON, as the reference and bare kernel see them."""
    import shebao as sb

    table = {}
    for region in frame["region"].cat.categories:
        rows = sb.contributions(10000, region, on=ON)
        table[region] = [(r.item, round(r.employee_rate * 1e6), round(r.employer_rate * 1e6),
                          *_limits(region, r.item)) for r in rows.itertuples()]
    return table


def _limits(region, item):
    import shebao as sb

    low = sb.contributions(0, region, on=ON).set_index("item").loc[item, "base_used"]
    high = sb.contributions(1e8, region, on=ON).set_index("item").loc[item, "base_used"]
    return round(low * 100), round(high * 100)


def per_row_reference(frame: pd.DataFrame, params) -> list[tuple[int, int]]:
    out = []
    for region, base in zip(frame["region"], frame["base"]):
        base_fen = round(base * 100)
        employee = employer = 0
        for _, ee, er, low, high in params[region]:
            used = min(max(base_fen, low), high)
            employee += (used * ee + 500_000) // 1_000_000
            employer += (used * er + 500_000) // 1_000_000
        out.append((employee, employer))
    return out


def bare_kernel(codes, base_fen, ee, er, low, high):
    employee = np.zeros(len(codes), dtype=np.int64)
    employer = np.zeros(len(codes), dtype=np.int64)
    for i in range(ee.shape[1]):
        used = np.minimum(np.maximum(base_fen, low[codes, i]), high[codes, i])
        employee += (used * ee[codes, i] + 500_000) // 1_000_000
        employer += (used * er[codes, i] + 500_000) // 1_000_000
    return employee, employer


def timed(fn, *args):
    start = time.perf_counter()
    result = fn(*args)
    return time.perf_counter() - start, result


def run(sizes, reference_rows):
    import shebao as sb

    small = synthetic(reference_rows)
    params = parameters(small)
    t_ref, ref = timed(per_row_reference, small, params)
    check = sb.payroll(small, on=ON)
    assert [round(x * 100) for x in check["employee_total"]] == [e for e, _ in ref], "reference disagrees"
    ref_rate = reference_rows / t_ref
    print(f"per-row reference: {reference_rows:,} rows in {t_ref:.2f} s = {ref_rate:,.0f} rows/s")
    categories = list(small["region"].cat.categories)
    n_items = max(len(v) for v in params.values())
    arrays = np.zeros((4, len(categories), n_items), dtype=np.int64)
    for c, region in enumerate(categories):
        for i, (_, ee, er, low, high) in enumerate(params[region]):
            arrays[:, c, i] = (ee, er, low, high)
    for n in sizes:
        frame = synthetic(n, seed=1)
        sb.payroll(frame.head(1000), on=ON)  # warm caches
        t_vec, out = timed(sb.payroll, frame, ON)
        codes = frame["region"].cat.codes.to_numpy()
        base_fen = np.rint(frame["base"].to_numpy() * 100).astype(np.int64)
        t_bare, (employee, _) = timed(bare_kernel, codes, base_fen, *arrays)
        assert np.array_equal(employee, np.rint(out["employee_total"].to_numpy() * 100).astype(np.int64))
        rate = n / t_vec
        print(f"{n:>12,} rows: payroll {t_vec:.2f} s ({rate:,.0f} rows/s) | bare kernel {t_bare:.2f} s | "
              f"payroll/bare = {t_vec / t_bare:.1f}x slower | payroll/reference = {rate / ref_rate:,.0f}x faster")


def peak_memory(n: int) -> None:
    code = ("import sys; sys.path.insert(0, 'benchmarks'); import payroll_bench as b, shebao as sb, resource; "
            f"f = b.synthetic({n}); sb.payroll(f, on=b.ON); "
            "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)")
    kib = int(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)
    print(f"peak memory of a {n:,}-row payroll run (input included): {kib / 1024 / 1024:.2f} GiB")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--reference-rows", type=int, default=100_000)
    args = parser.parse_args()
    run(args.sizes, args.reference_rows)
    peak_memory(max(args.sizes))
