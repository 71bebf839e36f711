"""Which table row sets each figure for each region and month, after fallback.

A city without its own figure uses its province's, then the national one; a more specific
row wins. The result is a dense index cube, so calculators gather parameters for millions
of people with one array lookup instead of a search per person.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from shebao.data import PolicyTables
from shebao.errors import InputError, NoDataError
from shebao.regions import NATIONAL, ancestry
from shebao.schema import ITEMS, VALUE_COLUMNS


def month_number(day: dt.date) -> int:
    """Months since year 0: one integer per calendar month."""
    return day.year * 12 + day.month - 1


def month_label(number: int) -> str:
    return f"{number // 12}-{number % 12 + 1:02d}"


def to_date(value) -> dt.date:
    """A date from a date, datetime, Timestamp or 'YYYY-MM-DD' string; InputError otherwise."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise InputError(f"not a date: {value!r} (expected YYYY-MM-DD)")


def check_year(year) -> int:
    """``year`` as an int, or InputError for anything that is not a plausible calendar year."""
    if isinstance(year, bool) or not isinstance(year, (int, np.integer)) or not 1990 <= year <= 2100:
        raise InputError(f"year must be an integer like 2025, got {year!r}")
    return int(year)


@dataclass(frozen=True, eq=False)
class Resolved:
    """row[r, m, g, c]: index of the table row giving column c of group g for region r in month m."""

    table: pd.DataFrame
    region_ids: tuple[str, ...]
    first_month: int
    groups: tuple[str, ...]
    columns: tuple[str, ...]
    row: np.ndarray  # int32 (regions, months, groups, columns), -1 = no figure
    covered: np.ndarray  # bool (regions, months): regional rows give some item both base limits
    horizon: np.ndarray  # int64 (regions,): the last month open rows reach in each region
    names: tuple[str, ...] = ()  # name_zh of each region, for messages

    @property
    def code_of(self) -> dict[str, int]:
        return {r: i for i, r in enumerate(self.region_ids)}

    def values(self, column: str, scale: int, missing: int = -1) -> np.ndarray:
        """int64 (regions*months, groups) of column × scale, ``missing`` where no row sets it."""
        rows = self.row[..., self.columns.index(column)].reshape(-1, len(self.groups))
        raw = self.table[column].to_numpy(dtype=float)
        out = np.full(rows.shape, missing, dtype=np.int64)
        have = rows >= 0
        out[have] = np.rint(raw[rows[have]] * scale).astype(np.int64)
        return out

    def check_covered(self, codes: np.ndarray, months: np.ndarray, table: str) -> np.ndarray:
        """Flat (region, month) cell numbers; NoDataError naming the first uncovered pair."""
        offset = np.asarray(months, dtype=np.int64) - self.first_month
        inside = (offset >= 0) & (offset < self.covered.shape[1])
        ok = inside.copy()
        ok[inside] = self.covered[codes[inside], offset[inside]]
        if not ok.all():
            bad = int(np.argmin(ok))
            raise NoDataError(self.coverage_message(int(codes[bad]), int(months[bad]), table))
        return codes.astype(np.int64) * self.covered.shape[1] + offset

    def last_month(self, codes: np.ndarray) -> np.ndarray:
        """The last covered month number of each region code; -1 where it has none."""
        any_covered = self.covered[codes].any(axis=1)
        last = self.covered.shape[1] - 1 - np.argmax(self.covered[codes][:, ::-1], axis=1)
        return np.where(any_covered, last + self.first_month, -1)

    def coverage_message(self, code: int, month: int, table: str) -> str:
        months = np.flatnonzero(self.covered[code]) + self.first_month
        span = (f"covers {month_label(months[0])} to {month_label(months[-1])}" if len(months)
                else "has no month with both a base floor and a ceiling")
        gaps = " with gaps" if len(months) and len(months) != months[-1] - months[0] + 1 else ""
        name = f"{self.names[code]} ({self.region_ids[code]})" if self.names else self.region_ids[code]
        message = f"no {table} figures for {name} in {month_label(month)}: its data {span}{gaps}"
        if len(months) and month > months[-1]:
            message += ("; add the new notice as an overlay (--policydata DIR, SHEBAO_POLICYDATA or "
                        "sb.use_policydata; shebao data template helps) or carry the last period forward "
                        "with --assume-latest (assume_latest=True)")
        return message


def resolve(tables: PolicyTables, table: str) -> Resolved:
    return _resolve(tables, table)


@lru_cache(maxsize=16)
def _resolve(tables: PolicyTables, table: str) -> Resolved:
    frame = tables[table].reset_index(drop=True)
    region_ids = tuple(tables["regions.csv"]["region_id"])
    code_of = {r: i for i, r in enumerate(region_ids)}
    chains = {r: ancestry(r, tables) for r in region_ids}
    depth = frame["region_id"].map(lambda r: len(chains[r]))
    starts = frame["effective_from"].map(month_number)
    # How far each row carries its region's data: its end date, or twelve months from its start when
    # it has none (contribution bases are set once a year).
    reach = pd.Series([month_number(e) if e is not None else s + 11
                       for s, e in zip(starts, frame["effective_to"])], index=frame.index, dtype="int64")
    table_horizon = int(reach.max()) if len(frame) else 0
    horizon = _region_horizons(frame, reach, region_ids, chains, table_horizon)
    first = int(starts.min()) if len(frame) else 0
    n_months = max(table_horizon - first + 1, 0)

    groups = tuple(g for g in ITEMS if g in set(frame["item"])) if "item" in frame else ("housing_fund",)
    group_of = frame["item"].map(groups.index) if "item" in frame else pd.Series(0, index=frame.index)
    columns = VALUE_COLUMNS[table]
    row = np.full((len(region_ids), n_months, len(groups), len(columns)), -1, dtype=np.int32)
    below = {r: np.array([code_of[d] for d, chain in chains.items() if r in chain]) for r in region_ids}

    for i in depth.sort_values(kind="stable").index:  # general rows first, specific rows overwrite
        set_columns = [c for c, column in enumerate(columns) if pd.notna(frame.at[i, column])]
        if not set_columns:
            continue
        targets = below[frame.at[i, "region_id"]]
        end = frame.at[i, "effective_to"]
        # An open row runs to each target region's own horizon, so one region's late notice does
        # not stretch another region's open rows.
        target_ends = (np.full(len(targets), month_number(end)) if end is not None else horizon[targets])
        for last in np.unique(target_ends):
            months = np.arange(starts[i] - first, last - first + 1)
            row[np.ix_(targets[target_ends == last], months, [group_of[i]], set_columns)] = i
    # A region is covered in a month when regional rows give some item both base limits (a floor
    # alone computes nothing); the national rows never do, they only fill in rates.
    regional = np.append((frame["region_id"] != NATIONAL).to_numpy(), False)  # index -1 (no row) → False
    floor, ceiling = (regional[row[..., columns.index(c)]] for c in ("base_floor", "base_ceiling"))
    covered = (floor & ceiling).any(axis=2)
    covered[code_of[NATIONAL]] = (row[code_of[NATIONAL]] >= 0).any(axis=(1, 2))
    names = tuple(tables["regions.csv"]["name_zh"])
    return Resolved(frame, region_ids, first, groups, columns, row, covered, horizon, names)


def _region_horizons(frame: pd.DataFrame, reach: pd.Series, region_ids, chains, table_horizon: int) -> np.ndarray:
    """Last month each region's open rows run to: the furthest reach of a regional row in its chain.

    A region with no regional row of its own or above it (only national rows) gets the table's horizon.
    """
    regional = frame["region_id"] != NATIONAL
    own = reach[regional].groupby(frame.loc[regional, "region_id"]).max().to_dict()
    return np.array([max((own[a] for a in chains[r] if a in own), default=table_horizon) for r in region_ids],
                    dtype=np.int64)
