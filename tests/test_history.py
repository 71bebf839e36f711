"""sb.history / ``shebao history``: one figure over time, per period or per month, with its sources."""

import pandas as pd
import pytest
from typer.testing import CliRunner

import shebao as sb
from shebao.cli import app

runner = CliRunner()


def test_beijing_pension_floor_periods():
    # 2022年度 5869 from 2022-07 (corroborated), 京人社发〔2023〕8号 6326 from 2023-07, 2024年度 6821 (corroborated),
    # 京人社发〔2025〕11号 7162 from 2025-07-01.
    frame = sb.history("北京", item="pension", field="base_floor")
    assert frame["value"].tolist() == [5869, 6326, 6821, 7162]
    assert frame["from"].dt.strftime("%Y-%m-%d").tolist() == ["2022-07-01", "2023-07-01", "2024-07-01", "2025-07-01"]
    assert frame["to"].iloc[2] == pd.Timestamp("2025-06-30")
    assert frame["open_ended"].tolist() == [False, False, False, True]
    assert frame["source_id"].iloc[3] == "bj-2025-11"


def test_city_figure_comes_from_province():
    # From 2023-07 广州 has no ceiling of its own: 粤人社发〔2023〕22号 26421, 〔2024〕33号 27501, then 〔2025〕32号 27549.
    frame = sb.history("广州", "pension", "base_ceiling")
    frame = frame[frame["from"] >= "2023-07-01"]
    assert frame["value"].tolist() == [26421, 27501, 27549]
    assert frame["source_region"].eq("440000").all()


def test_monthly_rows_follow_the_mid_year_switch():
    months = sb.history("上海", "pension", "base_ceiling", monthly=True).set_index("month")["value"]
    year = months.loc["2025-01-01":"2025-12-01"]
    assert len(year) == 12
    assert year.iloc[:6].eq(36921).all() and year.iloc[6:].eq(37302).all()


def test_periods_are_ordered_and_add_up_to_the_months():
    for region, item, field in [("上海", "pension", "base_floor"), ("北京", "housing_fund", "base_floor"),
                                ("广州", "pension", "employee_rate"), ("杭州", "medical", "employer_rate")]:
        periods = sb.history(region, item, field)
        monthly = sb.history(region, item, field, monthly=True)
        assert (periods["from"] <= periods["to"]).all()
        assert (periods["from"].iloc[1:].to_numpy() > periods["to"].iloc[:-1].to_numpy()).all()
        spans = ((periods["to"].dt.year - periods["from"].dt.year) * 12
                 + periods["to"].dt.month - periods["from"].dt.month + 1)
        assert spans.sum() == len(monthly)


def test_housing_fund_fields():
    frame = sb.history("上海", "housing_fund", "rate_max")
    # 上海 5 %–7 % for the 2022, 2023 (沪公积金管委会〔2023〕9号), 2024 and 2025 fund years
    assert frame["value"].tolist() == [0.07, 0.07, 0.07, 0.07]
    assert frame["source_region"].tolist() == ["310000"] * 4
    assert frame["from"].iloc[1] == pd.Timestamp("2023-07-01")
    # 西安 has no rate for the 2024 fund year: the national 12 % maximum stands in
    xian = sb.history("西安", "housing_fund", "rate_max").set_index("from")
    assert xian.loc["2023-07-01", "value"] == 0.12 and xian.loc["2023-07-01", "source_region"] == "610100"
    assert xian.loc["2024-07-01", "source_region"] == "000000"


@pytest.mark.parametrize("kwargs,error,words", [
    ({"region": "北京", "item": "pensions", "field": "base_floor"}, sb.InputError, "items: pension"),
    ({"region": "北京", "item": "pension", "field": "rate_min"}, sb.InputError, "fields: employer_rate"),
    ({"region": "北京", "item": "housing_fund", "field": "employer_rate"}, sb.InputError, "fields: rate_min"),
    ({"region": "北京", "item": "pension", "field": "employer_fixed"}, sb.NoDataError, "no region has one"),
    ({"region": "Atlantis", "item": "pension", "field": "base_floor"}, sb.RegionError, "Atlantis"),
])
def test_bad_input(kwargs, error, words):
    with pytest.raises(error, match=words):
        sb.history(**kwargs)


def test_cli_history_csv():
    result = runner.invoke(app, ["history", "北京", "--item", "pension", "--field", "base_floor", "-f", "csv"])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert lines[0].startswith("region_id,region,item,field,from,to,value")
    assert "2025-07-01,2026-06-30,7162.0" in lines[4]


def test_cli_history_table_and_error():
    result = runner.invoke(app, ["history", "上海", "--item", "pension", "--field", "base_ceiling", "--monthly"])
    assert result.exit_code == 0 and "37,302.00" in result.output
    bad = runner.invoke(app, ["history", "北京", "--field", "nope"])
    assert isinstance(bad.exception, sb.InputError) and "unknown field" in str(bad.exception)


def test_cli_history_error_is_one_line():
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-m", "shebao", "history", "北京", "--field", "employee_fixed"],
                          check=False, capture_output=True, text=True)
    assert proc.returncode == 2
    assert proc.stderr.startswith("error: no employee_fixed of pension for 北京市") and "Traceback" not in proc.stderr


# The 36 major cities: 4 municipalities, 27 provincial capitals, and 大连 青岛 宁波 厦门 深圳.
MAJOR_CITIES = ["北京", "天津", "上海", "重庆", "石家庄", "太原", "呼和浩特", "沈阳", "长春", "哈尔滨", "南京", "杭州", "合肥", "福州", "南昌", "济南", "郑州", "武汉", "长沙", "广州", "南宁", "海口", "成都", "贵阳", "昆明", "拉萨", "西安", "兰州", "西宁", "银川", "乌鲁木齐", "大连", "青岛", "宁波", "厦门", "深圳"]


def test_coverage_summary_counts_the_36_cities_and_31_provinces():
    frame = sb.coverage()
    summary = sb.coverage_summary(frame=frame).set_index("year")
    assert (summary["provinces"] == 31).all() and (summary["cities"] == 36).all()
    names = sb.load()["regions.csv"].set_index("region_id")
    for year in (2023, 2024, 2025):
        full = frame[(frame["year"] == year) & (frame["contributions"] == 12)]
        short = set(names.loc[full["region_id"], "short_zh"])
        provinces = set(names.loc[names["level"] == "province", "short_zh"])
        assert summary.loc[year, "cities_covered"] == len(short & set(MAJOR_CITIES))
        assert summary.loc[year, "provinces_covered"] == len(short & provinces)
    assert summary.loc[2025, "provinces_covered"] >= 22  # 北京 … 甘肃: a data edit that loses a province fails here


def test_cli_coverage_summary():
    result = runner.invoke(app, ["data", "coverage", "--summary", "-f", "csv"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == "year,provinces,provinces_covered,cities,cities_covered,cities_housing_fund_covered"
