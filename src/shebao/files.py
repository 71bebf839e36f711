"""Payroll files: CSV (UTF-8 or GBK), Excel and Parquet in and out, in chunks, atomically.

    shebao payroll staff.csv -o staff-2025-08.parquet --on 2025-08-01

The output keeps every input column and row order and adds the per-item amounts and totals.
Rows are numbered as the user sees them: the CSV/Excel line (header = 1), the Parquet row (1-based).

>>> canonical_columns(["地区", "缴费基数", "工号"])
{'地区': 'region', '缴费基数': 'base'}
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sys
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd

from shebao.contributions import payroll
from shebao.data import PolicyTables, load
from shebao.errors import InputError, ShebaoError
from shebao.kernel import housing_fund_range
from shebao.money import MAX_BASE_YUAN, PPM
from shebao.periods import check_year, month_number, to_date
from shebao.regions import resolve_region

FORMATS = (".csv", ".xlsx", ".parquet")
ALIASES = {
    "region": ("region", "地区", "城市", "参保地", "参保城市", "所在城市", "工作城市"),
    "base": ("base", "缴费基数", "社保基数", "社保缴费基数", "基数"),
    "housing_fund_rate": ("housing_fund_rate", "公积金比例", "公积金缴存比例", "住房公积金比例"),
    "injury_rate": ("injury_rate", "工伤费率", "工伤保险费率"),
}
_ENCODINGS = ("utf-8-sig", "gb18030")
EXCEL_MAX_ROWS = 1_048_575


def canonical_columns(columns) -> dict[str, str]:
    """Input header → the name the calculator needs, for headers it recognises (English or Chinese)."""
    lookup = {alias.casefold(): name for name, aliases in ALIASES.items() for alias in aliases}
    found = {}
    for column in columns:
        name = lookup.get(str(column).strip().casefold())
        if name and name not in found.values():
            found[column] = name
    return found


def detect_encoding(path: Path, sample: int = 1 << 20) -> str:
    """UTF-8 (with or without BOM) or GB18030 (a superset of GBK); InputError when neither decodes."""
    head = path.read_bytes()[:sample] if path.stat().st_size <= sample else _read_head(path, sample)
    for encoding in _ENCODINGS:
        try:
            head.decode(encoding)
        except UnicodeDecodeError as exc:
            if exc.start < len(head) - 4:  # not just a character cut at the sample's end
                continue
        return encoding
    raise InputError(f"{path}: cannot decode as UTF-8 or GBK/GB18030")


def _read_head(path: Path, size: int) -> bytes:
    with path.open("rb") as f:
        return f.read(size)


def read_chunks(path: Path, chunksize: int) -> tuple[Iterator[pd.DataFrame], int | None]:
    """Chunks of the input (row labels = the row numbers a user sees), and the row count if known."""
    suffix = path.suffix.lower()
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    if suffix == ".csv":
        encoding = detect_encoding(path)
        reader = pd.read_csv(path, dtype=str, encoding=encoding, chunksize=chunksize)
        return _numbered(reader, first=2, path=path), None
    if suffix == ".xlsx":
        try:
            frame = pd.read_excel(path, dtype=str, engine="openpyxl")
        except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:  # what a damaged workbook raises
            raise InputError(f"{path}: cannot be read as an Excel workbook ({exc})") from None
        return _numbered(iter([frame]), first=2, path=path), len(frame)
    if suffix == ".parquet":
        import pyarrow.parquet as pq

        try:
            source = pq.ParquetFile(path)
        except (ValueError, OSError) as exc:  # pyarrow's ArrowInvalid / ArrowIOError
            raise InputError(f"{path}: cannot be read as Parquet ({exc})") from None
        batches = (batch.to_pandas() for batch in source.iter_batches(batch_size=chunksize))
        return _numbered(batches, first=1, path=path), source.metadata.num_rows
    raise InputError(f"{path}: unsupported format {suffix or '(none)'}; use one of {', '.join(FORMATS)}")


def _numbered(chunks, first: int, path: Path) -> Iterator[pd.DataFrame]:
    done = 0
    try:
        for chunk in chunks:
            chunk.index = pd.RangeIndex(first + done, first + done + len(chunk))
            done += len(chunk)
            yield chunk
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: cannot decode near byte {exc.start} (not UTF-8 or GBK)") from None
    finally:
        if hasattr(chunks, "close"):
            chunks.close()  # the CSV reader holds the file open


def row_problems(frame: pd.DataFrame, month: int, tables: PolicyTables) -> pd.Series:
    """One reason per bad row ('' when the row is fine), without a per-row loop over good rows."""
    reasons = pd.Series("", index=frame.index, dtype=object)

    def flag(mask, text):
        mask = pd.Series(np.asarray(mask, dtype=bool), index=frame.index) & (reasons == "")
        reasons[mask] = text if isinstance(text, str) else text[mask]

    base = pd.to_numeric(frame["base"], errors="coerce")
    flag(frame["base"].isna(), "base is empty")
    flag(base.isna(), "base is not a number: " + frame["base"].astype(str))
    flag((base < 0) | np.isinf(base) | (base > MAX_BASE_YUAN), "base is negative or out of range")
    names = frame["region"]
    flag(names.isna(), "region is empty")
    resolved, errors = {}, {}
    for name in names.dropna().unique():
        try:
            resolved[name] = resolve_region(name, tables)
        except ShebaoError as exc:
            errors[name] = str(exc)
    flag(names.isin(list(errors)), names.map(errors))
    ok = reasons == ""
    if ok.any():
        from shebao.kernel import _params

        res = _params(tables, "contributions.csv").resolved
        ids = names[ok].map(resolved)
        offset = month - res.first_month
        covered = pd.Series(False, index=frame.index)
        if 0 <= offset < res.covered.shape[1]:
            covered[ok] = res.covered[ids.map(res.code_of).to_numpy(), offset]
        messages = {r: res.coverage_message(res.code_of[r], month, "contribution") for r in ids.unique()}
        flag(ok & ~covered, names.map(resolved).map(messages))
    for column, what in (("housing_fund_rate", "housing_fund_rate"), ("injury_rate", "injury_rate")):
        if column not in frame:
            continue
        rate = pd.to_numeric(frame[column], errors="coerce")
        given = frame[column].notna()
        flag(given & (rate.isna() | (rate < 0) | (rate > 1)), f"{what} is not a rate between 0 and 1")
        if column == "housing_fund_rate" and ((reasons == "") & given & (rate > 0)).any():
            check = (reasons == "") & given & (rate > 0)
            ids = names[check].map(resolved)
            low, high = housing_fund_range(tables, ids.to_numpy(), month)
            ppm = np.rint(rate[check].to_numpy() * PPM)
            bad = pd.Series(False, index=frame.index)
            bad[check] = (ppm < low) | (ppm > high)
            flag(bad, "housing_fund_rate is outside the region's allowed range")
    return reasons


class _Writer:
    """Append chunks to a temporary file beside the output; ``commit`` renames it into place."""

    def __init__(self, output: Path):
        self.output = output
        handle, name = tempfile.mkstemp(prefix=f".{output.name}.", suffix=".part", dir=output.parent)
        os.close(handle)
        self.temp = Path(name)
        self.rows = 0
        self._parquet = self._book = self._sheet = None

    def write(self, frame: pd.DataFrame) -> None:
        suffix = self.output.suffix.lower()
        if suffix == ".csv":
            frame.to_csv(self.temp, mode="a", header=self.rows == 0, index=False,
                         encoding="utf-8-sig" if self.rows == 0 else "utf-8")
        elif suffix == ".parquet":
            import pyarrow as pa
            import pyarrow.parquet as pq

            table = pa.Table.from_pandas(frame, preserve_index=False,
                                         schema=self._parquet.schema if self._parquet else None)
            if self._parquet is None:
                self._parquet = pq.ParquetWriter(self.temp, table.schema)
            self._parquet.write_table(table)
        else:
            self._write_excel(frame)
        self.rows += len(frame)

    def _write_excel(self, frame: pd.DataFrame) -> None:
        from openpyxl import Workbook
        from openpyxl.cell import WriteOnlyCell

        if self.rows + len(frame) > EXCEL_MAX_ROWS:
            raise InputError(f"{self.output}: more than {EXCEL_MAX_ROWS:,} rows do not fit in Excel; "
                             "write .csv or .parquet")
        if self._book is None:
            self._book = Workbook(write_only=True)
            self._sheet = self._book.create_sheet("payroll")
            self._sheet.append(list(map(str, frame.columns)))
        for values in frame.itertuples(index=False):
            row = []
            for value in values:
                if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
                    cell = WriteOnlyCell(self._sheet, value)
                    cell.data_type = "s"  # text from the data never becomes a formula
                    row.append(cell)
                else:
                    row.append(None if isinstance(value, float) and np.isnan(value) else value)
            self._sheet.append(row)

    def commit(self) -> None:
        if self._parquet is not None:
            self._parquet.close()
        if self._book is not None:
            self._book.save(self.temp)
        publish(self.temp, self.output)

    def discard(self) -> None:
        if self._parquet is not None:
            self._parquet.close()
        self.temp.unlink(missing_ok=True)


def run(source: str | Path, output: str | Path, *, on=None, year: int | None = None, force: bool = False,
        errors: str = "raise", chunksize: int = 1_000_000, assume_latest: bool = False,
        progress: bool | None = None, tables: PolicyTables | None = None) -> pd.DataFrame:
    """Compute a payroll file into ``output``; returns the per-region summary.

    ``on`` (one month) or ``year`` (twelve months summed). ``errors='collect'`` writes bad rows
    with their reasons to ``<output>.errors.csv`` and computes the good ones.
    """
    tables = tables or load()
    source, output = Path(source), Path(output)
    months = _months(on, year)
    if output.suffix.lower() not in FORMATS:
        raise InputError(f"{output}: unsupported output format; use one of {', '.join(FORMATS)}")
    if output.exists() and not force:
        raise InputError(f"{output} exists; pass --force to overwrite it")
    if errors not in ("raise", "collect"):
        raise InputError("errors must be 'raise' or 'collect'")
    chunks, total = read_chunks(source, chunksize)
    writer = _Writer(output)
    rejected = output.with_name(output.name + ".errors.csv")
    summary, bad_rows = {}, []
    try:
        with _Progress(total, progress) as advance:
            for chunk in chunks:
                names = canonical_columns(chunk.columns)
                missing = [c for c in ("region", "base") if c not in names.values()]
                if missing:
                    raise InputError(f"{source}: missing column(s) {missing}; found {list(chunk.columns)} "
                                     f"(recognised headers: {', '.join(ALIASES['region'] + ALIASES['base'])})")
                work = _blank_to_missing(chunk.rename(columns=names)[[c for c in ALIASES if c in names.values()]])
                if errors == "collect":
                    reasons = row_problems(work, months[0], tables)
                    if len(months) > 1:
                        for month in months[1:]:
                            more = row_problems(work, month, tables)
                            reasons = reasons.where(reasons != "", more)
                    bad = reasons != ""
                    if bad.any():
                        bad_rows.append(chunk[bad].assign(row=chunk.index[bad], reason=reasons[bad]))
                    chunk, work = chunk[~bad], work[~bad]
                amounts = _amounts(work, months, assume_latest, tables, source)
                clash = [c for c in amounts.columns if c in chunk.columns]
                if clash:
                    raise InputError(f"{source}: input already has column(s) {clash}; rename them")
                writer.write(pd.concat([chunk, amounts], axis=1))
                _add_summary(summary, work, amounts, tables)
                advance(len(chunk) + (int(bad.sum()) if errors == "collect" else 0))
        writer.commit()
    except BaseException:
        writer.discard()
        raise
    finally:
        chunks.close()
    if bad_rows:
        pd.concat(bad_rows).to_csv(rejected, index=False, encoding="utf-8-sig")
    elif rejected.exists() and errors == "collect":
        rejected.unlink()
    return _summary_frame(summary, tables)


def _blank_to_missing(work: pd.DataFrame) -> pd.DataFrame:
    """Empty or blank text cells are missing values, as in a CSV."""
    out = work.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            text = out[column].astype("string").str.strip()
            out[column] = out[column].where(text.fillna("") != "")
    return out


def _months(on, year) -> list[int]:
    if (on is None) == (year is None):
        raise InputError("give exactly one of on (a date) or year")
    if year is not None:
        return list(np.arange(12) + check_year(year) * 12)
    return [month_number(to_date(on))]


def _amounts(work: pd.DataFrame, months: list[int], assume_latest: bool, tables, source) -> pd.DataFrame:
    try:
        parts = [payroll(work, on=dt.date(m // 12, m % 12 + 1, 1), assume_latest=assume_latest, tables=tables)
                 for m in months]
    except ShebaoError as exc:
        raise type(exc)(f"{source}: {exc}") from None
    if len(parts) == 1:
        return parts[0]
    columns = list(dict.fromkeys(c for part in parts for c in part.columns))
    fen = sum(np.rint(part.reindex(columns=columns).drop(columns=[c for c in columns if c in
                                                                  ("base_clamped", "assumed_latest")])
                      .fillna(0).to_numpy() * 100).astype(np.int64) for part in parts)
    out = pd.DataFrame(fen / 100, index=work.index,
                       columns=[c for c in columns if c not in ("base_clamped", "assumed_latest")])
    for flag in ("base_clamped", "assumed_latest"):
        if flag in columns:
            out[flag] = np.any([part[flag].to_numpy() for part in parts if flag in part], axis=0)
    return out


def _add_summary(summary: dict, work: pd.DataFrame, amounts: pd.DataFrame, tables) -> None:
    if work.empty:
        return
    regions = work["region"].map({n: resolve_region(n, tables) for n in work["region"].unique()})
    fen = pd.DataFrame({"employees": 1, "employee": np.rint(amounts["employee_total"] * 100).astype(np.int64),
                        "employer": np.rint(amounts["employer_total"] * 100).astype(np.int64)}, index=work.index)
    for region, sums in fen.groupby(regions.to_numpy()).sum().iterrows():
        acc = summary.setdefault(region, np.zeros(3, dtype=np.int64))
        acc += sums.to_numpy()


def _summary_frame(summary: dict, tables) -> pd.DataFrame:
    names = tables["regions.csv"].set_index("region_id")["short_zh"]
    rows = [{"region": names[r], "region_id": r, "employees": int(v[0]), "employee_total": v[1] / 100,
             "employer_total": v[2] / 100, "total": (v[1] + v[2]) / 100} for r, v in summary.items()]
    frame = pd.DataFrame(rows, columns=["region", "region_id", "employees", "employee_total", "employer_total",
                                        "total"])
    return frame.sort_values("total", ascending=False).reset_index(drop=True)


class _Progress:
    """A rich progress bar (rows done, rows/s) on a terminal; silent otherwise."""

    def __init__(self, total: int | None, enabled: bool | None):
        self.enabled = sys.stderr.isatty() if enabled is None else enabled
        self.total = total

    def __enter__(self):
        if not self.enabled:
            return lambda n: None
        from rich.progress import (
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        self.bar = Progress(TextColumn("payroll"), MofNCompleteColumn(), TextColumn("{task.fields[rate]} rows/s"),
                            TimeElapsedColumn(), transient=False)
        self.bar.start()
        self.task = self.bar.add_task("rows", total=self.total, rate="-")
        self.started = dt.datetime.now()

        def advance(n):
            done = self.bar.tasks[0].completed + n
            seconds = max((dt.datetime.now() - self.started).total_seconds(), 1e-9)
            self.bar.update(self.task, completed=done, rate=f"{done / seconds:,.0f}")
        return advance

    def __exit__(self, *exc):
        if self.enabled:
            self.bar.stop()
        return False


def run_dask(source: str | Path, output: str | Path, *, on, address: str | None = None, force: bool = False,
             tables: PolicyTables | None = None) -> None:
    """The same payroll on a Dask cluster (``address``; 'local' starts one here; None uses Dask's
    own configuration). CSV or Parquet in; one CSV file or a Parquet directory out. Row numbers in
    messages count within a partition."""
    try:
        import dask.dataframe as dd
        from dask.distributed import Client, LocalCluster
    except ImportError:
        raise InputError("the Dask path needs the extra: pip install 'shebao[dask]'") from None
    tables = tables or load()
    source, output = Path(source), Path(output)
    if output.exists() and not force:
        raise InputError(f"{output} exists; pass --force to overwrite it")
    suffix = source.suffix.lower()
    if suffix == ".parquet":
        frame = dd.read_parquet(source)
    elif suffix == ".csv":
        frame = dd.read_csv(source, dtype=str, encoding=detect_encoding(source), blocksize="64MB")
    else:
        raise InputError(f"{source}: the Dask path reads .csv or .parquet")
    names = canonical_columns(frame.columns)
    missing = [c for c in ("region", "base") if c not in names.values()]
    if missing:
        raise InputError(f"{source}: missing column(s) {missing}; found {list(frame.columns)}")
    day = to_date(on)
    meta_amounts = payroll(frame._meta.rename(columns=names)[list(names.values())], day, tables=tables)
    meta = pd.concat([frame._meta, meta_amounts], axis=1)

    def one_partition(part: pd.DataFrame) -> pd.DataFrame:
        work = part.rename(columns=names)[list(names.values())]
        return pd.concat([part, payroll(work, day, tables=tables)], axis=1)

    result = frame.map_partitions(one_partition, meta=meta)
    client = Client(LocalCluster(n_workers=2, threads_per_worker=1)) if address == "local" else \
        (Client(address) if address else None)
    temp = output.with_name(f".{output.name}.part")
    try:
        if output.suffix.lower() == ".parquet":
            result.to_parquet(temp, write_index=False, overwrite=True)
        elif output.suffix.lower() == ".csv":
            result.to_csv(temp, single_file=True, index=False, encoding="utf-8")
        else:
            raise InputError(f"{output}: the Dask path writes .csv or .parquet")
        if output.exists():
            _remove(output)
        os.replace(temp, output)
    finally:
        if temp.exists():
            _remove(temp)
        if client is not None:
            client.close()


def publish(temp: Path, output: Path) -> None:
    """Give a finished temporary file the usual permissions and rename it into place."""
    mask = os.umask(0)
    os.umask(mask)
    os.chmod(temp, 0o666 & ~mask)
    os.replace(temp, output)


def _remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)
