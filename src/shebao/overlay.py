"""Layer a user's directory of tables over the shipped ones, and help write one.

An overlay row is *added*; it *replaces* a shipped row with the same keys and start date; it
*shortens* a shipped row of the same keys that is still running when it starts (the shipped
row then ends the day before). Rows only conflict when they set at least one same figure.
Nothing is replaced silently: every change is listed in ``PolicyTables.changes``.

>>> Change("added", "contributions.csv", "overlay/contributions.csv:2", None, "").kind
'added'
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from shebao.schema import PERIOD_KEYS, TABLES, VALUE_COLUMNS

_ID_KEYS = {"regions.csv": "region_id", "sources.csv": "source_id"}


@dataclass(frozen=True)
class Change:
    kind: str  # added | replaced | shortened
    table: str
    overlay_row: str  # file:line
    shipped_row: str | None
    detail: str

    def __str__(self) -> str:
        target = f" {self.shipped_row}" if self.shipped_row else ""
        return f"{self.overlay_row} {self.kind}{target}{': ' + self.detail if self.detail else ''}"


def merge(base: dict[str, pd.DataFrame], extra: dict[str, pd.DataFrame]):
    """The merged tables and the list of changes the overlay makes."""
    merged, changes = dict(base), []
    for name, rows in extra.items():
        if name not in base:
            merged[name] = rows
            continue
        shipped = base[name].copy()
        for row in rows.itertuples(index=False):
            at = f"{row.file}:{row.line}"
            if name in _ID_KEYS:
                key = _ID_KEYS[name]
                same = shipped[key] == getattr(row, key)
                for old in shipped[same].itertuples(index=False):
                    changes.append(Change("replaced", name, at, f"{old.file}:{old.line}", getattr(row, key)))
                shipped = shipped[~same]
                if not same.any():
                    changes.append(Change("added", name, at, None, getattr(row, key)))
                continue
            shipped, found = _supersede(name, shipped, row, at)
            changes.extend(found or [Change("added", name, at, None, _describe(name, row))])
        merged[name] = pd.concat([shipped, rows], ignore_index=True)
    return merged, changes


def _supersede(name: str, shipped: pd.DataFrame, row, at: str):
    keys = PERIOD_KEYS[name]
    same = pd.Series(True, index=shipped.index)
    for key in keys:  # an empty key (e.g. no age band) matches an empty key
        value = getattr(row, key)
        same &= shipped[key].isna() if pd.isna(value) else shipped[key] == value
    figures = [c for c in VALUE_COLUMNS[name] if pd.notna(getattr(row, c))]
    shares = shipped[figures].notna().any(axis=1) if figures else pd.Series(False, index=shipped.index)
    start = row.effective_from
    found, drop = [], []
    for i in shipped.index[same & shares]:
        old = shipped.loc[i]
        old_end = old["effective_to"] or dt.date.max
        where = f"{old['file']}:{old['line']}"
        if old["effective_from"] == start:
            drop.append(i)
            found.append(Change("replaced", name, at, where, _figures_changed(name, old, row)))
        elif old["effective_from"] < start <= old_end:
            new_end = start - dt.timedelta(days=1)
            shipped.at[i, "effective_to"] = new_end
            found.append(Change("shortened", name, at, where, f"now ends {new_end}"))
    return shipped.drop(index=drop), found


def _figures_changed(name: str, old, row) -> str:
    parts = []
    for column in VALUE_COLUMNS[name]:
        before, after = old[column], getattr(row, column)
        if not (pd.isna(before) and pd.isna(after)) and before != after:
            parts.append(f"{column} {_show(before)} → {_show(after)}")
    return "; ".join(parts) or "same figures"


def _describe(name: str, row) -> str:
    keys = " ".join(str(getattr(row, k)) for k in PERIOD_KEYS[name])
    return f"{keys} from {row.effective_from}"


def _show(value) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "–"
    return f"{value:g}" if isinstance(value, float) else str(value)


def diff(tables) -> pd.DataFrame:
    """What an overlay changes against the shipped tables, one row per change."""
    return pd.DataFrame([vars(c) for c in tables.changes],
                        columns=["kind", "table", "overlay_row", "shipped_row", "detail"])


def template(region_id: str, start: dt.date, directory: Path, tables) -> list[Path]:
    """Write the region's own rows in force the day before ``start`` as rows starting at ``start``.

    Figures are copied; ``confidence`` is left empty and the source is a placeholder, so the
    overlay fails ``shebao data check`` until the new notice's figures and source are filled in.
    Refuses to overwrite existing files.
    """
    day = start - dt.timedelta(days=1)
    source_id = f"new-{region_id}-{start:%Y%m}"
    written = []
    plans = {}
    for name in ("contributions.csv", "housing_fund.csv"):
        frame = tables[name]
        ends = frame["effective_to"].map(lambda d: d or dt.date.max)
        current = frame[(frame["region_id"] == region_id) & (frame["effective_from"] <= day) & (ends >= day)]
        if current.empty:
            continue
        columns = [c.name for c in TABLES[name]]
        rows = current[columns].copy()
        rows["effective_from"], rows["effective_to"] = start.isoformat(), ""
        rows["note"] = "copied from " + current["source_id"] + " (" + current["file"] + ":" + \
            current["line"].astype(str) + "); replace with the new notice's figures"
        rows["source_id"], rows["confidence"], rows["confirmed_by"] = source_id, "", ""
        plans[directory / name] = rows
    if not plans:
        return []
    plans[directory / "sources.csv"] = pd.DataFrame([{
        "source_id": source_id, "issuer": "FILL IN: issuer", "title": "FILL IN: title of the new notice",
        "doc_number": "", "published": "", "url": "FILL IN: the notice's URL", "kind": "official",
        "quotes_notice": "", "consulted": dt.date.today().isoformat()}])
    clash = [str(p) for p in plans if p.exists()]
    if clash:
        from shebao.errors import InputError
        raise InputError(f"not overwriting existing file(s): {', '.join(clash)}")
    directory.mkdir(parents=True, exist_ok=True)
    for path, rows in plans.items():
        rows.to_csv(path, index=False, float_format=lambda v: f"{v:.6f}".rstrip("0").rstrip("."))
        written.append(path)
    return written
