"""Properties that must hold for any input: exact fen, scalar = batch, monotone in the base."""

from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

import shebao as sb

REGIONS = ["上海", "重庆", "广州", "深圳", "成都", "南京"]
bases = st.decimals(min_value=0, max_value=200000, places=2).map(float)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(REGIONS), bases), min_size=1, max_size=8))
def test_scalar_equals_batch_to_the_fen(people):
    frame = pd.DataFrame(people, columns=["region", "base"])
    batch = sb.payroll(frame, on="2025-08-01")
    for i, (region, base) in enumerate(people):
        single = sb.contributions(base, region, on="2025-08-01")
        for row in single.itertuples():
            assert round(batch.loc[i, f"{row.item}_employee"] * 100) == round(row.employee_monthly * 100)
            assert round(batch.loc[i, f"{row.item}_employer"] * 100) == round(row.employer_monthly * 100)


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(REGIONS), bases)
def test_amounts_are_decimal_half_up(region, base):
    for row in sb.contributions(base, region, on="2025-08-01").itertuples():
        expected = (Decimal(str(row.base_used)) * Decimal(str(row.employee_rate))).quantize(
            Decimal("0.01"), rounding=ROUND_HALF_UP)
        assert Decimal(str(row.employee_monthly)) == expected


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(REGIONS), bases, bases)
def test_more_base_never_less_contribution(region, a, b):
    low, high = sorted((a, b))
    out = sb.payroll(pd.DataFrame({"region": [region, region], "base": [low, high]}), on="2025-08-01")
    assert (out.iloc[1].drop("base_clamped") >= out.iloc[0].drop("base_clamped")).all()


def test_totals_are_item_sums():
    rng = np.random.default_rng(1)
    frame = pd.DataFrame({"region": rng.choice(REGIONS, 500), "base": rng.integers(0, 5_000_000, 500) / 100})
    out = sb.payroll(frame, on="2025-08-01")
    employee = out.filter(regex="_employee$").sum(axis=1)
    assert ((employee * 100).round() == (out["employee_total"] * 100).round()).all()
