"""Local overlays: next year's notice without a fork, every change reported, bad overlays refused."""

import datetime as dt

import pandas as pd
import pytest
from typer.testing import CliRunner

import shebao as sb
from shebao.cli import app
from shebao.overlay import template

runner = CliRunner()
SOURCE = ("source_id,issuer,title,doc_number,published,url,kind,quotes_notice,consulted\n"
          "bj-2026,北京市人力资源和社会保障局,关于2026年度各项社会保险缴费工资基数上下限的通告,,2026-07-15,"
          "https://example.org/bj-2026,official,,2026-11-25\n")
HEADER = ("region_id,item,effective_from,effective_to,employer_rate,employee_rate,employer_fixed,employee_fixed,"
          "base_floor,base_ceiling,rounding,source_id,confidence,confirmed_by,note\n")


def write(directory, name, text):
    directory.mkdir(exist_ok=True)
    (directory / name).write_text(text, encoding="utf-8")


def test_round_trip_template_edit_overlay(tmp_path):
    overlay = tmp_path / "overlay"
    written = template("110000", dt.date(2026, 7, 1), overlay, sb.load())
    assert {p.name for p in written} >= {"contributions.csv", "sources.csv"}
    assert sb.check(overlay=overlay)  # unedited: confidence and source missing, so it fails
    # Edit: the new notice's figures and source.
    text = (overlay / "contributions.csv").read_text(encoding="utf-8")
    text = text.replace("7162,35811,,new-110000-202607,,", "7300,36500,,bj-2026,official,")
    text = text.replace("new-110000-202607,,", "bj-2026,official,")  # rates the notice restates unchanged
    (overlay / "contributions.csv").write_text(text, encoding="utf-8")
    (overlay / "housing_fund.csv").unlink()
    write(overlay, "sources.csv", SOURCE)
    assert sb.check(overlay=overlay) == []
    tables = sb.load(overlay=overlay)
    row = sb.contributions(1000, "北京", on="2026-08-01", tables=tables).set_index("item").loc["pension"]
    assert row["base_used"] == 7300 and row["employee_monthly"] == 584
    assert "bj-2026" in row["source_id"] and str(overlay) in row["origin"]
    # The shipped open-ended 2025 row now ends where the overlay starts, and that is reported.
    kinds = {c.kind for c in tables.changes if c.table == "contributions.csv"}
    assert kinds == {"shortened"}
    june = sb.contributions(1000, "北京", on="2026-06-01", tables=tables).set_index("item").loc["pension"]
    assert june["base_used"] == 7162 and june["origin"] == "shipped"


def test_replacement_is_reported_and_diffed(tmp_path):
    overlay = tmp_path / "fix"
    write(overlay, "contributions.csv", HEADER + "440100,pension,2025-07-01,,,,,,5600,,,bj-2026,official,,correction\n")
    write(overlay, "sources.csv", SOURCE)
    tables = sb.load(overlay=overlay)
    [change] = [c for c in tables.changes if c.kind == "replaced"]
    assert change.shipped_row.startswith("contributions.csv:") and "base_floor 5510 → 5600" in change.detail
    assert sb.contributions(1000, "广州", on="2025-08-01", tables=tables).set_index("item").loc[
        "pension", "base_used"] == 5600
    result = runner.invoke(app, ["data", "diff", str(overlay), "-f", "csv"])
    assert result.exit_code == 0 and "replaced" in result.stdout and "5510 → 5600" in result.stdout
    shown = runner.invoke(app, ["contributions", "广州", "--base", "1000", "--on", "2025-08-01",
                                "--policydata", str(overlay)])
    assert "1 replaced" in shown.stdout


def test_environment_variable_and_use_policydata(tmp_path, monkeypatch):
    overlay = tmp_path / "env"
    write(overlay, "contributions.csv", HEADER + "440100,pension,2025-07-01,,,,,,5600,,,bj-2026,official,,\n")
    write(overlay, "sources.csv", SOURCE)
    monkeypatch.setenv("SHEBAO_POLICYDATA", str(overlay))
    assert sb.load().overlay == overlay.resolve()
    monkeypatch.delenv("SHEBAO_POLICYDATA")
    sb.use_policydata(overlay)
    try:
        assert sb.contributions(1000, "广州", on="2025-08-01").set_index("item").loc["pension", "base_used"] == 5600
    finally:
        sb.use_policydata(None)
    assert sb.load().overlay is None


@pytest.mark.parametrize("rows, sources, expected", [
    (HEADER.replace("region_id,", "region,") + "440100,pension,2026-07-01,,,,,,5600,,,bj-2026,official,,\n",
     SOURCE, "bad/contributions.csv:1:region_id: required column is missing"),
    (HEADER + "440100,pension,2026-07-01,,,,,,56x0,,,bj-2026,official,,\n",
     SOURCE, "bad/contributions.csv:2:base_floor: '56x0' is not a number"),
    (HEADER + "440100,pension,2026-07-01,,,,,,5600,,,bj-2026,official,,\n"
              "440100,pension,2026-09-01,2026-12-31,,,,,5700,,,bj-2026,official,,\n",
     SOURCE, "bad/contributions.csv:3:base_floor: period overlaps the one at bad/contributions.csv:2"),
    (HEADER + "440101,pension,2026-07-01,,,,,,5600,,,bj-2026,official,,\n",
     SOURCE, "bad/contributions.csv:2:region_id: unknown region_id '440101' (close: 440100"),
    (HEADER + "440100,pension,2026-07-01,,,,,,5600,,,bj-2027,official,,\n",
     SOURCE, "bad/contributions.csv:2:source_id: unknown source_id 'bj-2027'"),
])
def test_bad_overlays_are_refused(tmp_path, rows, sources, expected):
    overlay = tmp_path / "bad"
    write(overlay, "contributions.csv", rows)
    write(overlay, "sources.csv", sources)
    problems = [str(p) for p in sb.check(overlay=overlay)]
    assert any(p.startswith(expected) for p in problems), problems
    with pytest.raises(sb.PolicyDataError):
        sb.load(overlay=overlay)
    result = runner.invoke(app, ["data", "check", "--policydata", str(overlay)])
    assert result.exit_code == 1


def test_missing_overlay_directory(tmp_path):
    with pytest.raises(sb.PolicyDataError, match="overlay directory does not exist"):
        sb.load(overlay=tmp_path / "nowhere")


def test_past_the_data_fails_with_both_ways_forward():
    with pytest.raises(sb.NoDataError, match="covers 2022-07 to 2026-06; add the new notice as an overlay.*"
                                             "--assume-latest"):
        sb.contributions(10000, "北京", on="2027-03-01")


def test_assume_latest_carries_the_last_period_forward_and_flags_it():
    later = sb.contributions(10000, "北京", on="2027-03-01", assume_latest=True).set_index("item")
    last = sb.contributions(10000, "北京", on="2026-06-01").set_index("item")
    assert later["assumed_latest"].all()
    assert later.loc["pension", "employee_monthly"] == last.loc["pension", "employee_monthly"]
    inside = sb.contributions(10000, "北京", on="2026-06-01", assume_latest=True)
    assert not inside["assumed_latest"].any()
    year = sb.compare(10000, 2026, ["北京", "上海"], assume_latest=True)
    assert year["assumed_latest"].all()
    result = runner.invoke(app, ["compare", "--base", "10000", "--year", "2026", "--assume-latest"])
    assert result.exit_code == 0 and "WARNING" in result.stdout


def test_freshness_and_data_info():
    table = sb.coverage()
    beijing = table[table["region_id"] == "110000"]
    assert set(beijing["contributions_until"]) == {"2026-06-30"}
    info = sb.data_info()
    assert info["figures"] == info["official"] + info["corroborated"] > 0
    assert len(info["version"]) == 12 and info["overlay"] is None


def test_one_regions_late_row_does_not_stretch_anothers_open_rows(tmp_path):
    """北京's 2025 rows are open (自2025年7月起, no end) and reach twelve months: to 2026-06.
    A 广州 overlay row running to 2027-12 must not carry 北京's figures into 2027."""
    overlay = tmp_path / "late"
    write(overlay, "contributions.csv", HEADER + "440100,pension,2026-07-01,2027-12-31,,,,,5600,30000,,bj-2026,official,,\n")
    write(overlay, "sources.csv", SOURCE)
    tables = sb.load(overlay=overlay)
    assert sb.contributions(1000, "广州", on="2027-12-01", tables=tables).set_index("item").loc[
        "pension", "base_used"] == 5600
    assert sb.contributions(1000, "北京", on="2026-06-01", tables=tables).set_index("item").loc[
        "pension", "base_used"] == 7162
    with pytest.raises(sb.NoDataError, match=r"北京市 \(110000\) in 2026-07: its data covers 2022-07 to 2026-06"):
        sb.contributions(1000, "北京", on="2026-07-01", tables=tables)
    history = sb.history("北京", "pension", "base_floor", tables=tables)
    assert history["to"].iloc[-1] == pd.Timestamp("2026-06-30") and history["open_ended"].iloc[-1]


def test_an_empty_key_replaces_the_row_with_the_same_empty_key(tmp_path):
    # 北京's retiree personal-account rows are keyed by age band; the under-70 row has no age_from.
    overlay = tmp_path / "pa"
    write(overlay, "personal_account.csv",
          "region_id,group,age_from,age_to,effective_from,effective_to,basis,rate,fixed,source_id,confidence,"
          "confirmed_by,note\n110000,retired,,69,2022-09-01,,none,,105,bj-2026,official,,correction\n")
    write(overlay, "sources.csv", SOURCE)
    tables = sb.load(overlay=overlay)
    [change] = [c for c in tables.changes if c.table == "personal_account.csv"]
    assert change.kind == "replaced" and "fixed 100 → 105" in change.detail
