"""The benchmarks' own agreement checks, run small: each fast path equals its reference to the fen.

Only correctness is asserted here; the speed ratios are measured by running the scripts (see README).
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

import payroll_bench
import reimburse_bench


def test_payroll_bench_kernels_agree(capsys):
    payroll_bench.run([3000], 500)  # asserts reference == payroll and payroll == bare kernel
    assert "rows/s" in capsys.readouterr().out


def test_reimburse_bench_engines_agree(capsys):
    reimburse_bench.main(2000)  # asserts the vectorised engine equals the per-bill Decimal loop
    assert "bills/s" in capsys.readouterr().out
