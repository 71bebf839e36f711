"""Region lookup: 北京, 北京市, Beijing, beijing and 110000 all name the same region.

>>> resolve_region("beijing")
'110000'
"""

from __future__ import annotations

import difflib
from functools import lru_cache

import pandas as pd

from shebao.data import PolicyTables, load
from shebao.errors import AmbiguousRegionError, UnknownRegionError

NATIONAL = "000000"


def _normalise(name: str) -> str:
    return "".join(str(name).split()).casefold().replace("'", "")


@lru_cache(maxsize=8)
def _index(tables: PolicyTables) -> dict[str, tuple[str, ...]]:
    """Every accepted spelling → the region_ids it names."""
    index: dict[str, set[str]] = {}
    for row in tables["regions.csv"].itertuples():
        for spelling in (row.region_id, row.name_zh, row.short_zh, row.name_en):
            index.setdefault(_normalise(spelling), set()).add(row.region_id)
    return {k: tuple(sorted(v)) for k, v in index.items()}


def resolve_region(name, tables: PolicyTables | None = None) -> str:
    """The region_id a name or code stands for; raises UnknownRegionError / AmbiguousRegionError."""
    tables = tables or load()
    if isinstance(name, int) and not isinstance(name, bool):
        name = f"{name:06d}"
    if not isinstance(name, str) or not name.strip():
        raise UnknownRegionError(f"region must be a name or a 6-digit code, got {name!r}")
    index = _index(tables)
    found = index.get(_normalise(name))
    if found is None:
        close = difflib.get_close_matches(_normalise(name), list(index), n=5, cutoff=0.6)
        labels = dict.fromkeys(_label(tables, index[c][0]) for c in close)
        hint = f"; did you mean: {', '.join(labels)}?" if labels else ""
        raise UnknownRegionError(f"unknown region {name!r}{hint}")
    if len(found) > 1:
        raise AmbiguousRegionError(
            f"{name!r} names several regions: {', '.join(_label(tables, r) for r in found)}; "
            "give the full name or the code")
    return found[0]


def resolve_many(names, tables: PolicyTables | None = None) -> pd.Series:
    """region_id for each element of ``names`` (looked up once per distinct name)."""
    tables = tables or load()
    names = pd.Series(names)
    uniques = names.drop_duplicates()
    mapping = {n: resolve_region(n, tables) for n in uniques}
    return names.map(mapping)


def short_label(tables: PolicyTables, region_id: str) -> str:
    """'北京市 (110000)': the name users know, with the id that pins it down."""
    name = tables["regions.csv"].set_index("region_id")["name_zh"].get(region_id, region_id)
    return f"{name} ({region_id})"


def _label(tables: PolicyTables, region_id: str) -> str:
    row = tables["regions.csv"].set_index("region_id").loc[region_id]
    return f"{row['name_zh']} ({row['name_en']}, {region_id})"


def ancestry(region_id: str, tables: PolicyTables | None = None) -> list[str]:
    """The region, its parents, up to national: ['440300', '440000', '000000']."""
    parents = (tables or load())["regions.csv"].set_index("region_id")["parent_id"]
    chain = [region_id]
    while (parent := parents.get(chain[-1])) is not None and parent not in chain:
        chain.append(parent)
    return chain


def regions(tables: PolicyTables | None = None) -> pd.DataFrame:
    """The regions table with one boolean column per policy table: does it hold rows for the region?

    >>> regions().set_index("region_id").loc["110000", "name_en"]
    'Beijing'
    """
    tables = tables or load()
    out = tables["regions.csv"].drop(columns=["line", "source_id"]).reset_index(drop=True)
    for name, frame in tables.frames.items():
        if "region_id" in frame and name != "regions.csv":
            out["has_" + name.removesuffix(".csv")] = out["region_id"].isin(frame["region_id"])
    return out
