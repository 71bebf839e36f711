"""The bill engine behind ``medical.reimburse``: deductibles, bands, caps and off-site rules.

All arithmetic is integer: amounts in fen, ratios in millionths. For each bill the fund's share
is the in-scope cost that falls in each band above the deductible times the band's ratio,
rounded half up to the fen once per bill. Per-year deductibles, bands and caps run on the
person's cumulative in-scope cost (and fund payments) of the medical year (the calendar year, or
the region's 医保年度, e.g. July–June in 上海), bills in date order; a per-month deductible (门诊慢特病
in 广西, 元/人·月) counts over the calendar month instead:

    fund(bill) = F(cumulative after) − F(cumulative before),  capped so the year's sum ≤ cap.

>>> overlap(np.array([0]), np.array([500]), np.array([100]), np.array([300])).tolist()
[200]
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from shebao.data import PolicyTables
from shebao.errors import InputError, NoDataError
from shebao.medical import LEVELS, OFFSITE, SCHEMES, SETTINGS, choice_of, regions_with
from shebao.money import PPM, numeric_column, round_amounts, to_fen, to_yuan
from shebao.periods import to_date
from shebao.regions import ancestry, resolve_region
from shebao.rules import in_force, nearest_figures, nearest_rows

FAR = np.iinfo(np.int64).max // 4
EPOCH = 719163  # dt.date(1970, 1, 1).toordinal()
RESULT_COLUMNS = ("person", "region", "date", "scheme", "setting", "level", "retired", "offsite", "amount", "in_scope",
                  "deductible_applied", "ratio", "fund_pays", "individual_pays", "cap_reached", "rule_region",
                  "source_id", "confidence")


def overlap(lo, hi, band_lo, band_hi):
    """Length of [lo, hi] ∩ [band_lo, band_hi], elementwise, never negative."""
    return np.clip(np.minimum(hi, band_hi) - np.maximum(lo, band_lo), 0, None)


def _factor(values, fn=None) -> tuple[np.ndarray, np.ndarray]:
    """(codes, labels): integer codes per element and ``fn`` applied once per distinct value.

    Equal labels share one code, so codes can be sorted and grouped on directly.
    """
    codes, uniques = pd.factorize(pd.Series(values), use_na_sentinel=False)
    mapped = [fn(u) for u in uniques] if fn else list(uniques)
    merged, labels = pd.factorize(pd.Series(mapped, dtype=object), use_na_sentinel=False)
    return merged[codes], np.asarray(labels, dtype=object)


def _bills(bills: pd.DataFrame, tables: PolicyTables) -> dict:
    """Validated bills as integer columns: amounts in fen, names and dates as codes into labels."""
    amount = numeric_column(bills["amount"], "amount")
    scope = bills["in_scope"].where(bills["in_scope"].notna(), bills["amount"])
    in_scope = numeric_column(scope, "in_scope")
    over = in_scope > amount + 1e-9
    if over.any():
        i = int(np.argmax(over))
        raise InputError(f"in_scope {in_scope[i]:g} is above the bill's amount {amount[i]:g} (bill {i})")
    retired = bills["retired"]
    if retired.dtype != bool and not all(isinstance(v, (bool, np.bool_)) for v in pd.unique(retired.astype(object))):
        raise InputError("retired must be True or False in every bill")
    filing = bills["offsite"].astype(object)
    person_codes, person_labels = pd.factorize(bills["person"].astype(str))
    day, days = _factor(bills["date"], to_date)
    retired_on = _factor(bills["retired_on"], lambda v: None if pd.isna(v) else to_date(v))
    ordinal = np.array([d.toordinal() for d in days], dtype=np.int64)[day]
    _check_retired_on(retired_on, retired.to_numpy(dtype=bool), ordinal)
    return {
        "person": person_codes, "person_labels": person_labels,
        "region": _factor(bills["region"], lambda name: resolve_region(name, tables)),
        "amount": to_fen(amount), "in_scope": to_fen(in_scope),
        "scheme": _factor(bills["scheme"], lambda v: choice_of(v, SCHEMES, "scheme")),
        "setting": _factor(bills["setting"], lambda v: choice_of(v, SETTINGS, "setting")),
        "level": _factor(bills["level"].astype(str), lambda v: choice_of(v, LEVELS, "level")),
        "offsite": _factor(filing, lambda v: None if pd.isna(v) else choice_of(v, OFFSITE, "offsite filing")),
        "offsite_scope": _factor(bills["offsite_scope"].fillna("cross_province")),
        "kind": (retired.to_numpy(dtype=bool).astype(np.int64), np.array(["in_service", "retired"], dtype=object)),
        "retired_on": retired_on,
        "day": (day, days),
        "year": np.array([d.year for d in days], dtype=np.int64)[day],
        "month": np.array([d.month for d in days], dtype=np.int64)[day],
        "ordinal": ordinal,
    }


def _check_retired_on(retired_on: tuple[np.ndarray, np.ndarray], retired: np.ndarray, ordinal: np.ndarray) -> None:
    """A retirement date belongs to a retired patient and lies on or before the bill's date."""
    codes, labels = retired_on
    when = np.array([-1 if pd.isna(d) else d.toordinal() for d in labels], dtype=np.int64)[codes]
    given = when >= 0
    if (given & ~retired).any():
        i = int(np.argmax(given & ~retired))
        raise InputError(f"bill {i} gives retired_on {labels[codes[i]]} but is not marked retired")
    late = given & (when > ordinal)
    if late.any():
        i = int(np.argmax(late))
        raise InputError(f"bill {i}: retired_on {labels[codes[i]]} is after the bill's date "
                         f"{pd.Timestamp.fromordinal(int(ordinal[i])).date()}")


def _labels(bills: dict, name: str, where=slice(None)) -> np.ndarray:
    codes, labels = bills[name]
    return labels[codes[where]]


def _distinct(*codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(group code per element, first element of each group) for the combinations of integer codes."""
    combined = np.zeros(len(codes[0]), dtype=np.int64)
    for c in codes:
        combined = combined * (int(c.max()) + 1 if len(c) else 1) + c
    group, _ = pd.factorize(combined)
    first = np.full(group.max() + 1 if len(group) else 0, len(group), dtype=np.int64)
    np.minimum.at(first, group, np.arange(len(group)))
    return group, first


def _rules(bills: pd.DataFrame, tables: PolicyTables) -> pd.DataFrame:
    """bills × band rows of the rule that applies to each bill (exact person/level beat `any`)."""
    keys = bills[["region_id", "scheme", "setting", "on"]].drop_duplicates().reset_index(drop=True)
    keys["key"] = np.arange(len(keys))
    rows = nearest_rows(keys, tables["reimbursement.csv"], ["scheme", "setting"], tables)
    rows = rows.rename(columns={"level": "rule_level", "person": "rule_person"})
    joined = bills.merge(keys, on=["region_id", "scheme", "setting", "on"]).merge(
        rows[["key", "rule_level", "rule_person", "retired_from", "retired_to", "band_from", "band_to", "ratio",
              "deductible", "deductible_basis", "deductible_repeat", "cap", "year_start_month", "source_id",
              "confidence", "ancestor_id"]], on="key")
    joined = joined[((joined["rule_level"] == joined["level"]) | (joined["rule_level"] == "any"))
                    & ((joined["rule_person"] == joined["person_kind"]) | (joined["rule_person"] == "any"))]
    joined = _within_retirement_window(joined, tables)
    joined["rank"] = (joined["window"] == 0).astype(int) + 2 * (joined["rule_level"] == "any") \
        + 4 * (joined["rule_person"] == "any")
    best = joined.groupby("bill")["rank"].transform("min")
    joined = joined[joined["rank"] == best]
    missing = sorted(set(bills["bill"]) - set(joined["bill"]))
    if missing:
        b = bills.set_index("bill").loc[missing[0]]
        names = tables["regions.csv"].set_index("region_id")["short_zh"]
        raise NoDataError(
            f"no {b['scheme']} {b['setting']} reimbursement rule for {names[b['region_id']]} "
            f"({b['person_kind']}, {b['level']}) on {b['on']}; {_periods_held(b, tables)}regions with "
            f"reimbursement data: {regions_with('reimbursement.csv', tables)}")
    return joined


def _within_retirement_window(joined: pd.DataFrame, tables: PolicyTables) -> pd.DataFrame:
    """Keep the rows whose retirement-date window (if any) holds the bill's ``retired_on``."""
    lo, hi, when = joined["retired_from"], joined["retired_to"], joined["retired_on"]
    window = lo.notna() | hi.notna()
    unknown = window & when.isna()
    if unknown.any():
        b = joined[unknown].iloc[0]
        same = joined[(joined["bill"] == b["bill"]) & window]
        shown = "; ".join(sorted({_window_text(f, t) for f, t in zip(same["retired_from"], same["retired_to"])}))
        name = tables["regions.csv"].set_index("region_id")["short_zh"][b["region_id"]]
        raise InputError(f"{name}'s {b['setting']} rule for retirees on {b['on']} depends on the retirement date "
                         f"({shown}): give retired_on (--retired-on YYYY-MM-DD)")
    inside = ~window | pd.Series([not pd.isna(w) and (pd.isna(f) or w >= f) and (pd.isna(t) or w <= t)
                                  for f, t, w in zip(lo, hi, when)], index=joined.index, dtype=bool)
    return joined[inside].assign(window=window[inside].astype(int))


def _window_text(start, end) -> str:
    if pd.isna(start):
        return f"retired by {end}"
    return f"retired from {start}" + (f" to {end}" if not pd.isna(end) else "")


def _periods_held(bill: pd.Series, tables: PolicyTables) -> str:
    """'its rules cover …; ' for the bill's region (or a region above it) when it has rules on other days."""
    frame = tables["reimbursement.csv"]
    own = frame[frame["region_id"].isin(ancestry(bill["region_id"], tables))
                & (frame["scheme"] == bill["scheme"]) & (frame["setting"] == bill["setting"])]
    if own.empty:
        return ""
    today = in_force(own, bill["on"])
    if not today.empty:  # rules on that day, but not for this person or facility level
        shown = ", ".join(sorted({f"{p} at {lv}" for p, lv in zip(today["person"], today["level"])}))
        return f"on that day its rules cover only {shown}; "
    periods = sorted({(f, t) for f, t in zip(own["effective_from"], own["effective_to"])})
    shown = ", ".join(f"{f.isoformat()} to {t.isoformat() if t else 'open'}" for f, t in periods)
    return f"its {bill['scheme']} {bill['setting']} rules cover {shown}; "


def _offsite(bills: dict, tables: PolicyTables) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per bill: ratio points and factor (ppm), and a code into the off-site sources (-1 on-site), those sources.

    Rules are looked up once per distinct (region, scheme, filing, scope, day).
    """
    n = len(bills["amount"])
    points, factor, source = np.zeros(n, np.int64), np.full(n, PPM, np.int64), np.full(n, -1, np.int64)
    off = np.flatnonzero(pd.notna(_labels(bills, "offsite")))
    if not len(off):
        return points, factor, source, np.array([], dtype=object)
    group, first = _distinct(*(bills[k][0][off] for k in ("region", "scheme", "offsite", "offsite_scope", "day")))
    at = off[first]
    keys = pd.DataFrame({"key": np.arange(len(at)), "region_id": _labels(bills, "region", at),
                         "scheme": _labels(bills, "scheme", at), "filing": _labels(bills, "offsite", at),
                         "scope": _labels(bills, "offsite_scope", at), "on": _labels(bills, "day", at)})
    rule = pd.DataFrame({"points": 0, "factor": PPM, "source": None}, index=keys["key"])
    frame = tables["offsite.csv"]
    for scope in ("exact", "any"):  # a rule for the bill's own scope beats one for any scope
        found = nearest_figures(keys.assign(scope="any") if scope == "any" else keys, frame,
                                ["scheme", "filing", "scope"], ["ratio_points", "ratio_factor"], tables)
        found = found[rule.loc[found.index, "source"].isna()
                      & (found["ratio_points"].notna() | found["ratio_factor"].notna())]
        rule.loc[found.index, "points"] = np.rint(found["ratio_points"].fillna(0).to_numpy() * PPM).astype(np.int64)
        rule.loc[found.index, "factor"] = np.rint(found["ratio_factor"].fillna(1).to_numpy() * PPM).astype(np.int64)
        rule.loc[found.index, "source"] = found["ratio_points_source"].fillna(found["ratio_factor_source"])
    if rule["source"].isna().any():
        k = keys.loc[int(np.argmax(rule["source"].isna().to_numpy()))]
        raise NoDataError(f"no off-site rule for a {k['filing']} {k['scope']} bill insured in "
                          f"{k['region_id']} ({k['scheme']}); regions with off-site rules: "
                          f"{regions_with('offsite.csv', tables)}")
    points[off] = rule["points"].to_numpy(np.int64)[group]
    factor[off] = rule["factor"].to_numpy(np.int64)[group]
    source[off] = group
    return points, factor, source, rule["source"].to_numpy(dtype=object)


def _segments(order: np.ndarray, *codes: np.ndarray) -> np.ndarray:
    """Start position of each element's run of equal codes, elements taken in ``order``."""
    change = np.zeros(len(order), dtype=bool)
    change[:1] = True
    for c in codes:
        c = c[order]
        change[1:] |= c[1:] != c[:-1]
    return np.maximum.accumulate(np.where(change, np.arange(len(order)), 0))


def compute(raw: pd.DataFrame, tables: PolicyTables) -> pd.DataFrame:
    if raw.empty:
        return pd.DataFrame(columns=list(RESULT_COLUMNS))
    bills = _bills(raw, tables)
    n = len(bills["amount"])
    # Rules are resolved once per distinct (region, scheme, setting, level, person, day), then
    # gathered for every bill by integer position: bill i owns rule rows [start, start + count).
    code, first = _distinct(*(bills[k][0] for k in ("region", "scheme", "setting", "level", "kind", "retired_on",
                                                     "day")))
    distinct = pd.DataFrame({name: _labels(bills, column, first) for name, column in [
        ("region_id", "region"), ("scheme", "scheme"), ("setting", "setting"), ("level", "level"),
        ("person_kind", "kind"), ("retired_on", "retired_on"), ("on", "day")]}).assign(bill=np.arange(len(first)))
    rules = _rules(distinct, tables).sort_values(["bill", "band_from"], kind="stable").reset_index(drop=True)
    rule_of = rules.groupby("bill").first()  # one-per-rule figures: deductible, cap, medical year, source
    # The medical year (医保年度) a bill counts in: the calendar year, or the year starting in the rule's month.
    start_month = rule_of["year_start_month"].fillna("1").astype(int).to_numpy()[code]
    medical_year = bills["year"] - (bills["month"] < start_month)

    # One person's bills of one medical year, scheme and setting, in date order (ties: input order).
    order = np.lexsort((np.arange(n), bills["ordinal"], bills["setting"][0], bills["scheme"][0], medical_year,
                        bills["person"]))
    start = _segments(order, bills["person"], medical_year, bills["scheme"][0], bills["setting"][0])
    in_scope = bills["in_scope"][order]
    running = np.cumsum(in_scope)
    cum_after = running - (running - in_scope)[start]
    cum_before = cum_after - in_scope
    admission = np.arange(n) - start
    # The same within each calendar month, for deductibles charged per month (元/人·月).
    month_start = _segments(order, bills["person"], medical_year, bills["scheme"][0], bills["setting"][0],
                            bills["year"] * 12 + bills["month"])
    month_after = running - (running - in_scope)[month_start]
    month_before = month_after - in_scope

    code = code[order]
    counts = np.bincount(rules["bill"].to_numpy(), minlength=len(distinct))
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    per_bill = counts[code]
    rep = np.repeat(np.arange(n), per_bill)
    first_band = np.concatenate([[0], np.cumsum(per_bill)[:-1]])
    pos = np.repeat(starts[code], per_bill) + np.arange(len(rep)) - np.repeat(first_band, per_bill)

    points, factor, offsite_code, offsite_sources = _offsite(bills, tables)
    points, factor, offsite_code = points[order], factor[order], offsite_code[order]
    basis = rule_of["deductible_basis"].fillna("per_year").to_numpy()[code]
    per_year, per_month = basis == "per_year", basis == "per_month"
    deductible = to_fen(rule_of["deductible"].fillna(0).to_numpy())[code]
    repeat = rule_of["deductible_repeat"].to_numpy(dtype=float)[code]
    later = (admission > 0) & ~np.isnan(repeat)
    deductible = np.where((basis == "per_admission") & later, to_fen(np.nan_to_num(repeat)), deductible)
    lo = np.where(per_year, cum_before, np.where(per_month, month_before, 0))
    hi = np.where(per_year, cum_after, np.where(per_month, month_after, in_scope))
    band_lo = np.maximum(to_fen(rules["band_from"].to_numpy())[pos], deductible[rep])
    band_to = rules["band_to"].to_numpy(dtype=float)
    band_hi = np.where(np.isnan(band_to), FAR, to_fen(np.nan_to_num(band_to)))[pos]
    ratio = np.rint(rules["ratio"].fillna(0).to_numpy() * PPM).astype(np.int64)[pos]
    ratio = np.clip(ratio - points[rep], 0, PPM) * factor[rep] // PPM
    inside = overlap(lo[rep], hi[rep], band_lo, band_hi)
    share = np.add.reduceat(inside * ratio, first_band) if len(rep) else np.zeros(0, np.int64)
    top = np.maximum.reduceat(np.where(inside > 0, ratio, -1), first_band) if len(rep) else np.zeros(0, np.int64)
    deducted = overlap(lo, hi, 0, deductible)

    fund = round_amounts(share.astype(np.int64), 0)
    cap_yuan = rule_of["cap"].to_numpy(dtype=float)[code]
    cap = np.where(np.isnan(cap_yuan), FAR, to_fen(np.nan_to_num(cap_yuan)))
    paid = np.cumsum(fund)
    paid_after = paid - (paid - fund)[start]
    fund = np.minimum(paid_after, cap) - np.minimum(paid_after - fund, cap)

    names = tables["regions.csv"].set_index("region_id")["short_zh"]
    # A bill's sources: its rule's, plus its off-site rule's; built once per distinct pair.
    source_code, source_first = _distinct(code, offsite_code + 1)
    sources = rule_of["source_id"].to_numpy(dtype=object)[code[source_first]]
    extra = offsite_code[source_first]
    sources[extra >= 0] = sources[extra >= 0] + ";" + offsite_sources[extra[extra >= 0]]
    amount = bills["amount"][order]
    back = np.empty(n, dtype=np.int64)
    back[order] = np.arange(n)  # the output keeps the input's order

    def given(column):  # a column of the input, as a categorical of its canonical names
        return _category(*bills[column])

    def rule_column(values):  # one value per distinct rule, spread to the bills
        return _category(code[back], values)

    return pd.DataFrame({
        "person": bills["person_labels"].take(bills["person"]),
        "region": _category(bills["region"][0], names.reindex(bills["region"][1]).to_numpy()),
        "date": pd.to_datetime((bills["ordinal"] - EPOCH).astype("datetime64[D]")),
        "scheme": given("scheme"), "setting": given("setting"), "level": given("level"),
        "retired": bills["kind"][0].astype(bool), "offsite": given("offsite"),
        "amount": to_yuan(bills["amount"]), "in_scope": to_yuan(bills["in_scope"]),
        "deductible_applied": to_yuan(deducted[back]), "ratio": np.where(top >= 0, top / PPM, np.nan)[back],
        "fund_pays": to_yuan(fund[back]), "individual_pays": to_yuan((amount - fund)[back]),
        "cap_reached": (paid_after >= cap)[back],
        "rule_region": rule_column(names.reindex(rule_of["ancestor_id"]).to_numpy()),
        "source_id": _category(source_code[back], sources),
        "confidence": rule_column(rule_of["confidence"].to_numpy()),
    })


def _category(codes: np.ndarray, labels) -> pd.Categorical:
    """Categorical of ``labels[codes]`` built from the codes: strings repeat a lot, so it is fast and small."""
    merged, categories = pd.factorize(pd.Series(labels, dtype=object))  # missing labels → code -1
    return pd.Categorical.from_codes(np.r_[merged, -1][codes], categories=categories)
