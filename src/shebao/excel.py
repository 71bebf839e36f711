"""The Excel report: a workbook a manager can read without help, and a live calculator sheet.

    shebao report --base 10000 --year 2025 -o reports/shebao-2025.xlsx

Sheets: 汇总 Summary (with a native bar chart), 缴费明细 Contributions, 公积金 Housing fund,
计算器 Calculator (formulas over 参数 Parameters), 家庭共济 Mutual aid (region × relation on 31 December),
来源 Sources, 说明 About. Written to a temporary
file and renamed; text from the data is always stored as text, never as a formula.

>>> SHEETS["summary"]
'汇总 Summary'
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from shebao.contributions import compare, yearly_contributions
from shebao.data import PolicyTables, data_info, load
from shebao.errors import InputError, NoDataError
from shebao.files import publish
from shebao.kernel import _params, complete, default_rate, possible_items
from shebao.money import PPM
from shebao.periods import check_year
from shebao.schema import ITEM_NAMES_ZH, POLICY_TABLES, ROUNDING

SHEETS = {"summary": "汇总 Summary", "detail": "缴费明细 Contributions", "housing": "公积金 Housing fund",
          "calculator": "计算器 Calculator", "params": "参数 Parameters", "mutual_aid": "家庭共济 Mutual aid",
          "sources": "来源 Sources", "about": "说明 About"}
YUAN = '#,##0.00'
PERCENT = '0.00%'
_UNSAFE = ("=", "+", "-", "@")


def put(ws, row: int, column: int, value, number_format: str | None = None):
    """Write one cell; text that looks like a formula stays text."""
    cell = ws.cell(row=row, column=column)
    if isinstance(value, (np.generic,)):
        value = value.item()
    if isinstance(value, float) and np.isnan(value):
        value = None
    cell.value = value
    if isinstance(value, str) and value.startswith(_UNSAFE):
        cell.data_type = "s"
    if number_format:
        cell.number_format = number_format
    return cell


def _table(ws, frame: pd.DataFrame, headers: list[str], formats: dict[str, str] | None = None) -> None:
    """A header row, the frame's rows, frozen header, filters and widths fitted to Chinese text."""
    from openpyxl.styles import Alignment, Font, PatternFill

    formats = formats or {}
    for c, header in enumerate(headers, start=1):
        cell = put(ws, 1, c, header)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="2B6CB0")
        cell.alignment = Alignment(vertical="center", wrap_text=True)
    for r, row in enumerate(frame.itertuples(index=False), start=2):
        for c, (column, value) in enumerate(zip(frame.columns, row), start=1):
            put(ws, r, c, value, formats.get(column))
    ws.freeze_panes = "A2"
    if len(frame):
        ws.auto_filter.ref = f"A1:{_col(len(headers))}{len(frame) + 1}"
    _fit_widths(ws, [headers, *frame.astype(str).to_numpy().tolist()])


def _fit_widths(ws, rows) -> None:
    widths = {}
    for row in rows:
        for c, value in enumerate(row, start=1):
            text = "" if value is None else str(value)
            width = sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)  # CJK characters are double width
            widths[c] = max(widths.get(c, 0), min(width, 60))
    for c, width in widths.items():
        ws.column_dimensions[_col(c)].width = width + 2


def _col(n: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(n)


def build_report(base: float, year: int, output: str | Path, *, force: bool = False, progress: bool | None = None,
                 tables: PolicyTables | None = None) -> Path:
    """Write the report workbook to ``output`` (refuses to overwrite unless ``force``)."""
    from openpyxl import Workbook

    tables = tables or load()
    year = check_year(year)
    output = Path(output)
    if output.suffix.lower() != ".xlsx":
        raise InputError(f"{output}: the report is an .xlsx workbook")
    if output.exists() and not force:
        raise InputError(f"{output} exists; pass --force to overwrite it")
    if not output.parent.exists():
        raise InputError(f"{output.parent}: no such directory")
    summary = compare(base, year, tables=tables)
    steps = [("summary", lambda wb: _summary(wb, summary, base, year, tables)),
             ("detail", lambda wb: _detail(wb, summary, base, year, tables)),
             ("housing", lambda wb: _housing(wb, summary, year, tables)),
             ("calculator", lambda wb: _calculator(wb, summary, base, year, tables)),
             ("mutual_aid", lambda wb: _mutual_aid(wb, year, tables)),
             ("sources", lambda wb: _sources(wb, tables)),
             ("about", lambda wb: _about(wb, base, year, summary, tables))]
    wb = Workbook()
    wb.remove(wb.active)
    with _Steps(len(steps), progress) as advance:
        for name, step in steps:
            step(wb)
            advance(name)
    handle, temp = tempfile.mkstemp(prefix=f".{output.name}.", suffix=".part", dir=output.parent)
    os.close(handle)
    try:
        wb.save(temp)
        publish(Path(temp), output)
    finally:
        Path(temp).unlink(missing_ok=True)
    return output


def _summary(wb, summary: pd.DataFrame, base: float, year: int, tables) -> None:
    from openpyxl.chart import BarChart, Reference

    from shebao.tax import take_home

    ws = wb.create_sheet(SHEETS["summary"])
    frame = summary[["region", "region_id", "employee_yearly", "employer_yearly", "total_yearly"]].copy()
    with contextlib.suppress(NoDataError):  # no tax rules for the year: the column is left out
        net = take_home(pd.Series([float(base)] * len(frame)), pd.Series(frame["region_id"].tolist()), year,
                        tables=tables)
        frame["take_home_monthly"] = net[net["month"].isna()]["net"].to_numpy() / 12
    frame["missing_items"] = summary["missing_items"].to_numpy()
    headers = ["地区 Region", "代码 Code", "个人/年 Employee (元)", "单位/年 Employer (元)", "合计/年 Total (元)"]
    if "take_home_monthly" in frame:
        headers.append(f"税后月均 Take-home/month at wage {base:,.0f} (元)")
    headers.append("未含项目 Items without sourced figures")
    formats = {c: YUAN for c in ("employee_yearly", "employer_yearly", "total_yearly", "take_home_monthly")}
    _table(ws, frame, headers, formats)
    chart = BarChart()
    chart.type, chart.grouping, chart.overlap = "bar", "stacked", 100
    chart.title = f"{year}年 缴费基数 {base:,.0f} 元 年度五险一金"
    chart.y_axis.title = "元/年"
    data = Reference(ws, min_col=3, max_col=4, min_row=1, max_row=len(frame) + 1)
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=2, max_row=len(frame) + 1))
    chart.height, chart.width = max(7.5, 0.6 * len(frame) + 3), 18
    ws.add_chart(chart, f"{_col(len(headers) + 2)}2")


def _detail(wb, summary: pd.DataFrame, base: float, year: int, tables) -> None:
    ws = wb.create_sheet(SHEETS["detail"])
    parts = []
    for region_id in summary["region_id"]:  # a handful of regions, each a vectorised 12-month call
        year_rows = yearly_contributions(base, region_id, year, tables=tables)
        grouped = year_rows.groupby(["region", "item", "item_zh"], sort=False).agg(
            employee_yearly=("employee_monthly", "sum"), employer_yearly=("employer_monthly", "sum"),
            months=("month", "nunique"), employee_rate=("employee_rate", "last"),
            employer_rate=("employer_rate", "last"), base_used=("base_used", "last"),
            source_id=("source_id", "last"), confidence=("confidence", "last")).reset_index()
        parts.append(grouped)
    frame = pd.concat(parts, ignore_index=True)
    headers = ["地区 Region", "项目 Item", "项目 名称", "个人/年 Employee (元)", "单位/年 Employer (元)", "月数 Months",
               "个人费率 Employee rate (Dec)", "单位费率 Employer rate (Dec)", "基数 Base used (Dec, 元)",
               "来源 Source", "可信度 Confidence"]
    _table(ws, frame, headers, {"employee_yearly": YUAN, "employer_yearly": YUAN, "employee_rate": PERCENT,
                                "employer_rate": PERCENT, "base_used": YUAN})


def _housing(wb, summary: pd.DataFrame, year: int, tables) -> None:
    ws = wb.create_sheet(SHEETS["housing"])
    rows = tables["housing_fund.csv"]
    ends = rows["effective_to"].map(lambda d: d or dt.date.max)
    chains = set(summary["region_id"]) | {"000000"}
    chosen = rows[(rows["effective_from"] <= dt.date(year, 12, 31)) & (ends >= dt.date(year, 1, 1))
                  & rows["region_id"].isin(chains)]
    names = tables["regions.csv"].set_index("region_id")["short_zh"]
    frame = pd.DataFrame({"region": chosen["region_id"].map(names), "from": chosen["effective_from"].astype(str),
                          "to": chosen["effective_to"].map(lambda d: d.isoformat() if d else ""),
                          "rate_min": chosen["rate_min"], "rate_max": chosen["rate_max"],
                          "base_floor": chosen["base_floor"], "base_ceiling": chosen["base_ceiling"],
                          "source_id": chosen["source_id"], "confidence": chosen["confidence"]})
    headers = ["地区 Region", "起 From", "止 To", "最低比例 Rate min", "最高比例 Rate max", "基数下限 Floor (元)",
               "基数上限 Ceiling (元)", "来源 Source", "可信度 Confidence"]
    _table(ws, frame, headers, {"rate_min": PERCENT, "rate_max": PERCENT, "base_floor": YUAN, "base_ceiling": YUAN})


def calculator_parameters(summary: pd.DataFrame, year: int, tables) -> tuple[pd.DataFrame, list[str]]:
    """One row per (region, month) with each item's parameters, as the calculator sheet reads them.

    The housing fund uses the region's default rate (or its minimum), as the Python calculator does.
    """
    items = list(dict.fromkeys(i for m in range(12) for i in possible_items(tables, year * 12 + m)))
    names = tables["regions.csv"].set_index("region_id")["short_zh"]
    rows = []
    for region_id in summary["region_id"]:
        for month in range(1, 13):
            row = {"key": f"{names[region_id]}|{month}", "region": names[region_id], "month": month}
            for item in items:
                row.update({f"{item}.{k}": v for k, v in _item_parameters(tables, region_id, year * 12 + month - 1,
                                                                          item).items()})
            rows.append(row)
    return pd.DataFrame(rows), items


def _item_parameters(tables, region_id: str, month: int, item: str) -> dict:
    table = "housing_fund.csv" if item == "housing_fund" else "contributions.csv"
    p = _params(tables, table)
    res = p.resolved
    code, offset = res.code_of[region_id], month - res.first_month
    inside = 0 <= offset < res.covered.shape[1]
    cell = code * res.covered.shape[1] + (offset if inside else 0)
    get = {name: int(values[cell, res.groups.index(item)]) for name, values in p.arrays.items()}
    known = bool(complete(get, item))  # the kernel's own rule
    if item == "housing_fund":
        rate = int(default_rate(get))
        get.update(employee_rate=rate, employer_rate=rate, employee_fixed=-1, employer_fixed=-1)
        known = known and inside and bool(res.covered[code, offset])  # the fund needs the region's own rows
    unit, mode = ROUNDING[get["rounding"]].split("_", 1)
    return {"present": int(known), "floor": max(get["base_floor"], 0) / 100,
            "ceiling": max(get["base_ceiling"], 0) / 100, "employee_rate": max(get["employee_rate"], 0) / PPM,
            "employer_rate": max(get["employer_rate"], 0) / PPM, "employee_fixed": max(get["employee_fixed"], 0) / 100,
            "employer_fixed": max(get["employer_fixed"], 0) / 100, "digits": {"fen": 2, "jiao": 1, "yuan": 0}[unit],
            "mode": mode}


def _calculator(wb, summary: pd.DataFrame, base: float, year: int, tables) -> None:
    from openpyxl.styles import Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    params, items = calculator_parameters(summary, year, tables)
    pws = wb.create_sheet(SHEETS["params"])
    _table(pws, params, list(params.columns))
    last = len(params) + 1
    columns = {name: _col(i + 1) for i, name in enumerate(params.columns)}
    ref = f"'{SHEETS['params']}'"

    ws = wb.create_sheet(SHEETS["calculator"], index=1)
    bold = Font(bold=True)
    put(ws, 1, 1, f"{year}年 五险一金计算器 Calculator (housing fund at the region's default rate)").font = \
        Font(bold=True, size=13)
    put(ws, 2, 1, "缴费基数 Base (元/月)").font = bold
    put(ws, 2, 2, float(base), YUAN).fill = PatternFill("solid", fgColor="FEFCBF")
    put(ws, 3, 1, "地区 Region").font = bold
    put(ws, 3, 2, summary["region"].iloc[0]).fill = PatternFill("solid", fgColor="FEFCBF")
    regions = ",".join(summary["region"])
    check = DataValidation(type="list", formula1=f'"{regions}"', allow_blank=False, showDropDown=False)
    check.error, check.errorTitle = "请选择列表中的地区 Pick a region from the list", "地区 Region"
    ws.add_data_validation(check)
    check.add("B3")
    put(ws, 4, 1, "黄色格子可改 Edit the yellow cells; amounts recompute.")

    header_row = 6
    put(ws, header_row, 1, "月 Month").font = bold
    put(ws, header_row, 2, "参数行 Row").font = bold
    col = 3
    layout = {}
    for item in items:
        for side in ("base", "employee", "employer"):
            label = {"base": "基数", "employee": "个人", "employer": "单位"}[side]
            put(ws, header_row, col, f"{ITEM_NAMES_ZH.get(item, item)} {label} {item}.{side}").font = bold
            layout[(item, side)] = _col(col)
            col += 1
    put(ws, header_row, col, "个人合计 Employee").font = bold
    put(ws, header_row, col + 1, "单位合计 Employer").font = bold
    total_cols = (_col(col), _col(col + 1))

    def param(item, field, row):
        return f"INDEX({ref}!${columns[f'{item}.{field}']}$2:${columns[f'{item}.{field}']}${last},$B{row})"

    def rounded(expression, item, row):
        digits, mode = param(item, "digits", row), param(item, "mode", row)
        return (f'IF({mode}="up",ROUNDUP({expression},{digits}),IF({mode}="down",ROUNDDOWN({expression},{digits}),'
                f'ROUND({expression},{digits})))')

    for month in range(1, 13):
        row = header_row + month
        put(ws, row, 1, month)
        ws.cell(row=row, column=2).value = f'=MATCH($B$3&"|"&A{row},{ref}!$A$2:$A${last},0)'
        for item in items:
            base_col = layout[(item, "base")]
            ws[f"{base_col}{row}"] = f"=MIN(MAX($B$2,{param(item, 'floor', row)}),{param(item, 'ceiling', row)})"
            ws[f"{base_col}{row}"].number_format = YUAN
            for side in ("employee", "employer"):
                amount = rounded(f"{base_col}{row}*{param(item, side + '_rate', row)}", item, row)
                cell = f"{layout[(item, side)]}{row}"
                ws[cell] = f"=IF({param(item, 'present', row)}=1,{amount}+{param(item, side + '_fixed', row)},0)"
                ws[cell].number_format = YUAN
        for side, target in zip(("employee", "employer"), total_cols):
            ws[f"{target}{row}"] = "=" + "+".join(f"{layout[(i, side)]}{row}" for i in items)
            ws[f"{target}{row}"].number_format = YUAN
    total_row = header_row + 13
    put(ws, total_row, 1, "全年 Year").font = bold
    for side, target in zip(("employee", "employer"), total_cols):
        ws[f"{target}{total_row}"] = f"=SUM({target}{header_row + 1}:{target}{header_row + 12})"
        ws[f"{target}{total_row}"].number_format = YUAN
        ws[f"{target}{total_row}"].font = bold
    for item in items:
        for side in ("employee", "employer"):
            column = layout[(item, side)]
            ws[f"{column}{total_row}"] = f"=SUM({column}{header_row + 1}:{column}{header_row + 12})"
            ws[f"{column}{total_row}"].number_format = YUAN
    ws.freeze_panes = f"C{header_row + 1}"
    ws.column_dimensions["A"].width = 22
    for c in range(2, col + 2):
        ws.column_dimensions[_col(c)].width = 14


def _mutual_aid(wb, year: int, tables) -> None:
    """Regions × relations, for the relative's own costs and for their premium, on the year's last day."""
    from shebao.mutual_aid import RELATION_ZH, mutual_aid_matrix
    from shebao.schema import RELATIONS

    ws = wb.create_sheet(SHEETS["mutual_aid"])
    on = dt.date(year, 12, 31)
    parts = []
    for purpose, label in (("medical", "医疗 medical"), ("premium", "缴费 premium")):
        matrix = mutual_aid_matrix(on=on, purpose=purpose, tables=tables)
        marks = matrix[list(RELATIONS)].apply(lambda column: column.map({True: "✓", False: "✗"}))
        parts.append(pd.concat([matrix[["region"]].assign(purpose=label), marks,
                                matrix["uses_national_rules"].map({True: "✓", False: ""})
                                .rename("national")], axis=1))
    frame = pd.concat(parts, ignore_index=True)
    headers = [f"地区 Region ({on.isoformat()})", "用途 Purpose", *(f"{RELATION_ZH[r]} {r}" for r in RELATIONS),
               "全国规则 National rules used"]
    _table(ws, frame, headers)


def _sources(wb, tables) -> None:
    from openpyxl.styles import Font

    ws = wb.create_sheet(SHEETS["sources"])
    sources = tables["sources.csv"].copy()
    used = pd.concat([tables[name][["source_id", "confidence"]] for name in POLICY_TABLES])
    counts = used.groupby(["source_id", "confidence"]).size().unstack(fill_value=0)
    for level in ("official", "corroborated"):
        sources[f"rows_{level}"] = sources["source_id"].map(counts.get(level, {})).fillna(0) \
            .astype(int)
    frame = sources[["source_id", "issuer", "title", "doc_number", "published", "kind", "rows_official",
                     "rows_corroborated", "url"]].copy()
    frame["published"] = frame["published"].map(lambda d: d.isoformat() if d else "")
    headers = ["来源 Source", "发文机关 Issuer", "标题 Title", "文号 Number", "日期 Published", "类型 Kind",
               "官方行 Rows official", "佐证行 Rows corroborated", "链接 URL"]
    _table(ws, frame, headers)
    for r, url in enumerate(frame["url"], start=2):
        cell = ws.cell(row=r, column=len(headers))
        if isinstance(url, str) and url.startswith(("http://", "https://")):
            cell.hyperlink = url
            cell.font = Font(color="2B6CB0", underline="single")


def _about(wb, base: float, year: int, summary: pd.DataFrame, tables) -> None:
    ws = wb.create_sheet(SHEETS["about"])
    info = data_info(tables)
    lines = [
        ("shebao 社保 report", ""),
        ("生成 Generated", dt.datetime.now().strftime("%Y-%m-%d %H:%M")),
        ("缴费基数 Base", f"{base:,.2f} 元/月"), ("年度 Year", str(year)),
        ("数据版本 Data version", (f"{info['version']} ({info['figures']} rows: {info['official']} official, "
                                 f"{info['corroborated']} corroborated; newest period {info['newest_period']})")),
        ("叠加数据 Overlay", info["overlay"] or "-"),
        ("说明 Note", ("Items without sourced figures are left out of the totals and named in the summary; "
                     "see policydata/UNRESOLVED.md. Amounts are exact to the fen (rounded half up per item).")),
    ]
    for r, (key, value) in enumerate(lines, start=1):
        put(ws, r, 1, key)
        put(ws, r, 2, value)
    ws.column_dimensions["A"].width, ws.column_dimensions["B"].width = 24, 100


class _Steps:
    """A short progress bar over the workbook's sheets on a terminal; silent otherwise."""

    def __init__(self, total: int, enabled: bool | None):
        self.total, self.enabled = total, sys.stderr.isatty() if enabled is None else enabled

    def __enter__(self):
        if not self.enabled:
            return lambda name: None
        from rich.progress import Progress

        self.bar = Progress(transient=True)
        self.bar.start()
        task = self.bar.add_task("report", total=self.total)
        return lambda name: self.bar.update(task, advance=1, description=f"report: {name}")

    def __exit__(self, *exc):
        if self.enabled:
            self.bar.stop()
        return False
