"""Which regions × years × tables hold figures: months covered out of 12.

>>> "contributions" in coverage().columns
True
>>> list(coverage_summary().columns)
['year', 'provinces', 'provinces_covered', 'cities', 'cities_covered', 'cities_housing_fund_covered']
"""

from __future__ import annotations

import calendar
import datetime as dt

import numpy as np
import pandas as pd

from shebao.data import PolicyTables, load
from shebao.periods import resolve
from shebao.regions import NATIONAL
from shebao.schema import REGIONAL_TABLES


def coverage(tables: PolicyTables | None = None) -> pd.DataFrame:
    """One row per (region with data, year): months (0–12) covered by each policy table, and the
    last date each table covers for the region (``<table>_until``; calculations stop there)."""
    tables = tables or load()
    names = tables["regions.csv"].set_index("region_id")["short_zh"]
    counts, until = {}, {}
    for table in REGIONAL_TABLES:
        res = resolve(tables, table)
        if not res.covered.size:
            continue
        name = table.removesuffix(".csv")
        months = np.arange(res.covered.shape[1]) + res.first_month
        frame = pd.DataFrame(res.covered, index=list(res.region_ids), columns=months // 12)
        counts[name] = frame.T.groupby(level=0).sum().T.stack()
        last = res.last_month(np.arange(len(res.region_ids)))
        until[f"{name}_until"] = pd.Series([_month_end(m) for m in last], index=list(res.region_ids))
    out = pd.DataFrame(counts).fillna(0).astype(int)
    out = out[out.sum(axis=1) > 0].drop(index=NATIONAL, level=0, errors="ignore")
    out.index.names = ["region_id", "year"]
    out = out.reset_index()
    out.insert(0, "region", names.reindex(out["region_id"]).to_numpy())
    for column, values in until.items():
        out[column] = values.reindex(out["region_id"]).to_numpy()
    return out.sort_values(["region_id", "year"]).reset_index(drop=True)


def _month_end(month: int) -> str:
    if month < 0:
        return ""
    year, index = divmod(int(month), 12)
    return dt.date(year, index + 1, calendar.monthrange(year, index + 1)[1]).isoformat()


def coverage_markdown(frame: pd.DataFrame) -> str:
    """The coverage table as Markdown: months covered out of 12 per table."""
    tables = [c for c in frame.columns if c not in ("region", "region_id", "year") and not c.endswith("_until")]
    lines = ["| region | region_id | year | " + " | ".join(tables) + " |",
             "|---|---|---|" + "---|" * len(tables)]
    for row in frame.itertuples(index=False):
        cells = [f"{getattr(row, t)}/12" for t in tables]
        lines.append(f"| {row.region} | {row.region_id} | {row.year} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def coverage_summary(tables: PolicyTables | None = None, frame: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per year: how many of the 31 provinces and of the 36 major cities (the municipalities, the capitals and
    the cities listed separately) have contribution figures in all 12 months, and how many cities have
    housing-fund figures in all 12 months. A city covered by its province's figures counts as covered."""
    tables = tables or load()
    frame = coverage(tables) if frame is None else frame
    regions = tables["regions.csv"]
    provinces = regions.loc[regions["level"] == "province", "region_id"]
    municipal = regions["name_zh"].str.endswith("市") & (regions["level"] == "province")
    cities = regions.loc[(regions["level"] == "city") | municipal, "region_id"]
    rows = []
    for year, group in frame.groupby("year"):
        full = group.set_index("region_id")
        contributions = set(full.index[full["contributions"] == 12])
        housing = set(full.index[full.get("housing_fund", pd.Series(0, index=full.index)) == 12])
        rows.append({"year": int(year), "provinces": len(provinces), "provinces_covered": len(contributions & set(provinces)),
                     "cities": len(cities), "cities_covered": len(contributions & set(cities)),
                     "cities_housing_fund_covered": len(housing & set(cities))})
    return pd.DataFrame(rows, columns=["year", "provinces", "provinces_covered", "cities", "cities_covered",
                                       "cities_housing_fund_covered"])


def coverage_summary_markdown(summary: pd.DataFrame) -> str:
    """The summary as Markdown: '17 of 31' per cell."""
    lines = ["| year | provinces, all 12 months | cities, all 12 months | cities' housing fund, all 12 months |",
             "|---|---|---|---|"]
    for row in summary.itertuples(index=False):
        lines.append(f"| {row.year} | {row.provinces_covered} of {row.provinces} | {row.cities_covered} of {row.cities} | "
                     f"{row.cities_housing_fund_covered} of {row.cities} |")
    return "\n".join(lines)
