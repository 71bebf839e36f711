"""Reimbursement engine and personal-account crediting.

Worked example: the 杭锦后旗 (巴彦淖尔, 内蒙古) government Q&A on off-site inpatient care,
hjhq.gov.cn, 2025-11, quoted in shared/DOMAIN.md §5 C: filed long-stay / emergency / referred
cross-province patients have a deductible of 1,200 yuan for the first admission and 600 for
later ones, the fund pays 80 %, and the basic fund pays at most 300,000 a year. Its rule sits in
the test overlay ``fixtures/medical_example`` (it is a county Q&A, not a shipped table).
Second worked example: the 渝北区 (重庆) medical-security bureau's 政策问答 (ybq.gov.cn, 2023-10-30), a
resident-scheme 二级医院 stay; its rule sits in ``fixtures/yubei_example``.
Third: the 防城港 (广西) government portal's 我要问 answer (fcgs.gov.cn) on cross-province 门诊特殊慢性病 care, a
retiree's 300-yuan bill; its rule sits in ``fixtures/fangchenggang_example``.
Property tests use ``fixtures/synthetic_bands``: invented bands, clearly labelled, never shipped.
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from shebao.data import load
from shebao.errors import InputError, NoDataError
from shebao.medical import reimburse

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def example():
    return load(overlay=FIXTURES / "medical_example")


@pytest.fixture(scope="module")
def bands():
    return load(overlay=FIXTURES / "synthetic_bands")


def test_worked_example_first_admission(example):
    # Q&A: 10,000 in scope, first admission: (10,000 − 1,200) × 80 % = 7,040; patient 2,960.
    row = reimburse(10000, "巴彦淖尔", on="2025-05-01", tables=example).iloc[0]
    assert (row["fund_pays"], row["individual_pays"], row["deductible_applied"]) == (7040, 2960, 1200)


def test_worked_example_cap(example):
    # Q&A: 400,000 in one admission: (400,000 − 1,200) × 80 % = 319,040, capped at 300,000.
    row = reimburse(400000, "巴彦淖尔", on="2025-05-01", tables=example).iloc[0]
    assert row["fund_pays"] == 300000 and row["cap_reached"]
    assert row["individual_pays"] == 100000


def test_worked_example_later_admission_and_cap_across_bills(example):
    # Same rule: the second admission of the year has the 600 deductible; the 300,000 cap runs
    # over the year: (370,000 − 1,200) × 80 % = 295,040 first, then only 4,960 of (20,000 − 600) × 80 %.
    bills = pd.DataFrame({"person": ["p", "p"], "region": ["巴彦淖尔"] * 2, "amount": [370000, 20000],
                          "date": ["2025-03-01", "2025-09-01"]})
    out = reimburse(bills, tables=example)
    assert out["deductible_applied"].tolist() == [1200, 600]
    assert out["fund_pays"].tolist() == [295040, 4960]
    assert out["cap_reached"].tolist() == [False, True]


def test_per_year_deductible_runs_across_bills_in_date_order(bands):
    # Given out of order: the January bill meets the 1,300 per-year deductible first.
    bills = pd.DataFrame({"person": ["a", "a", "b"], "region": ["北京"] * 3, "amount": [5000, 1000, 1000],
                          "date": ["2025-06-01", "2025-01-10", "2025-06-01"], "level": ["level3"] * 3})
    out = reimburse(bills, tables=bands)
    assert out["deductible_applied"].tolist() == [300, 1000, 1000]
    assert out["fund_pays"].tolist() == [3995, 0, 0]  # (5,000 − 300) × 85 %


def test_bands_apply_to_the_cumulative_cost(bands):
    # 50,000 at level 3: (30,000 − 1,300) × 85 % + 10,000 × 90 % + 10,000 × 95 % = 42,895.
    row = reimburse(50000, "北京", on="2025-02-01", tables=bands).iloc[0]
    assert row["fund_pays"] == 42895 and row["individual_pays"] == 7105
    assert row["ratio"] == 0.95


def test_level_and_retired_pick_their_rows(bands):
    assert reimburse(11300, "北京", on="2025-02-01", level=1, tables=bands)["fund_pays"].iloc[0] == 9000
    assert reimburse(11300, "北京", on="2025-02-01", retired=True, tables=bands)["fund_pays"].iloc[0] == 9500


def test_offsite_unfiled_and_temporary(bands):
    # Unfiled cross-province: 20 points off (85 % → 65 %); temporary: 90 % of the ratio (85 % → 76.5 %).
    unfiled = reimburse(11300, "北京", on="2025-02-01", offsite="unfiled", tables=bands).iloc[0]
    assert unfiled["fund_pays"] == 6500 and unfiled["ratio"] == 0.65
    temporary = reimburse(11300, "北京", on="2025-02-01", offsite="临时", tables=bands).iloc[0]
    assert temporary["fund_pays"] == 7650


def test_out_of_scope_part_is_the_patients(bands):
    row = reimburse(15000, "北京", on="2025-02-01", in_scope=11300, tables=bands).iloc[0]
    assert row["fund_pays"] == 8500 and row["individual_pays"] == 6500


def test_properties_on_random_bills(bands):
    rng = np.random.default_rng(7)
    n = 500
    bills = pd.DataFrame({
        "person": rng.integers(0, 40, n).astype(str), "region": "北京",
        "amount": rng.integers(0, 20_000_000, n) / 100,
        "date": pd.to_datetime("2025-01-01") + pd.to_timedelta(rng.integers(0, 365, n), unit="D"),
        "level": rng.choice(["level1", "level3"], n), "setting": rng.choice(["inpatient", "outpatient"], n),
        "retired": rng.random(n) < 0.3,
    })
    bills["in_scope"] = np.floor(bills["amount"] * rng.random(n) * 100) / 100
    out = reimburse(bills, tables=bands)
    cents = lambda s: np.rint(s.to_numpy() * 100).astype(np.int64)
    assert (cents(out["fund_pays"]) + cents(out["individual_pays"]) == cents(bills["amount"])).all()
    assert (out["fund_pays"] >= 0).all() and (out["fund_pays"] <= bills["in_scope"] + 1e-9).all()
    yearly = out.assign(person=bills["person"]).groupby(["person", "setting"])["fund_pays"].sum()
    assert (yearly.xs("inpatient", level="setting") <= 500000).all()
    assert (yearly.xs("outpatient", level="setting", drop_level=True) <= 20000 + 1e-9).all()


def test_more_cost_never_means_less_fund(bands):
    amounts = np.arange(0, 700_000, 997.0)
    bills = pd.DataFrame({"person": np.arange(len(amounts)).astype(str), "region": "北京",
                          "amount": amounts, "date": "2025-04-01"})
    fund = reimburse(bills, tables=bands)["fund_pays"].to_numpy()
    assert (np.diff(fund) >= 0).all() and fund.max() == 500000


@pytest.mark.parametrize("kwargs, message", [
    ({"scheme": "private"}, "unknown scheme"),
    ({"setting": "dental"}, "unknown setting"),
    ({"level": 4}, "unknown level"),
    ({"amount": -5}, "negative"),
    ({"in_scope": 20000}, "above the bill"),
    ({"offsite": "abroad"}, "unknown offsite"),
])
def test_bad_bills(bands, kwargs, message):
    args = {"amount": 10000, "region": "北京", "on": "2025-02-01", **kwargs}
    with pytest.raises(InputError, match=message):
        reimburse(args.pop("amount"), tables=bands, **args)


def test_region_without_reimbursement_data_lists_those_with_it(bands):
    with pytest.raises(NoDataError, match="regions with reimbursement data: .*北京"):
        reimburse(10000, "上海", on="2025-02-01", tables=bands)


def test_bills_frame_needs_its_columns(bands):
    with pytest.raises(InputError, match="person"):
        reimburse(pd.DataFrame({"region": ["北京"], "amount": [1], "date": ["2025-01-01"]}), tables=bands)


def test_no_bills_give_an_empty_table():
    out = reimburse(pd.DataFrame({"person": [], "region": [], "amount": [], "date": []}))
    assert out.empty and {"fund_pays", "individual_pays", "source_id"} <= set(out.columns)


def test_bill_columns_of_any_type_and_order():
    # Persons as numbers, regions by name/code/English, dates as text/date/Timestamp, levels as 3/三级/level1:
    # each bill keeps its input position. 深圳 一档 (令第358号): (10,600 − 600) × 90 % = 9,000;
    # the second admission 10,300 − 300 at 90 % × 0.9 (急诊, 第四十条) = 8,100; retired level 1 (5,000 − 200) × 95 % = 4,560.
    import datetime as dt

    bills = pd.DataFrame({"person": [1, 2, 1], "region": ["深圳", "Shenzhen", "440300"], "amount": [10600, 5000, 10300],
                          "date": ["2025-03-01", pd.Timestamp("2025-02-01"), dt.date(2025, 5, 1)],
                          "level": [3, "level1", "三级"], "retired": [False, True, False],
                          "offsite": [None, None, "emergency"]})
    out = reimburse(bills)
    assert out["fund_pays"].tolist() == [9000, 4560, 8100]
    assert out["person"].tolist() == ["1", "2", "1"] and out["region"].eq("深圳").all()
    assert out["source_id"].iloc[2] == "sz-358-bendibao;sz-358-art40" and pd.isna(out["offsite"].iloc[0])
    assert out["date"].iloc[1] == pd.Timestamp("2025-02-01")


def test_shenzhen_inpatient_shipped_rule():
    # 深圳市医疗保障办法 (令第358号), 一档, as quoted by 深圳本地宝 and 深圳之窗: 三级 起付线 600, 二次及以上 300,
    # 在职 90 %, 退休 95 %. Two admissions: (50,000 − 600) × 90 % = 44,460; (10,300 − 300) × 95 % = 9,500 (retired).
    bills = pd.DataFrame({"person": ["x", "x"], "region": ["深圳", "深圳"], "amount": [50000, 10300],
                          "date": ["2025-02-01", "2025-08-01"], "level": ["level3", "三级"],
                          "retired": [False, True]})
    out = reimburse(bills)
    assert out["deductible_applied"].tolist() == [600, 300]
    assert out["fund_pays"].tolist() == [44460, 9500]
    assert out["source_id"].iloc[0] == "sz-358-bendibao"


def test_shenzhen_offsite_article_40():
    # 第四十条: 急诊抢救 按照市内就医支付比例的90%; 其他临时外出(跨省) 80%.
    emergency = reimburse(10600, "深圳", level=3, on="2025-05-01", offsite="emergency").iloc[0]
    assert emergency["ratio"] == 0.81 and emergency["fund_pays"] == 8100
    assert emergency["source_id"] == "sz-358-bendibao;sz-358-art40"
    temporary = reimburse(10600, "深圳", level=3, on="2025-05-01", offsite="temporary").iloc[0]
    assert temporary["fund_pays"] == 7200
    with pytest.raises(NoDataError, match="no off-site rule for a unfiled"):
        reimburse(10600, "深圳", level=3, on="2025-05-01", offsite="unfiled")


def test_retired_must_be_boolean(bands):
    bills = pd.DataFrame({"person": ["a"], "region": ["北京"], "amount": [100], "date": ["2025-01-01"],
                          "retired": ["yes"]})
    with pytest.raises(InputError, match="retired must be True or False"):
        reimburse(bills, tables=bands)


def test_shanghai_deductible_counts_over_the_july_to_june_medical_year():
    # 上海 2023医保年度 (2023-07-01..2024-06-30), 在职职工 住院: 起付标准 1500 a year, then 85 % (上海市医疗保障局
    # via 中国城投网; 上海本地宝 for 2022). November 2023 and February 2024 fall in the same medical year, so the
    # second bill only pays the 500 left of the deductible: (2,000 − 1,500) × 85 % = 425.00.
    bills = pd.DataFrame({"person": ["a", "a"], "region": ["上海", "上海"], "amount": [1000, 1000],
                          "date": ["2023-11-01", "2024-02-01"], "level": ["level3", "level3"]})
    out = reimburse(bills)
    assert out["fund_pays"].tolist() == [0, 425] and out["deductible_applied"].tolist() == [1000, 500]
    with pytest.raises(NoDataError, match="上海"):  # the 2024 year's ratio is not restated in its notice
        reimburse(1000, "上海", on="2024-07-01")


def test_medical_year_start_month_resets_deductible_and_cap(tmp_path):
    overlay = tmp_path / "year"
    overlay.mkdir()
    (overlay / "reimbursement.csv").write_text(
        "region_id,scheme,person,setting,level,band_from,band_to,effective_from,effective_to,ratio,deductible,"
        "deductible_basis,cap,year_start_month,source_id,confidence\n"
        "110000,employee,any,inpatient,any,0,,2025-01-01,2026-12-31,0.5,1000,per_year,2000,7,fixture,official\n"
        "120000,employee,any,inpatient,any,0,,2025-01-01,2026-12-31,0.5,1000,per_year,2000,,fixture,official\n",
        encoding="utf-8")
    (overlay / "sources.csv").write_text("source_id,issuer,title,doc_number,published,url,kind,quotes_notice,consulted\n"
                                         "fixture,TEST,TEST FIXTURE,,,https://example.org,official,,\n", encoding="utf-8")
    tables = load(overlay=overlay)
    bills = pd.DataFrame({"person": ["p"] * 3, "region": ["北京"] * 3, "amount": [5000, 5000, 5000],
                          "date": ["2025-05-01", "2025-06-30", "2025-07-01"]})
    # A July-June year: June's bill hits the 2,000 cap, July's starts a new year (deductible and cap again).
    out = reimburse(bills, tables=tables)
    assert out["deductible_applied"].tolist() == [1000, 0, 1000]
    assert out["fund_pays"].tolist() == [2000, 0, 2000] and out["cap_reached"].tolist() == [True, True, True]
    # The same bills under a calendar year (empty year_start_month): one year, one deductible, one cap.
    calendar = reimburse(bills.assign(region="天津"), tables=tables)
    assert calendar["deductible_applied"].tolist() == [1000, 0, 0]
    assert calendar["fund_pays"].tolist() == [2000, 0, 0]


def test_yubei_official_worked_example():
    # 重庆市渝北区医疗保障局 政策问答 (ybq.gov.cn, 2023-10-30): 城乡居民一档, 二级医院, bill 52,000 of which
    # 50,000 in scope: "(50000-300)×70%=34790元". The patient keeps the out-of-scope 2,000 and 15,210 in scope
    # (before the medical-assistance steps, which are not insurance and not modelled). Rule: fixtures/yubei_example.
    tables = load(overlay=FIXTURES / "yubei_example")
    row = reimburse(52000, "重庆", scheme="resident", setting="inpatient", level="level2", on="2023-10-30",
                    in_scope=50000, tables=tables).iloc[0]
    assert (row["fund_pays"], row["individual_pays"], row["deductible_applied"]) == (34790, 17210, 300)
    assert row["source_id"] == "ybq-ybj-2023-1030" and row["confidence"] == "official"


def test_missing_rule_says_what_the_region_does_hold():
    # 上海's shipped rule covers in-service employees for 2023-07-01..2024-06-30 only.
    with pytest.raises(NoDataError, match="its employee inpatient rules cover 2023-07-01 to 2024-06-30"):
        reimburse(10000, "上海", on="2024-08-01")
    with pytest.raises(NoDataError, match="on that day its rules cover only in_service at level1, in_service at "):
        reimburse(10000, "深圳", on="2024-08-01", level="community")
    with pytest.raises(NoDataError, match=r"^no employee inpatient reimbursement rule for 北京 .*; regions with"):
        reimburse(10000, "北京", on="2024-08-01")


def test_shanghai_retiree_deductible_depends_on_the_retirement_date():
    # 上海 2023医保年度, 退休人员 住院: 起付标准 700 (retired by 2000-12-31) or 1200 (from 2001-01-01), then 92 %
    # (上海市医疗保障局 table via 中国城投网; the 办法 wording via kang5 and readke). A 10,000 bill in November 2023:
    # (10,000 − 700) × 92 % = 8,556.00 and (10,000 − 1,200) × 92 % = 8,096.00.
    def fund(retired_on):
        return reimburse(10000, "上海", on="2023-11-01", retired=True, retired_on=retired_on).iloc[0]
    assert (fund("1999-06-30")["fund_pays"], fund("1999-06-30")["deductible_applied"]) == (8556, 700)
    assert (fund("2010-03-01")["fund_pays"], fund("2010-03-01")["deductible_applied"]) == (8096, 1200)
    assert fund("2000-12-31")["deductible_applied"] == 700 and fund("2001-01-01")["deductible_applied"] == 1200
    # A frame mixes in-service and retired patients; retired_on is empty where it does not matter.
    bills = pd.DataFrame({"person": ["a", "b"], "region": ["上海"] * 2, "amount": [10000, 10000],
                          "date": ["2023-11-01"] * 2, "retired": [False, True], "retired_on": [None, "1995-01-01"]})
    assert reimburse(bills)["fund_pays"].tolist() == [7225, 8556]  # (10,000 − 1,500) × 85 % for the employee


@pytest.mark.parametrize("kwargs,message", [
    ({"retired": True}, r"retirement date \(retired by 2000-12-31; retired from 2001-01-01\): give retired_on"),
    ({"retired": False, "retired_on": "1999-01-01"}, "gives retired_on 1999-01-01 but is not marked retired"),
    ({"retired": True, "retired_on": "2024-01-01"}, "retired_on 2024-01-01 is after the bill's date 2023-11-01"),
    ({"retired": True, "retired_on": "2001-13-01"}, "not a date"),
])
def test_bad_retirement_dates(kwargs, message):
    with pytest.raises(InputError, match=message):
        reimburse(10000, "上海", on="2023-11-01", **kwargs)


def test_retired_on_is_ignored_where_the_rule_has_no_window():
    plain = reimburse(10600, "深圳", level=3, on="2025-03-01", retired=True).iloc[0]
    dated = reimburse(10600, "深圳", level=3, on="2025-03-01", retired=True, retired_on="2010-01-01").iloc[0]
    assert plain["fund_pays"] == dated["fund_pays"] == 9500  # (10,600 − 600) × 95 %, 深圳 一档 退休


@pytest.mark.parametrize("old, new, message", [
    ("310000,employee,in_service,,,", "310000,employee,in_service,2001-01-01,,",
     "person: a retirement-date window needs person `retired`"),
    ("310000,employee,retired,2001-01-01,,", "310000,employee,retired,2001-01-01,2000-12-31,",
     "retired_to: retirement-date window ends before it starts"),
])
def test_retirement_windows_are_checked(policy_copy, old, new, message):
    from conftest import replace_in

    from shebao.data import check
    replace_in(policy_copy / "reimbursement.csv", old, new)
    assert any(message in str(p) for p in check(policy_copy)), message


def test_cli_takes_the_retirement_date():
    from typer.testing import CliRunner

    from shebao.cli import app
    args = ["reimburse", "上海", "--amount", "10000", "--on", "2023-11-01", "--retired", "-f", "csv"]
    shown = CliRunner().invoke(app, [*args, "--retired-on", "1999-06-30"])
    assert shown.exit_code == 0 and "8556.0" in shown.stdout
    refused = CliRunner().invoke(app, args)  # main() turns this error into one line on stderr, exit 2
    assert isinstance(refused.exception, InputError) and "(--retired-on YYYY-MM-DD)" in str(refused.exception)


def test_fangchenggang_official_worked_example():
    # 防城港市人民政府门户网站 我要问 (fcgs.gov.cn): 退休职工 李先生, 高血压(高危组) 门诊特殊慢性病, 某三级医院, 共计300元,
    # 甲类200元、自费100元, 起付线50元, 报销比例75%: "基本医疗保险基金支付:(300-100-50)×75%=112.5元". The Q&A applies the
    # insured region's policy ("就医地目录, 参保地政策"), so the filed cross-province bill is computed as at home.
    tables = load(overlay=FIXTURES / "fangchenggang_example")
    row = reimburse(300, "防城港", setting="门诊特殊慢性病", level=3, retired=True, in_scope=200, on="2025-03-10",
                    tables=tables).iloc[0]
    assert (row["fund_pays"], row["individual_pays"], row["deductible_applied"]) == (112.5, 187.5, 50)
    assert row["source_id"] == "fcg-mtb-qa" and row["confidence"] == "official"


def test_per_month_deductible_counts_over_the_calendar_month():
    # The 防城港 rule's deductible is 元/人·月: a second bill in March pays no deductible; April starts again.
    tables = load(overlay=FIXTURES / "fangchenggang_example")
    bills = pd.DataFrame({"person": "李", "region": "防城港", "amount": [200, 100, 200], "retired": True,
                          "date": ["2025-03-10", "2025-03-20", "2025-04-05"], "setting": "chronic_outpatient"})
    out = reimburse(bills, tables=tables)
    assert out["deductible_applied"].tolist() == [50, 0, 50]
    assert out["fund_pays"].tolist() == [112.5, 75, 112.5]  # (200 − 50) × 75 %, 100 × 75 %, (200 − 50) × 75 %
