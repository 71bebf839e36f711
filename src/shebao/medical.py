"""Medical insurance: what lands in the personal account each month.

Crediting rules are rows of ``policydata/personal_account.csv`` (group, age band, basis, rate,
fixed amount, period); the most specific region with rules for the group on a day supplies them.
Money is integer fen; each monthly credit is rounded half up to the fen.

>>> personal_account(None, "北京", 2025, retired=True, age=68)["monthly_credit"].iloc[0]
np.float64(100.0)
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from shebao.data import PolicyTables, load
from shebao.errors import InputError, NoDataError, ShebaoError
from shebao.money import PPM, round_amounts, to_fen, to_yuan
from shebao.periods import check_year, to_date
from shebao.regions import ancestry, resolve_region
from shebao.rules import nearest_figures, nearest_rows

GROUP_ZH = {"in_service": "在职", "retired": "退休"}


def _age_on(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def _amount(value, what: str, *, required: bool) -> float | None:
    if value is None:
        if required:
            raise InputError(f"{what} is required here")
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) \
            or not np.isfinite(value) or value < 0:
        raise InputError(f"{what} must be a non-negative number of yuan, got {value!r}")
    return float(value)


def regions_with(table: str, tables: PolicyTables) -> str:
    names = tables["regions.csv"].set_index("region_id")["short_zh"]
    have = sorted(set(tables[table]["region_id"]))
    return ", ".join(names[r] for r in have) or "none yet"


def personal_account(base, region, year: int, age=None, retired: bool = False, pension=None,
                     birth_date=None, *, tables: PolicyTables | None = None) -> pd.DataFrame:
    """Monthly credit to the employee medical personal account (个人账户), months 1–12.

    ``base`` is the monthly contribution base (clamped to the region's medical floor and
    ceiling where the tables know them); ``pension`` the monthly basic pension, for rules that
    credit a share of it. Give ``age`` (whole years, all year) or ``birth_date`` (the age on the
    1st of each month picks the band). The yearly total is ``monthly_credit.sum()``.

    >>> personal_account(None, "北京", 2025, retired=True, birth_date="1955-06-15")["monthly_credit"].sum()
    np.float64(1260.0)
    """
    tables = tables or load()
    region_id = resolve_region(region, tables)
    year = check_year(year)
    if not isinstance(retired, (bool, np.bool_)):
        raise InputError(f"retired must be True or False, got {retired!r}")
    if age is not None and birth_date is not None:
        raise InputError("give age or birth_date, not both")
    if age is not None and (isinstance(age, bool) or not isinstance(age, (int, np.integer)) or not 0 <= age <= 130):
        raise InputError(f"age must be whole years between 0 and 130, got {age!r}")
    base = _amount(base, "base", required=False)
    pension = _amount(pension, "pension", required=False)
    if pension is not None and not retired:
        raise InputError("pension is given but retired=False: only retirees' credit can depend on a pension")
    days = [dt.date(year, m, 1) for m in range(1, 13)]
    birth = to_date(birth_date) if birth_date is not None else None
    ages = [(_age_on(birth, d) if birth else age) for d in days]
    if birth is not None and any(a < 0 for a in ages):
        raise InputError(f"birth_date {birth} is after the start of {year}")
    group = "retired" if retired else "in_service"

    keys = pd.DataFrame({"key": range(12), "region_id": region_id, "group": group, "on": days})
    rows = nearest_rows(keys, tables["personal_account.csv"], ["group"], tables)
    missing = sorted(set(range(12)) - set(rows["key"]))
    if missing:
        frame = tables["personal_account.csv"]
        own = frame[frame["region_id"].isin(ancestry(region_id, tables)) & (frame["group"] == group)]
        held = ", ".join(sorted({f"from {f}" + (f" to {t}" if t else "")
                                 for f, t in zip(own["effective_from"], own["effective_to"])}))
        raise NoDataError(
            f"no personal-account rule for {GROUP_ZH[group]} ({group}) in {region} in "
            f"{year}-{missing[0] + 1:02d}; {f'its {group} rules run {held}; ' if held else ''}"
            f"regions with personal-account data: {regions_with('personal_account.csv', tables)}")
    rows = rows.assign(age=pd.to_numeric(rows["key"].map(dict(enumerate(ages))), errors="coerce"))
    low, high = rows["age_from"].fillna(-1), rows["age_to"].fillna(1000)
    banded = rows["age_from"].notna() | rows["age_to"].notna()
    if rows["age"].isna().any() and banded[rows["age"].isna()].any():
        raise InputError(f"the {GROUP_ZH[group]} rule in {region} depends on age: give age or birth_date")
    fits = rows[rows["age"].isna() | ((low <= rows["age"]) & (rows["age"] <= high))]
    unmatched = sorted(set(range(12)) - set(fits["key"]))
    if unmatched:
        bands = ", ".join(sorted({_band(r) for r in rows.itertuples()}))
        hint = " (a retiree that young contradicts retired=True?)" if retired else ""
        raise InputError(f"age {ages[unmatched[0]]} fits no {GROUP_ZH[group]} band in {region} "
                         f"({bands}){hint}")
    if fits.duplicated("key").any():
        raise ShebaoError(f"overlapping age bands in the {group} rules for {region}; check the data")
    rule = fits.set_index("key").sort_index()

    basis = rule["basis"].to_numpy()
    bases = _clamped_bases(base, region_id, year, tables) if (basis == "contribution_base").any() else None
    if (basis == "contribution_base").any() and base is None:
        raise InputError(f"the {GROUP_ZH[group]} credit in {region} is a share of the contribution base: give base")
    if (basis == "pension").any() and pension is None:
        raise InputError(f"the {GROUP_ZH[group]} credit in {region} is a share of the pension: give pension")
    basis_yuan = np.select([basis == "contribution_base", basis == "pension"],
                           [bases["base_used"].to_numpy() if bases is not None else np.zeros(12),
                            np.full(12, pension or 0.0)], default=0.0)
    rate_ppm = np.rint(rule["rate"].fillna(0).to_numpy() * PPM).astype(np.int64)
    credit = round_amounts(to_fen(basis_yuan) * rate_ppm, 0) + to_fen(rule["fixed"].fillna(0).to_numpy())
    names = tables["regions.csv"].set_index("region_id")["short_zh"]
    return pd.DataFrame({
        "month": np.arange(1, 13), "region": names[region_id], "group": group, "age": ages,
        "basis": basis, "basis_amount": np.where(basis == "none", np.nan, basis_yuan),
        "base_clamped": bases["base_clamped"].to_numpy() if bases is not None else False,
        "monthly_credit": to_yuan(credit),
        "rule": [_describe(r) for r in rule.itertuples()],
        "rule_region": names.reindex(rule["ancestor_id"]).to_numpy(),
        "source_id": rule["source_id"].to_numpy(), "confidence": rule["confidence"].to_numpy(),
    })


def _band(row) -> str:
    low = "" if pd.isna(row.age_from) else f"{row.age_from:g}"
    high = "" if pd.isna(row.age_to) else f"{row.age_to:g}"
    return f"age {low}–{high}" if low or high else "any age"


def _describe(row) -> str:
    parts = [GROUP_ZH[row.group], _band(row)]
    if pd.notna(row.rate) and row.rate:
        parts.append(f"{row.rate:.2%} of {'contribution base' if row.basis == 'contribution_base' else row.basis}")
    if pd.notna(row.fixed) and row.fixed:
        parts.append(f"{row.fixed:g} yuan/month")
    return ", ".join(parts)


def _clamped_bases(base, region_id: str, year: int, tables: PolicyTables) -> pd.DataFrame:
    """The medical base per month after the region's floor and ceiling, where the tables know them."""
    days = [dt.date(year, m, 1) for m in range(1, 13)]
    keys = pd.DataFrame({"key": range(12), "region_id": region_id, "item": "medical", "on": days})
    limits = nearest_figures(keys, tables["contributions.csv"], ["item"], ["base_floor", "base_ceiling"],
                             tables).reindex(range(12))
    given = np.full(12, base if base is not None else 0.0)
    used = np.clip(given, limits["base_floor"].fillna(0).to_numpy(), limits["base_ceiling"].fillna(np.inf).to_numpy())
    return pd.DataFrame({"base_used": used, "base_clamped": used != given})

SCHEMES = {"employee": "employee", "职工": "employee", "职工医保": "employee",
           "resident": "resident", "居民": "resident", "城乡居民": "resident", "居民医保": "resident"}
SETTINGS = {"outpatient": "outpatient", "门诊": "outpatient", "普通门诊": "outpatient",
            "inpatient": "inpatient", "住院": "inpatient",
            "chronic_outpatient": "chronic_outpatient", "门诊慢特病": "chronic_outpatient",
            "门诊特殊慢性病": "chronic_outpatient", "门诊慢性病": "chronic_outpatient"}
LEVELS = {"community": "community", "社区": "community", "基层": "community", "level1": "level1",
          "一级": "level1", "1": "level1", "level2": "level2", "二级": "level2", "2": "level2",
          "level3": "level3", "三级": "level3", "3": "level3"}
OFFSITE = {"long_term": "long_term", "长期": "long_term", "temporary": "temporary", "临时": "temporary",
           "unfiled": "unfiled", "未备案": "unfiled", "emergency": "emergency", "急诊": "emergency"}
BILL_COLUMNS = ("person", "region", "amount", "in_scope", "scheme", "setting", "level", "date", "offsite",
                "retired", "retired_on", "offsite_scope")


def choice_of(value, mapping: dict, what: str) -> str:
    """The canonical name of ``value`` in ``mapping`` (case and spaces ignored); InputError listing the choices."""
    key = str(value).strip().casefold()
    if key not in mapping:
        known = ", ".join(dict.fromkeys(mapping.values()))
        raise InputError(f"unknown {what} {value!r}; use one of: {known}")
    return mapping[key]


def reimburse(amount, region=None, scheme="employee", setting="inpatient", level="level3", on=None,
              in_scope=None, retired: bool = False, offsite=None, retired_on=None, *,
              tables: PolicyTables | None = None) -> pd.DataFrame:
    """What the pooled fund pays for one bill, or for a DataFrame of bills (one row per bill).

    A frame needs ``person``, ``region``, ``amount`` and ``date``; ``in_scope`` (default: the whole
    amount), ``scheme``, ``setting``, ``level``, ``offsite``, ``retired`` and ``retired_on`` (the
    retirement date, needed where a retiree rule depends on it, e.g. 上海) are optional columns.
    Per-year deductibles and annual caps run across one person's bills of a year in date order.
    ``fund_pays + individual_pays == amount`` to the fen.

    >>> reimburse(10600, "深圳", level=3, on="2025-03-01")["fund_pays"].iloc[0]  # (10,600 − 600) × 90 %
    np.float64(9000.0)
    """
    from shebao.reimbursement import compute
    tables = tables or load()
    if isinstance(amount, pd.DataFrame):
        bills = amount.copy()
        missing = [c for c in ("person", "region", "amount", "date") if c not in bills]
        if missing:
            raise InputError(f"bills need the columns {', '.join(missing)} "
                             f"(optional: in_scope, scheme, setting, level, offsite, retired, retired_on)")
        unknown = [c for c in bills.columns if c not in BILL_COLUMNS]
        if unknown:
            raise InputError(f"unknown bill column(s) {', '.join(map(str, unknown))}; known: {', '.join(BILL_COLUMNS)}")
        defaults = {"scheme": scheme, "setting": setting, "level": level, "offsite": offsite,
                    "retired": retired, "retired_on": retired_on, "in_scope": None,
                    "offsite_scope": "cross_province"}
        for column, value in defaults.items():
            if column not in bills:
                bills[column] = value
    else:
        if region is None:
            raise InputError("say which region insures the patient, e.g. reimburse(50000, '北京')")
        bills = pd.DataFrame({"person": ["1"], "region": [region], "amount": [amount], "in_scope": [in_scope],
                              "scheme": [scheme], "setting": [setting], "level": [level],
                              "date": [on if on is not None else dt.date.today()], "offsite": [offsite],
                              "retired": [retired], "retired_on": [retired_on], "offsite_scope": ["cross_province"]})
    return compute(bills.reset_index(drop=True), tables)


def resident_premiums(region=None, year: int | None = None, *, tables: PolicyTables | None = None) -> pd.DataFrame:
    """Individual yearly premiums of resident medical insurance (城乡居民医保), with sources.

    A region without rows of its own shows its province's, then the national minimum
    (``rule_region`` says which). ``year`` keeps the rows in force in that year. Where a region
    splits a group by age or offers tiers (档次), ``age_from``/``age_to`` and ``tier`` say so.

    >>> resident_premiums("全国", 2024)["premium"].tolist()
    [400.0]
    """
    tables = tables or load()
    frame = tables["resident_premiums.csv"]
    if region is not None:
        chain = ancestry(resolve_region(region, tables), tables)
        have = [r for r in chain if r in set(frame["region_id"])]
        frame = frame[frame["region_id"] == have[0]] if have else frame.iloc[0:0]
    if year is not None:
        year = check_year(year)
        ends = frame["effective_to"].map(lambda d: d or dt.date.max)
        frame = frame[(frame["effective_from"] <= dt.date(year, 12, 31)) & (ends >= dt.date(year, 1, 1))]
    names = tables["regions.csv"].set_index("region_id")["short_zh"]
    out = frame[["region_id", "group", "age_from", "age_to", "tier", "effective_from", "effective_to", "premium",
                 "source_id", "confidence", "note"]]
    return out.assign(rule_region=names.reindex(out["region_id"]).to_numpy()).reset_index(drop=True)


def family_account(*, tables: PolicyTables | None = None) -> pd.DataFrame:
    """Rules of the 亲情账户 of the national medical-insurance app (国家医保服务平台), with sources.

    Binding a family account lets you show and use a relative's own e-voucher (电子凭证); it moves no
    money. Paying a relative's costs from *your* balance is 家庭共济 (``can_use``), a separate
    authorisation.

    >>> family_account().set_index("rule").loc["max_members", "value"]
    np.float64(5.0)
    """
    tables = tables or load()
    return tables["family_account.csv"][["rule", "effective_from", "effective_to", "start_basis", "value",
                                         "source_id", "confidence", "note"]].reset_index(drop=True)
