"""Charts with Chinese (or English) labels that render on a fresh machine.

Every function returns a matplotlib Figure; the CJK font comes from the package's own
dependencies and is registered at the first chart, not at import.

>>> fig = compare(10000, 2025, ["上海", "广州"])
>>> fig.axes[0].get_title(loc="left")
'2025年 缴费基数 10,000 元：年度五险一金'
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd

from shebao.contributions import compare as compare_table
from shebao.contributions import payroll
from shebao.data import PolicyTables, load
from shebao.regions import resolve_region

COLORS = {"employee": "#2b6cb0", "employer": "#90cdf4", "floor": "#2f855a", "ceiling": "#c05621",
          "line": ["#2b6cb0", "#c05621", "#2f855a", "#6b46c1", "#b7791f", "#c53030", "#319795"]}
LABELS = {
    "zh": {"employee": "个人", "employer": "单位", "yuan_year": "元/年", "yuan_month": "元/月", "base": "缴费基数（元/月）",
           "compare": "{year}年 缴费基数 {base:,.0f} 元：年度五险一金", "by_base": "{on} 个人缴费随基数变化",
           "history": "{region} {item}缴费基数上下限", "floor": "下限", "ceiling": "上限",
           "take_home": "{year}年 税后月均收入", "wage": "税前月工资（元）", "net": "税后月均（元）",
           "missing": "未含（无来源数据）：{items}",
           "aid": "{on} 家庭共济：职工医保个人账户可否用于亲属（{purpose}）", "aid_legend": "绿色：可以；灰色：否或无规定；* 无本地规定，按全国规定", "purpose": {"medical": "就医购药", "premium": "代缴居民医保"},
           "reimburse": "{region} {on}：统筹基金支付与账单金额", "bill": "政策范围内费用（元）", "fund": "统筹基金支付（元）"},
    "en": {"employee": "Employee", "employer": "Employer", "yuan_year": "yuan / year", "yuan_month": "yuan / month",
           "base": "Contribution base (yuan / month)",
           "compare": "{year}: yearly contributions at a base of {base:,.0f} yuan",
           "by_base": "{on}: employee contributions by base", "history": "{region}: {item} base floor and ceiling",
           "floor": "floor", "ceiling": "ceiling", "take_home": "{year}: average monthly take-home pay",
           "wage": "Gross monthly wage (yuan)", "net": "Net per month (yuan)",
           "missing": "Not included (no sourced figures): {items}",
           "aid": "{on}: may an employee's personal account pay for a relative ({purpose})?", 
           "aid_legend": "green: yes; grey: no or no rule; * no regional rule found: national rules",
           "purpose": {"medical": "medical costs", "premium": "resident premium"},
           "reimburse": "{region} {on}: fund payment against the bill", "bill": "In-scope cost (yuan)",
           "fund": "Fund pays (yuan)"},
}
ITEM_LABELS = {"zh": {"pension": "养老", "medical": "医疗", "unemployment": "失业", "injury": "工伤",
                      "maternity": "生育", "serious_illness": "大额医疗", "long_term_care": "长护险",
                      "housing_fund": "公积金"},
               "en": {}}


@cache
def ensure_cjk_font() -> str:
    """Register the bundled Noto Sans SC with matplotlib (once) and make it the default sans font."""
    import matplotlib
    from matplotlib import font_manager
    from pylopdf_fonts_zh_cn import sans_path

    font_manager.fontManager.addfont(str(sans_path()))
    name = font_manager.FontProperties(fname=str(sans_path())).get_name()
    matplotlib.rcParams["font.family"] = "sans-serif"
    matplotlib.rcParams["font.sans-serif"] = [name, *matplotlib.rcParams["font.sans-serif"]]
    matplotlib.rcParams["axes.unicode_minus"] = False
    return name


def _figure(width: float = 8, height: float = 4.5):
    ensure_cjk_font()
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=110, layout="constrained")
    ax = fig.add_subplot()
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="y", color="#e2e8f0", linewidth=0.8)
    ax.set_axisbelow(True)
    return fig, ax


def _text(lang: str) -> dict:
    if lang not in LABELS:
        from shebao.errors import InputError
        raise InputError(f"lang must be one of {', '.join(LABELS)}, got {lang!r}")
    return LABELS[lang]


def _region_label(table: pd.DataFrame, lang: str) -> pd.Series:
    return table["region"] if lang == "zh" else table["name_en"]


def compare(base: float, year: int, regions=None, lang: str = "zh", *, tables: PolicyTables | None = None):
    """Yearly employee and employer contributions by region at one base, stacked and sorted."""
    text = _text(lang)
    table = compare_table(base, year, regions, tables=tables).sort_values("total_yearly")
    fig, ax = _figure(8, max(3.0, 0.45 * len(table) + 1.5))
    labels = _region_label(table, lang)
    ax.barh(labels, table["employee_yearly"], color=COLORS["employee"], label=text["employee"])
    ax.barh(labels, table["employer_yearly"], left=table["employee_yearly"], color=COLORS["employer"],
            label=text["employer"])
    for y, total in enumerate(table["total_yearly"]):
        ax.text(total, y, f" {total:,.0f}", va="center", fontsize=8, color="#4a5568")
    ax.grid(axis="x", color="#e2e8f0", linewidth=0.8)
    ax.grid(axis="y", visible=False)
    ax.set_xlabel(text["yuan_year"])
    ax.set_title(text["compare"].format(year=year, base=base), loc="left", fontsize=11)
    ax.legend(frameon=False, loc="lower right")
    missing = sorted({i for m in table["missing_items"] for i in m.split(",") if i})
    if missing:
        names = "、".join(ITEM_LABELS[lang].get(i, i) for i in missing) if lang == "zh" else ", ".join(missing)
        fig.supxlabel(text["missing"].format(items=names), fontsize=8, color="#718096", x=0.01, ha="left")
    return fig


def by_base(regions, on, lang: str = "zh", *, bases=None, tables: PolicyTables | None = None):
    """Employee contributions per month against the base for several regions: the floor and
    ceiling show as the kinks where a line stops rising."""
    text = _text(lang)
    tables = tables or load()
    bases = np.linspace(0, 50000, 201) if bases is None else np.asarray(bases, dtype=float)
    fig, ax = _figure()
    names = tables["regions.csv"].set_index("region_id")
    for i, region in enumerate(regions):
        region_id = resolve_region(region, tables)
        frame = pd.DataFrame({"region": region_id, "base": bases})
        totals = payroll(frame, on=on, tables=tables)["employee_total"]
        label = names.loc[region_id, "short_zh" if lang == "zh" else "name_en"]
        ax.plot(bases, totals, color=COLORS["line"][i % len(COLORS["line"])], linewidth=1.8, label=label)
    ax.set_xlabel(text["base"])
    ax.set_ylabel(text["yuan_month"])
    ax.set_title(text["by_base"].format(on=on), loc="left", fontsize=11)
    ax.legend(frameon=False)
    return fig


def history(region, item: str = "pension", lang: str = "zh", *, tables: PolicyTables | None = None):
    """The base floor and ceiling of one item in one region, month by month, as steps (see ``sb.history``)."""
    from shebao.history import history as figure_history

    text = _text(lang)
    tables = tables or load()
    lines = {field: figure_history(region, item, field, monthly=True, tables=tables).set_index("month")["value"]
             for field in ("base_ceiling", "base_floor")}
    months = pd.date_range(min(s.index.min() for s in lines.values()),
                           max(s.index.max() for s in lines.values()) + pd.offsets.MonthBegin(1), freq="MS")
    fig, ax = _figure()
    for field, series in lines.items():
        shown = series.reindex(months)  # gaps stay gaps; the last period is drawn to its month's end
        shown.iloc[-1] = series.iloc[-1]
        key = field.removeprefix("base_")
        ax.step(months, shown, where="post", color=COLORS[key], label=text[key])
    ax.set_ylim(bottom=0)
    region_id = resolve_region(region, tables)
    name = tables["regions.csv"].set_index("region_id").loc[region_id, "short_zh" if lang == "zh" else "name_en"]
    item_name = ITEM_LABELS[lang].get(item, item)
    ax.set_title(text["history"].format(region=name, item=item_name), loc="left", fontsize=11)
    ax.set_ylabel(text["yuan_month"])
    ax.legend(frameon=False)
    return fig


def take_home(region, year: int, wages=None, lang: str = "zh", *, tables: PolicyTables | None = None):
    """Average monthly net pay against the gross wage in one region and year."""
    from shebao.tax import take_home as take_home_table

    text = _text(lang)
    wages = np.linspace(3000, 60000, 58) if wages is None else np.asarray(wages, dtype=float)
    table = take_home_table(pd.Series(wages), pd.Series([region] * len(wages)), year, tables=tables)
    yearly = table[table["month"].isna()]
    fig, ax = _figure()
    ax.plot(wages, yearly["net"].to_numpy() / 12, color=COLORS["line"][0], linewidth=1.8)
    ax.plot(wages, wages, color="#a0aec0", linewidth=0.8, linestyle="--")
    ax.set_xlabel(text["wage"])
    ax.set_ylabel(text["net"])
    ax.set_title(text["take_home"].format(year=year), loc="left", fontsize=11)
    return fig


def mutual_aid_matrix(on=None, purpose: str = "medical", lang: str = "zh", *, tables: PolicyTables | None = None):
    """Regions × relations: may the account pay (green) or not / no rule (grey)? Regions answered
    by the national rules carry a star."""
    import datetime as dt

    from matplotlib.colors import ListedColormap

    from shebao.mutual_aid import RELATION_ZH
    from shebao.mutual_aid import mutual_aid_matrix as matrix_table
    from shebao.schema import RELATIONS

    text = _text(lang)
    day = on or dt.date.today().isoformat()
    table = matrix_table(on=day, purpose=purpose, tables=tables)
    fig, ax = _figure(7.5, max(4.0, 0.26 * len(table) + 1.5))
    ax.grid(False)
    values = table[list(RELATIONS)].to_numpy(dtype=float)
    ax.imshow(values, cmap=ListedColormap(["#e2e8f0", "#38a169"]), vmin=0, vmax=1, aspect="auto")
    ax.set_xticks(range(len(RELATIONS)), [RELATION_ZH[r] if lang == "zh" else r for r in RELATIONS],
                  rotation=30, ha="right", fontsize=8)
    names = table["region"] if lang == "zh" else table["region_id"]
    ax.set_yticks(range(len(table)), [f"{n}{' *' if f else ''}" for n, f in zip(names, table["uses_national_rules"])],
                  fontsize=7)
    ax.set_title(text["aid"].format(on=day, purpose=text["purpose"].get(purpose, purpose)), loc="left", fontsize=10)
    fig.supxlabel(text["aid_legend"], fontsize=8, color="#718096", x=0.01, ha="left")
    return fig


def reimbursement(region, on, levels=("level1", "level2", "level3"), retired: bool = False, lang: str = "zh",
                  *, amounts=None, tables: PolicyTables | None = None):
    """What the pooled fund pays against the in-scope bill, one line per hospital level (one admission)."""
    from shebao.medical import reimburse

    text = _text(lang)
    amounts = np.linspace(0, 200000, 201) if amounts is None else np.asarray(amounts, dtype=float)
    fig, ax = _figure()
    for i, level in enumerate(levels):
        bills = pd.DataFrame({"person": np.arange(len(amounts)).astype(str), "region": region, "amount": amounts,
                              "date": on, "level": level, "retired": retired})
        paid = reimburse(bills, tables=tables)
        ax.plot(amounts, paid["fund_pays"], color=COLORS["line"][i % len(COLORS["line"])], linewidth=1.8, label=level)
    ax.set_xlabel(text["bill"])
    ax.set_ylabel(text["fund"])
    ax.set_title(text["reimburse"].format(region=region, on=on), loc="left", fontsize=11)
    ax.legend(frameon=False)
    return fig


def save(fig, path) -> None:
    """Write a figure as PNG, SVG or PDF (by the file's suffix), fonts embedded as TrueType."""
    import matplotlib

    with matplotlib.rc_context({"pdf.fonttype": 42, "svg.fonttype": "path"}):
        fig.savefig(path, bbox_inches="tight")


