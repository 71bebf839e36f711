"""Find the rows in force for many (region, date, ...) keys at once, with regional fallback.

A city without its own row uses its province's, then the national one. The lookups are joins:
keys × ancestors × table rows, filtered by date, so a million keys cost one merge, not a loop.

>>> anc = ancestors()
>>> anc[anc["region_id"] == "440300"]["ancestor_id"].tolist()
['440300', '440000', '000000']
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import numpy as np
import pandas as pd

from shebao.data import PolicyTables, load
from shebao.regions import ancestry


@lru_cache(maxsize=8)
def _ancestors(tables: PolicyTables) -> pd.DataFrame:
    rows = [(region, ancestor, depth) for region in tables["regions.csv"]["region_id"]
            for depth, ancestor in enumerate(ancestry(region, tables))]
    return pd.DataFrame(rows, columns=["region_id", "ancestor_id", "depth"])


def ancestors(tables: PolicyTables | None = None) -> pd.DataFrame:
    """One row per (region_id, ancestor_id, depth): depth 0 is the region itself."""
    return _ancestors(tables or load())


def in_force(frame: pd.DataFrame, day: dt.date) -> pd.DataFrame:
    """The rows of a policy table in force on ``day`` (an empty end date is open)."""
    ends = frame["effective_to"].map(lambda d: d or dt.date.max)
    return frame[(frame["effective_from"] <= day) & (ends >= day)]


def map_unique(values, fn) -> np.ndarray:
    """fn applied once per distinct value (names and dates are looked up, not people)."""
    values = pd.Series(values).astype(object)
    return values.map({v: fn(v) for v in pd.unique(values)}).to_numpy()


def _candidates(keys: pd.DataFrame, frame: pd.DataFrame, match: list[str], tables: PolicyTables) -> pd.DataFrame:
    """keys (columns key, region_id, on, *match) joined with every row of an ancestor in force on `on`."""
    chain = keys.merge(ancestors(tables), on="region_id")
    rows = frame.rename(columns={"region_id": "ancestor_id"})
    found = chain.merge(rows, on=["ancestor_id", *match], suffixes=("", "_row"))
    end = found["effective_to"].map(lambda d: d or dt.date.max)
    start = found["effective_from"]
    return found[(start <= found["on"]) & (found["on"] <= end)]


def nearest_figures(keys: pd.DataFrame, frame: pd.DataFrame, match: list[str], figures: list[str],
                    tables: PolicyTables | None = None) -> pd.DataFrame:
    """Per key and per figure, the value of the most specific region that sets it on that day.

    Returns one row per key (indexed by ``key``) with each figure and ``<figure>_source`` /
    ``<figure>_region`` / ``<figure>_from`` naming the row that gave it (and ``<figure>_in_force_by``
    where the table has a ``start_basis`` column); figures no region sets stay empty.
    """
    tables = tables or load()
    found = _candidates(keys, frame, match, tables).sort_values(["key", "depth"])
    out = pd.DataFrame(index=pd.Index(keys["key"].unique(), name="key"))
    for figure in figures:
        first = found[found[figure].notna()].groupby("key").first()
        out[figure] = first[figure]
        out[f"{figure}_source"] = first["source_id"]
        out[f"{figure}_confidence"] = first["confidence"]
        out[f"{figure}_region"] = first["ancestor_id"]
        out[f"{figure}_from"] = first["effective_from"]
        if "start_basis" in first:
            out[f"{figure}_in_force_by"] = first["start_basis"] == "in_force_by"
    return out


def nearest_rows(keys: pd.DataFrame, frame: pd.DataFrame, match: list[str],
                 tables: PolicyTables | None = None) -> pd.DataFrame:
    """Per key, all rows of the most specific region that has any matching row on that day.

    Used where a rule is a set of rows (reimbursement bands, age bands) that must come from one
    notice, not be mixed figure by figure across regions.
    """
    tables = tables or load()
    found = _candidates(keys, frame, match, tables)
    nearest = found.groupby("key")["depth"].transform("min")
    return found[found["depth"] == nearest]
