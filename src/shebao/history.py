"""One figure of one region over time: the periods it held each value, with their sources.

>>> import shebao as sb
>>> frame = sb.history("北京", "pension", "base_floor")
>>> frame["value"].tolist(), frame["from"].dt.strftime("%Y-%m").tolist()
([5869.0, 6326.0, 6821.0, 7162.0], ['2022-07', '2023-07', '2024-07', '2025-07'])
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from shebao.data import PolicyTables, load
from shebao.errors import InputError, NoDataError
from shebao.kernel import HOUSING_FUND
from shebao.periods import resolve
from shebao.regions import resolve_region
from shebao.schema import ITEMS, VALUE_COLUMNS


def _table_of(item: str) -> str:
    return "housing_fund.csv" if item == HOUSING_FUND else "contributions.csv"


def history_fields(item: str) -> tuple[str, ...]:
    """The numeric figures an item has: ``history_fields("pension")[:2] == ('employer_rate', 'employee_rate')``."""
    return tuple(c for c in VALUE_COLUMNS[_table_of(item)] if c != "rounding")


def history(region, item: str = "pension", field: str = "base_floor", *, monthly: bool = False,
            tables: PolicyTables | None = None) -> pd.DataFrame:
    """The figure ``field`` of ``item`` in ``region``, one row per period in which one row of the tables set it.

    The figure falls back city → province → national like in every calculator, so a period may come
    from the province's row (``source_region``). Periods follow the rows: two notices with the same
    value stay two periods, each with its source. ``open_ended`` marks a period whose row has no end
    date (it runs to the region's horizon, see ``effective_to`` in the data dictionary). ``monthly=True``
    gives one row per month instead (column ``month``), ready for
    ``frame.plot(x="month", y="value", drawstyle="steps-post")``.
    """
    if item not in (*ITEMS, HOUSING_FUND):
        raise InputError(f"unknown item {item!r}; items: {', '.join((*ITEMS, HOUSING_FUND))}")
    fields = history_fields(item)
    if field not in fields:
        raise InputError(f"unknown field {field!r} for {item}; fields: {', '.join(fields)}")
    tables = tables or load()
    region_id = resolve_region(region, tables)
    res = resolve(tables, _table_of(item))
    name = tables["regions.csv"].set_index("region_id").at[region_id, "name_zh"]
    if item not in res.groups:
        raise NoDataError(f"the tables hold no {item} rows at all")
    rows = res.row[res.code_of[region_id], :, res.groups.index(item), res.columns.index(field)]
    months = np.flatnonzero(rows >= 0)
    if not len(months):
        others = _regions_with(res, item, field, tables)
        raise NoDataError(f"no {field} of {item} for {name} ({region_id}) or the regions above it; "
                          + (f"regions with one: {', '.join(others)}" if others else "no region has one"))
    horizon = int(res.horizon[res.code_of[region_id]]) - res.first_month
    frame = _periods(res.table, field, rows, months, res.first_month, monthly, horizon)
    frame.insert(0, "region_id", region_id)
    frame.insert(1, "region", name)
    frame.insert(2, "item", item)
    frame.insert(3, "field", field)
    return frame.reset_index(drop=True)


def _periods(table: pd.DataFrame, field: str, rows: np.ndarray, months: np.ndarray, first_month: int,
             monthly: bool, horizon: int) -> pd.DataFrame:
    used = rows[months]
    if monthly:
        starts = ends = np.arange(len(months))
    else:  # a new period wherever the row changes or a month without the figure intervenes
        breaks = np.flatnonzero((np.diff(used) != 0) | (np.diff(months) != 1)) + 1
        starts, ends = np.r_[0, breaks], np.r_[breaks - 1, len(months) - 1]
    source = table.iloc[used[starts]]
    first, last = months[starts] + first_month, months[ends] + first_month
    out = pd.DataFrame({
        "from": _month_start(first),
        "to": _month_start(last) + pd.offsets.MonthEnd(0),
        "value": source[field].to_numpy(dtype=float),
        # open-ended: the row has no end date and the period reaches the region's horizon
        "open_ended": source["effective_to"].isna().to_numpy() & (months[ends] == horizon),
        "source_region": source["region_id"].to_numpy(),
        "source_id": source["source_id"].to_numpy(),
        "confidence": source["confidence"].to_numpy(),
    })
    if monthly:
        out = out.drop(columns=["to", "open_ended"]).rename(columns={"from": "month"})
    return out


def _month_start(numbers: np.ndarray) -> pd.Series:
    return pd.to_datetime(pd.DataFrame({"year": numbers // 12, "month": numbers % 12 + 1, "day": 1}))


def _regions_with(res, item: str, field: str, tables: PolicyTables) -> list[str]:
    have = (res.row[:, :, res.groups.index(item), res.columns.index(field)] >= 0).any(axis=1)
    names = dict(zip(tables["regions.csv"]["region_id"], tables["regions.csv"]["short_zh"]))
    return [names[r] for r, h in zip(res.region_ids, have) if h]
