"""The contributions kernel: parameters per (region, month) cell and per-item arithmetic in fen.

Public views (``contributions``, ``payroll``, ``compare`` …) live in ``shebao.contributions``;
this module turns inputs into a :class:`Batch` and yields amounts item by item over whole columns.

>>> batch = prepare(10000, "上海", 2025 * 12 + 7)
>>> [item for item, *_ in item_amounts(batch)][:2]
['pension', 'medical']
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from shebao.data import PolicyTables, load
from shebao.errors import InputError, RateOutOfRangeError, RegionError
from shebao.money import (
    PPM,
    numeric_column,
    round_amounts,
    row_hint,
    single_unlabelled,
    to_fen,
)
from shebao.periods import Resolved, resolve
from shebao.regions import NATIONAL, resolve_region, short_label
from shebao.schema import ROUNDING

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
    assumed: np.ndarray | None = None  # per cell: figures carried forward past the data (assume_latest)

    @property
    def region_id(self) -> np.ndarray:
        return self.ids[self.labels]

    @property
    def cells(self) -> np.ndarray:
        return self.ucells[self.local]

    @property
    def hf_cells(self) -> np.ndarray:
        return self.hf_ucells[self.local]


def prepare(base, region, months, housing_fund_rate=None, injury_rate=None, tables=None,
            assume_latest: bool = False) -> Batch:
    """Validate and align inputs (scalars or equal-length columns) into a Batch.

    ``assume_latest`` carries each region's last covered month forward to later months (flagged).
    """
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
        raise InputError("region is missing" + row_hint(index, bad))
    ids = np.array([_resolve_at_row(name, position, labels, index, tables) for position, name in enumerate(uniques)],
                   dtype=object)
    contrib = _params(tables, "contributions.csv").resolved
    codes = np.array([contrib.code_of[r] for r in ids], dtype=np.int64)
    months = np.broadcast_to(np.asarray(months, dtype=np.int64), n)
    if n and months.min() == months.max():  # one month (payroll): one cell per region, no sort
        local, cell_codes, cell_months = labels, codes, np.full(len(ids), months[0])
    else:
        low = int(months.min()) if n else 0
        keys, local = np.unique(labels.astype(np.int64) * 100_000 + (months - low), return_inverse=True)
        cell_codes, cell_months = codes[keys // 100_000], keys % 100_000 + low
    assumed, hf_months = None, cell_months
    if assume_latest:
        cell_months, assumed = _carry_forward(contrib, cell_codes, cell_months)
        hf_months, _ = _carry_forward(_params(tables, "housing_fund.csv").resolved, cell_codes, hf_months)
    ucells = contrib.check_covered(cell_codes, cell_months, "contribution")
    return Batch(tables, index, ids, labels, months, base_fen,
                 _rate_ppm(housing_fund_rate, index, "housing_fund_rate"),
                 _rate_ppm(injury_rate, index, "injury_rate"), np.asarray(local, dtype=np.int64), ucells,
                 _housing_fund_cells(tables, cell_codes, hf_months), assumed)


def _carry_forward(res: Resolved, codes: np.ndarray, months: np.ndarray):
    """Months past a region's data moved back to its last covered month, and which were moved."""
    last = res.last_month(codes)
    beyond = (last >= 0) & (months > last)
    return np.where(beyond, last, months), beyond


def _resolve_at_row(name, position, labels, index, tables) -> str:
    try:
        return resolve_region(name, tables)
    except RegionError as exc:
        if single_unlabelled(index):
            raise
        row = index[int(np.argmax(labels == position))]
        raise type(exc)(f"region in row {row!r}: {exc}") from None


def housing_fund_range(tables: PolicyTables, region_ids, month: int) -> tuple[np.ndarray, np.ndarray]:
    """Allowed housing-fund rates (ppm, low and high) for each region_id in ``month``, after fallback."""
    p = _params(tables, "housing_fund.csv")
    res = p.resolved
    offset = min(max(month - res.first_month, 0), res.covered.shape[1] - 1)
    cells = np.array([res.code_of[r] for r in region_ids], dtype=np.int64) * res.covered.shape[1] + offset
    low, high = p.arrays["rate_min"][cells, 0], p.arrays["rate_max"][cells, 0]
    return np.maximum(low, 0), np.where(high > 0, high, PPM)


def possible_items(tables: PolicyTables, month: int) -> list[str]:
    """Items (in schema order, housing fund last) complete for at least one region in ``month``:
    the stable set of columns a payroll for that month has, whatever its rows."""
    found = []
    for table in ("contributions.csv", "housing_fund.csv"):
        p = _params(tables, table)
        res = p.resolved
        offset = month - res.first_month
        if not 0 <= offset < res.covered.shape[1]:
            continue
        cells = np.arange(len(res.region_ids)) * res.covered.shape[1] + offset
        for g, item in enumerate(res.groups):
            cell = {name: values[cells, g] for name, values in p.arrays.items()}
            if np.any(complete(cell, item)):
                found.append(item)
    return found


# An item counts only when both sides and both base limits are known; a half-known item would
# understate a total silently, so it is reported missing instead. Cells hold -1 where not set.
def has_limits(cell: dict):
    return (cell["base_floor"] >= 0) & (cell["base_ceiling"] >= 0)


def limits_known(cell: dict):
    """Base limits are known, or not needed: no side charges a positive rate on the base
    (e.g. 北京 大额互助 3 元/月, whose employer share is inside the medical rate)."""
    return has_limits(cell) | ((cell["employee_rate"] <= 0) & (cell["employer_rate"] <= 0))


def side_known(cell: dict, side: str):
    return (cell[f"{side}_rate"] >= 0) | (cell[f"{side}_fixed"] >= 0)


def default_rate(cell: dict):
    """The housing-fund rate used when the caller gives none: the region's default, else its minimum."""
    return np.where(cell["rate_default"] >= 0, cell["rate_default"], cell["rate_min"])


def complete(cell: dict, item: str):
    """Per cell: are all the figures the item needs known (after fallback)?"""
    if item == HOUSING_FUND:
        return has_limits(cell) & (default_rate(cell) >= 0)
    return limits_known(cell) & side_known(cell, "employee") & side_known(cell, "employer")


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
        rest = limits_known(cell) & side_known(cell, "employee")
        employer_known = side_known(cell, "employer")
        get = _Spread(_clean(cell), batch.local)
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
    known = enrolled & complete(cell, HOUSING_FUND)
    if known.any():
        get = _Spread(_clean(cell), batch.local)
        default = _spread(default_rate(cell), batch.local)
        get["employee_rate"] = get["employer_rate"] = _housing_fund_rate(batch, get, default)
        present = _spread(known, batch.local) & (batch.housing_fund_ppm != 0)
        yield (HOUSING_FUND, np.broadcast_to(present, len(batch.base_fen)), *_amounts(batch.base_fen, get))


def regional_items(batch: Batch) -> dict[str, np.ndarray]:
    """Per optional item (maternity, 大额 …): does a regional row set any of its figures for each element?

    Such an item is expected in that region; if it is incomplete it must be reported missing, not
    silently left out. National rows (e.g. 职工不缴纳生育保险费) do not make an item expected.
    """
    p = _params(batch.tables, "contributions.csv")
    res = p.resolved
    national = (res.table["region_id"] == NATIONAL).to_numpy()
    out = {}
    for g, item in enumerate(res.groups):
        if item in CORE_ITEMS:
            continue
        rows = res.row[..., g, :].reshape(-1, len(res.columns))[batch.ucells]
        regional = ((rows >= 0) & ~national[np.maximum(rows, 0)]).any(axis=1)
        out[item] = np.broadcast_to(_spread(regional, batch.local), len(batch.base_fen))
    return out


def _clean(cell: dict) -> dict:
    """Per-cell parameters ready for arithmetic: unknown floor 0, no ceiling, rates and fixed ≥ 0."""
    out = {name: np.maximum(values, 0) for name, values in cell.items()}
    out["base_ceiling"] = np.where(cell["base_ceiling"] >= 0, cell["base_ceiling"], _NO_CEILING)
    for side in ("employee", "employer"):
        out.setdefault(f"{side}_rate", np.zeros(len(out["base_floor"]), dtype=np.int64))
        out.setdefault(f"{side}_fixed", np.zeros(len(out["base_floor"]), dtype=np.int64))
    return out


class _Spread(dict):
    """Per-element parameters, gathered from the per-cell ones only when first used."""

    def __init__(self, per_cell: dict, local: np.ndarray):
        super().__init__()
        self.per_cell, self.local = per_cell, local

    def __missing__(self, name):
        value = self[name] = _spread(self.per_cell[name], self.local)
        return value


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
            f"housing_fund_rate {value / PPM:g} is outside {short_label(batch.tables, batch.region_id[i])}'s allowed range "
            f"{low_i / PPM:g}–{high_i / PPM:g}" + row_hint(batch.index, batch.index[i % len(batch.index)]))
    return np.where(asked > 0, asked, default)
