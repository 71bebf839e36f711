"""家庭共济 rules: each answer names its rule, region and source; the national rules fill gaps.

Figures checked by hand against the cited documents:
- 福建省医疗保障局 政策解读 (2024-12-04): from 2024-12-06 near relatives (配偶、父母、子女、兄弟姐妹、
  祖父母、外祖父母、孙子女、外孙子女) insured in 福建 may share the account.
- 上海 (中新网 2022-07-04, 文汇报 2022-07-05): 配偶、父母、子女 insured in 上海, from 2022-08.
- 北京 京医保发〔2022〕28号 (北京商报 2022-08-19, 工人日报 2022-10-28): from 2022-12-01 配偶、父母、子女
  insured in 北京, after 备案, for their costs and their 城乡居民医保 contributions.
- 国办发〔2021〕14号: spouse, parents, children; 国办发〔2024〕38号 (2024-08-01): near relatives, for
  their costs and their resident-insurance premiums. In-laws are not 近亲属 (民法典 第1045条).
"""

import pandas as pd
import pytest
from conftest import replace_in

import shebao as sb
from shebao.errors import InputError, UnknownRegionError
from shebao.mutual_aid import can_use, mutual_aid, mutual_aid_matrix, relation_id
from shebao.schema import RELATIONS


def one(*args, **kwargs):
    return can_use(*args, **kwargs).iloc[0]


def test_fujian_near_relatives_from_2024_12_06():
    before = one("福建", "福建", "sibling", "premium", on="2024-12-05")
    after = one("福建", "福建", "sibling", "premium", on="2024-12-06")
    assert after["allowed"] and after["rule_region"] == "福建" and after["source_id"] == "fj-ybj-2024-jd"
    assert after["scope"] == "province" and after["confidence"] == "official"
    assert before["allowed"] and before["rule_region"] == "全国"  # 38号 already named near relatives


def test_province_scope_allows_another_city_of_the_province_only():
    assert one("福建", "厦门", "grandparent", "medical", on="2025-03-01")["allowed"]
    cross = one("福建", "广州", "grandparent", "medical", on="2025-03-01")
    assert not cross["allowed"] and "省内" in cross["reason"]


def test_shanghai_spouse_only_inside_shanghai():
    inside = one("上海", "上海", "配偶", "medical", on="2023-01-01")
    assert inside["allowed"] and inside["scope"] == "pooling_region" and inside["registration"] == "yes"
    assert not one("上海", "杭州", "配偶", "medical", on="2023-01-01")["allowed"]


def test_beijing_spouse_parents_children_from_2022_12_01():
    before = one("北京", None, "子女", "premium", on="2022-11-30")
    assert not before["allowed"] and not before["rule_found"]  # 14号: premiums only 探索
    after = one("北京", None, "子女", "premium", on="2022-12-01")
    assert after["allowed"] and after["rule_region"] == "北京" and after["source_id"] == "bjsb-2022-0819"
    assert after["registration"] == "yes" and after["scope"] == "pooling_region"
    assert not one("北京", "天津", "spouse", "medical", on="2025-01-01")["allowed"]  # 本市参保 only


def test_beijing_near_relatives_from_2024_12_10():
    # 京医保发〔2024〕18号 (新华网 "即日起", 中新网, 2024-12-10): siblings, grandparents and grandchildren insured in
    # 北京, after 备案, for their costs and their 城乡居民医保 contributions. Before that day the national 2024 rule
    # (国办发〔2024〕38号) already named near relatives, without a scope.
    before = one("北京", None, "兄弟姐妹", "premium", on="2024-12-09")
    assert before["allowed"] and before["rule_region"] == "全国"
    after = one("北京", None, "兄弟姐妹", "premium", on="2024-12-10")
    assert after["allowed"] and after["rule_region"] == "北京" and after["source_id"] == "xinhua-2024-1210-bj"
    assert after["registration"] == "yes" and after["scope"] == "pooling_region"
    assert one("北京", None, "外孙子女", "medical", on="2025-06-01")["rule_region"] == "北京"
    assert not one("北京", None, "岳父母", "medical", on="2025-06-01")["allowed"]


def test_national_fallback_is_explicit():
    # 河南 has no mutual-aid rule of its own in the data: the national 2024 rule answers, and says so.
    row = one("河南", None, "兄弟姐妹", "premium", on="2025-06-01")
    assert row["allowed"] and row["rule_region"] == "全国" and row["source_id"] == "chinanews-2024-0801"
    assert "全国" in row["reason"]


def test_2021_rule_covers_spouse_parents_children_not_siblings():
    # 河南 has no rule of its own in the data: the national 2021 rule answers.
    assert one("河南", None, "parent", "medical", on="2023-06-01")["allowed"]
    sibling = one("河南", None, "sibling", "medical", on="2023-06-01")
    assert not sibling["allowed"] and not sibling["rule_found"]
    # 14号 only said 探索 for premiums: no premium rule before 38号.
    assert not one("河南", None, "child", "premium", on="2023-06-01")["allowed"]


def test_in_laws_are_not_near_relatives():
    row = one("福建", None, "公婆", "medical", on="2025-06-01")
    assert not row["allowed"] and not row["rule_found"]


def test_many_pairs_at_once():
    pairs = pd.DataFrame({"payer_region": ["福建", "上海", "湖北", "山西"],
                          "relative_region": ["福州", "上海", "武汉", "北京"],
                          "relation": ["兄弟姐妹", "子女", "孙子女", "配偶"],
                          "purpose": ["premium", "medical", "premium", "medical"], "on": "2025-06-01"})
    out = can_use(pairs)
    assert out["allowed"].tolist() == [True, True, True, False]
    assert out["rule_region"].tolist() == ["福建", "上海", "湖北", "山西"]
    assert (out["source_id"] != "").all() and out["reason"].str.len().gt(20).all()


def test_mutual_aid_lists_every_relation_with_sources():
    rules = mutual_aid("湖北", on="2025-01-01")
    assert rules["relation"].tolist() == list(RELATIONS)
    assert rules.set_index("relation").loc["sibling", "premium_scope"] == "province"
    assert not rules.set_index("relation").loc["sibling", "national_fallback"]


def test_matrix_has_every_province():
    matrix = mutual_aid_matrix(on="2025-06-01", purpose="premium")
    provinces = matrix[matrix["level"] == "province"]
    assert len(provinces) == 31
    assert matrix.set_index("region").loc["福建", "sibling"]
    assert not matrix["parent_in_law"].any()
    assert not matrix.set_index("region").loc["北京", "uses_national_rules"]  # 北京 has rows for every relation
    assert matrix.set_index("region").loc["河南", "uses_national_rules"]


@pytest.mark.parametrize("word, key", [("配偶", "spouse"), ("父母", "parent"), ("子女", "child"),
                                       ("兄弟姐妹", "sibling"), ("祖父母", "grandparent"),
                                       ("孙子女", "grandchild"), ("Siblings", "sibling")])
def test_chinese_relation_words(word, key):
    assert relation_id(word) == key


def test_unknown_relation_lists_the_known_ones():
    with pytest.raises(InputError, match="known relations: spouse"):
        can_use("北京", None, "cousin", "medical")


def test_unknown_purpose_and_region():
    with pytest.raises(InputError, match="purpose"):
        can_use("北京", None, "spouse", "dental")
    with pytest.raises(UnknownRegionError):
        can_use("Atlantis", None, "spouse", "medical")


def test_sichuan_official_qa_from_its_date():
    # 四川省医疗保障局 问答 (2025-07-04): near relatives, their own costs and their resident premiums. The page
    # gives no start date, so the row starts on the page's date and the national rule answers before it.
    assert one("四川", None, "祖父母", "premium", on="2025-07-03")["rule_region"] == "全国"
    row = one("成都", None, "祖父母", "premium", on="2025-07-04")
    assert row["allowed"] and row["rule_region"] == "四川" and row["confidence"] == "official"
    assert not one("四川", None, "公婆", "medical", on="2025-08-01")["allowed"]


def test_shandong_hebei_jiangsu_near_relatives_in_province():
    # 山东: press conference of 2024-08-28 (近亲属, 省内; 江南晚报 2024-08-30: also resident premiums).
    # 河北: NHSA "截至8月15日" + 邢台日报 2024-08-17 (省内 near relatives, costs and premiums).
    # 江苏: 武进新闻 2024-10-14 (近亲属, premiums for family anywhere in the province) + NHSA 2024-10-29.
    for payer, other_city, day, source in [("山东", "青岛", "2024-08-28", "sd-2024-0828"),
                                           ("河北", "石家庄", "2024-08-15", "nhsa-2024-0828-rmw"),
                                           ("江苏", "南京", "2024-10-14", "wjxw-2024-1014")]:
        row = one(payer, other_city, "兄弟姐妹", "medical", on=day)
        assert row["allowed"] and row["rule_region"] == payer and row["source_id"] == source
        assert row["scope"] == "province"
        assert not one(payer, "上海", "兄弟姐妹", "medical", on=day)["allowed"]
        assert not one(payer, None, "岳父母", "medical", on=day)["allowed"]
    assert one("河北", "石家庄", "孙子女", "premium", on="2024-08-15")["scope"] == "province"
    assert one("江苏", None, "祖父母", "premium", on="2024-10-13")["rule_region"] == "全国"


def test_shenzhen_official_reply_medical_in_province():
    # 深圳市医疗保障局 reply (sz.gov.cn, 2024-12-03): near relatives insured in 广东 may be paid for from a 深圳
    # account (outside 深圳 only at pilot institutions). Premiums are not stated: the national rule answers.
    row = one("深圳", "广州", "grandchild", "medical", on="2025-01-01")
    assert row["allowed"] and row["rule_region"] == "深圳" and row["confidence"] == "official"
    assert not one("深圳", "长沙", "grandchild", "medical", on="2025-01-01")["allowed"]
    assert one("深圳", None, "grandchild", "premium", on="2025-01-01")["rule_region"] == "全国"


def test_reason_says_whether_the_start_date_is_known():
    # 福建's 政策解读 states "2024年12月6日起执行"; 山东's date is the press conference at which the rule was
    # already in force, so only "in force by" can be said.
    stated = one("福建", None, "sibling", "medical", on="2025-01-01")["reason"]
    assert "from 2024-12-06" in stated and "in force by" not in stated
    attested = one("山东", None, "sibling", "medical", on="2025-01-01")["reason"]
    assert "in force by 2024-08-28; its start date is not known" in attested


def test_start_basis_values_are_checked(policy_copy):
    replace_in(policy_copy / "mutual_aid.csv", ",in_force_by,", ",sometime,")
    assert any("start_basis" in str(p) for p in sb.check(policy_copy))


def test_family_account_rules_are_dated_in_force_by():
    # Both limits come from pages that show them in force (武汉 2023-10-17; NHSA reply 2022-05-20), not from
    # the app's own start dates.
    from shebao.medical import family_account
    frame = family_account().set_index("rule")
    assert frame.loc["max_members", "value"] == 5 and frame.loc["face_verification_age", "value"] == 16
    assert set(frame["start_basis"]) == {"in_force_by"}
