"""Load and validate the policy tables in ``policydata/``.

Every problem is reported as ``file:line:column: what is wrong``; a table with problems never
loads. ``load()`` returns the typed, validated tables (cached per directory).

>>> tables = load()
>>> "contributions.csv" in tables.frames
True
"""

from __future__ import annotations

import calendar
import datetime as dt
import difflib
import hashlib
import os
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from importlib import resources
from pathlib import Path

import pandas as pd

from shebao.errors import PolicyDataError
from shebao.schema import (
    MONTH_ALIGNED,
    PERIOD_KEYS,
    POLICY_TABLES,
    TABLES,
    VALUE_COLUMNS,
)

RATE_DECIMALS = 6  # rates are exact in millionths
MONEY_DECIMALS = 2  # money is exact in fen


@dataclass(frozen=True, order=True)
class Problem:
    file: str
    line: int  # 1 = header line
    column: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.message}"


@dataclass(eq=False)
class PolicyTables:
    """The validated tables: the shipped (or given) directory, plus an overlay directory if any."""

    directory: Path
    frames: dict[str, pd.DataFrame] = field(default_factory=dict)
    overlay: Path | None = None
    changes: list = field(default_factory=list)  # overlay rows that add, replace or shorten rows

    def __getitem__(self, table: str) -> pd.DataFrame:
        return self.frames[table]


def default_directory() -> Path:
    """The shipped tables: inside the installed package, else the repository's ``policydata/``."""
    packaged = Path(str(resources.files("shebao"))) / "policydata"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "policydata"


_OVERLAY: list[Path | None] = [None]


def use_policydata(directory: str | Path | None) -> None:
    """Layer a directory of your own tables over the shipped ones from now on (None: stop).

    The same as ``SHEBAO_POLICYDATA=DIR`` or ``--policydata DIR``; see ``policydata/README.md``.
    """
    _OVERLAY[0] = None if directory is None else Path(directory)


def default_overlay() -> Path | None:
    if _OVERLAY[0] is not None:
        return _OVERLAY[0]
    env = os.environ.get("SHEBAO_POLICYDATA")
    return Path(env) if env else None


def _stamp(path: Path | None):
    if path is None:
        return None
    return tuple((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in sorted(path.glob("*.csv")))


def load(directory: str | Path | None = None, overlay: str | Path | None = None) -> PolicyTables:
    """Validated tables (default: the shipped ones, with the user's overlay if one is set).

    ``directory`` replaces the shipped tables as a whole; ``overlay`` is layered over them.
    Raises PolicyDataError listing every problem.
    """
    path = Path(directory) if directory is not None else default_directory()
    extra = Path(overlay) if overlay is not None else (default_overlay() if directory is None else None)
    if extra is not None and not extra.is_dir():
        raise PolicyDataError([Problem(str(extra), 0, "-", "overlay directory does not exist")])
    return _load_cached(path.resolve(), _stamp(path), extra.resolve() if extra else None, _stamp(extra))


@lru_cache(maxsize=8)
def _load_cached(path: Path, _stamp, overlay: Path | None, _overlay_stamp) -> PolicyTables:
    tables, problems = read_and_check(path, overlay)
    if problems:
        raise PolicyDataError(problems)
    return tables


def check(directory: str | Path | None = None, overlay: str | Path | None = None) -> list[Problem]:
    """Every problem of the tables (and overlay), sorted by file and line; [] when clean."""
    path = Path(directory) if directory is not None else default_directory()
    extra = Path(overlay) if overlay is not None else (default_overlay() if directory is None else None)
    if extra is not None and not extra.is_dir():
        return [Problem(str(extra), 0, "-", "overlay directory does not exist")]
    return read_and_check(path, extra)[1]


def read_and_check(path: Path, overlay: Path | None = None) -> tuple[PolicyTables, list[Problem]]:
    from shebao.overlay import merge

    problems: list[Problem] = []
    tables = PolicyTables(path, overlay=overlay)
    for name, columns in TABLES.items():
        frame = _read_table(path / name, columns, problems)
        if frame is not None:
            tables.frames[name] = frame.assign(origin="shipped")
    if overlay is not None:
        extra = {}
        for name, columns in TABLES.items():
            if (overlay / name).is_file():
                frame = _read_table(overlay / name, columns, problems, label=f"{overlay.name}/{name}")
                if frame is not None:
                    extra[name] = frame.assign(origin=str(overlay))
        if not extra:
            problems.append(Problem(str(overlay), 0, "-", "the overlay holds none of the policy tables"))
        tables.frames, tables.changes = merge(tables.frames, extra)
    if len(tables.frames) == len(TABLES):
        _check_references(tables, problems)
        for name in POLICY_TABLES:
            _check_overlaps(name, tables[name], problems)
            _check_provenance(name, tables[name], tables["sources.csv"], problems)
        _check_brackets(tables["tax_brackets.csv"], problems)
    return tables, sorted(set(problems))


def _read_table(file: Path, columns, problems: list[Problem], label: str | None = None) -> pd.DataFrame | None:
    name = label or file.name
    if not file.is_file():
        problems.append(Problem(name, 0, "-", f"table is missing from {file.parent}"))
        return None
    try:
        raw = pd.read_csv(file, dtype=str, keep_default_na=False, encoding="utf-8")
    except (UnicodeDecodeError, pd.errors.ParserError) as exc:
        problems.append(Problem(name, 0, "-", f"cannot be read as UTF-8 CSV: {exc}"))
        return None
    declared = {c.name for c in columns}
    for col in raw.columns:
        if col not in declared:
            problems.append(Problem(name, 1, col, "unknown column (typo?)"))
    missing = [c.name for c in columns if c.name not in raw.columns and c.required]
    for col in missing:
        problems.append(Problem(name, 1, col, "required column is missing"))
    if missing:
        return None
    for c in columns:  # an optional column left out (e.g. by a table made before it existed) is empty
        if c.name not in raw.columns:
            raw[c.name] = ""
    typed = {c.name: pd.Series([_parse(name, i + 2, c, v, problems) for i, v in enumerate(raw[c.name].str.strip())],
                               dtype=float if c.kind in ("rate", "money", "number") else object,
                               index=raw.index)
             for c in columns}
    frame = pd.DataFrame(typed)
    frame.insert(0, "line", range(2, len(frame) + 2))
    frame.insert(0, "file", name)
    _check_rows(name, frame, problems)
    return frame


def _parse(file: str, line: int, col, text: str, problems: list[Problem]):
    if text == "":
        if col.required:
            problems.append(Problem(file, line, col.name, "value is required"))
        return None
    try:
        if col.kind == "date":
            return dt.date.fromisoformat(text)
        if col.kind in ("rate", "money", "number"):
            number = Decimal(text)
            if not number.is_finite():
                raise InvalidOperation
            decimals = MONEY_DECIMALS if col.kind == "money" else RATE_DECIMALS
            if number != number.quantize(Decimal(1).scaleb(-decimals)):
                problems.append(Problem(file, line, col.name, f"{text} has more than {decimals} decimals"))
            if col.kind == "rate" and not 0 <= number <= 1:
                problems.append(Problem(file, line, col.name,
                                        f"rate {text} is outside [0, 1] (write 0.08, not 8)"))
            if col.kind in ("money", "number") and number < 0:
                problems.append(Problem(file, line, col.name, f"amount {text} is negative"))
            return float(number)
    except (ValueError, InvalidOperation):
        expected = "a date YYYY-MM-DD" if col.kind == "date" else "a number"
        problems.append(Problem(file, line, col.name, f"{text!r} is not {expected}"))
        return None
    if col.choices and text not in col.choices:
        problems.append(Problem(file, line, col.name,
                                f"{text!r} is not one of: {', '.join(col.choices)}"))
    if col.kind == "url" and not text.startswith(("http://", "https://")):
        problems.append(Problem(file, line, col.name, f"{text!r} is not an http(s) URL"))
    return text


def _check_rows(name: str, frame: pd.DataFrame, problems: list[Problem]) -> None:
    def report(mask, column, message):
        for line in frame.loc[mask.fillna(False).astype(bool), "line"]:
            problems.append(Problem(name, int(line), column, message))

    if "effective_from" in frame:
        start, end = frame["effective_from"], frame["effective_to"]
        if name.rsplit("/", 1)[-1] in MONTH_ALIGNED:
            report(start.map(lambda d: d is not None and d.day != 1), "effective_from",
                   "a period starts on the 1st of a month")
            report(end.map(lambda d: d is not None and d.day != calendar.monthrange(d.year, d.month)[1]),
                   "effective_to", "a period ends on the last day of a month")
        report(pd.Series([s is not None and e is not None and e < s for s, e in zip(start, end)]),
               "effective_to", "period ends before it starts")
    if "base_floor" in frame:
        report(frame["base_floor"] > frame["base_ceiling"], "base_floor", "floor is above the ceiling")
    if "rate_min" in frame:
        report(frame["rate_min"] > frame["rate_max"], "rate_min", "rate_min is above rate_max")
        report((frame["rate_default"] < frame["rate_min"]) | (frame["rate_default"] > frame["rate_max"]),
               "rate_default", "rate_default is outside [rate_min, rate_max]")
    if "age_from" in frame:
        report(frame["age_from"] > frame["age_to"], "age_to", "age band ends before it starts")
    if "retired_from" in frame:
        window = frame["retired_from"].notna() | frame["retired_to"].notna()
        report(window & (frame["person"] != "retired"), "person", "a retirement-date window needs person `retired`")
        report(pd.Series([f is not None and t is not None and t < f
                          for f, t in zip(frame["retired_from"], frame["retired_to"])], index=frame.index),
               "retired_to", "retirement-date window ends before it starts")
    if "band_from" in frame:
        report(frame["band_from"] >= frame["band_to"], "band_to", "band ends before it starts")
        report(frame["deductible"].notna() & frame["deductible_basis"].isna(), "deductible_basis",
               "say whether the deductible is per_year, per_admission or per_month")
    if "ratio_points" in frame:
        report(frame["ratio_points"] > 1, "ratio_points", "points are a fraction: 0.10 = 10 points")
    if name in VALUE_COLUMNS:
        report(frame[list(VALUE_COLUMNS[name])].isna().all(axis=1), "-", "row sets no figure")
        report((frame["confidence"] == "corroborated") & frame["confirmed_by"].isna(), "confirmed_by",
               "a corroborated row names its second source here")
    key = {"regions.csv": "region_id", "sources.csv": "source_id"}.get(name)
    if key:
        report(frame[key].duplicated(keep="first"), key, "duplicate key")
    if name == "regions.csv":
        report(~frame["region_id"].str.fullmatch(r"\d{6}").astype(bool), "region_id", "not a 6-digit code")
        report((frame["level"] == "national") != frame["parent_id"].isna(), "parent_id",
               "only the national row has no parent")


def _check_references(tables: PolicyTables, problems: list[Problem]) -> None:
    regions = set(tables["regions.csv"]["region_id"].dropna())
    sources = set(tables["sources.csv"]["source_id"].dropna())
    for name, frame in tables.frames.items():
        for col in [c for c in TABLES[name] if c.kind in ("region", "sources")]:
            known, what = (regions, "region_id") if col.kind == "region" else (sources, "source_id")
            for file, line, cell in zip(frame["file"], frame["line"], frame[col.name]):
                for key in (cell or "").split(";") if col.kind == "sources" else [cell]:
                    if key and key.strip() not in known:
                        close = difflib.get_close_matches(key.strip(), sorted(known), n=3, cutoff=0.6)
                        hint = f" (close: {', '.join(close)})" if close else ""
                        problems.append(Problem(file, int(line), col.name, f"unknown {what} {key.strip()!r}{hint}"))


def _check_provenance(name: str, frame: pd.DataFrame, sources: pd.DataFrame, problems: list[Problem]) -> None:
    """`official` rows cite a source whose own text was read; `corroborated` rows name a second,
    different source. A single secondary source is never enough."""
    kind = dict(zip(sources["source_id"], sources["kind"]))
    for file, line, source, confidence, confirmed in zip(frame["file"], frame["line"], frame["source_id"],
                                                         frame["confidence"], frame["confirmed_by"]):
        others = [c.strip() for c in (confirmed or "").split(";") if c.strip() and c.strip() != source]
        if confidence == "official" and kind.get(source) == "secondary":
            problems.append(Problem(file, int(line), "confidence",
                                    f"'official' needs an official source; {source!r} is secondary"))
        elif confidence == "corroborated" and confirmed and not others:
            problems.append(Problem(file, int(line), "confirmed_by",
                                    "a corroborated row needs a second source other than source_id"))


def _check_overlaps(name: str, frame: pd.DataFrame, problems: list[Problem]) -> None:
    """Two rows of one region (and item) may not both set the same figure on the same day."""
    keys = list(PERIOD_KEYS[name])
    far = dt.date.max
    for column in VALUE_COLUMNS[name]:
        rows = frame.loc[frame[column].notna()].sort_values("effective_from", key=_date_key)
        for _, group in rows.groupby(keys, dropna=False):
            last_end, last_at = None, None
            for file, line, start, end in zip(group["file"], group["line"], group["effective_from"],
                                              group["effective_to"]):
                if start is None:
                    continue
                if last_end is not None and start <= last_end:
                    problems.append(Problem(file, int(line), column, f"period overlaps the one at {last_at}"))
                if last_end is None or (end or far) > last_end:
                    last_end, last_at = end or far, f"{file}:{line}"


def _date_key(series: pd.Series) -> pd.Series:
    return series.map(lambda d: d or dt.date.min)


def _check_brackets(frame: pd.DataFrame, problems: list[Problem]) -> None:
    """Within one schedule and start date: the first bracket starts at 0 with no quick deduction,
    rates rise, and each quick deduction keeps the tax continuous at its bracket's lower bound."""
    complete = frame.dropna(subset=["rate", "quick_deduction", "effective_from"])
    for _, group in complete.groupby(["schedule", "effective_from"]):
        group = group.sort_values("lower")
        prev_rate, prev_qd = 0.0, 0.0
        for first, row in zip([True] + [False] * (len(group) - 1), group.itertuples()):
            expected = 0.0 if first else prev_qd + row.lower * (row.rate - prev_rate)
            if first and row.lower != 0:
                problems.append(Problem(row.file, int(row.line), "lower", "the first bracket starts at 0"))
            elif not first and row.rate <= prev_rate:
                problems.append(Problem(row.file, int(row.line), "rate", "rates must rise bracket by bracket"))
            elif abs(row.quick_deduction - expected) > 0.005:
                problems.append(Problem(row.file, int(row.line), "quick_deduction",
                                        f"{row.quick_deduction:g} breaks continuity; expected {expected:g}"))
            prev_rate, prev_qd = row.rate, row.quick_deduction


def data_info(tables: PolicyTables | None = None) -> dict:
    """Which data the figures come from: a content hash, the newest period, rows by confidence.

    >>> sorted(data_info())[:3]
    ['corroborated', 'directory', 'figures']
    """
    tables = tables or load()
    digest = hashlib.sha256()
    for directory in filter(None, (tables.directory, tables.overlay)):
        for path in sorted(Path(directory).glob("*.csv")):
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
    rows = pd.concat([tables[name][["effective_from", "confidence"]] for name in POLICY_TABLES])
    counts = rows["confidence"].value_counts()
    return {
        "version": digest.hexdigest()[:12],
        "directory": str(tables.directory),
        "overlay": str(tables.overlay) if tables.overlay else None,
        "newest_period": max(rows["effective_from"]).isoformat(),
        "figures": len(rows),
        "official": int(counts.get("official", 0)),
        "corroborated": int(counts.get("corroborated", 0)),
    }


def sources(ids, tables: PolicyTables | None = None) -> pd.DataFrame:
    """The documents behind ``ids`` (source ids, ';'-joined lists, or any frame with a ``source_id`` column).

    >>> sources(["law-shebao"])["issuer"].tolist()
    ['全国人民代表大会常务委员会']
    """
    tables = tables or load()
    values = ids["source_id"] if isinstance(ids, pd.DataFrame) else pd.Series(list(ids), dtype=object)
    wanted = list(dict.fromkeys(i.strip() for cell in values.dropna() for i in str(cell).split(";") if i.strip()))
    table = tables["sources.csv"].set_index("source_id")
    unknown = [i for i in wanted if i not in table.index]
    if unknown:
        from shebao.errors import InputError
        raise InputError(f"unknown source_id(s): {', '.join(unknown)}")
    columns = ["issuer", "title", "doc_number", "published", "kind", "url"]
    return table.loc[wanted, columns].reset_index()
