import numpy as np
import pandas as pd
import pytest
from conftest import replace_in

import shebao as sb


def test_region_spellings_resolve():
    for name in ("北京", "北京市", "Beijing", "beijing", " BEIJING ", "110000", 110000):
        assert sb.resolve_region(name) == "110000"


def test_unknown_region_lists_close_matches():
    with pytest.raises(sb.UnknownRegionError, match="did you mean: 上海市"):
        sb.resolve_region("上海x")


def test_ambiguous_region_lists_candidates(policy_copy):
    with (policy_copy / "regions.csv").open("a", encoding="utf-8") as f:
        f.write("220200,吉林市,吉林,Jilin City,city,220000,mca-xzqh\n")
    with pytest.raises(sb.AmbiguousRegionError, match="吉林省.*吉林市"):
        sb.resolve_region("吉林", sb.load(policy_copy))


def test_date_outside_data_names_covered_range():
    with pytest.raises(sb.NoDataError, match=r"北京市 \(110000\) in 2030-01: its data covers 2022-07 to 2026-06"):
        sb.contributions(10000, "北京", on="2030-01-01")
    with pytest.raises(sb.NoDataError):
        sb.yearly_contributions(10000, "北京", 2022)  # 北京 has no rows before 2022-07


def test_region_without_data():
    with pytest.raises(sb.NoDataError, match="has no month with both a base floor and a ceiling"):
        sb.contributions(10000, "武汉", on="2025-01-01")


def test_a_floor_alone_does_not_cover_a_region(policy_copy):
    # A region whose rows give a floor but no ceiling (as 福建 2025 before its ceiling was found): nothing
    # can be computed, and the comparison leaves the region out.
    with open(policy_copy / "contributions.csv", "a", encoding="utf-8") as f:
        f.write("130000,pension,2025-01-01,2025-12-31,,,,,4000,,,gd-2025-32,official,,test row\n")
    tables = sb.load(policy_copy)
    with pytest.raises(sb.NoDataError, match="河北省 .* no month with both"):
        sb.contributions(10000, "河北", on="2025-03-01", tables=tables)
    assert "130000" not in set(sb.compare(10000, 2025, tables=tables)["region_id"])


@pytest.mark.parametrize("base, message", [(-1, "negative"), (float("nan"), "missing"),
                                           ("abc", "not a number"), (float("inf"), "infinite")])
def test_bad_base(base, message):
    with pytest.raises(sb.InputError, match=message):
        sb.contributions(base, "上海", on="2025-08-01")


def test_bad_base_in_batch_names_the_row():
    frame = pd.DataFrame({"region": ["上海", "上海"], "base": [8000, -5]}, index=["emp-1", "emp-2"])
    with pytest.raises(sb.InputError, match="row 'emp-2'"):
        sb.payroll(frame, on="2025-08-01")


def test_bad_date_and_year():
    with pytest.raises(sb.InputError, match="not a date"):
        sb.contributions(8000, "上海", on="2025-13-01")
    with pytest.raises(sb.InputError, match="year"):
        sb.yearly_contributions(8000, "上海", "2025")


def test_housing_fund_rate_outside_range():
    # 上海 2024 fund year: 5 %–7 % (上海本地宝, ikiwihome); 北京 2024 fund year: 5 %–12 %.
    with pytest.raises(sb.RateOutOfRangeError, match="0.05–0.07"):
        sb.contributions(8000, "上海", on="2024-08-01", housing_fund_rate=0.08)
    with pytest.raises(sb.RateOutOfRangeError, match="0.05–0.12"):
        sb.contributions(8000, "北京", on="2024-08-01", housing_fund_rate=0.13)
    ok = sb.contributions(8000, "上海", on="2024-08-01", housing_fund_rate=0.07).set_index("item")
    assert ok.loc["housing_fund", "employee_monthly"] == 560


def test_payroll_needs_columns():
    with pytest.raises(sb.InputError, match="lacks column"):
        sb.payroll(pd.DataFrame({"base": [1]}), on="2025-08-01")


@pytest.mark.parametrize("old, new, where", [
    ("region_id,item,", "region,item,", "contributions.csv:1:region_id: required column is missing"),
    (",0.16,,", ",abc,,", "contributions.csv:2:employer_rate: 'abc' is not a number"),
    (",0.16,", ",16,", "contributions.csv:2:employer_rate: rate 16 is outside [0, 1]"),
    ("gbf-2019-13,corroborated", "nosuch,corroborated", "contributions.csv:2:source_id: unknown source_id 'nosuch'"),
    ("2019-05-01", "2019-5-1", "contributions.csv:2:effective_from: '2019-5-1' is not a date"),
    ("6821,35283", "36821,35283", "contributions.csv:8:base_floor: floor is above the ceiling"),
    ("110000,pension,2024-07-01", "119999,pension,2024-07-01", "contributions.csv:8:region_id: unknown region_id"),
])
def test_broken_table_reports_file_line_column(policy_copy, old, new, where):
    replace_in(policy_copy / "contributions.csv", old, new)
    problems = [str(p) for p in sb.check(policy_copy)]
    assert any(p.startswith(where) for p in problems), problems
    with pytest.raises(sb.PolicyDataError):
        sb.load(policy_copy)


def test_overlapping_periods_are_found(policy_copy):
    with (policy_copy / "contributions.csv").open("a", encoding="utf-8") as f:
        f.write("110000,pension,2025-01-01,2025-12-31,,,,,1,2,,gh-linianhui,official,,\n")
    problems = [str(p) for p in sb.check(policy_copy)]
    assert any(":base_floor: period overlaps the one at contributions.csv:" in p for p in problems), problems


def test_shipped_data_is_clean():
    assert sb.check() == []


def test_no_silent_nan_in_outputs():
    frame = sb.compare(12345.67, 2025)
    assert not frame.isna().any().any()
    assert not np.isnan(sb.payroll(pd.DataFrame({"region": ["上海"], "base": [1.0]}), on="2025-08-01")
                        .select_dtypes("number").to_numpy()).any()


def test_provenance_rules(policy_copy):
    # A row without confidence, an 'official' row citing a secondary source, and a 'corroborated' row
    # whose only confirmation is its own source are all rejected.
    replace_in(policy_copy / "contributions.csv", "gbf-2019-13,corroborated,people-2019-0405",
               "gbf-2019-13,,people-2019-0405")
    replace_in(policy_copy / "contributions.csv", "gf-2005-38,corroborated,chinacom-2016-0422",
               "gf-2005-38,official,")
    replace_in(policy_copy / "contributions.csv", "gf-1998-44,corroborated,qdld-1998-44",
               "gf-1998-44,corroborated,gf-1998-44")
    problems = [str(p) for p in sb.check(policy_copy)]
    assert "contributions.csv:2:confidence: value is required" in problems
    assert "contributions.csv:3:confidence: 'official' needs an official source; 'gf-2005-38' is secondary" in problems
    assert "contributions.csv:4:confirmed_by: a corroborated row needs a second source other than source_id" in problems


def test_covered_region_with_no_complete_item_gives_empty_tables(policy_copy):
    # A region whose rows give base limits for an item with no known employer side: nothing can be computed,
    # so the per-item table is empty (with its columns) and the summary names every item missing.
    with open(policy_copy / "contributions.csv", "a", encoding="utf-8") as f:
        f.write("130000,maternity,2025-01-01,2025-12-31,,,,,4000,20000,,gd-2025-32,official,,test row\n")
    tables = sb.load(policy_copy)
    frame = sb.contributions(10000, "河北", on="2025-03-01", tables=tables)
    assert frame.empty and {"item", "employee_monthly", "source_id"} <= set(frame.columns)
    row = sb.compare(10000, 2025, ["河北"], tables=tables).iloc[0]
    assert row["total_yearly"] == 0 and row["missing_items"].startswith("pension,medical")


@pytest.mark.parametrize("call, message", [
    # One value given, spread over twelve months or over regions: the error names no row.
    (lambda: sb.yearly_contributions(-5, "北京", 2025), r"^base is negative: -5$"),
    (lambda: sb.compare(-5, 2025), r"^base is negative: -5$"),
    (lambda: sb.compare(10000, 2025, ["北京"], housing_fund_rate=1.5), r"^housing_fund_rate is above 1: 1.5$"),
    (lambda: sb.yearly_contributions(10000, "北京", 2025, housing_fund_rate=0.5),
     r"^housing_fund_rate 0.5 is outside 北京市 \(110000\)'s allowed range 0.05–0.12$"),
    (lambda: sb.take_home(20000, "北京", 2025, base=-1), r"^base is negative: -1"),
])
def test_one_value_errors_name_no_row(call, message):
    with pytest.raises(sb.InputError, match=message):
        call()


def test_many_rows_errors_name_the_persons_row():
    wages = pd.Series([20000, 30000], index=["张三", "李四"])
    with pytest.raises(sb.InputError, match=r"outside 北京市 \(110000\)'s allowed range 0.05–0.12 in row '李四'"):
        sb.take_home(wages, "北京", 2025, housing_fund_rate=pd.Series([0.12, 0.5], index=wages.index))
    with pytest.raises(sb.InputError, match=r"base in row '李四' is negative"):
        sb.take_home(wages, "北京", 2025, base=pd.Series([10000, -1], index=wages.index))
