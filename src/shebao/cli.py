"""The ``shebao`` command (also ``python -m shebao``).

    shebao contributions 北京 --base 10000 --on 2025-08-01
    shebao compare --base 10000 --year 2025
    shebao personal-account 北京 --base 10000 --year 2025
    shebao reimburse 北京 --amount 50000 --setting inpatient --level 3
    shebao mutual-aid 北京 --relation sibling --purpose premium
    shebao history 北京 --item pension --field base_floor
    shebao data check
"""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path

import typer

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Chinese social insurance and housing fund by region: sourced figures, exact to the fen.")
data_app = typer.Typer(no_args_is_help=True, help="Check the policy tables and show their coverage.")
app.add_typer(data_app, name="data")
chart_app = typer.Typer(no_args_is_help=True, help="Charts as PNG, SVG or PDF (by the output's suffix).")
app.add_typer(chart_app, name="chart")


class Format(str, Enum):
    table = "table"
    csv = "csv"
    json = "json"


POLICYDATA = typer.Option(None, "--policydata", help="Directory of your own tables layered over the shipped ones "
                          "(also SHEBAO_POLICYDATA).")
INPUT_FILE = typer.Argument(..., help="Employees file: .csv, .xlsx or .parquet with region and base columns.")
OUTPUT_FILE = typer.Option(..., "-o", "--output", help="Output file: .csv, .xlsx or .parquet.")
SUMMARY_FILE = typer.Option(None, "--summary", help="Also write the per-region summary to this CSV.")
DIRECTORY = typer.Option(None, "--directory", help="Tables directory (default: the shipped one).")
OUTPUT_DIR = typer.Option(..., "-o", "--output", help="Overlay directory to write (files are never overwritten).")
OVERLAY_DIR = typer.Argument(..., help="Overlay directory.")
ASSUME_LATEST = typer.Option(False, "--assume-latest",
                             help="Past the data's last period, carry that period forward (flagged in the output).")
FORMAT = typer.Option(Format.table, "--format", "-f", help="table for people; csv or json for machines.")


def _emit(frame, fmt: Format, title: str = "", footnotes=()) -> None:
    if fmt is Format.csv:
        sys.stdout.write(frame.to_csv(index=False))
    elif fmt is Format.json:
        sys.stdout.write(frame.to_json(orient="records", force_ascii=False, date_format="iso") + "\n")
    else:
        from rich.console import Console
        from rich.table import Table

        table = Table(title=title or None, show_lines=False)
        for column in frame.columns:
            numeric = frame[column].dtype.kind in "fiu"
            table.add_column(str(column), justify="right" if numeric else "left")
        for row in frame.itertuples(index=False):
            table.add_row(*(_cell(v) for v in row))
        console = Console(width=None if sys.stdout.isatty() else 160)
        console.print(table)
        for note in footnotes:
            console.print(note, style="dim")


def _cell(value) -> str:
    import pandas as pd

    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, float):
        return f"{value:,.2f}" if abs(value) >= 1 or value == 0 else f"{value:g}"
    return str(value)


def _tables(policydata: Path | None):
    from shebao.data import load

    return load(overlay=policydata)


def _assumed_note(frame) -> list[str]:
    if "assumed_latest" in frame and frame["assumed_latest"].any():
        return [("WARNING: some figures are carried forward past the data's last period (--assume-latest); "
                 "they are an assumption, not a notice (column assumed_latest).")]
    return []


def _version_note(tables) -> str:
    from shebao.data import data_info

    info = data_info(tables)
    return (f"policy data {info['version']}: {info['figures']} rows ({info['official']} official, "
            f"{info['corroborated']} corroborated), newest period from {info['newest_period']}")


def _overlay_notes(tables) -> list[str]:
    if tables.overlay is None:
        return []
    counts = {kind: sum(c.kind == kind for c in tables.changes) for kind in ("added", "replaced", "shortened")}
    summary = ", ".join(f"{n} {kind}" for kind, n in counts.items() if n)
    return [f"Overlay {tables.overlay}: {summary or 'no changes'} (details: shebao data diff {tables.overlay})."]


@app.command()
def contributions(
    region: str = typer.Argument(..., help="Region name or code: 北京, Beijing, 110000."),
    base: float = typer.Option(..., "--base", help="Monthly contribution base in yuan."),
    on: str | None = typer.Option(None, "--on", help="Date YYYY-MM-DD (one month)."),
    year: int | None = typer.Option(None, "--year", help="Calendar year: month by month."),
    housing_fund_rate: float | None = typer.Option(None, "--housing-fund-rate", help="e.g. 0.12; 0 = none."),
    injury_rate: float | None = typer.Option(None, "--injury-rate", help="Employer's work-injury rate."),
    detail: bool = typer.Option(False, "--detail", help="With --year: one row per month and item."),
    assume_latest: bool = ASSUME_LATEST,
    fmt: Format = FORMAT,
    policydata: Path | None = POLICYDATA,
) -> None:
    """Employee and employer contributions per item for one month (--on) or a year (--year)."""
    import shebao as sb

    tables = _tables(policydata)
    if (on is None) == (year is None):
        raise sb.InputError("give exactly one of --on YYYY-MM-DD or --year YYYY")
    if year is None:
        frame = sb.contributions(base, region, on=on, housing_fund_rate=housing_fund_rate,
                                 injury_rate=injury_rate, assume_latest=assume_latest, tables=tables)
        shown = frame[["item", "item_zh", "base_used", "base_clamped", "employee_rate", "employer_rate",
                       "employee_monthly", "employer_monthly", "source_id", "confidence"]] \
            if fmt is Format.table else frame
        _emit(shown, fmt, f"{frame['region'].iloc[0]} {on}: base {base:,.2f}",
              _missing_note(tables, region, on, housing_fund_rate) + _overlay_notes(tables) + _assumed_note(frame))
        return
    frame = sb.yearly_contributions(base, region, year, housing_fund_rate=housing_fund_rate,
                                    injury_rate=injury_rate, assume_latest=assume_latest, tables=tables)
    out = frame if detail else sb.month_table(frame)
    _emit(out, fmt, f"{frame['region'].iloc[0]} {year}: base {base:,.2f} (last row: year total)",
          _missing_note(tables, region, f"{year}-01-01", housing_fund_rate) + _overlay_notes(tables)
          + _assumed_note(frame))


def _missing_note(tables, region, on, housing_fund_rate=None) -> list[str]:
    import shebao as sb

    missing = sb.missing_items(region, on, housing_fund_rate, tables=tables)
    return [f"Not in the tables for this region and date, so left out of the totals: {', '.join(missing)}"] \
        if missing else []


@app.command()
def compare(
    base: float = typer.Option(..., "--base", help="Monthly contribution base in yuan."),
    year: int = typer.Option(..., "--year", help="Calendar year."),
    regions: str | None = typer.Option(None, "--regions", help="Comma-separated; default: all with data."),
    housing_fund_rate: float | None = typer.Option(None, "--housing-fund-rate"),
    assume_latest: bool = ASSUME_LATEST,
    fmt: Format = FORMAT,
    policydata: Path | None = POLICYDATA,
) -> None:
    """Yearly employee, employer and total contributions at one base, one row per region."""
    import shebao as sb

    tables = _tables(policydata)
    names = [r.strip() for r in regions.split(",") if r.strip()] if regions else None
    frame = sb.compare(base, year, names, housing_fund_rate=housing_fund_rate, assume_latest=assume_latest,
                       tables=tables)
    notes = [("missing_items: items without sourced figures in some month of the year; the totals leave "
              "them out for those months. Sources: --format csv or json (column source_id).")]
    if names is None:
        left_out = sb.left_out_regions(year, tables, assume_latest, compared=frame)
        for reason in sorted(set(left_out.values())):
            shown_names = ", ".join(sorted(r for r, why in left_out.items() if why == reason))
            notes.append(f"Left out ({reason.replace('the year', str(year))}): {shown_names}")
    shown = frame.drop(columns=["name_en", "source_id"]) if fmt is Format.table else frame
    _emit(shown, fmt, f"{year}: yearly contributions at base {base:,.2f}",
          notes + _overlay_notes(tables) + _assumed_note(frame) + [_version_note(tables)])


@app.command("payroll")
def payroll_command(
    source: Path = INPUT_FILE,
    output: Path = OUTPUT_FILE,
    on: str | None = typer.Option(None, "--on", help="Date YYYY-MM-DD (one month)."),
    year: int | None = typer.Option(None, "--year", help="Calendar year: twelve months summed per employee."),
    force: bool = typer.Option(False, "--force", help="Overwrite OUTPUT if it exists."),
    errors: str = typer.Option("raise", "--errors", help="raise: stop at the first bad row; collect: write bad "
                               "rows with reasons to OUTPUT.errors.csv and compute the rest."),
    summary: Path | None = SUMMARY_FILE,
    chunksize: int = typer.Option(1_000_000, "--chunksize", help="Rows per chunk (bounds memory)."),
    dask: str | None = typer.Option(None, "--dask", help="Run on a Dask cluster: scheduler address or 'local'."),
    assume_latest: bool = ASSUME_LATEST,
    policydata: Path | None = POLICYDATA,
) -> None:
    """Contributions for a file of employees (.csv UTF-8/GBK, .xlsx, .parquet) into OUTPUT."""
    from shebao import files

    tables = _tables(policydata)
    if dask is not None:
        if on is None or year is not None:
            raise typer.BadParameter("the Dask path takes --on", param_hint="--dask")
        files.run_dask(source, output, on=on, address=dask, force=force, tables=tables)
        typer.echo(f"wrote {output}")
        return
    table = files.run(source, output, on=on, year=year, force=force, errors=errors, chunksize=chunksize,
                      assume_latest=assume_latest, tables=tables)
    rejected = output.with_name(output.name + ".errors.csv")
    notes = [f"wrote {output}"] + ([f"rows with problems: {rejected}"] if errors == "collect" and rejected.exists()
                                   else [])
    if summary is not None:
        if summary.exists() and not force:
            raise files.InputError(f"{summary} exists; pass --force to overwrite it")
        table.to_csv(summary, index=False, encoding="utf-8-sig")
        notes.append(f"summary: {summary}")
    _emit(table, Format.table, "per region", notes)


@app.command("take-home")
def take_home_command(
    region: str = typer.Argument(..., help="Region name or code."),
    wage: float = typer.Option(..., "--wage", help="Monthly gross wage in yuan."),
    year: int = typer.Option(..., "--year", help="Tax year."),
    special_deductions: float = typer.Option(0, "--special-deductions", help="专项附加扣除 per month."),
    bonus: float | None = typer.Option(None, "--bonus", help="Annual one-off bonus paid in December."),
    base: float | None = typer.Option(None, "--base", help="Contribution base (default: the wage)."),
    housing_fund_rate: float | None = typer.Option(None, "--housing-fund-rate", help="e.g. 0.07; 0 = none."),
    assume_latest: bool = ASSUME_LATEST,
    fmt: Format = FORMAT,
    policydata: Path | None = POLICYDATA,
) -> None:
    """Month by month: gross, employee contributions, income tax, net pay and employer cost."""
    import shebao as sb

    tables = _tables(policydata)
    frame = sb.take_home(wage, region, year, special_deductions, housing_fund_rate, bonus, base,
                         assume_latest=assume_latest, tables=tables)
    notes = []
    missing = frame["missing_items"].iloc[-1]
    if missing:
        notes.append(f"No sourced figures for: {missing} (left out of contributions, so net pay is overstated).")
    if bonus:
        notes.append(f"Bonus taxed {frame['bonus_treatment'].iloc[0]} (the cheaper lawful treatment).")
    shown = frame.drop(columns=["region", "bonus_treatment", "missing_items"]) if fmt is Format.table else frame
    _emit(shown, fmt, f"{region} {year}: wage {wage:,.2f} (last row: year total)",
          notes + _overlay_notes(tables) + _assumed_note(frame))


@app.command("personal-account")
def personal_account_command(
    region: str = typer.Argument(..., help="Region name or code."),
    year: int = typer.Option(..., "--year", help="Calendar year."),
    base: float | None = typer.Option(None, "--base", help="Monthly contribution base in yuan (in-service)."),
    retired: bool = typer.Option(False, "--retired", help="The person is retired (退休)."),
    age: int | None = typer.Option(None, "--age", help="Age in whole years (or give --birth-date)."),
    birth_date: str | None = typer.Option(None, "--birth-date", help="YYYY-MM-DD; the age band follows it month by month."),
    pension: float | None = typer.Option(None, "--pension", help="Monthly basic pension (retirees, where it matters)."),
    fmt: Format = FORMAT,
    policydata: Path | None = POLICYDATA,
) -> None:
    """Month by month: what is credited to the medical personal account (个人账户)."""
    from shebao.medical import personal_account

    tables = _tables(policydata)
    frame = personal_account(base, region, year, age=age, retired=retired, pension=pension,
                             birth_date=birth_date, tables=tables)
    total = frame["monthly_credit"].sum()
    _emit(frame.drop(columns=["region"]) if fmt is Format.table else frame, fmt,
          f"{frame['region'].iloc[0]} {year}: personal-account credit, year total {total:,.2f}",
          _overlay_notes(tables))


@app.command("reimburse")
def reimburse_command(
    region: str = typer.Argument(..., help="Region where the patient is insured."),
    amount: float = typer.Option(..., "--amount", help="The bill in yuan."),
    in_scope: float | None = typer.Option(None, "--in-scope", help="In-scope part of the bill (default: all)."),
    scheme: str = typer.Option("employee", "--scheme", help="employee (职工) or resident (居民)."),
    setting: str = typer.Option("inpatient", "--setting", help="inpatient (住院), outpatient (门诊) or "
                                "chronic_outpatient (门诊慢特病)."),
    level: str = typer.Option("level3", "--level", help="community, level1, level2, level3 (or 1/2/3)."),
    on: str | None = typer.Option(None, "--on", help="Date of the bill, YYYY-MM-DD (default today)."),
    retired: bool = typer.Option(False, "--retired", help="The patient is retired."),
    retired_on: str | None = typer.Option(None, "--retired-on", help="Retirement date, YYYY-MM-DD, where the "
                                          "region's retiree rule depends on it (上海)."),
    offsite: str | None = typer.Option(None, "--offsite", help="Off-site care: long_term, temporary, unfiled, emergency."),
    fmt: Format = FORMAT,
    policydata: Path | None = POLICYDATA,
) -> None:
    """What the fund pays for one bill, and what the patient pays."""
    from shebao.medical import reimburse

    tables = _tables(policydata)
    frame = reimburse(amount, region, scheme, setting, level, on, in_scope=in_scope, retired=retired,
                      offsite=offsite, retired_on=retired_on, tables=tables)
    shown = frame.drop(columns=["person"]) if fmt is Format.table else frame
    if fmt is Format.table:
        shown = shown.T.reset_index().set_axis(["field", "value"], axis=1).astype(str)
    _emit(shown, fmt, f"{frame['region'].iloc[0]}: bill {amount:,.2f}", _overlay_notes(tables))


@app.command("mutual-aid")
def mutual_aid_command(
    region: str = typer.Argument(..., help="Region of the account holder (参保地)."),
    relation: str | None = typer.Option(None, "--relation", help="spouse, parent, child, sibling, grandparent, "
                                        "grandchild, parent_in_law, or 配偶/父母/子女/兄弟姐妹/... (default: all)."),
    purpose: str = typer.Option("medical", "--purpose", help="medical (the relative's own costs) or premium "
                                "(the relative's resident-insurance premium)."),
    relative_region: str | None = typer.Option(None, "--relative-region", help="Where the relative is insured "
                                               "(default: the same region)."),
    on: str | None = typer.Option(None, "--on", help="Date, YYYY-MM-DD (default today)."),
    fmt: Format = FORMAT,
    policydata: Path | None = POLICYDATA,
) -> None:
    """家庭共济: may your medical personal account pay for this relative? With the rule and its source."""
    from shebao.mutual_aid import can_use, relation_id
    from shebao.schema import RELATIONS

    tables = _tables(policydata)
    relations = list(RELATIONS) if relation is None else [relation_id(relation)]
    import pandas as pd

    pairs = pd.DataFrame({"payer_region": region, "relative_region": relative_region or region,
                          "relation": relations, "purpose": purpose, "on": on})
    frame = can_use(pairs, tables=tables)
    shown = frame[["relation", "allowed", "scope", "registration", "reason"]] if fmt is Format.table else frame
    used = sorted(set(";".join(frame["source_id"]).split(";")) - {""})
    notes = [f"sources: {', '.join(used)} (details: shebao.sources)"] if used else []
    if frame["rule_region"].eq("全国").any():
        notes.append("Rows marked 全国 use the national rules: no rule of this region or province was found.")
    _emit(shown, fmt, f"{frame['payer_region'].iloc[0]}: {purpose} for a relative in "
          f"{frame['relative_region'].iloc[0]}", notes + _overlay_notes(tables))


@app.command("history")
def history_command(
    region: str = typer.Argument(..., help="Region name or code."),
    item: str = typer.Option("pension", "--item", help="pension, medical, unemployment, injury, maternity, "
                             "serious_illness, long_term_care or housing_fund."),
    field: str = typer.Option("base_floor", "--field", help="base_floor, base_ceiling, employer_rate, employee_rate, "
                              "employer_fixed, employee_fixed (housing_fund: rate_min, rate_max, rate_default, "
                              "base_floor, base_ceiling)."),
    monthly: bool = typer.Option(False, "--monthly", help="One row per month instead of one per period."),
    fmt: Format = FORMAT,
    policydata: Path | None = POLICYDATA,
) -> None:
    """One figure over the years: each period's value with its source (for a line chart: --format csv)."""
    from shebao.history import history

    tables = _tables(policydata)
    frame = history(region, item, field, monthly=monthly, tables=tables)
    shown = frame.drop(columns=["region_id", "region", "item", "field"]) if fmt is Format.table else frame
    if fmt is Format.table:
        shown = shown.assign(**{c: shown[c].dt.strftime("%Y-%m-%d") for c in ("from", "to", "month") if c in shown})
    notes = [] if monthly else [
        "open_ended: the row has no end date; it counts up to the region's horizon (the furthest its data reaches)."]
    _emit(shown, fmt, f"{frame['region'].iloc[0]}: {item} {field}", notes + _overlay_notes(tables))


def _save_chart(fig, output: Path, force: bool) -> None:
    from shebao.charts import save
    from shebao.errors import InputError

    if output.suffix.lower() not in (".png", ".svg", ".pdf"):
        raise InputError(f"{output}: write .png, .svg or .pdf")
    if output.exists() and not force:
        raise InputError(f"{output} exists; pass --force to overwrite it")
    save(fig, output)
    typer.echo(f"wrote {output}")


LANG = typer.Option("zh", "--lang", help="zh or en labels.")
REPORT_OUT = typer.Option(..., "-o", "--output", help="e.g. reports/shebao-2025.xlsx")
CHART_OUT = typer.Option(..., "-o", "--output", help="compare.png, .svg or .pdf")
FORCE = typer.Option(False, "--force", help="Overwrite the output if it exists.")


@chart_app.command("compare")
def chart_compare(base: float = typer.Option(..., "--base"), year: int = typer.Option(..., "--year"),
                  regions: str | None = typer.Option(None, "--regions", help="Comma-separated; default: all."),
                  output: Path = CHART_OUT, lang: str = LANG, force: bool = FORCE,
                  policydata: Path | None = POLICYDATA) -> None:
    """Yearly employee and employer contributions by region at one base."""
    from shebao import charts

    names = [r.strip() for r in regions.split(",")] if regions else None
    _save_chart(charts.compare(base, year, names, lang, tables=_tables(policydata)), output, force)


@chart_app.command("by-base")
def chart_by_base(regions: str = typer.Option(..., "--regions", help="Comma-separated regions."),
                  on: str = typer.Option(..., "--on"), output: Path = CHART_OUT, lang: str = LANG,
                  force: bool = FORCE, policydata: Path | None = POLICYDATA) -> None:
    """Employee contributions against the base: floors and ceilings as kinks."""
    from shebao import charts

    _save_chart(charts.by_base([r.strip() for r in regions.split(",")], on, lang, tables=_tables(policydata)),
                output, force)


@chart_app.command("history")
def chart_history(region: str = typer.Argument(...), item: str = typer.Option("pension", "--item"),
                  output: Path = CHART_OUT, lang: str = LANG, force: bool = FORCE,
                  policydata: Path | None = POLICYDATA) -> None:
    """Base floor and ceiling of one item over time."""
    from shebao import charts

    _save_chart(charts.history(region, item, lang, tables=_tables(policydata)), output, force)


@app.command("report")
def report_command(base: float = typer.Option(..., "--base", help="Monthly contribution base in yuan."),
                   year: int = typer.Option(..., "--year"), output: Path = REPORT_OUT, force: bool = FORCE,
                   policydata: Path | None = POLICYDATA) -> None:
    """The Excel report: summary with chart, detail, housing fund, live calculator, sources."""
    from shebao.excel import build_report

    path = build_report(base, year, output, force=force, tables=_tables(policydata))
    typer.echo(f"wrote {path}")


@app.command("regions")
def regions_command(fmt: Format = FORMAT, policydata: Path | None = POLICYDATA) -> None:
    """The regions the tables know, and which tables hold rows for each."""
    import shebao as sb

    _emit(sb.regions(_tables(policydata)), fmt, "regions")


@data_app.command("check")
def data_check(policydata: Path | None = POLICYDATA) -> None:
    """Validate every policy table; each problem as file:line:column: message."""
    from shebao.data import check, default_directory, default_overlay

    overlay = policydata or default_overlay()
    problems = check(overlay=overlay)
    where = f"{default_directory()}" + (f" + overlay {overlay}" if overlay else "")
    for problem in problems:
        typer.echo(str(problem))
    if problems:
        typer.echo(f"{len(problems)} problem(s) in {where}", err=True)
        raise typer.Exit(1)
    typer.echo(f"ok: {where}")


@data_app.command("coverage")
def data_coverage(
    markdown: bool = typer.Option(False, "--markdown", help="Markdown table (for policydata/README.md)."),
    summary_only: bool = typer.Option(False, "--summary", help="Only the per-year counts of covered provinces and cities."),
    fmt: Format = FORMAT,
    policydata: Path | None = POLICYDATA,
) -> None:
    """Regions × years × tables: months covered out of 12, then per year how many of the 31 provinces and
    36 major cities are covered in all 12 months (--summary: only that)."""
    from shebao.coverage import (
        coverage,
        coverage_markdown,
        coverage_summary,
        coverage_summary_markdown,
    )

    tables = _tables(policydata)
    frame = coverage(tables)
    summary = coverage_summary(tables, frame)
    if markdown:
        typer.echo(coverage_summary_markdown(summary) + "\n")
        if not summary_only:
            typer.echo(coverage_markdown(frame))
    elif summary_only or fmt is Format.table:
        if not summary_only:
            _emit(frame, fmt, "months covered (of 12)")
        _emit(summary, fmt, "regions covered in all 12 months")
    else:
        _emit(frame, fmt)


@data_app.command("readme")
def data_readme(
    write: bool = typer.Option(False, "--write", help="Rewrite policydata/README.md in place."),
    directory: Path | None = DIRECTORY,
) -> None:
    """Regenerate the coverage table and column dictionary of policydata/README.md (prints it without --write)."""
    from shebao.data import default_directory, load
    from shebao.datadocs import render

    directory = directory or default_directory()
    readme = directory / "README.md"
    text = render(readme.read_text(encoding="utf-8"), load(directory))
    if write:
        readme.write_text(text, encoding="utf-8")
        typer.echo(f"wrote {readme}")
    else:
        sys.stdout.write(text)


@data_app.command("template")
def data_template(
    region: str = typer.Argument(..., help="Region whose rows to copy."),
    start: str = typer.Option(..., "--from", help="First day of the new period (YYYY-MM-01)."),
    output: Path = OUTPUT_DIR,
    policydata: Path | None = POLICYDATA,
) -> None:
    """Write the region's rows in force now as a new period, ready to edit into next year's notice."""
    from shebao.overlay import template
    from shebao.periods import to_date
    from shebao.regions import resolve_region

    tables = _tables(policydata)
    day = to_date(start)
    if day.day != 1:
        raise typer.BadParameter("a period starts on the 1st of a month", param_hint="--from")
    written = template(resolve_region(region, tables), day, output, tables)
    if not written:
        from shebao.errors import NoDataError
        raise NoDataError(f"{region} has no rows of its own in force on {day}; nothing to copy")
    for path in written:
        typer.echo(f"wrote {path}")
    typer.echo("Now edit the figures, fill in sources.csv and confidence, then: "
               f"shebao data check --policydata {output}")


@data_app.command("diff")
def data_diff(overlay: Path = OVERLAY_DIR, fmt: Format = FORMAT) -> None:
    """What an overlay changes against the shipped tables, row by row."""
    from shebao.data import load
    from shebao.overlay import diff

    _emit(diff(load(overlay=overlay)), fmt, f"changes made by {overlay}")


def main() -> None:
    from shebao.errors import ShebaoError

    try:
        app()
    except ShebaoError as exc:
        typer.echo(f"error: {exc}", err=True)
        sys.exit(2)
