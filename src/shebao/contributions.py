"""Social-insurance and housing-fund contributions: one vectorised kernel, several views.

>>> row = contributions(10000, "北京", on="2025-08-01").set_index("item").loc["pension"]
>>> float(row["employee_monthly"])
800.0
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from shebao.data import PolicyTables, load
from shebao.errors import InputError, NoDataError, RateOutOfRangeError
from shebao.money import PPM, numeric_column, round_amounts, to_fen, to_yuan
from shebao.periods import Resolved, month_number, resolve, to_date
from shebao.regions import NATIONAL, resolve_many, resolve_region
from shebao.schema import ITEM_NAMES_ZH, ROUNDING

HOUSING_FUND = "housing_fund"
CORE_ITEMS = ("pension", "medical", "unemployment", "injury", "housing_fund")  # every region has these
_NO_CEILING = np.iinfo(np.int64).max // (2 * PPM)


@dataclass(frozen=True, eq=False)
class _Params:
    """Integer parameter arrays, shape (regions*months, items); -1 = not set."""

    resolved: Resolved
    arrays: dict[str, np.ndarray]


@lru_cache(maxsize=16)
def _params(tables: PolicyTables, table: str) -> _Params:
    res = resolve(tables, table)
    scale = {"rate": PPM, "money": 100}
    kinds = {"employer_rate": "rate", "employee_rate": "rate", "rate_min": "rate", "rate_max": "rate",
             "rate_default": "rate", "employer_fixed": "money", "employee_fixed": "money",
             "base_floor": "money", "base_ceiling": "money"}
    arrays = {c: res.values(c, scale[kinds[c]]) for c in res.columns if c in kinds}
    rows = res.row[..., res.columns.index("rounding")].reshape(-1, len(res.groups))
    codes = res.table["rounding"].map(lambda r: ROUNDING.index(r) if r else 0).to_numpy(np.int64)
    arrays["rounding"] = np.where(rows >= 0, codes[np.maximum(rows, 0)], 0)
    return _Params(res, arrays)


@dataclass(eq=False)
class Batch:
    """Prepared inputs of one calculation: one element per (person, month)."""

    tables: PolicyTables
    region_id: np.ndarray  # str
    codes: np.ndarray  # region codes
    months: np.ndarray  # month numbers
    base_fen: np.ndarray
    housing_fund_ppm: np.ndarray  # -1 = region default, 0 = not enrolled
    injury_ppm: np.ndarray | None  # -1 or None = the region's rate
    cells: np.ndarray = None  # flat (region, month) cell of each element
    hf_cells: np.ndarray = None  # the same in the housing-fund cube; -1 = no figures / not enrolled
    local: np.ndarray = None  # index of each element's cell in ``ucells``
    ucells: np.ndarray = None  # the distinct cells of the batch (few: regions × months)
    hf_ucells: np.ndarray = None


def prepare(base, region, months, housing_fund_rate=None, injury_rate=None, tables=None) -> Batch:
    """Validate and align inputs (scalars or equal-length columns) into a Batch."""
    tables = tables or load()
    if all(np.isscalar(x) for x in (base, region, months)):
        base, region, months = [base], [region], [months]
    n = next((len(x) for x in (base, region, months) if not np.isscalar(x)), 1)
    index = next((x.index for x in (base, region) if isinstance(x, pd.Series)), pd.RangeIndex(n))
    column = {name: (x.set_axis(index) if isinstance(x, pd.Series) else
                     pd.Series(np.full(n, x, dtype=object) if np.isscalar(x) else x, index=index))
              for name, x in (("base", base), ("region", region))}
    base_yuan = numeric_column(column["base"], "base")
    months = np.broadcast_to(np.asarray(months, dtype=np.int64), n)
    labels, uniques = pd.factorize(column["region"])  # resolve each distinct name once
    if (labels < 0).any():
        bad = index[int(np.argmax(labels < 0))]
        raise InputError("region is missing" + ("" if n == 1 else f" in row {bad!r}"))
    ids = np.array([resolve_region(name, tables) for name in uniques], dtype=object)
    code_of = resolve(tables, "contributions.csv").code_of
    region_id = ids[labels]
    codes = np.array([code_of[r] for r in ids], dtype=np.int64)[labels]
    batch = Batch(tables, region_id, codes, months, to_fen(base_yuan),
                  _rate_ppm(housing_fund_rate, index, "housing_fund_rate"),
                  None if injury_rate is None else _rate_ppm(injury_rate, index, "injury_rate"))
    batch.cells = _params(tables, "contributions.csv").resolved.check_covered(
        batch.codes, batch.months, "contribution")
    batch.hf_cells = _housing_fund_cells(batch)
    if len(batch.months) and batch.months.min() == batch.months.max():  # payroll: one month, no sort
        first = np.empty(len(ids), dtype=np.int64)
        first[labels[::-1]] = np.arange(len(labels) - 1, -1, -1)  # first row of each label, no sort
        batch.local = labels
        batch.ucells = batch.cells[first]
    else:
        batch.ucells, first, batch.local = np.unique(batch.cells, return_index=True, return_inverse=True)
    batch.hf_ucells = batch.hf_cells[first]
    return batch


def _rate_ppm(rate, index, what) -> np.ndarray:
    """A rate per row in millionths; blank cells give -1 (the region's own rate)."""
    out = np.full(len(index), -1, dtype=np.int64)
    if rate is None:
        return out
    values = pd.Series(rate if np.isscalar(rate) else np.asarray(rate, dtype=object), index=index)
    known = values.notna().to_numpy()
    if known.any():
        out[known] = np.rint(numeric_column(values[known], what, upper=1) * PPM)
    return out


def _housing_fund_cells(batch: Batch) -> np.ndarray:
    """Housing-fund cube cells; -1 where the tables hold no figures."""
    res = _params(batch.tables, "housing_fund.csv").resolved
    offset = batch.months - res.first_month
    inside = (offset >= 0) & (offset < res.covered.shape[1])
    covered = np.zeros(len(offset), dtype=bool)
    covered[inside] = res.covered[batch.codes[inside], offset[inside]]
    return np.where(covered, batch.codes * res.covered.shape[1] + offset, -1)


def item_amounts(batch: Batch):
    """Yield (item, present, base_used_fen, employee_fen, employer_fen, employee_ppm, employer_ppm).

    One pass per item over whole columns. Parameters are looked up once per distinct
    (region, month) cell and spread to the rows; items no row has are skipped.
    """
    n = len(batch.base_fen)
    p = _params(batch.tables, "contributions.csv")
    override = batch.injury_ppm is not None
    for g, item in enumerate(p.resolved.groups):
        cell = {name: values[batch.ucells, g] for name, values in p.arrays.items()}
        # An item counts only when both sides and both base limits are known; a half-known item
        # would understate the total silently, so it is reported missing instead.
        limits = (cell["base_floor"] >= 0) & (cell["base_ceiling"] >= 0) \
            & ((cell["employee_rate"] >= 0) | (cell["employee_fixed"] >= 0))
        employer_known = (cell["employer_rate"] >= 0) | (cell["employer_fixed"] >= 0)
        get = {name: _spread(values, batch.local) for name, values in cell.items()}
        if item == "injury" and override:
            get["employer_rate"] = np.where(batch.injury_ppm >= 0, batch.injury_ppm, get["employer_rate"])
            present = _spread(limits, batch.local) & ((batch.injury_ppm >= 0) | _spread(employer_known, batch.local))
        elif (limits & employer_known).any():
            present = _spread(limits & employer_known, batch.local)
        else:
            continue
        present = np.broadcast_to(present, n)
        if present.any():
            yield (item, present, *_amounts(batch.base_fen, get, get["employee_rate"], get["employer_rate"]))
    h = _params(batch.tables, "housing_fund.csv")
    enrolled = batch.hf_ucells >= 0
    cell = {name: np.where(enrolled, values[np.maximum(batch.hf_ucells, 0), 0], -1)
            for name, values in h.arrays.items()}
    complete = enrolled & (cell["base_floor"] >= 0) & (cell["base_ceiling"] >= 0)
    if complete.any():
        get = {name: _spread(values, batch.local) for name, values in cell.items()}
        rate = _housing_fund_rate(batch, get, _spread(complete, batch.local))
        get.update(employer_fixed=-1, employee_fixed=-1)
        present = np.broadcast_to(_spread(complete, batch.local) & (rate >= 0) & (batch.housing_fund_ppm != 0), n)
        yield (HOUSING_FUND, present, *_amounts(batch.base_fen, get, rate, rate))


def _spread(per_cell: np.ndarray, local: np.ndarray):
    """Per-row values from per-cell values: a scalar when every cell agrees (the common case)."""
    if len(per_cell) and (per_cell == per_cell[0]).all():
        return per_cell[0]
    return per_cell[local]


def _amounts(base_fen, get, employee_ppm, employer_ppm):
    floor = np.maximum(get["base_floor"], 0)
    ceiling = np.where(get["base_ceiling"] >= 0, get["base_ceiling"], _NO_CEILING)
    used = np.minimum(np.maximum(base_fen, floor), ceiling)
    n = len(base_fen)
    amounts = []
    for ppm, fixed in ((employee_ppm, get["employee_fixed"]), (employer_ppm, get["employer_fixed"])):
        amount = round_amounts(used * np.maximum(ppm, 0), get["rounding"])
        if np.ndim(fixed) or fixed > 0:  # skip a pass over the column when no row has a fixed amount
            amount = amount + np.maximum(fixed, 0)
        amounts.append(np.broadcast_to(amount, n))
    return (used, *amounts, np.broadcast_to(employee_ppm, n), np.broadcast_to(employer_ppm, n))


def _housing_fund_rate(batch: Batch, get, enrolled):
    asked = batch.housing_fund_ppm
    default = np.where(get["rate_default"] >= 0, get["rate_default"], get["rate_min"])
    if not (asked > 0).any():
        return default
    low = np.where(get["rate_min"] >= 0, get["rate_min"], 0)
    high = np.where(get["rate_max"] >= 0, get["rate_max"], PPM)
    bad = np.broadcast_to(enrolled & (asked > 0) & ((asked < low) | (asked > high)), asked.shape)
    if bad.any():
        i = int(np.argmax(bad))
        low_i, high_i = np.broadcast_to(low, asked.shape)[i], np.broadcast_to(high, asked.shape)[i]
        raise RateOutOfRangeError(
            f"housing_fund_rate {asked[i] / PPM:g} is outside {batch.region_id[i]}'s allowed range "
            f"{low_i / PPM:g}–{high_i / PPM:g}" + ("" if len(asked) == 1 else f" (row {i})"))
    return np.where(asked > 0, asked, default)


# ---------------------------------------------------------------- public views


def payroll(frame: pd.DataFrame, on=None, *, tables: PolicyTables | None = None) -> pd.DataFrame:
    """Contributions of many employees in one month, one wide row each (index kept).

    ``frame`` needs columns ``region`` and ``base``; ``housing_fund_rate`` and ``injury_rate``
    are optional. Amounts are yuan, exact to the fen.

    >>> payroll(pd.DataFrame({"region": ["上海", "北京"], "base": [8000, 12000]}), on="2025-08-01")[
    ...     "pension_employee"].tolist()
    [640.0, 960.0]
    """
    if not isinstance(frame, pd.DataFrame):
        raise InputError("payroll needs a DataFrame with columns 'region' and 'base'")
    missing = [c for c in ("region", "base") if c not in frame]
    if missing:
        raise InputError(f"payroll input lacks column(s) {missing}; it has {list(frame.columns)}")
    month = month_number(to_date(on if on is not None else dt.date.today()))
    batch = prepare(frame["base"], frame["region"], np.full(len(frame), month),
                    frame.get("housing_fund_rate"), frame.get("injury_rate"), tables)
    out = pd.DataFrame(index=frame.index)
    employee_total = np.zeros(len(frame), dtype=np.int64)
    employer_total = np.zeros(len(frame), dtype=np.int64)
    clamped = np.zeros(len(frame), dtype=bool)
    for item, present, used, employee, employer, *_ in item_amounts(batch):
        if not present.any():
            continue
        if not present.all():
            employee, employer = np.where(present, employee, 0), np.where(present, employer, 0)
        out[f"{item}_employee"], out[f"{item}_employer"] = to_yuan(employee), to_yuan(employer)
        employee_total += employee
        employer_total += employer
        clamped |= present & (used != batch.base_fen)
    out["employee_total"], out["employer_total"] = to_yuan(employee_total), to_yuan(employer_total)
    out["base_clamped"] = clamped
    return out


def _long(batch: Batch, extra: dict | None = None) -> pd.DataFrame:
    """One row per (input element, item present), with provenance."""
    parts = []
    names = batch.tables["regions.csv"].set_index("region_id")["short_zh"]
    for item, present, used, employee, employer, ee_ppm, er_ppm in item_amounts(batch):
        idx = np.flatnonzero(present)
        if not len(idx):
            continue
        part = pd.DataFrame({
            "row": idx,
            "region": names.reindex(batch.region_id[idx]).to_numpy(),
            "region_id": batch.region_id[idx],
            "item": item,
            "item_zh": ITEM_NAMES_ZH[item],
            "base_used": to_yuan(used[idx]),
            "base_clamped": used[idx] != batch.base_fen[idx],
            "employee_rate": np.maximum(ee_ppm[idx], 0) / PPM,
            "employer_rate": np.maximum(er_ppm[idx], 0) / PPM,
            "employee_monthly": to_yuan(employee[idx]),
            "employer_monthly": to_yuan(employer[idx]),
        })
        part = part.join(_provenance(batch, item, idx))
        parts.append(part)
    out = pd.concat(parts, ignore_index=True)
    for name, values in (extra or {}).items():
        out.insert(1, name, np.asarray(values)[out["row"].to_numpy()])
    return out.sort_values(["row", "item"], key=_item_order, kind="stable").reset_index(drop=True)


def _item_order(series: pd.Series) -> pd.Series:
    if series.name != "item":
        return series
    order = {name: i for i, name in enumerate(ITEM_NAMES_ZH)}
    return series.map(order)


def _provenance(batch: Batch, item: str, idx: np.ndarray) -> pd.DataFrame:
    """source_region, source_id and confidence of the rows that gave each element's figures."""
    table = "housing_fund.csv" if item == HOUSING_FUND else "contributions.csv"
    res = _params(batch.tables, table).resolved
    cells = (batch.hf_cells if item == HOUSING_FUND else batch.cells)[idx]
    rows = res.row[..., res.groups.index(item), :].reshape(-1, len(res.columns))[cells]
    labels = {}
    for key in np.unique(cells):
        used = [r for r in dict.fromkeys(rows[cells == key][0]) if r >= 0]
        used.sort(key=lambda r: -len(res.table.at[r, "region_id"].rstrip("0")))
        sel = res.table.loc[used]
        confidence = "official" if (sel["confidence"] == "official").all() else "corroborated"
        labels[key] = (";".join(dict.fromkeys(sel["region_id"])), ";".join(dict.fromkeys(sel["source_id"])),
                       confidence)
    found = [labels[c] for c in cells]
    return pd.DataFrame(found, columns=["source_region", "source_id", "confidence"])


def contributions(base, region, on=None, housing_fund_rate=None, injury_rate=None,
                  *, tables: PolicyTables | None = None) -> pd.DataFrame:
    """Monthly contributions per item for a base in a region on a date (default today).

    Scalars give one row per item; columns give one row per (element, item) with ``row``.

    >>> contributions(30000, "上海", on="2025-08-01")["base_clamped"].any()
    np.False_
    """
    month = month_number(to_date(on if on is not None else dt.date.today()))
    scalar = np.isscalar(base) and np.isscalar(region)
    n = 1 if scalar else len(base if not np.isscalar(base) else region)
    batch = prepare(base, region, month if scalar else np.full(n, month), housing_fund_rate,
                    injury_rate, tables)
    out = _long(batch)
    return out.drop(columns="row") if scalar else out


def yearly_contributions(base, region, year: int, housing_fund_rate=None, injury_rate=None,
                         *, tables: PolicyTables | None = None) -> pd.DataFrame:
    """Month by month (1–12) contributions for one person in one year, one row per (month, item).

    Limits that change mid-year (e.g. on July 1) apply from their month on.

    >>> yearly_contributions(10000, "北京", 2025)["month"].nunique()
    12
    """
    if not np.isscalar(base) or not np.isscalar(region):
        raise InputError("yearly_contributions takes one base and one region; use payroll for many")
    year = _year(year)
    months = np.arange(12) + year * 12
    batch = prepare(np.full(12, base, dtype=object), np.full(12, region, dtype=object), months,
                    None if housing_fund_rate is None else np.full(12, housing_fund_rate, dtype=object),
                    None if injury_rate is None else np.full(12, injury_rate, dtype=object), tables)
    return _long(batch, {"month": np.arange(1, 13)}).drop(columns="row")


def month_table(yearly: pd.DataFrame) -> pd.DataFrame:
    """12 rows (month, employee, employer, total) plus a total row whose month is <NA>."""
    sums = yearly.groupby("month")[["employee_monthly", "employer_monthly"]].sum()
    fen = (sums * 100).round().astype("int64")
    fen.columns = ["employee", "employer"]
    fen["total"] = fen["employee"] + fen["employer"]
    fen.loc[pd.NA] = fen.sum()
    out = (fen / 100).reset_index()
    out["month"] = out["month"].astype("Int64")
    return out


def _year(year) -> int:
    if isinstance(year, bool) or not isinstance(year, (int, np.integer)) or not 1990 <= year <= 2100:
        raise InputError(f"year must be an integer like 2025, got {year!r}")
    return int(year)


def covered_regions(year: int, tables: PolicyTables | None = None) -> list[str]:
    """region_ids whose own (or province's) contribution rows cover all 12 months of ``year``."""
    tables = tables or load()
    res = _params(tables, "contributions.csv").resolved
    offs = np.arange(12) + _year(year) * 12 - res.first_month
    if offs[0] < 0 or offs[-1] >= res.covered.shape[1]:
        return []
    full = res.covered[:, offs].all(axis=1)
    return [r for r, keep in zip(res.region_ids, full) if keep and r != NATIONAL]


def compare(base, year: int, regions=None, housing_fund_rate=None,
            *, tables: PolicyTables | None = None) -> pd.DataFrame:
    """Yearly employee, employer and total contributions at one base, one row per region.

    ``regions=None`` takes every region with figures for the whole year. Sorted by total, highest first.
    ``missing_items`` names core items the tables hold no figures for; the totals leave them out.

    >>> list(compare(10000, 2025, ["北京", "上海"]).columns[:4])
    ['region', 'region_id', 'employee_yearly', 'employer_yearly']
    """
    tables = tables or load()
    year = _year(year)
    ids = covered_regions(year, tables) if regions is None else \
        list(dict.fromkeys(resolve_many(list(regions), tables)))
    if not ids:
        raise NoDataError(f"no region has figures for all of {year}")
    n = len(ids) * 12
    batch = prepare(np.full(n, base, dtype=object), np.repeat(ids, 12).astype(object),
                    np.tile(np.arange(12) + year * 12, len(ids)),
                    None if housing_fund_rate is None else np.full(n, housing_fund_rate, dtype=object),
                    None, tables)
    employee = np.zeros(n, dtype=np.int64)
    employer = np.zeros(n, dtype=np.int64)
    lacking = {}
    for item, present, _, ee, er, *_ in item_amounts(batch):
        employee += np.where(present, ee, 0)
        employer += np.where(present, er, 0)
        if item in CORE_ITEMS:
            lacking[item] = ~present
    per_region = pd.DataFrame({"region_id": np.repeat(ids, 12), "employee": employee, "employer": employer,
                               **{f"lacks_{item}": lacking.get(item, True) for item in CORE_ITEMS}}) \
        .groupby("region_id", sort=False).agg({"employee": "sum", "employer": "sum",
                                               **{f"lacks_{i}": "any" for i in CORE_ITEMS}})
    names = tables["regions.csv"].set_index("region_id")
    out = pd.DataFrame({
        "region": names.loc[per_region.index, "short_zh"].to_numpy(),
        "region_id": per_region.index,
        "employee_yearly": to_yuan(per_region["employee"].to_numpy()),
        "employer_yearly": to_yuan(per_region["employer"].to_numpy()),
        "total_yearly": to_yuan((per_region["employee"] + per_region["employer"]).to_numpy()),
        "missing_items": [",".join(i for i in CORE_ITEMS if row[f"lacks_{i}"]) for _, row in per_region.iterrows()],
        "name_en": names.loc[per_region.index, "name_en"].to_numpy(),
    })
    return out.sort_values("total_yearly", ascending=False, kind="stable").reset_index(drop=True)


def missing_items(region, on=None, *, tables: PolicyTables | None = None) -> list[str]:
    """Core items (pension, medical, …, housing_fund) the tables hold no figures for in that month.

    >>> missing_items("北京", "2025-08-01")
    []
    """
    month = month_number(to_date(on if on is not None else dt.date.today()))
    batch = prepare(0, region, month, tables=tables)
    found = {item for item, present, *_ in item_amounts(batch) if present[0]}
    return [item for item in CORE_ITEMS if item not in found]
