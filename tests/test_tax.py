"""Income tax: the State Taxation Administration's worked example, brackets, bonus, take-home."""

import pandas as pd
import pytest

import shebao as sb


def test_sta_cumulative_withholding_example():
    # The tax administration's example of 累计预扣法 (DOMAIN.md §5 B), as republished by
    # 广东石油化工学院财务处 (https://site.gdupt.edu.cn/cwc/info/1025/1466.htm) and others: wage 30,000/month,
    # 专项扣除 4,500, 专项附加扣除 2,000 → January 555 (3 %), February 625, March 1,850 (10 %, 2,520).
    table = sb.withholding(30000, 4500, 2000, 2025, months=3)
    assert table["cumulative_taxable"].tolist() == [18500, 37000, 55500]
    assert table["tax_withheld"].tolist() == [555, 625, 1850]
    assert table["cumulative_tax"].tolist() == [555, 1180, 3030]
    assert table["rate"].tolist() == [0.03, 0.10, 0.10]
    assert table["quick_deduction"].tolist() == [0, 2520, 2520]


def test_bracket_crossing_month_and_year_total():
    year = sb.withholding(30000, 4500, 2000, 2025)
    # Taxable 18,500 a month: 144,000 is crossed in month 8 (148,000 → 20 %, quick deduction 16,920).
    assert year.loc[year["month"] == 8, "rate"].item() == 0.20
    assert year.loc[year["month"] == 8, "tax_withheld"].item() == 148000 * 0.2 - 16920 - (129500 * 0.1 - 2520)
    assert year["tax_withheld"].sum() == year["cumulative_tax"].iloc[-1] == 222000 * 0.2 - 16920


def test_zero_tax_case():
    table = sb.withholding(5000, 0, 0, 2025)
    assert (table["tax_withheld"] == 0).all() and (table["cumulative_taxable"] == 0).all()
    low = sb.withholding(6000, 1000, 0, 2025)
    assert (low["tax_withheld"] == 0).all()


def test_series_input_has_row_column():
    table = sb.withholding(pd.Series([30000, 8000], index=["a", "b"]), pd.Series([4500, 500], index=["a", "b"]),
                           0, 2025, months=2)
    assert set(table["row"]) == {"a", "b"}
    assert table.loc[table["row"] == "b", "tax_withheld"].tolist() == [75, 75]  # (8,000 − 5,000 − 500) × 3 %


def test_bonus_separate_taxation():
    # Monthly table on bonus ÷ 12: 36,000 → 3 % = 1,080; one yuan more → 10 % − 210 = 3,390.10.
    assert sb.bonus_tax(36000, 2025) == 1080
    assert sb.bonus_tax(36001, 2025) == 3390.10
    assert sb.bonus_tax(pd.Series([0, 120000]), 2025).tolist() == [0, 120000 * 0.1 - 210]
    cliffs = sb.bonus_thresholds(2025)
    assert cliffs["threshold"].tolist() == [36000, 144000, 300000, 420000, 660000, 960000]
    assert cliffs.iloc[0]["dead_zone_to"] == 38566.67  # (36,000 − 1,080 − 210) / 0.9


def test_take_home_totals_add_up():
    table = sb.take_home(20000, "上海", 2025, special_deductions=2000)
    months, total = table.iloc[:12], table.iloc[12]
    assert pd.isna(total["month"]) and len(table) == 13
    for column in ("gross", "employee_contributions", "income_tax", "net", "employer_cost"):
        assert round(months[column].sum(), 2) == round(total[column], 2)
    assert (table["net"] == table["gross"] - table["employee_contributions"] - table["income_tax"]).all()
    assert (table["employer_cost"] == table["gross"] + table["employer_contributions"]).all()
    # The tax equals 累计预扣法 on the same deductions.
    check = sb.withholding(20000, months["deductible_contributions"].iloc[0], 2000, 2025, months=1)
    assert months["income_tax"].iloc[0] == check["tax_withheld"].iloc[0]


def test_take_home_bonus_picks_the_cheaper_treatment():
    low = sb.take_home(8000, "上海", 2025, bonus=20000)
    assert low["bonus_treatment"].iloc[0] in ("merged", "separate")
    separate = sb.bonus_tax(20000, 2025)
    december = low.iloc[11]
    plain = sb.take_home(8000, "上海", 2025).iloc[11]
    assert december["income_tax"] - plain["income_tax"] <= separate


def test_take_home_many_employees_and_bonus_columns():
    wages = pd.Series([8000, 30000], index=["e1", "e2"])
    table = sb.take_home(wages, pd.Series(["上海", "广州"], index=["e1", "e2"]), 2025,
                         bonus=pd.Series([20000, 100000], index=["e1", "e2"]))
    assert len(table) == 26 and set(table["row"]) == {"e1", "e2"}
    one = sb.take_home(30000, "广州", 2025, bonus=100000)
    both = table[table["row"] == "e2"].drop(columns="row").reset_index(drop=True)
    pd.testing.assert_frame_equal(both, one)
    first = table[table["row"] == "e1"].iloc[-1]
    assert first["bonus_tax_separate"] == sb.bonus_tax(20000, 2025)
    cheaper = min(first["bonus_tax_separate"], first["bonus_tax_merged"])
    assert first["income_tax"] == sb.take_home(8000, "上海", 2025).iloc[-1]["income_tax"] + cheaper


def test_housing_fund_deductibility_cap(policy_copy):
    # 财税〔2006〕10号: only up to 12 % of the (capped) wage is deductible; a 15 % rate leaves 3 % taxable.
    from conftest import replace_in
    replace_in(policy_copy / "housing_fund.csv", "0.05,0.07,", "0.05,0.15,", count=-1)  # 上海's 2024 and 2025 rows
    tables = sb.load(policy_copy)
    table = sb.take_home(20000, "上海", 2025, housing_fund_rate=0.15, tables=tables)
    january = table.iloc[0]
    hf = sb.contributions(20000, "上海", on="2025-01-01", housing_fund_rate=0.15, tables=tables).set_index("item")
    assert hf.loc["housing_fund", "employee_monthly"] == 3000
    non_hf = january["employee_contributions"] - 3000
    assert january["deductible_contributions"] == non_hf + 2400  # 12 % of 20,000


@pytest.mark.parametrize("call, message", [
    (lambda: sb.withholding(-1, 0, 0, 2025), "negative"),
    (lambda: sb.withholding(10000, 20000, 0, 2025), "contributions exceed the wage"),
    (lambda: sb.withholding(10000, 0, 50000, 2025), "deductions exceed the wage"),
    (lambda: sb.withholding(10000, 0, 0, 2025, months=13), "months"),
    (lambda: sb.take_home(float("nan"), "上海", 2025), "missing"),
    (lambda: sb.bonus_tax(-5, 2025), "negative"),
])
def test_bad_input(call, message):
    with pytest.raises(sb.InputError, match=message):
        call()


def test_unknown_year():
    with pytest.raises(sb.NoDataError, match="no income-tax rules for 2017"):
        sb.withholding(10000, 0, 0, 2017)
    with pytest.raises(sb.NoDataError, match="no income-tax rules for 2040"):
        sb.bonus_tax(1000, 2040)
