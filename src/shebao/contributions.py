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
    """Prepared inputs of one calculation, one element per (person, month).

    Parameters live per distinct (region, month) cell (``ucells``, few); ``local`` maps each
    element to its cell, so per-element work is only the arithmetic itself.
    """

    tables: PolicyTables
    index: pd.Index
    ids: np.ndarray  # the distinct region_ids
    labels: np.ndarray  # element → position in ids
    months: np.ndarray  # element → month number
    base_fen: np.ndarray
    housing_fund_ppm: np.ndarray | np.int64  # -1 = region default, 0 = not enrolled
    injury_ppm: np.ndarray | np.int64  # -1 = the region's rate
    local: np.ndarray  # element → position in ucells
    ucells: np.ndarray  # distinct contribution cells
    hf_ucells: np.ndarray  # their housing-fund cells, -1 = no figures

    @property
    def region_id(self) -> np.ndarray:
        return self.ids[self.labels]

    @property
    def cells(self) -> np.ndarray:
        return self.ucells[self.local]

    @property
    def hf_cells(self) -> np.ndarray:
        return self.hf_ucells[self.local]


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
    base_fen = to_fen(numeric_column(column["base"], "base"))
    labels, uniques = pd.factorize(column["region"])  # resolve each distinct name once
    if (labels < 0).any():
        bad = index[int(np.argmax(labels < 0))]
        raise InputError("region is missing" + ("" if n == 1 else f" in row {bad!r}"))
    ids = np.array([resolve_region(name, tables) for name in uniques], dtype=object)
    contrib = _params(tables, "contributions.csv").resolved
    codes = np.array([contrib.code_of[r] for r in ids], dtype=np.int64)
    months = np.broadcast_to(np.asarray(months, dtype=np.int64), n)
    if n and months.min() == months.max():  # one month (payroll): one cell per region, no sort
        local, cell_codes, cell_months = labels, codes, np.full(len(ids), months[0])
    else:
        low = int(months.min()) if n else 0
        keys, local = np.unique(labels.astype(np.int64) * 100_000 + (months - low), return_inverse=True)
        cell_codes, cell_months = codes[keys // 100_000], keys % 100_000 + low
    ucells = contrib.check_covered(cell_codes, cell_months, "contribution")
    return Batch(tables, index, ids, labels, months, base_fen,
                 _rate_ppm(housing_fund_rate, index, "housing_fund_rate"),
                 _rate_ppm(injury_rate, index, "injury_rate"), np.asarray(local, dtype=np.int64), ucells,
                 _housing_fund_cells(tables, cell_codes, cell_months))


def _rate_ppm(rate, index, what):
    """A rate in millionths: a scalar for one rate, an array for a column; blank/None → -1."""
    if rate is None:
        return np.int64(-1)
    if np.isscalar(rate):
        return np.int64(np.rint(numeric_column(pd.Series([rate]), what, upper=1)[0] * PPM))
    values = pd.Series(np.asarray(rate, dtype=object), index=index)
    known = values.notna().to_numpy()
    out = np.full(len(index), -1, dtype=np.int64)
    if known.any():
        out[known] = np.rint(numeric_column(values[known], what, upper=1) * PPM)
    return out


def _housing_fund_cells(tables, codes: np.ndarray, months: np.ndarray) -> np.ndarray:
    """Housing-fund cube cells of (region code, month) pairs; -1 where the tables hold no figures."""
    res = _params(tables, "housing_fund.csv").resolved
    offset = months - res.first_month
    inside = (offset >= 0) & (offset < res.covered.shape[1])
    covered = np.zeros(len(offset), dtype=bool)
    covered[inside] = res.covered[codes[inside], offset[inside]]
    return np.where(covered, codes * res.covered.shape[1] + offset, -1)


def item_amounts(batch: Batch):
    """Yield (item, present, base_used_fen, employee_fen, employer_fen, employee_ppm, employer_ppm).

    One pass per item over whole columns; items no element has are skipped.
    """
    p = _params(batch.tables, "contributions.csv")
    injury = batch.injury_ppm
    for g, item in enumerate(p.resolved.groups):
        cell = {name: values[batch.ucells, g] for name, values in p.arrays.items()}
        # An item counts only when both sides and both base limits are known; a half-known item
        # would understate the total silently, so it is reported missing instead.
        rest = (cell["base_floor"] >= 0) & (cell["base_ceiling"] >= 0) \
            & ((cell["employee_rate"] >= 0) | (cell["employee_fixed"] >= 0))
        employer_known = (cell["employer_rate"] >= 0) | (cell["employer_fixed"] >= 0)
        get = {name: _spread(values, batch.local) for name, values in _clean(cell).items()}
        if item == "injury" and (np.ndim(injury) or injury >= 0):
            get["employer_rate"] = np.where(injury >= 0, injury, get["employer_rate"])
            present = _spread(rest, batch.local) & ((injury >= 0) | _spread(employer_known, batch.local))
        elif (rest & employer_known).any():
            present = _spread(rest & employer_known, batch.local)
        else:
            continue
        yield (item, np.broadcast_to(present, len(batch.base_fen)), *_amounts(batch.base_fen, get))
    h = _params(batch.tables, "housing_fund.csv")
    enrolled = batch.hf_ucells >= 0
    cell = {name: np.where(enrolled, values[np.maximum(batch.hf_ucells, 0), 0], -1)
            for name, values in h.arrays.items()}
    default = np.where(cell["rate_default"] >= 0, cell["rate_default"], cell["rate_min"])
    complete = enrolled & (cell["base_floor"] >= 0) & (cell["base_ceiling"] >= 0) & (default >= 0)
    if complete.any():
        get = {name: _spread(values, batch.local) for name, values in _clean(cell).items()}
        get["employee_rate"] = get["employer_rate"] = _housing_fund_rate(batch, get, _spread(default, batch.local))
        present = _spread(complete, batch.local) & (batch.housing_fund_ppm != 0)
        yield (HOUSING_FUND, np.broadcast_to(present, len(batch.base_fen)), *_amounts(batch.base_fen, get))


def _clean(cell: dict) -> dict:
    """Per-cell parameters ready for arithmetic: unknown floor 0, no ceiling, rates and fixed ≥ 0."""
    out = {name: np.maximum(values, 0) for name, values in cell.items()}
    out["base_ceiling"] = np.where(cell["base_ceiling"] >= 0, cell["base_ceiling"], _NO_CEILING)
    for side in ("employee", "employer"):
        out.setdefault(f"{side}_rate", np.zeros(len(out["base_floor"]), dtype=np.int64))
        out.setdefault(f"{side}_fixed", np.zeros(len(out["base_floor"]), dtype=np.int64))
    return out


def _spread(per_cell: np.ndarray, local: np.ndarray):
    """Per-element values from per-cell values: a scalar when every cell agrees (the common case)."""
    if len(per_cell) and (per_cell == per_cell[0]).all():
        return per_cell[0]
    return per_cell[local]


def _amounts(base_fen, get):
    """base_used, employee and employer amounts (fen) and the two rates (ppm) of one item."""
    n = len(base_fen)
    used = np.maximum(base_fen, get["base_floor"])
    np.minimum(used, get["base_ceiling"], out=used)
    amounts = []
    for side in ("employee", "employer"):
        amount = round_amounts(used * get[f"{side}_rate"], get["rounding"])
        fixed = get[f"{side}_fixed"]
        if np.ndim(fixed) or fixed > 0:  # skip a pass over the column when no element has a fixed amount
            amount += fixed
        amounts.append(np.broadcast_to(amount, n))
    return (used, *amounts, np.broadcast_to(get["employee_rate"], n), np.broadcast_to(get["employer_rate"], n))


def _housing_fund_rate(batch: Batch, get, default):
    asked = batch.housing_fund_ppm
    if not np.any(asked > 0):
        return default
    low, high = get["rate_min"], np.where(get["rate_max"] > 0, get["rate_max"], PPM)
    bad = np.broadcast_to((asked > 0) & ((asked < low) | (asked > high)), batch.base_fen.shape)
    if bad.any():
        i = int(np.argmax(bad))
        value = np.broadcast_to(asked, bad.shape)[i]
        low_i, high_i = np.broadcast_to(low, bad.shape)[i], np.broadcast_to(high, bad.shape)[i]
        raise RateOutOfRangeError(
            f"housing_fund_rate {value / PPM:g} is outside {batch.region_id[i]}'s allowed range "
            f"{low_i / PPM:g}–{high_i / PPM:g}" + ("" if len(bad) == 1 else f" (row {batch.index[i]!r})"))
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
    batch = prepare(frame["base"], frame["region"], month,
                    frame.get("housing_fund_rate"), frame.get("injury_rate"), tables)
    columns = {}
    employee_total = np.zeros(len(frame), dtype=np.int64)
    employer_total = np.zeros(len(frame), dtype=np.int64)
    clamped = np.zeros(len(frame), dtype=bool)
    for item, present, used, employee, employer, *_ in item_amounts(batch):
        everyone = present.all()
        if not everyone:
            employee, employer = np.where(present, employee, 0), np.where(present, employer, 0)
        columns[f"{item}_employee"], columns[f"{item}_employer"] = to_yuan(employee), to_yuan(employer)
        employee_total += employee
        employer_total += employer
        clamped |= (used != batch.base_fen) if everyone else present & (used != batch.base_fen)
    columns["employee_total"], columns["employer_total"] = to_yuan(employee_total), to_yuan(employer_total)
    columns["base_clamped"] = clamped
    return pd.DataFrame(columns, index=frame.index, copy=False)


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


def missing_items(region, on=None, housing_fund_rate=None, *, tables: PolicyTables | None = None) -> list[str]:
    """Core items (pension, medical, …, housing_fund) the tables hold no figures for in that month.

    ``housing_fund_rate=0`` (not enrolled) leaves the housing fund off the list.

    >>> missing_items("北京", "2025-08-01")
    []
    """
    month = month_number(to_date(on if on is not None else dt.date.today()))
    batch = prepare(0, region, month, housing_fund_rate, tables=tables)
    found = {item for item, present, *_ in item_amounts(batch) if present[0]}
    if housing_fund_rate == 0:
        found.add(HOUSING_FUND)
    return [item for item in CORE_ITEMS if item not in found]
