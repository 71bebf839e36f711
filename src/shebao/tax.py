"""Individual income tax on wages (累计预扣法), the annual bonus, and take-home pay.

>>> withholding(30000, 4500, 2000, 2025, months=3)["tax_withheld"].tolist()
[555.0, 625.0, 1850.0]
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from shebao.data import PolicyTables, load
from shebao.errors import InputError, NoDataError
from shebao.kernel import CORE_ITEMS as _CORE
from shebao.kernel import HOUSING_FUND, item_amounts, prepare
from shebao.money import PPM, numeric_column, round_amounts, to_fen, to_yuan
from shebao.periods import check_year
from shebao.rules import in_force

_HALF_UP_FEN = 0  # rounding code fen_half_up


@dataclass(frozen=True)
class Schedule:
    """One rate table: lower bounds (fen, exclusive), rates (ppm) and quick deductions (fen)."""

    lower: np.ndarray
    rate: np.ndarray
    quick: np.ndarray

    def tax(self, taxable_fen: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Tax (fen, half up), rate (ppm) and quick deduction (fen) of each taxable amount."""
        taxable_fen = np.maximum(taxable_fen, 0)
        bracket = np.maximum(np.searchsorted(self.lower, taxable_fen, side="left") - 1, 0)
        rate, quick = self.rate[bracket], self.quick[bracket]
        tax = round_amounts(taxable_fen * rate, _HALF_UP_FEN) - quick
        return np.maximum(tax, 0), rate, quick


@dataclass(frozen=True)
class TaxRules:
    year: int
    annual: Schedule
    bonus: Schedule
    basic_deduction_fen: int
    housing_fund_deductible_ppm: int
    bonus_separate: bool


def rules(year: int, tables: PolicyTables | None = None) -> TaxRules:
    """The tax rules in force on 1 January of ``year`` (NoDataError outside the tables)."""
    return _rules(tables or load(), check_year(year))


@lru_cache(maxsize=32)
def _rules(tables: PolicyTables, year: int) -> TaxRules:
    day = dt.date(year, 1, 1)
    horizon = _horizon(tables)
    brackets = in_force(tables["tax_brackets.csv"], day)
    params = in_force(tables["tax_parameters.csv"], day).set_index("parameter")["value"]
    needed = ("basic_deduction_monthly", "housing_fund_deductible_rate")
    if year > horizon or any(p not in params for p in needed) or brackets.empty:
        first = tables["tax_brackets.csv"]["effective_from"].min()
        raise NoDataError(f"no income-tax rules for {year}: the tables cover {first.year} to {horizon}")

    def schedule(name: str) -> Schedule:
        rows = brackets[brackets["schedule"] == name].sort_values("lower")
        return Schedule(to_fen(rows["lower"].to_numpy()), np.rint(rows["rate"].to_numpy() * PPM).astype(np.int64),
                        to_fen(rows["quick_deduction"].to_numpy()))

    return TaxRules(year, schedule("annual_cumulative"), schedule("monthly_bonus"),
                    round(params["basic_deduction_monthly"] * 100),
                    round(params["housing_fund_deductible_rate"] * PPM),
                    bool(params.get("bonus_separate_taxation", 0)))


def _horizon(tables: PolicyTables) -> int:
    """Last year the policy data speaks for: the latest year any regional or tax row reaches."""
    years = [d.year for name in ("contributions.csv", "housing_fund.csv", "tax_brackets.csv", "tax_parameters.csv")
             for column in ("effective_from", "effective_to") for d in tables[name][column].dropna()]
    return max(y for y in years if y < 9999)


def _money(value, index, what: str) -> np.ndarray:
    """Non-negative amounts in fen, one per row; InputError naming the row otherwise."""
    series = pd.Series(value if not np.isscalar(value) else [value] * len(index), index=index)
    return to_fen(numeric_column(series, what))


def _withhold(income: np.ndarray, deductions: np.ndarray, schedule: Schedule):
    """Cumulative withholding over months (axis 1), all in fen.

    Returns cumulative taxable, rate, quick deduction, this month's tax and tax withheld so far.
    A month whose year-to-date tax falls below what was withheld pays nothing (the annual
    settlement refunds), hence the running maximum.
    """
    taxable = np.maximum(np.cumsum(income, axis=1) - np.cumsum(deductions, axis=1), 0)
    due, rate, quick = schedule.tax(taxable)
    withheld = np.maximum.accumulate(due, axis=1)
    this_month = np.diff(withheld, axis=1, prepend=0)
    return taxable, rate, quick, this_month, withheld


def withholding(monthly_wage, contributions, special_deductions, year: int, months: int = 12,
                other_deductions=0, *, tables: PolicyTables | None = None) -> pd.DataFrame:
    """Tax withheld each month under 累计预扣法 for a constant monthly wage.

    ``contributions``: the employee's deductible 三险一金 per month (``take_home`` works it out, with
    the housing-fund cap of 财税〔2006〕10号); ``special_deductions``: 专项附加扣除 per month. Scalars give one row per month; Series give one row per (employee, month) with ``row``.

    >>> withholding(30000, 4500, 2000, 2025, months=2)["cumulative_taxable"].tolist()
    [18500.0, 37000.0]
    """
    rule = rules(year, tables)
    if isinstance(months, bool) or not isinstance(months, (int, np.integer)) or not 1 <= months <= 12:
        raise InputError(f"months must be an integer from 1 to 12, got {months!r}")
    scalar = all(np.isscalar(x) for x in (monthly_wage, contributions, special_deductions, other_deductions))
    index = next((x.index for x in (monthly_wage, contributions, special_deductions, other_deductions)
                  if isinstance(x, pd.Series)), None)
    if index is None:
        n = 1 if scalar else len(next(x for x in (monthly_wage, contributions, special_deductions)
                                      if not np.isscalar(x)))
        index = pd.RangeIndex(n)
    wage = _money(monthly_wage, index, "monthly_wage")
    paid = _money(contributions, index, "contributions")
    extra = _money(special_deductions, index, "special_deductions") + _money(other_deductions, index, "other_deductions")
    _check_deductions(wage, paid, extra, index)
    income = np.repeat(wage[:, None], months, axis=1)
    deductions = np.repeat((rule.basic_deduction_fen + paid + extra)[:, None], months, axis=1)
    taxable, rate, quick, this_month, withheld = _withhold(income, deductions, rule.annual)
    out = pd.DataFrame({
        "row": np.repeat(index.to_numpy(), months),
        "month": np.tile(np.arange(1, months + 1), len(index)),
        "cumulative_income": to_yuan(np.cumsum(income, axis=1).ravel()),
        "cumulative_taxable": to_yuan(taxable.ravel()),
        "rate": rate.ravel() / PPM,
        "quick_deduction": to_yuan(quick.ravel()),
        "tax_withheld": to_yuan(this_month.ravel()),
        "cumulative_tax": to_yuan(withheld.ravel()),
    })
    return out.drop(columns="row") if scalar else out


def _check_deductions(wage, paid, extra, index) -> None:
    for mask, message in ((paid > wage, "contributions exceed the wage"),
                          (extra > wage, "special and other deductions exceed the wage (monthly amounts expected)")):
        if mask.any():
            label = index[int(np.argmax(mask))]
            raise InputError(message + ("" if len(index) == 1 else f" in row {label!r}"))


def bonus_tax(bonus, year: int, *, tables: PolicyTables | None = None):
    """Tax on an annual one-off bonus taxed on its own: bonus × rate − quick deduction, the bracket
    chosen by bonus ÷ 12 on the monthly table. Scalar in, scalar out; Series in, Series out.

    >>> bonus_tax(36000, 2025), bonus_tax(36001, 2025)
    (1080.0, 3390.1)
    """
    rule = rules(year, tables)
    if not rule.bonus_separate:
        raise NoDataError(f"separate taxation of the annual bonus is not in force in {year}")
    scalar = np.isscalar(bonus)
    index = bonus.index if isinstance(bonus, pd.Series) else pd.RangeIndex(1 if scalar else len(bonus))
    tax = _bonus_tax_fen(_money(bonus, index, "bonus"), rule.bonus)
    return float(to_yuan(tax)[0]) if scalar else pd.Series(to_yuan(tax), index=index, name="bonus_tax")


def _bonus_tax_fen(fen: np.ndarray, schedule: Schedule) -> np.ndarray:
    # The bracket is the one of bonus ÷ 12; comparing bonus with 12 × bound avoids dividing.
    bracket = np.maximum(np.searchsorted(schedule.lower * 12, fen, side="left") - 1, 0)
    return np.maximum(round_amounts(fen * schedule.rate[bracket], _HALF_UP_FEN) - schedule.quick[bracket], 0)


def bonus_thresholds(year: int, *, tables: PolicyTables | None = None) -> pd.DataFrame:
    """Where one more yuan of bonus costs a jump in tax: each bracket bound × 12 and the range above
    it in which the bonus nets less after tax than at the bound itself (the 'dead zone').

    >>> bonus_thresholds(2025).iloc[0][["threshold", "dead_zone_to"]].tolist()
    [36000.0, 38566.67]
    """
    rule = rules(year, tables)
    sched = rule.bonus
    rows = []
    for i in range(1, len(sched.lower)):
        bound = sched.lower[i] * 12 / 100
        below = bound * sched.rate[i - 1] / PPM - sched.quick[i - 1] / 100
        next_rate, next_quick = sched.rate[i] / PPM, sched.quick[i] / 100
        just_above = (bound + 0.01) * next_rate - next_quick
        escape = (bound - below - next_quick) / (1 - next_rate)  # net bonus equals the net at the bound
        rows.append({"threshold": bound, "tax_at_threshold": round(below, 2),
                     "tax_one_fen_above": round(just_above, 2), "jump": round(just_above - below, 2),
                     "dead_zone_to": float(np.ceil(escape * 100) / 100), "rate_below": sched.rate[i - 1] / PPM,
                     "rate_above": next_rate})
    return pd.DataFrame(rows)


def take_home(wage, region, year: int, special_deductions=0, housing_fund_rate=None, bonus=None,
              base=None, *, assume_latest: bool = False, tables: PolicyTables | None = None) -> pd.DataFrame:
    """Month-by-month gross, employee contributions, income tax and net pay, and the employer's cost.

    ``base`` (default: the wage) is the contribution base. A ``bonus`` is paid in December and taxed
    the cheaper of the two lawful ways (on its own, or merged into the year's wages); the
    ``bonus_treatment`` column says which, ``bonus_tax_separate`` and ``bonus_tax_merged`` give the
    tax each way would add. The last row per employee (``month`` <NA>) is the year.
    Scalars give one employee; Series (wage, region, deductions, bonus) give many, with ``row``.
    ``missing_items`` names contribution items without sourced figures (left out, so net is higher).

    >>> float(take_home(20000, "上海", 2025)["net"].iloc[-1]) > 0
    True
    """
    tables = tables or load()
    rule = rules(year, tables)
    scalar = all(np.isscalar(x) for x in (wage, region))
    index = next((x.index for x in (wage, region) if isinstance(x, pd.Series)), None)
    if index is None:
        index = pd.RangeIndex(1 if scalar else len(wage if not np.isscalar(wage) else region))
    n = len(index)
    wage_fen = _money(wage, index, "wage")
    special = _money(special_deductions, index, "special_deductions")
    bonus_fen = _money(0 if bonus is None else bonus, index, "bonus")
    base_yuan = to_yuan(wage_fen) if base is None else to_yuan(_money(base, index, "base"))
    _check_deductions(wage_fen, np.zeros(n, dtype=np.int64), special, index)

    regions = pd.Series(region if not np.isscalar(region) else [region] * n, index=index)
    months = np.tile(np.arange(12) + rule.year * 12, n)
    hf = None if housing_fund_rate is None else np.repeat(np.broadcast_to(np.asarray(housing_fund_rate, dtype=object), n), 12)
    batch = prepare(pd.Series(np.repeat(base_yuan, 12), index=index.repeat(12)),  # errors name the person's row
                    np.repeat(regions.to_numpy(), 12), months, hf, None, tables,
                    assume_latest)
    employee = np.zeros(n * 12, dtype=np.int64)
    employer = np.zeros(n * 12, dtype=np.int64)
    deductible = np.zeros(n * 12, dtype=np.int64)
    missing = np.zeros(n * 12, dtype=np.int64)  # bit per core item
    found = set()
    for item, present, used, ee, er, *_ in item_amounts(batch):
        found.add(item)
        ee, er = np.where(present, ee, 0), np.where(present, er, 0)
        employee += ee
        employer += er
        if item == HOUSING_FUND:  # deductible up to the capped share of the fund's base (财税〔2006〕10号)
            deductible += np.minimum(ee, round_amounts(used * rule.housing_fund_deductible_ppm, _HALF_UP_FEN))
        else:
            deductible += ee
        if item in _CORE:
            missing |= np.where(present, 0, 1 << _CORE.index(item))
    for item in _CORE:
        if item not in found:
            missing |= 1 << _CORE.index(item)

    shape = (n, 12)
    income = np.repeat(wage_fen[:, None], 12, axis=1)
    deductions = rule.basic_deduction_fen + deductible.reshape(shape) + special[:, None]
    wage_tax = _withhold(income, deductions, rule.annual)[3]
    merged_income = income.copy()
    merged_income[:, 11] += bonus_fen
    merged_tax = _withhold(merged_income, deductions, rule.annual)[3]
    separate_extra = _bonus_tax_fen(bonus_fen, rule.bonus) if rule.bonus_separate else None
    merged_extra = merged_tax.sum(axis=1) - wage_tax.sum(axis=1)
    use_separate = np.zeros(n, dtype=bool) if separate_extra is None else separate_extra < merged_extra
    bonus_tax_fen = np.where(use_separate, separate_extra if separate_extra is not None else 0, merged_extra)

    month_tax = wage_tax.copy()
    month_tax[:, 11] += bonus_tax_fen
    bonus_col = np.zeros(shape, dtype=np.int64)
    bonus_col[:, 11] = bonus_fen
    gross = income + bonus_col
    employee, employer = employee.reshape(shape), employer.reshape(shape)
    net = gross - employee - month_tax
    columns = {"gross": gross, "bonus": bonus_col, "employee_contributions": employee,
               "deductible_contributions": deductible.reshape(shape), "income_tax": month_tax, "net": net,
               "employer_contributions": employer, "employer_cost": gross + employer}
    rows = {name: np.concatenate([v, v.sum(axis=1, keepdims=True)], axis=1).ravel() for name, v in columns.items()}
    treatment = np.where(bonus_fen == 0, "", np.where(use_separate, "separate", "merged"))
    missing_year = np.bitwise_or.reduce(missing.reshape(shape), axis=1)
    missing_rows = np.concatenate([missing.reshape(shape), missing_year[:, None]], axis=1).ravel()
    out = pd.DataFrame({
        "row": np.repeat(index.to_numpy(), 13),
        "region": np.repeat(batch.region_id.reshape(shape)[:, 0], 13),
        "month": pd.array(np.tile(list(range(1, 13)) + [None], n), dtype="Int64"),
        **{name: to_yuan(values) for name, values in rows.items()},
        "bonus_treatment": np.repeat(treatment, 13),
        "bonus_tax_separate": np.repeat(to_yuan(separate_extra) if separate_extra is not None
                                        else np.full(n, np.nan), 13),
        "bonus_tax_merged": np.repeat(to_yuan(merged_extra), 13),
        "missing_items": pd.Series(missing_rows).map(
            {code: ",".join(i for b, i in enumerate(_CORE) if code >> b & 1) for code in np.unique(missing_rows)}),
    })
    if assume_latest:
        flags = batch.assumed[batch.local].reshape(shape)
        out["assumed_latest"] = np.concatenate([flags, flags.any(axis=1, keepdims=True)], axis=1).ravel()
    return out.drop(columns="row") if scalar else out
