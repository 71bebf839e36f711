"""Personal-account crediting. 北京 retirees: 70岁(不含)以下按每月100元划入, 70岁以上按每月110元划入
(社保网 2023-09-08 and 北京日报 2022-09-16, both restating the rule in force from 2022-09-01)."""

import pytest

from shebao.errors import InputError, NoDataError
from shebao.medical import personal_account


def test_beijing_retiree_under_70():
    frame = personal_account(None, "北京", 2025, retired=True, age=68)
    assert frame["monthly_credit"].tolist() == [100.0] * 12
    assert frame["monthly_credit"].sum() == 1200
    assert set(frame["source_id"]) == {"shebaonet-2023-bj-pa"}


def test_beijing_retiree_turning_70_mid_year():
    # Born 1955-06-15: 69 on 1 June 2025, 70 on 1 July → six months at 100, six at 110.
    frame = personal_account(None, "北京", 2025, retired=True, birth_date="1955-06-15")
    assert frame["monthly_credit"].tolist() == [100.0] * 6 + [110.0] * 6
    assert frame["age"].tolist() == [69] * 6 + [70] * 6


def test_bad_input():
    with pytest.raises(InputError, match="depends on age"):
        personal_account(None, "北京", 2025, retired=True)
    with pytest.raises(InputError, match="not both"):
        personal_account(None, "北京", 2025, retired=True, age=70, birth_date="1955-01-01")
    with pytest.raises(InputError, match="retired=False"):
        personal_account(10000, "北京", 2025, pension=3000)
    with pytest.raises(InputError, match="age must be"):
        personal_account(None, "北京", 2025, retired=True, age=-3)
    with pytest.raises(InputError, match="base must be"):
        personal_account(-1, "北京", 2025)
    with pytest.raises(InputError, match="after the start"):
        personal_account(None, "北京", 2025, retired=True, birth_date="2026-01-01")


def test_region_without_rules_says_which_have_them():
    with pytest.raises(NoDataError, match="regions with personal-account data: 北京"):
        personal_account(10000, "广州", 2025)


FIXTURE = __import__("pathlib").Path(__file__).parent / "fixtures" / "synthetic_bands"


@pytest.fixture(scope="module")
def bands():
    from shebao.data import load
    return load(overlay=FIXTURE)


def test_base_is_clamped_to_the_medical_limits(bands):
    # Invented fixture rule: 2 % of the base; 上海's shipped base ceiling 37302 from 2025-07 (沪 2025 notice).
    frame = personal_account(50000, "上海", 2025, tables=bands)
    assert frame["base_clamped"].all()
    assert frame["monthly_credit"].iloc[-1] == 746.04  # 37302 × 2 %


def test_share_of_pension_needs_the_pension(bands):
    with pytest.raises(InputError, match="give pension"):
        personal_account(None, "上海", 2025, retired=True, age=60, tables=bands)
    frame = personal_account(None, "上海", 2025, retired=True, age=60, pension=5000.5, tables=bands)
    assert frame["monthly_credit"].iloc[0] == 100.01  # 5000.50 × 2 % = 100.01


def test_retiree_flag_that_contradicts_the_age_bands(bands):
    with pytest.raises(InputError, match="fits no 退休 band .*contradicts retired=True"):
        personal_account(None, "上海", 2025, retired=True, age=30, pension=3000, tables=bands)


def test_shanghai_in_service_two_percent_of_the_clamped_base():
    # 健全上海市职工基本医疗保险门诊共济保障机制实施办法 第二条: 自2023年7月1日起 … 计入标准为本人参保缴费基数的2%.
    # The base is clamped to 上海's limits: 7384 to June 2025 (2024年度), 7460 from July (2025年度).
    frame = personal_account(10000, "上海", 2025)
    assert frame["monthly_credit"].tolist() == [200.0] * 12 and frame["rule"].str.contains("2").all()
    low = personal_account(5000, "上海", 2025)["monthly_credit"].tolist()
    assert low == [147.68] * 6 + [149.2] * 6  # 7384 × 2 %, 7460 × 2 %
    with pytest.raises(NoDataError, match="its in_service rules run from 2023-07-01; "):  # the reform's start: no in-service rule before it
        personal_account(10000, "上海", 2023)


def test_resident_premiums_by_group_age_band_and_tier():
    from shebao.medical import resident_premiums
    # 北京 2025年度 (央视新闻 2024-12-28; 千龙网): 城乡老年人 430, 学生儿童 405, 劳动年龄内居民 750 元/年.
    beijing = resident_premiums("北京", 2025).set_index("group")["premium"]
    assert beijing.to_dict() == {"elderly": 430, "minor": 405, "adult": 750}
    # 上海 2025年度: 70岁以上 655, 60-69岁 825 (the 2026 notice names them as the standards it replaces).
    shanghai = resident_premiums("上海", 2025)
    old = shanghai[shanghai["group"] == "elderly"].set_index("age_from")["premium"]
    assert old.to_dict() == {70: 655, 60: 825}
    # 重庆 2024年度 (重庆日报 2023-10-14): 一档 380, 二档 755 元/人·年.
    tiers = resident_premiums("重庆", 2024).query("group == 'any'").set_index("tier")["premium"]
    assert tiers.to_dict() == {"一档": 380, "二档": 755}
    # A region without rows of its own falls back to the national minimum.
    assert resident_premiums("成都", 2024)["premium"].tolist() == [400] and \
        resident_premiums("成都", 2024)["rule_region"].tolist() == ["全国"]


def test_resident_premium_age_band_is_checked(policy_copy):
    from conftest import replace_in

    from shebao.data import check
    replace_in(policy_copy / "resident_premiums.csv", "310000,elderly,60,69,", "310000,elderly,69,60,")
    assert any("resident_premiums.csv" in str(p) and "age band ends before it starts" in str(p)
               for p in check(policy_copy))


def test_beijing_in_service_and_tianjin_retirees():
    # 北京医保: 自2022年9月1日起 … 计入标准为本人参保缴费基数的2% (base clamped to 6821 to June, 7162 from July 2025).
    assert personal_account(5000, "北京", 2025)["monthly_credit"].tolist() == [136.42] * 6 + [143.24] * 6
    # 津政办规〔2021〕16号 as quoted by 天津广播 and 天津本地宝: 退休人员 不满70周岁40元/月, 70周岁以上50元/月.
    assert personal_account(None, "天津", 2025, retired=True, age=69)["monthly_credit"].sum() == 480
    assert personal_account(None, "天津", 2025, retired=True, age=70)["monthly_credit"].sum() == 600


def test_tianjin_premium_tiers_and_guangzhou_other_residents():
    from shebao.medical import resident_premiums
    # 天津日报 2023-10-10: 2024年度 个人缴费标准为高档每人每年1010元, 低档每人每年380元, 学生儿童按照低档标准缴费.
    adults = resident_premiums("天津", 2024).query("group == 'adult'").set_index("tier")["premium"]
    assert adults.to_dict() == {"高档": 1010, "低档": 380}
    # 穗医保发〔2024〕23号: 2025年度 在校学生 413, 其他参保人员 549.
    guangzhou = resident_premiums("广州", 2025).set_index("group")["premium"]
    assert guangzhou.to_dict() == {"student": 413, "any": 549}
    # 穗医保发〔2023〕30号: 2024 the same; the 延缴 notice: 待遇享受期统一为2024年1月1日至12月31日.
    assert resident_premiums("广州", 2024).set_index("group")["premium"].to_dict() == {"student": 413, "any": 549}
