"""The Excel report: contents equal the calculators, the calculator sheet's formulas recompute to
the Python results, nothing is overwritten, and text from the data never becomes a formula."""

import warnings

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

import shebao as sb
from shebao.cli import app
from shebao.excel import SHEETS, YUAN, build_report


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    path = tmp_path_factory.mktemp("report") / "shebao-2025.xlsx"
    build_report(10000, 2025, path, progress=False)
    return path


def test_sheets_values_chart_and_formats(report):
    wb = load_workbook(report)
    assert wb.sheetnames == [SHEETS[k] for k in ("summary", "calculator", "detail", "housing", "params",
                                                 "mutual_aid", "sources", "about")]
    ws = wb[SHEETS["summary"]]
    expected = sb.compare(10000, 2025)
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert [r[0] for r in rows] == expected["region"].tolist()
    assert [r[4] for r in rows] == pytest.approx(expected["total_yearly"].tolist())
    assert ws["C2"].number_format == YUAN and ws.freeze_panes == "A2" and ws.auto_filter.ref.startswith("A1:")
    assert len(ws._charts) == 1 and ws._charts[0].grouping == "stacked"
    assert ws.column_dimensions["A"].width >= 8
    take_home = sb.take_home(10000, "上海", 2025)
    shanghai = next(r for r in rows if r[0] == "上海")
    assert shanghai[5] == pytest.approx(take_home["net"].iloc[-1] / 12)
    detail = wb[SHEETS["detail"]]
    assert detail["A1"].value.startswith("地区") and detail.max_row > len(expected)


def test_calculator_formulas_equal_python(report):
    formulas = pytest.importorskip("formulas")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = formulas.ExcelModel().loads(str(report)).finish()
    sheet = f"'[{report.name}]{SHEETS['calculator'].upper()}'"
    header = [c.value for c in load_workbook(report)[SHEETS["calculator"]][6]]
    employee_col = chr(ord("A") + header.index("个人合计 Employee"))
    employer_col = chr(ord("A") + header.index("单位合计 Employer"))
    cases = [("上海", 50000), ("北京", 5000), ("广州", 30000), ("重庆", 3000), ("杭州", 12345.67), ("成都", 100000)]
    for region, base in cases:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            solution = model.calculate(inputs={f"{sheet}!B2": base, f"{sheet}!B3": region},
                                       outputs=[f"{sheet}!{employee_col}19", f"{sheet}!{employer_col}19"])
        values = [float(solution[f"{sheet}!{col}19"].value[0][0]) for col in (employee_col, employer_col)]
        year = sb.yearly_contributions(base, region, 2025)
        assert values == pytest.approx([year["employee_monthly"].sum(), year["employer_monthly"].sum()], abs=0.001), \
            (region, base)


def test_mutual_aid_sheet_matches_the_matrix(report):
    # 福建 (政策解读 2024-12-04): near relatives from 2024-12-06, in-laws are not near relatives.
    ws = load_workbook(report)[SHEETS["mutual_aid"]]
    rows = {(r[0], r[1]): r for r in ws.iter_rows(min_row=2, values_only=True)}
    assert ws["A1"].value.endswith("(2025-12-31)")
    fujian = rows[("福建", "缴费 premium")]
    assert fujian[2:9] == ("✓", "✓", "✓", "✓", "✓", "✓", "✗") and fujian[9] in ("", None)
    matrix = sb.mutual_aid_matrix(on="2025-12-31", purpose="medical")
    assert len(rows) == 2 * len(matrix)
    beijing = matrix.set_index("region").loc["北京"]
    assert rows[("北京", "医疗 medical")][5] == ("✓" if beijing["sibling"] else "✗")


def test_refuses_to_overwrite(report):
    before = report.read_bytes()
    with pytest.raises(sb.InputError, match="exists; pass --force"):
        build_report(10000, 2025, report, progress=False)
    assert report.read_bytes() == before


def test_text_from_data_never_becomes_a_formula(policy_copy, tmp_path):
    sources = policy_copy / "sources.csv"
    text = sources.read_text(encoding="utf-8").replace("降低社会保险费率综合方案（国务院办公厅关于印发降低社会保险费率综合方案的通知）",
                                                        '=1+2*SUM(A1:A9)', 1)
    sources.write_text(text, encoding="utf-8")
    out = tmp_path / "r.xlsx"
    build_report(10000, 2025, out, tables=sb.load(policy_copy), progress=False)
    ws = load_workbook(out)[SHEETS["sources"]]
    cell = next(c for row in ws.iter_rows() for c in row if c.value == "=1+2*SUM(A1:A9)")
    assert cell.data_type == "s"  # stored as text: Excel shows it, never evaluates it


def test_cli_report(tmp_path):
    result = CliRunner().invoke(app, ["report", "--base", "10000", "--year", "2025", "-o", str(tmp_path / "r.xlsx")])
    assert result.exit_code == 0 and (tmp_path / "r.xlsx").exists()
    again = CliRunner().invoke(app, ["report", "--base", "10000", "--year", "2025", "-o", str(tmp_path / "r.xlsx")])
    assert again.exit_code != 0


def test_libreoffice_recalculates_the_calculator(report, tmp_path):
    import shutil
    import subprocess

    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        pytest.skip("LibreOffice (soffice) is not installed here; the formulas-engine check still ran")
    subprocess.run([soffice, "--headless", "--convert-to", "xlsx", "--outdir", str(tmp_path), str(report)],
                   check=True, capture_output=True, timeout=120)
    ws = load_workbook(tmp_path / report.name, data_only=True)[SHEETS["calculator"]]
    header = [c.value for c in ws[6]]
    region, base = ws["B3"].value, ws["B2"].value
    year = sb.yearly_contributions(base, region, 2025)
    assert ws.cell(row=19, column=header.index("个人合计 Employee") + 1).value == \
        pytest.approx(year["employee_monthly"].sum(), abs=0.001)
