"""The vectorised payroll equals a straightforward per-row implementation of the rule, to the fen."""

import datetime as dt
import sys
from pathlib import Path

import numpy as np
import pandas as pd

import shebao as sb

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from reference import Reference


def test_payroll_equals_per_row_reference():
    rng = np.random.default_rng(7)
    regions = sb.covered_regions(2025)
    frame = pd.DataFrame({"region": rng.choice(regions, 400), "base": rng.integers(0, 6_000_000, 400) / 100})
    reference = Reference(sb.load())
    for on in ("2025-03-01", "2025-08-01"):
        out = sb.payroll(frame, on=on)
        for label, person in frame.iterrows():
            expected = reference.employee(person["region"], person["base"], dt.date.fromisoformat(on))
            for item, (employee, employer) in expected.items():
                assert round(out.loc[label, f"{item}_employee"] * 100) == int(employee * 100)
                assert round(out.loc[label, f"{item}_employer"] * 100) == int(employer * 100)
            assert round(out.loc[label, "employee_total"] * 100) == int(sum(e for e, _ in expected.values()) * 100)
