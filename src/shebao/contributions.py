"""Social-insurance and housing-fund contributions: one vectorised kernel, several views.

>>> row = contributions(10000, "北京", on="2025-08-01").set_index("item").loc["pension"]
>>> float(row["employee_monthly"])
800.0
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from shebao.coverage import coverage
from shebao.data import PolicyTables, load
from shebao.errors import InputError, NoDataError
from shebao.kernel import (
    CORE_ITEMS,
    HOUSING_FUND,
    PPM,
    Batch,
    _params,
    item_amounts,
    possible_items,
    prepare,
    regional_items,
)
from shebao.money import to_yuan
from shebao.periods import check_year, month_number, to_date
from shebao.regions import NATIONAL, resolve_many
from shebao.schema import ITEM_NAMES_ZH


def payroll(frame: pd.DataFrame, on=None, *, assume_latest: bool = False,
            tables: PolicyTables | None = None) -> pd.DataFrame:
    """Contributions of many employees in one month, one wide row each (index kept).

    ``frame`` needs columns ``region`` and ``base``; ``housing_fund_rate`` and ``injury_rate``
    are optional. Amounts are yuan, exact to the fen. A Dask DataFrame gives a lazy Dask
    DataFrame computed partition by partition (``pip install shebao[dask]``).

    >>> payroll(pd.DataFrame({"region": ["上海", "北京"], "base": [8000, 12000]}), on="2025-08-01")[
    ...     "pension_employee"].tolist()
    [640.0, 960.0]
    """
    if _is_dask(frame):  # lazily, partition by partition, on whatever scheduler Dask is set up with
        tables = tables or load()
        meta = payroll(frame._meta, on, assume_latest=assume_latest, tables=tables)
        return frame.map_partitions(payroll, on, assume_latest=assume_latest, tables=tables, meta=meta)
    if not isinstance(frame, pd.DataFrame):
        raise InputError("payroll needs a DataFrame with columns 'region' and 'base'")
    missing = [c for c in ("region", "base") if c not in frame]
    if missing:
        raise InputError(f"payroll input lacks column(s) {missing}; it has {list(frame.columns)}")
    month = month_number(to_date(on if on is not None else dt.date.today()))
    batch = prepare(frame["base"], frame["region"], month,
                    frame.get("housing_fund_rate"), frame.get("injury_rate"), tables, assume_latest)
    columns = {f"{item}_{side}": np.zeros(len(frame)) for item in possible_items(batch.tables, month)
               for side in ("employee", "employer")}  # the same columns for any rows of this month
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
    if assume_latest:
        columns["assumed_latest"] = batch.assumed[batch.local]
    return pd.DataFrame(columns, index=frame.index, copy=False)


def _is_dask(frame) -> bool:
    return type(frame).__module__.split(".")[0] in ("dask", "dask_expr") and hasattr(frame, "map_partitions")


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
    if not parts:  # no item is complete anywhere (e.g. a region with only a base floor so far)
        return pd.DataFrame(columns=["row", *(extra or {}), "region", "region_id", "item", "item_zh", "base_used",
                                     "base_clamped", "employee_rate", "employer_rate", "employee_monthly",
                                     "employer_monthly", "source_region", "source_id", "confidence", "origin"])
    out = pd.concat(parts, ignore_index=True)
    if batch.assumed is not None:
        out["assumed_latest"] = batch.assumed[batch.local[out["row"].to_numpy()]]
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
                       confidence, ";".join(dict.fromkeys(sel["origin"])))
    found = [labels[c] for c in cells]
    return pd.DataFrame(found, columns=["source_region", "source_id", "confidence", "origin"])


def contributions(base, region, on=None, housing_fund_rate=None, injury_rate=None,
                  *, assume_latest: bool = False, tables: PolicyTables | None = None) -> pd.DataFrame:
    """Monthly contributions per item for a base in a region on a date (default today).

    Scalars give one row per item; columns give one row per (element, item) with ``row``.

    >>> contributions(30000, "上海", on="2025-08-01")["base_clamped"].any()
    np.False_
    """
    month = month_number(to_date(on if on is not None else dt.date.today()))
    scalar = np.isscalar(base) and np.isscalar(region)
    n = 1 if scalar else len(base if not np.isscalar(base) else region)
    batch = prepare(base, region, month if scalar else np.full(n, month), housing_fund_rate,
                    injury_rate, tables, assume_latest)
    out = _long(batch)
    return out.drop(columns="row") if scalar else out


def yearly_contributions(base, region, year: int, housing_fund_rate=None, injury_rate=None,
                         *, assume_latest: bool = False, tables: PolicyTables | None = None) -> pd.DataFrame:
    """Month by month (1–12) contributions for one person in one year, one row per (month, item).

    Limits that change mid-year (e.g. on July 1) apply from their month on.

    >>> yearly_contributions(10000, "北京", 2025)["month"].nunique()
    12
    """
    if not np.isscalar(base) or not np.isscalar(region):
        raise InputError("yearly_contributions takes one base and one region; use payroll for many")
    year = check_year(year)
    months = np.arange(12) + year * 12
    one_row = pd.RangeIndex(1).repeat(12)  # twelve months of one unlabelled row: errors name no row
    batch = prepare(pd.Series(np.full(12, base, dtype=object), index=one_row), np.full(12, region, dtype=object), months,
                    None if housing_fund_rate is None else np.full(12, housing_fund_rate, dtype=object),
                    None if injury_rate is None else np.full(12, injury_rate, dtype=object), tables, assume_latest)
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


def covered_regions(year: int, tables: PolicyTables | None = None, assume_latest: bool = False) -> list[str]:
    """region_ids whose own (or province's) contribution rows cover all 12 months of ``year``
    (with ``assume_latest``, months after a region's data count as covered: they carry it forward)."""
    tables = tables or load()
    res = _params(tables, "contributions.csv").resolved
    months = np.arange(12) + check_year(year) * 12
    offsets = months - res.first_month
    inside = (offsets >= 0) & (offsets < res.covered.shape[1])
    covered = np.zeros((len(res.region_ids), 12), dtype=bool)
    covered[:, inside] = res.covered[:, offsets[inside]]
    if assume_latest:
        last = res.last_month(np.arange(len(res.region_ids)))
        covered |= (last >= 0)[:, None] & (months[None, :] > last[:, None])
    return [r for r, keep in zip(res.region_ids, covered.all(axis=1)) if keep and r != NATIONAL]


def compare(base, year: int, regions=None, housing_fund_rate=None,
            *, assume_latest: bool = False, tables: PolicyTables | None = None) -> pd.DataFrame:
    """Yearly employee, employer and total contributions at one base, one row per region.

    ``regions=None`` takes every region with figures for the whole year whose pension can be computed in
    every month (a region with medical limits but only a pension floor, like 福建, would compare as
    a misleadingly small total); ``left_out_regions`` lists the others. Sorted by total, highest first.
    ``missing_items`` names core items the tables hold no figures for, and optional items (maternity,
    大额 …) the region sets but not completely; the totals leave them out.

    >>> list(compare(10000, 2025, ["北京", "上海"]).columns[:4])
    ['region', 'region_id', 'employee_yearly', 'employer_yearly']
    """
    tables = tables or load()
    year = check_year(year)
    ids = covered_regions(year, tables, assume_latest) if regions is None else \
        list(dict.fromkeys(resolve_many(list(regions), tables)))
    if not ids:
        raise NoDataError(f"no region has figures for all of {year}")
    n = len(ids) * 12
    batch = prepare(pd.Series(np.full(n, base, dtype=object), index=pd.RangeIndex(1).repeat(n)),  # rows are no input's
                    np.repeat(ids, 12).astype(object),
                    np.tile(np.arange(12) + year * 12, len(ids)),
                    None if housing_fund_rate is None else np.full(n, housing_fund_rate, dtype=object),
                    None, tables, assume_latest)
    employee = np.zeros(n, dtype=np.int64)
    employer = np.zeros(n, dtype=np.int64)
    lacking, sources = {}, [[] for _ in ids]
    expected = regional_items(batch)
    for item, present, _, ee, er, *_ in item_amounts(batch):
        employee += np.where(present, ee, 0)
        employer += np.where(present, er, 0)
        lacking[item] = ~present if item in CORE_ITEMS else expected[item] & ~present
        idx = np.flatnonzero(present)
        if len(idx):  # provenance per (region, month) cell: a few dozen lookups, not per person
            for position, ids_used in zip(idx // 12, _provenance(batch, item, idx)["source_id"]):
                sources[position].extend(ids_used.split(";"))
    assumed = batch.assumed[batch.local] if assume_latest else np.zeros(n, dtype=bool)
    checked = [*CORE_ITEMS, *expected]
    per_region = pd.DataFrame({"region_id": np.repeat(ids, 12), "employee": employee, "employer": employer,
                               "assumed": assumed, **{f"lacks_{item}": lacking.get(item, expected.get(item, True))
                                                      for item in checked}}) \
        .groupby("region_id", sort=False).agg({"employee": "sum", "employer": "sum", "assumed": "any",
                                               **{f"lacks_{i}": "any" for i in checked}})
    names = tables["regions.csv"].set_index("region_id")
    out = pd.DataFrame({
        "region": names.loc[per_region.index, "short_zh"].to_numpy(),
        "region_id": per_region.index,
        "employee_yearly": to_yuan(per_region["employee"].to_numpy()),
        "employer_yearly": to_yuan(per_region["employer"].to_numpy()),
        "total_yearly": to_yuan((per_region["employee"] + per_region["employer"]).to_numpy()),
        "missing_items": [",".join(i for i in checked if row[f"lacks_{i}"]) for _, row in per_region.iterrows()],
        "source_id": [";".join(sorted(set(sources[ids.index(r)]))) for r in per_region.index],
        "name_en": names.loc[per_region.index, "name_en"].to_numpy(),
    })
    if assume_latest:
        out["assumed_latest"] = per_region["assumed"].to_numpy()
    if regions is None:
        out = out[~per_region["lacks_pension"].to_numpy()]
        if out.empty:
            raise NoDataError(f"no region has pension figures for all of {year}")
    return out.sort_values("total_yearly", ascending=False, kind="stable").reset_index(drop=True)


def left_out_regions(year: int, tables: PolicyTables | None = None, assume_latest: bool = False,
                     *, compared: pd.DataFrame | None = None) -> dict[str, str]:
    """Regions with some contribution figures in ``year`` that ``compare`` leaves out, with the reason.
    Pass ``compared`` (the result of ``compare(…, year)`` with ``regions=None``) to avoid computing it again.

    >>> left_out_regions(2025)["吉林"]
    'figures for part of the year only'
    """
    tables = tables or load()
    year = check_year(year)
    names = tables["regions.csv"].set_index("region_id")["short_zh"]
    cover = coverage(tables)
    some = cover.loc[(cover["year"] == year) & (cover["contributions"] > 0), "region_id"]
    whole = covered_regions(year, tables, assume_latest)
    if compared is None:
        compared = compare(0, year, tables=tables, assume_latest=assume_latest) if whole else pd.DataFrame(
            {"region_id": []})
    compared = set(compared["region_id"])
    return {names[r]: ("no pension limits in some month" if r in whole else "figures for part of the year only")
            for r in dict.fromkeys([*some, *whole]) if r not in compared and r != NATIONAL}


def missing_items(region, on=None, housing_fund_rate=None, *, tables: PolicyTables | None = None) -> list[str]:
    """Items left out of that month's totals: core items (pension, medical, …, housing_fund) the tables
    hold no figures for, and optional items the region sets only partly (e.g. a 大额 rate without its base).

    ``housing_fund_rate=0`` (not enrolled) leaves the housing fund off the list.

    >>> missing_items("成都", "2025-10-01")
    ['medical', 'housing_fund']
    """
    month = month_number(to_date(on if on is not None else dt.date.today()))
    batch = prepare(0, region, month, housing_fund_rate, tables=tables)
    found = {item for item, present, *_ in item_amounts(batch) if present[0]}
    if housing_fund_rate == 0:
        found.add(HOUSING_FUND)
    expected = [item for item, regional in regional_items(batch).items() if regional[0]]
    return [item for item in (*CORE_ITEMS, *expected) if item not in found]
