import json
from pathlib import Path

from conftest import replace_in
from typer.testing import CliRunner

from shebao.cli import app
from shebao.datadocs import render
from shebao.schema import data_dictionary_markdown

runner = CliRunner()
ROOT = Path(__file__).resolve().parents[1]


def test_compare_json_is_records():
    result = runner.invoke(app, ["compare", "--base", "10000", "--year", "2025", "--format", "json"])
    assert result.exit_code == 0, result.output
    records = json.loads(result.stdout)
    assert {"region", "employee_yearly", "employer_yearly", "total_yearly"} <= set(records[0])
    assert isinstance(records[0]["total_yearly"], float)


def test_yearly_json_has_integer_months_and_null_total():
    result = runner.invoke(app, ["contributions", "上海", "--base", "10000", "--year", "2025", "-f", "json"])
    records = json.loads(result.stdout)
    assert [r["month"] for r in records] == list(range(1, 13)) + [None]


def test_one_month_table_and_csv():
    result = runner.invoke(app, ["contributions", "广州", "--base", "3000", "--on", "2025-08-01", "-f", "csv"])
    assert result.exit_code == 0 and "pension" in result.stdout and "440.8" in result.stdout


def test_bad_input_is_one_line_exit_2():
    import subprocess
    import sys

    from shebao.cli import main
    proc = subprocess.run([sys.executable, "-m", "shebao", "contributions", "nowhere", "--base", "1", "--on",
                           "2025-01-01"], check=False, capture_output=True, text=True)
    assert proc.returncode == 2
    assert proc.stderr.startswith("error: unknown region") and "Traceback" not in proc.stderr
    assert callable(main)


def test_data_check_fails_on_broken_copy(policy_copy):
    replace_in(policy_copy / "housing_fund.csv", "0.05", "5")
    result = runner.invoke(app, ["data", "check", "--policydata", str(policy_copy)])
    assert result.exit_code == 1
    assert "housing_fund.csv:2:rate_min: rate 5 is outside [0, 1]" in result.stdout


def test_data_check_passes_on_shipped_data():
    assert runner.invoke(app, ["data", "check"]).exit_code == 0


def test_policydata_readme_is_current():
    # The coverage table and the column dictionary are regenerated in the same commit as the data.
    readme = (ROOT / "policydata" / "README.md").read_text(encoding="utf-8")
    assert render(readme) == readme, "run: shebao data readme --write"
    assert data_dictionary_markdown() in readme
