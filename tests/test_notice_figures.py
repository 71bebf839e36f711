"""Figures copied by hand from the notices (or the two sources that quote them), so an edit that breaks one fails.

Each entry: region, item, field, a day inside the period, the figure as printed in the source, the citation.
The lookup goes through ``sb.history`` (city → province → national fallback), the same resolution every
calculator uses.
"""

import pandas as pd
import pytest

import shebao as sb

FIGURES = [
    # 京人社发〔2025〕11号 关于2025年度各项社会保险缴费工资基数上下限的通告: 7162 / 35811 from 2025-07
    ("北京", "pension", "base_floor", "2025-07-01", 7162, "京人社发〔2025〕11号"),
    ("北京", "medical", "base_ceiling", "2025-12-01", 35811, "京人社发〔2025〕11号"),
    # 2024-07..2025-06: 6821 / 35283 (linianhui/blog, corroborated, see sources.csv)
    ("北京", "unemployment", "base_floor", "2024-07-01", 6821, "北京 2024年度 基数 (corroborated)"),
    ("北京", "injury", "base_ceiling", "2025-06-30", 35283, "北京 2024年度 基数 (corroborated)"),
    # 上海: 2023年度 7310–36549, 2024年度 7384–36921, 2025年度 7460–37302 (July to June)
    ("上海", "pension", "base_floor", "2023-07-01", 7310, "本市调整2023年度社保缴费基数上下限"),
    ("上海", "pension", "base_ceiling", "2024-06-30", 36549, "本市调整2023年度社保缴费基数上下限"),
    ("上海", "medical", "base_floor", "2024-07-01", 7384, "上海 2024年度 基数 (corroborated)"),
    ("上海", "unemployment", "base_ceiling", "2025-06-30", 36921, "上海 2024年度 基数 (corroborated)"),
    ("上海", "pension", "base_floor", "2025-07-01", 7460, "上海市人社局 2025年社保缴费基数通知"),
    ("上海", "pension", "base_ceiling", "2026-06-30", 37302, "上海市人社局 2025年社保缴费基数通知"),
    # 上海人社局 便民问答 (2025-01-20): 单位 养老 16 %, 医疗 9 %, 失业 0.5 %, 工伤 0.2 % (lowest class)
    ("上海", "pension", "employer_rate", "2025-03-01", 0.16, "上海人社局 便民问答 2025-01-20"),
    ("上海", "medical", "employer_rate", "2025-03-01", 0.09, "上海人社局 便民问答 2025-01-20"),
    ("上海", "unemployment", "employer_rate", "2025-03-01", 0.005, "上海人社局 便民问答 2025-01-20"),
    # 粤人社发〔2024〕33号: 2024-07..2025-06 province floor 4492, ceiling 27501; 广州 floor 5500
    ("广东", "pension", "base_floor", "2024-07-01", 4492, "粤人社发〔2024〕33号"),
    ("广州", "pension", "base_ceiling", "2024-07-01", 27501, "粤人社发〔2024〕33号"),
    ("广州", "pension", "base_floor", "2025-06-30", 5500, "粤人社发〔2024〕33号"),
    # 粤人社发〔2025〕32号: from 2025-07-01 province floor 4775, ceiling 27549; 广州 floor 5510
    ("深圳", "pension", "base_floor", "2025-07-01", 4775, "粤人社发〔2025〕32号"),
    ("广东", "pension", "base_ceiling", "2025-07-01", 27549, "粤人社发〔2025〕32号"),
    ("广州", "pension", "base_floor", "2025-07-01", 5510, "粤人社发〔2025〕32号"),
    # 浙人社发〔2025〕52号 (浙江税务 热点问答): 2025 pension base 4986–25299
    ("杭州", "pension", "base_floor", "2025-05-01", 4986, "浙人社发〔2025〕52号"),
    ("浙江", "pension", "base_ceiling", "2025-05-01", 25299, "浙人社发〔2025〕52号"),
    # 杭医保〔2022〕41号: 单位 职工医保 9.5 % (含生育) from 2023-01-01
    ("杭州", "medical", "employer_rate", "2023-01-01", 0.095, "杭医保〔2022〕41号"),
    # 重庆 2025年度 缴费基数 (2025-09-17 notice): 4404–22017
    ("重庆", "pension", "base_floor", "2025-01-01", 4404, "重庆 关于做好2025年度社会保险缴费基数上下限核定有关工作的通知"),
    ("重庆", "injury", "base_ceiling", "2025-12-31", 22017, "重庆 关于做好2025年度社会保险缴费基数上下限核定有关工作的通知"),
    # 四川 2025年度 全省社会保险缴费基数上下限: 4588–22938; 川人社发〔2023〕9号 失业 单位 0.6 % 个人 0.4 %
    ("成都", "pension", "base_floor", "2025-01-01", 4588, "四川 关于公布2025年度全省社会保险缴费基数上下限具体标准等参数的通知"),
    ("四川", "unemployment", "base_ceiling", "2025-01-01", 22938, "四川 2025年度 缴费基数通知"),
    ("四川", "unemployment", "employee_rate", "2024-06-01", 0.004, "川人社发〔2023〕9号"),
    # 江苏 2025年 养老保险缴费工资基数 (2025-09-18): 4952–24762
    ("南京", "pension", "base_floor", "2025-01-01", 4952, "江苏 2025年职工基本养老保险缴费工资基数通知"),
    ("江苏", "pension", "base_ceiling", "2025-01-01", 24762, "江苏 2025年职工基本养老保险缴费工资基数通知"),
    # Province pension bases 2025 (two calculators agree, see sources.csv)
    ("山西", "pension", "base_floor", "2025-06-01", 4198, "山西 2025年度 (corroborated)"),
    ("黑龙江", "pension", "base_ceiling", "2025-06-01", 22710, "黑龙江 2025年度 (corroborated)"),
    ("合肥", "pension", "base_floor", "2025-06-01", 4311, "皖人社秘〔2025〕154号 (corroborated)"),
    ("江西", "pension", "base_ceiling", "2025-06-01", 19575, "赣人社字〔2025〕150号 (corroborated)"),
    ("海南", "pension", "base_floor", "2025-06-01", 4912.8, "琼人社发〔2025〕67号 (corroborated)"),
    ("西藏", "pension", "base_ceiling", "2025-06-01", 35331, "藏人社发〔2025〕56号 (corroborated)"),
    # Notice texts read in full copies or government pages (round 5)
    ("长沙", "pension", "base_floor", "2025-03-01", 4072, "湖南 关于公布2025年社会保险缴费基准值和计发基数的通知: 2025年1月1日至12月31日"),
    ("湖南", "unemployment", "base_ceiling", "2025-12-31", 20361, "湖南 2025-09-22 通知: 三项社会保险 上限20361"),
    ("南京", "medical", "base_floor", "2024-01-01", 4879, "苏人社发〔2024〕38号: 2024年1月1日至12月31日 下限4879"),
    ("江苏", "pension", "base_ceiling", "2024-12-31", 24396, "苏人社发〔2024〕38号: 上限24396"),
    ("青岛", "pension", "base_floor", "2024-06-01", 4416, "山东 2024年度 个人月缴费基数 下限4416 (鲁人社字〔2024〕64号)"),
    ("济南", "injury", "base_ceiling", "2024-06-01", 22078, "山东 2024年度 上限22078"),
    ("重庆", "medical", "base_floor", "2024-06-01", 4359, "重庆 2024年度 缴费基数 下限4359"),
    ("银川", "pension", "base_floor", "2025-06-01", 4955, "宁人社发〔2025〕130号: 下限4955元/月"),
    ("呼和浩特", "injury", "base_ceiling", "2025-06-01", 24537, "内人社办发〔2025〕160号: 8179元的300% 即24537元"),
    ("兰州", "pension", "base_floor", "2025-06-01", 4403, "甘人社通〔2025〕261号: 下限标准为4403元/月"),
    ("重庆", "housing_fund", "base_ceiling", "2025-08-01", 30318, "渝公积金发〔2025〕54号 (corroborated)"),
    ("南京", "housing_fund", "base_ceiling", "2026-01-01", 41400, "宁金管规〔2025〕2号 (corroborated)"),
    ("昆明", "unemployment", "employee_rate", "2025-06-01", 0.003, "云人社发〔2024〕2号 个人0.3% (corroborated)"),
    # Round 6: notice texts
    ("长春", "pension", "base_ceiling", "2026-06-30", 21966, "吉人社联〔2025〕97号: 2025年7月1日至2026年6月30日 上限21966"),
    ("吉林", "medical", "base_floor", "2025-10-01", 4393.2, "吉人社联〔2025〕97号 三: 2025年10月1日至下次公布 下限4393.2"),
    ("西安", "injury", "base_ceiling", "2025-06-01", 23250, "陕人社函〔2025〕424号: 上限标准为23250元/月"),
    ("沈阳", "pension", "base_floor", "2025-06-01", 4359, "辽人社〔2025〕17号: 下限为4359元/月"),
    ("昆明", "pension", "base_ceiling", "2025-06-01", 21789, "云南 2025年度: 7263元的300% 即21789元"),
    ("南宁", "unemployment", "base_floor", "2025-06-01", 4143, "广西 2025年度: 下限为4143元/月"),
    ("厦门", "pension", "base_floor", "2025-01-01", 4043, "闽人社文〔2024〕128号: 从2025年1月1日起 暂按不低于4043元/月"),
    ("郑州", "medical", "base_ceiling", "2025-07-01", 19155, "豫人社办〔2025〕67号 (reported): 自2025年7月1日起 上限19155"),
    ("太原", "pension", "base_floor", "2024-01-01", 4113, "晋人社厅发〔2024〕39号: 2024年 下限为4113元"),
    ("长沙", "injury", "base_ceiling", "2024-12-31", 20133, "湘人社规〔2024〕12号: 2024年1月1日至12月31日 上限20133"),
    ("内蒙古", "pension", "base_floor", "2024-06-01", 4863, "内人社办发〔2024〕136号: 8105元的60% 即4863元"),
    ("北京", "medical", "employer_rate", "2025-01-01", 0.098, "京医保发〔2021〕1号: 由现行的10.8%调整至9.8%"),
    ("北京", "serious_illness", "employee_fixed", "2025-01-01", 3, "北京市基本医疗保险规定 第三十八条: 个人按每月3元缴纳"),
    ("深圳", "medical", "employer_rate", "2025-06-01", 0.05, "深府办规〔2023〕5号: 一档单位缴费费率下调为5%"),
    ("杭州", "pension", "employer_rate", "2024-06-01", 0.16, "浙人社发〔2022〕6号: 从2023年1月1日起 调整为16%"),
    ("重庆", "medical", "employer_rate", "2025-06-01", 0.085, "重庆 梁平区 政策问答 2025-03-07: 8.5% (含生育保险0.5%)"),
    # Round 7
    ("天津", "pension", "base_floor", "2024-08-01", 5013, "津人社局发〔2024〕8号: 最低和最高标准分别为5013元和25065元 从2024年8月1日起"),
    ("天津", "medical", "base_ceiling", "2024-07-31", 23757, "津人社局发〔2023〕8号: 4751元和23757元"),
    ("合肥", "medical", "base_floor", "2024-06-01", 4227, "安徽 2024年度: 下限4227元/月 自2024年1月1日起执行"),
    ("银川", "pension", "base_ceiling", "2024-06-01", 24264, "宁夏 2024年: 个人缴费基数上限为24264元/月"),
    ("天津", "housing_fund", "base_ceiling", "2024-07-01", 27525, "天津 关于调整2024年住房公积金缴存额的通知: 最高不得超过27525元"),
    ("北京", "housing_fund", "base_floor", "2025-06-30", 2420, "京房公积金管委会办〔2024〕11号: 月缴存基数下限为2420元"),
    ("武汉", "housing_fund", "base_ceiling", "2024-07-01", 33555.25, "武汉 2024年度 住房公积金 上限33555.25元"),
    ("西安", "housing_fund", "base_ceiling", "2024-07-01", 30918, "西安 关于调整2024年度住房公积金缴存基数的通知: 三倍30918元"),
    ("南京", "housing_fund", "base_ceiling", "2024-07-01", 39900, "南京 关于调整2024年度住房公积金缴存基数的通知: 39900元"),
    ("北京", "unemployment", "employee_rate", "2025-03-01", 0.005, "北京 失业保险 单位和个人各缴纳0.5% (to 2025-12-31)"),
    # Round 8: the 2023 social-insurance year (in force 2024-01..06)
    ("北京", "pension", "base_floor", "2024-03-01", 6326, "京人社发〔2023〕8号: 自2023年7月起 下限为6326元"),
    ("北京", "medical", "base_ceiling", "2023-07-01", 33891, "京人社发〔2023〕8号: 上限确定为33891元"),
    ("广州", "pension", "base_ceiling", "2024-06-30", 26421, "粤人社发〔2023〕22号 (阳江 forwarding): 上限调整为26421元"),
    ("广州", "pension", "base_floor", "2024-01-01", 5284, "广州 2023年度 (2023.7.1-2024.6.30): 下限5284元"),
    ("广州", "unemployment", "base_ceiling", "2024-01-01", 38082, "广州 失业保险 2023年度: 上限38082元"),
    # 深圳 medical base 2025-07..12: 6733–33666
    ("深圳", "medical", "base_floor", "2025-08-01", 6733, "深圳 2025年7月起 医保缴费基数 (corroborated)"),
    # Housing fund 2025-07..2026-06
    ("上海", "housing_fund", "base_ceiling", "2025-07-01", 37302, "上海 2025年度 住房公积金 (corroborated)"),
    ("上海", "housing_fund", "rate_max", "2025-07-01", 0.07, "上海 2025年度 住房公积金 5 %–7 % (corroborated)"),
    ("广州", "housing_fund", "base_ceiling", "2025-07-01", 39828, "广州 2025年度 住房公积金 (corroborated)"),
    ("杭州", "housing_fund", "base_floor", "2025-07-01", 2490, "杭州 2025年度 住房公积金 (corroborated)"),
    # Round 9 housing fund, each read in the notice text or in two independent reports
    ("上海", "housing_fund", "base_floor", "2023-07-01", 2590, "沪公积金管委会〔2023〕9号: 下限2590元"),
    ("上海", "housing_fund", "base_ceiling", "2024-06-30", 36549, "沪公积金管委会〔2023〕9号: 上限36549元"),
    ("北京", "housing_fund", "base_floor", "2023-09-01", 2420, "北京 2023住房公积金年度: 自2023年9月1日起 下限2420元"),
    ("广州", "housing_fund", "base_ceiling", "2023-07-01", 38082, "广州 2023年度 住房公积金 上限38082元"),
    ("海口", "housing_fund", "base_ceiling", "2025-07-01", 29190.42, "海南省住房公积金管理局 2025年度 通告 附件: 海口 29190.42"),
    ("海口", "housing_fund", "base_floor", "2026-06-30", 2010, "海南省住房公积金管理局 2025年度 通告 附件: 海口 2010"),
    ("贵阳", "housing_fund", "base_ceiling", "2024-07-01", 24966, "贵阳 2024年度 住房公积金缴存基数 上限24966元"),
    ("南宁", "housing_fund", "base_ceiling", "2024-01-01", 28125, "南宁 2024年度 住房公积金缴存基数上限为28125元"),
    ("厦门", "housing_fund", "base_ceiling", "2024-07-01", 30770, "厦门 2024年度 (海峡导报, 房天下)"),
    ("福州", "housing_fund", "base_ceiling", "2025-07-01", 31053, "福州 2025年度 (福州日报, 房地产业协会)"),
    # Round 9 contributions
    ("深圳", "pension", "base_floor", "2024-03-01", 3523, "深人社规〔2023〕9号: 2024年1月至6月 下限3523元"),
    ("深圳", "medical", "base_ceiling", "2024-03-01", 32376, "深圳市医保局 温馨提示 2023-12-29: 2024年 6475–32376"),
    ("深圳", "medical", "base_floor", "2025-02-01", 6733, "深圳 自2025年1月1日至12月31日 6733–33666"),
    ("福建", "medical", "base_floor", "2024-07-01", 4433, "闽医保〔2024〕53号: 4433–22164"),
    ("厦门", "medical", "base_ceiling", "2024-01-01", 21060, "闽医保〔2023〕64号: 4212–21060"),
    ("福建", "pension", "base_floor", "2025-06-01", 4043, "闽人社文〔2024〕128号: 从2025年1月1日起 下限4043元"),
    ("长沙", "medical", "employer_rate", "2024-01-01", 0.087, "长沙 职工医保单位费率8.7% (含生育0.7%), 2022-01-01起"),
    ("广东", "unemployment", "employer_rate", "2024-06-01", 0.008, "粤人社函〔2023〕133号: 用人单位费率降至0.8%"),
    # Round 10: 2024 bases read in two independent sources
    ("杭州", "pension", "base_ceiling", "2024-05-01", 24930, "浙人社发〔2024〕61号: 新上限24930元 (two sites)"),
    ("浙江", "pension", "base_floor", "2024-05-01", 4812, "浙人社发〔2024〕61号: 新下限4812元 (two sites)"),
    ("西安", "pension", "base_ceiling", "2024-10-01", 22795, "陕西税务 2025 通告: 上限由22795元/月调整为23250元/月"),
    ("陕西", "unemployment", "base_floor", "2024-10-01", 4559, "陕西税务 2025 通告: 下限由4559元/月调整为4650元/月"),
    ("长春", "pension", "base_floor", "2024-03-01", 3993.2, "吉人社联〔2023〕76号: 2023年7月1日至2024年6月30日 下限3993.2元"),
    ("兰州", "housing_fund", "base_ceiling", "2024-07-01", 27753.51, "兰州 2024年度 住房公积金 上限27753.51元 (notice copy + 兰州日报)"),
    ("郑州", "housing_fund", "base_floor", "2025-06-30", 2100, "郑州 2024年度 住房公积金 26406/2100 (新京报, 格隆汇)"),
    ("深圳", "housing_fund", "base_ceiling", "2025-07-01", 44265, "深圳 2025年度 住房公积金 上限44265元 (maigoo, 网易号)"),
    ("南京", "housing_fund", "base_ceiling", "2023-07-01", 38700, "南京 2023年度 住房公积金 上限38700元 (南京日报, ikiwihome)"),
    # Round 12: 青岛 and 济南 fund years (main urban zone floors)
    ("青岛", "housing_fund", "base_ceiling", "2024-07-01", 32310.25, "青岛 2024年度 住房公积金 上限32310.25元 (南方财富网, 海报新闻)"),
    ("青岛", "housing_fund", "base_floor", "2025-06-30", 2200, "青岛 2024年度 下限七区2200元 (南方财富网, 海报新闻)"),
    ("济南", "housing_fund", "base_ceiling", "2024-01-01", 30975, "济南 2023年度 最高月缴存基数30975元 (notice copy, 海报新闻)"),
    ("济南", "housing_fund", "base_ceiling", "2024-07-01", 32305, "济南 关于调整2024年度住房公积金缴存基数的通知: 32305元"),
    ("四川", "pension", "base_floor", "2024-01-01", 4511, "川人社办发〔2024〕48号: 下限为4511元/月 (四川人社 release, 成都税务)"),
    ("成都", "injury", "base_ceiling", "2024-12-31", 22555, "川人社办发〔2024〕48号: 上限为22555元/月"),
    ("甘肃", "pension", "base_floor", "2024-06-01", 4317, "甘人社通〔2024〕267号: 下限标准为4317元 自2024年1月1日起执行"),
    ("福建", "injury", "base_ceiling", "2025-07-01", 22070, "福建 2025年工伤保险缴费基数: 从2025年7月1日起 上限22070元"),
    ("深圳", "housing_fund", "base_ceiling", "2024-06-30", 41190, "深圳 2023年7月1日起 公积金缴存基数上下限 2360元-41190元 (壹人事, ikiwihome)"),
    ("成都", "housing_fund", "base_ceiling", "2024-01-01", 31362, "成都 2024年 住房公积金缴存基数上限31362元 自2024年1月1日起执行"),
    ("长沙", "housing_fund", "base_ceiling", "2024-07-01", 31303, "长沙 2024年度 住房公积金缴存基数最高为31303元"),
    ("杭州", "housing_fund", "rate_max", "2024-07-01", 0.12, "杭州 2024年度 缴存比例 5%至12% (光明网, 房天下)"),
    ("宁波", "housing_fund", "base_ceiling", "2025-07-01", 38907, "甬房公办〔2025〕1号 via bl.gov.cn: 缴存基数上限…即38907元"),
    ("宁波", "housing_fund", "base_floor", "2025-12-01", 2490, "甬房公办〔2025〕1号 via bl.gov.cn: 市区职工最低工资标准 即2490元"),
    ("太原", "housing_fund", "base_ceiling", "2025-06-30", 27027, "太原 2024年度 住房公积金 缴存基数上限为27027元"),
    ("南昌", "housing_fund", "base_ceiling", "2025-07-01", 29589, "洪房公〔2025〕86号: 缴存基数上限…即29589元"),
    ("南昌", "pension", "base_ceiling", "2024-05-01", 19191, "赣人社字〔2024〕175号: 月缴费基数上限标准为19191元"),
    ("西安", "housing_fund", "base_floor", "2024-07-01", 2160, "西房金管发〔2024〕2号: 新城区…西咸新区最低工资2160元/月"),
    ("天津", "housing_fund", "base_ceiling", "2023-07-01", 26451, "天津 2023年度 住房公积金 最高不得超过26451元 (天津日报)"),
    # National statutory rates
    ("全国", "pension", "employer_rate", "2025-01-01", 0.16, "国办发〔2019〕13号: 单位 养老 16 %"),
    ("全国", "pension", "employee_rate", "2025-01-01", 0.08, "国发〔2005〕38号: 个人 养老 8 %"),
    ("全国", "medical", "employee_rate", "2025-01-01", 0.02, "国发〔1998〕44号: 个人 医疗 2 %"),
]


def figure_on(region, item, field, day):
    frame = sb.history(region, item, field)
    day = pd.Timestamp(day)
    hit = frame[(frame["from"] <= day) & (frame["to"] >= day)]
    assert len(hit) == 1, f"{region} {item} {field}: {len(hit)} periods on {day.date()}"
    return hit["value"].iloc[0]


def test_at_least_twenty_figures():
    assert len(FIGURES) >= 20


@pytest.mark.parametrize("region,item,field,day,expected,citation", FIGURES,
                         ids=[f"{r}-{i}-{f}-{d}" for r, i, f, d, *_ in FIGURES])
def test_figure_matches_notice(region, item, field, day, expected, citation):
    assert figure_on(region, item, field, day) == pytest.approx(expected, abs=1e-9), citation
