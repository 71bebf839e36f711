"""Hand-checkable figures: each expected number is base × rate from a cited notice, rounded to the fen."""

import pandas as pd
import pytest

import shebao as sb


def item(frame, name):
    return frame.set_index("item").loc[name]


def test_guangzhou_floor_2025():
    # 粤人社发〔2025〕32号: from 2025-07-01 广州 pension base floor 5510; national rates 8 % / 16 %.
    row = item(sb.contributions(3000, "广州", on="2025-08-01"), "pension")
    assert row["base_used"] == 5510 and row["base_clamped"]
    assert row["employee_monthly"] == 440.80  # 5510 × 8 %
    assert row["employer_monthly"] == 881.60  # 5510 × 16 %
    assert row["source_region"] == "440100;440000;000000"


def test_guangzhou_ceiling_2024():
    # 粤人社发〔2024〕33号: 2024-07-01..2025-06-30 province-wide ceiling 27501.
    row = item(sb.contributions(30000, "Guangzhou", on="2024-10-01"), "pension")
    assert (row["base_used"], row["employee_monthly"], row["employer_monthly"]) == (27501, 2200.08, 4400.16)


def test_shanghai_ceiling_and_employer_rates_2025():
    # 上海人社局 便民问答 2025-01-20: employer pension 16 %, medical 9 % (含生育), unemployment 0.5 %;
    # base 7460–37302 from 2025-07-01 (corroborated).
    frame = sb.contributions(50000, "上海市", on="2025-08-01")
    assert item(frame, "pension")["base_used"] == 37302
    assert item(frame, "pension")["employee_monthly"] == 2984.16
    assert item(frame, "medical")["employer_monthly"] == 3357.18  # 37302 × 9 %
    assert item(frame, "unemployment")["employee_monthly"] == 186.51  # 37302 × 0.5 %, half up


def test_chongqing_floor_and_injury_2025():
    # 重庆 2025年度 base 4404–22017 for all items; injury at the class-1 benchmark 0.2 % (人社部发〔2015〕71号).
    frame = sb.contributions(3000, "重庆", on="2025-03-01")
    assert item(frame, "pension")["employee_monthly"] == 352.32  # 4404 × 8 %
    assert item(frame, "injury")["employer_monthly"] == 8.81  # 4404 × 0.2 % = 8.808
    assert item(frame, "injury")["employee_monthly"] == 0
    assert sb.contributions(3000, "重庆", on="2025-03-01", injury_rate=0.004).set_index("item").loc[
        "injury", "employer_monthly"] == 17.62


def test_mid_year_switch_shanghai_2025():
    # The ceiling moves from 36921 to 37302 on 2025-07-01.
    year = sb.yearly_contributions(50000, "上海", 2025)
    pension = year[year["item"] == "pension"].set_index("month")["employee_monthly"]
    assert pension.loc[1:6].eq(2953.68).all()  # 36921 × 8 %
    assert pension.loc[7:12].eq(2984.16).all()  # 37302 × 8 %
    table = sb.month_table(year)
    assert len(table) == 13 and table["month"].isna().iloc[-1]
    assert table["employee"].iloc[-1] == pytest.approx(table["employee"].iloc[:12].sum(), abs=0.001)


def test_fallback_city_to_province_to_national():
    # 深圳 has no row of its own: 广东's floor and ceiling, the national rates.
    row = item(sb.contributions(1000, "深圳", on="2025-08-01"), "pension")
    assert row["base_used"] == 4775 and row["source_region"] == "440000;000000"
    # 成都 takes 四川's province-wide limits.
    assert item(sb.contributions(99999, "成都", on="2025-05-01"), "pension")["base_used"] == 22938


def test_domain_example_a_clamping(policy_copy):
    # Four ministries' Q&A on 国办发〔2019〕13号: floor 3000 → pension 8 % = 240, medical 2 % = 60.
    table = policy_copy / "contributions.csv"
    with table.open("a", encoding="utf-8") as f:
        for name in ("pension", "medical"):
            rate = "0.16" if name == "pension" else "0.06"
            f.write(f"130000,{name},2025-01-01,2025-12-31,{rate},,,,3000,15000,,gbf-2019-13,corroborated,people-2019-0405,example A\n")
    tables = sb.load(policy_copy)
    frame = sb.contributions(2500, "河北", on="2025-06-01", tables=tables)
    assert item(frame, "pension")["employee_monthly"] == 240
    assert item(frame, "medical")["employee_monthly"] == 60
    assert item(sb.contributions(20000, "河北", on="2025-06-01", tables=tables), "pension")["base_used"] == 15000


def test_compare_columns_and_order():
    frame = sb.compare(10000, 2025)
    assert {"region", "employee_yearly", "employer_yearly", "total_yearly", "missing_items"} <= set(frame.columns)
    assert frame["total_yearly"].is_monotonic_decreasing
    assert (frame["employee_yearly"] + frame["employer_yearly"] - frame["total_yearly"]).abs().max() < 1e-6
    assert "北京" in set(frame["region"])
    assert "北京" in set(sb.compare(10000, 2024)["region"])  # 京人社发〔2023〕8号 covers 2024-01..06
    # 深人社规〔2023〕9号: 深圳's pension floor 3523 for 2024-01..06, so 深圳 covers all of 2024
    assert "深圳" in set(sb.compare(10000, 2024)["region"])
    assert "河北" not in set(sb.compare(10000, 2025)["region"])  # no 河北 base limits are sourced


def test_payroll_matches_contributions():
    employees = pd.DataFrame({"region": ["上海", "重庆", "广州"], "base": [8000, 30000, 1000]}, index=[7, 8, 9])
    out = sb.payroll(employees, on="2025-08-01")
    assert list(out.index) == [7, 8, 9]
    for label, person in employees.iterrows():
        long = sb.contributions(person["base"], person["region"], on="2025-08-01")
        assert out.loc[label, "employee_total"] == pytest.approx(long["employee_monthly"].sum(), abs=1e-9)
        assert out.loc[label, "employer_total"] == pytest.approx(long["employer_monthly"].sum(), abs=1e-9)
    assert out["base_clamped"].tolist() == [False, True, True]


def test_series_input_gives_row_column():
    frame = sb.contributions(pd.Series([3000, 50000]), pd.Series(["广州", "上海"]), on="2025-08-01")
    assert set(frame["row"]) == {0, 1}
    assert frame.loc[(frame["row"] == 0) & (frame["item"] == "pension"), "employee_monthly"].item() == 440.80


def test_regions_table_and_missing_items():
    table = sb.regions().set_index("region_id")
    assert table.loc["440100", "name_zh"] == "广州市" and table.loc["440100", "parent_id"] == "440000"
    assert table.loc["310000", "has_contributions"] and not table.loc["420100", "has_contributions"]
    assert "housing_fund" in sb.missing_items("成都", "2025-08-01")  # no sourced 成都 housing-fund row
    assert "housing_fund" not in sb.missing_items("成都", "2025-08-01", housing_fund_rate=0)
    assert "housing_fund" not in sb.missing_items("重庆", "2025-08-01")  # 渝公积金发〔2025〕54号


def test_beijing_floor_2025():
    # 京人社发〔2025〕11号 (corroborated): from 2025-07 the base floor is 7162 for every item.
    row = item(sb.contributions(5000, "北京", on="2025-08-01"), "pension")
    assert (row["base_used"], row["employee_monthly"], row["employer_monthly"]) == (7162, 572.96, 1145.92)


def test_shanghai_housing_fund_2025():
    # 沪公积金管委会〔2025〕8号 as quoted: base 2690–37302, rates 5 %–7 % from 2025-07.
    frame = sb.contributions(50000, "上海", on="2025-08-01", housing_fund_rate=0.07)
    assert item(frame, "housing_fund")["employee_monthly"] == 2611.14  # 37302 × 7 %
    assert item(sb.contributions(2000, "上海", on="2025-08-01"), "housing_fund")["employee_monthly"] == 134.50
    with pytest.raises(sb.RateOutOfRangeError, match="0.05–0.07"):
        sb.contributions(50000, "上海", on="2025-08-01", housing_fund_rate=0.12)


def test_sichuan_unemployment_split_2025():
    # 四川: employer 0.6 %, employee 0.4 % to 2025-12-31; base 4588–22938 (2025年度).
    row = item(sb.contributions(10000, "成都", on="2025-05-01"), "unemployment")
    assert (row["employer_monthly"], row["employee_monthly"]) == (60, 40)


def test_guangzhou_housing_fund_ceiling_2025():
    # 广州 2025 fund year (corroborated): base 2500–39828, rate 5 %–12 %.
    row = item(sb.contributions(50000, "广州", on="2025-08-01", housing_fund_rate=0.12), "housing_fund")
    assert (row["base_used"], row["employee_monthly"]) == (39828, 4779.36)


def test_beijing_medical_rate_and_fixed_serious_illness_2025():
    # 京医保发〔2021〕1号: employer medical (含生育) 9.8 %, which includes the employer's 1 % 大额互助 share;
    # 北京市基本医疗保险规定 第三十八条: 个人按每月3元缴纳 大额医疗费用互助资金. Employee medical 2 % (国发〔1998〕44号).
    frame = sb.contributions(10000, "北京", on="2025-08-01")
    assert item(frame, "medical")["employer_monthly"] == 980.00  # 10000 × 9.8 %
    assert item(frame, "medical")["employee_monthly"] == 200.00
    serious = item(frame, "serious_illness")
    assert (serious["employee_monthly"], serious["employer_monthly"]) == (3.00, 0.00)
    assert sb.missing_items("北京", "2025-10-01") == []  # housing-fund floor 2540 known from 2025-09


def test_fixed_only_item_needs_no_base_limits(policy_copy):
    # An item of fixed amounts only is complete without base limits; one that charges a rate is not.
    from tests.conftest import replace_in

    tables = sb.load(policy_copy)
    assert "serious_illness" in set(sb.contributions(10000, "北京", on="2025-08-01", tables=tables)["item"])
    replace_in(policy_copy / "contributions.csv", "110000,serious_illness,2024-01-01,,0,", "110000,serious_illness,2024-01-01,,0.01,")
    tables = sb.load(policy_copy)
    assert "serious_illness" not in set(sb.contributions(10000, "北京", on="2025-08-01", tables=tables)["item"])
    assert "serious_illness" in sb.missing_items("北京", "2025-08-01", tables=tables)


def test_chongqing_serious_illness_rate_without_base_is_reported_missing():
    # 重庆 (梁平区 政策问答 2025-03-07): 大额互助 单位 1.5 % of the base, 个人 5 元/月; medical 8.5 % (含生育) / 2 %.
    # The 大额 base limits are not stated, so the item is named missing rather than computed.
    frame = sb.contributions(10000, "重庆", on="2025-08-01")
    assert item(frame, "medical")["employer_monthly"] == 850.00
    assert "serious_illness" not in set(frame["item"])
    assert "serious_illness" in sb.missing_items("重庆", "2025-08-01")


def test_shenzhen_first_tier_medical_2025():
    # 深府办规〔2023〕5号: 一档 employer 5 % from 2024-01-01 to 2025-12-31; 令第358号 第八条: employee 2 %.
    # 深圳 medical base 2025-07..12: 6733–33666.
    row = item(sb.contributions(3000, "深圳", on="2025-09-01"), "medical")
    assert row["base_used"] == 6733
    assert (row["employer_monthly"], row["employee_monthly"]) == (336.65, 134.66)  # 6733 × 5 %, × 2 %


def test_jilin_july_to_june_and_henan_from_july_2025():
    # 吉人社联〔2025〕97号: 2025-07-01..2026-06-30 pension 4393.2–21966; 河南 (豫人社办〔2025〕67号, as reported):
    # from 2025-07-01, 3831–19155. Neither has a sourced figure for January–June 2025.
    assert item(sb.contributions(1000, "长春", on="2025-07-01"), "pension")["employee_monthly"] == 351.46  # 4393.2 × 8 %
    assert item(sb.contributions(1000, "郑州", on="2025-07-01"), "pension")["employee_monthly"] == 306.48  # 3831 × 8 %
    for region in ("长春", "郑州"):
        with pytest.raises(sb.NoDataError):
            sb.contributions(1000, region, on="2025-06-01")


def test_compare_leaves_out_regions_without_pension_limits_and_says_why():
    # 福建's sourced rows give medical (to 2025-06) and injury (from 2025-07) limits but only a pension floor:
    # its months are "covered", yet a total without pension would mislead, so the comparison leaves it out.
    assert "福建" not in set(sb.compare(10000, 2025)["region"])
    assert "福建" in set(sb.compare(10000, 2025, ["福建"])["region"])  # asked for by name, it is shown
    left_out = sb.left_out_regions(2025)
    assert left_out["福建"] == "no pension limits in some month"
    assert left_out["吉林"] == "figures for part of the year only"  # 吉林's year runs July to June
    assert not set(left_out) & set(sb.compare(10000, 2025)["region"])
    # the CLI hands over the comparison it already made; the answer is the same
    assert sb.left_out_regions(2025, compared=sb.compare(10000, 2025)) == left_out
