"""A straightforward per-row reference of the contribution rule, for benchmarks and as a test oracle.

For each employee and item it looks up every figure in the policy rows (city, then province,
then national; an open row runs to the furthest reach of the person's regional rows), clamps the
base and rounds with ``decimal`` half up. Slow on purpose: it is
the obvious way to write the rule, and an independent check of the vectorised kernel.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import ROUND_DOWN, ROUND_HALF_UP, ROUND_UP, Decimal

from shebao.data import PolicyTables
from shebao.regions import ancestry, resolve_region
from shebao.schema import ITEMS

_MODES = {"half_up": ROUND_HALF_UP, "up": ROUND_UP, "down": ROUND_DOWN}
_UNITS = {"fen": Decimal("0.01"), "jiao": Decimal("0.1"), "yuan": Decimal(1)}


def _reach(row) -> dt.date:
    """How far a row carries its region's data: its end, or the last day of the twelfth month from its start."""
    if row["effective_to"] is not None:
        return row["effective_to"]
    start = row["effective_from"]
    month = start.year * 12 + start.month - 1 + 12  # the month after the twelfth
    return dt.date(month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)


class Reference:
    def __init__(self, tables: PolicyTables):
        self.tables = tables
        self.rows: dict[tuple[str, str], list[dict]] = {}
        self.reach: dict[tuple[str, str], dt.date] = {}  # (table, region) → furthest reach of its rows
        for table, key in (("contributions.csv", None), ("housing_fund.csv", "housing_fund")):
            for row in tables[table].to_dict("records"):
                row["table"] = table
                self.rows.setdefault((row["region_id"], key or row["item"]), []).append(row)
                if row["region_id"] != "000000":
                    old = self.reach.get((table, row["region_id"]), dt.date.min)
                    self.reach[table, row["region_id"]] = max(old, _reach(row))
                old = self.reach.get((table, "*"), dt.date.min)
                self.reach[table, "*"] = max(old, _reach(row))

    def horizon(self, table, chain) -> dt.date:
        """An open row runs to the furthest reach of a regional row in the person's chain (not national)."""
        reaches = [self.reach[table, r] for r in chain if (table, r) in self.reach]
        return max(reaches) if reaches else self.reach[table, "*"]

    def figure(self, chain, item, column, day):
        for region in chain:
            for row in self.rows.get((region, item), []):
                end = row["effective_to"] or self.horizon(row["table"], chain)
                value = row.get(column)
                if row["effective_from"] <= day <= end and value is not None and not (isinstance(value, float) and math.isnan(value)):
                    return value
        return None

    def employee(self, region: str, base: float, day: dt.date) -> dict[str, tuple[Decimal, Decimal]]:
        """{item: (employee, employer)} in yuan for one person in one month."""
        chain = ancestry(resolve_region(region, self.tables), self.tables)
        base = Decimal(str(base)).quantize(Decimal("0.01"), ROUND_HALF_UP)
        out = {}
        for item in (*ITEMS, "housing_fund"):
            get = {c: self.figure(chain, item, c, day) for c in
                   ("employer_rate", "employee_rate", "employer_fixed", "employee_fixed", "base_floor",
                    "base_ceiling", "rounding", "rate_min", "rate_default")}
            if item == "housing_fund":
                rate = get["rate_default"] if get["rate_default"] is not None else get["rate_min"]
                get.update(employer_rate=rate, employee_rate=rate)
            sides = [(get[f"{s}_rate"], get[f"{s}_fixed"]) for s in ("employee", "employer")]
            charges_rate = item == "housing_fund" or any(r is not None and r > 0 for r, _ in sides)
            no_limits = get["base_floor"] is None or get["base_ceiling"] is None
            if (no_limits and charges_rate) or any(r is None and f is None for r, f in sides):
                continue
            # fixed amounts only (rates 0): the limits do not matter
            used = base if no_limits else min(max(base, Decimal(str(get["base_floor"]))), Decimal(str(get["base_ceiling"])))
            unit, mode = (get["rounding"] or "fen_half_up").split("_", 1)
            out[item] = tuple(
                (used * Decimal(str(r or 0))).quantize(_UNITS[unit], _MODES[mode]) + Decimal(str(f or 0))
                for r, f in sides)
        return out
