"""The bill engine behind ``medical.reimburse``: deductibles, bands, caps and off-site rules.

All arithmetic is integer: amounts in fen, ratios in millionths. For each bill the fund's share
is the in-scope cost that falls in each band above the deductible times the band's ratio,
rounded half up to the fen once per bill. Per-year deductibles, bands and caps run on the
person's cumulative in-scope cost (and fund payments) of the year, bills in date order:

    fund(bill) = F(cumulative after) − F(cumulative before),  capped so the year's sum ≤ cap.

>>> overlap(np.array([0]), np.array([500]), np.array([100]), np.array([300])).tolist()
[200]
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from shebao.data import PolicyTables
from shebao.errors import InputError, NoDataError
from shebao.medical import LEVELS, OFFSITE, SCHEMES, SETTINGS, _choice, regions_with
from shebao.money import PPM, numeric_column, round_amounts, to_fen, to_yuan
from shebao.periods import to_date
from shebao.regions import resolve_many
from shebao.rules import map_unique, nearest_figures, nearest_rows

FAR = np.iinfo(np.int64).max // 4


def overlap(lo, hi, band_lo, band_hi):
    """Length of [lo, hi] ∩ [band_lo, band_hi], elementwise, never negative."""
    return np.clip(np.minimum(hi, band_hi) - np.maximum(lo, band_lo), 0, None)


def _bills(bills: pd.DataFrame, tables: PolicyTables) -> pd.DataFrame:
    """Validated, normalised bills (amounts in fen)."""
    out = pd.DataFrame({"bill": np.arange(len(bills)), "person": bills["person"].astype(str).to_numpy()})
    out["region_id"] = resolve_many(bills["region"].to_numpy(), tables).to_numpy()
    amount = numeric_column(bills["amount"], "amount")
    scope = bills["in_scope"].where(bills["in_scope"].notna(), bills["amount"])
    in_scope = numeric_column(scope, "in_scope")
    over = in_scope > amount + 1e-9
    if over.any():
        i = int(np.argmax(over))
        raise InputError(f"in_scope {in_scope[i]:g} is above the bill's amount {amount[i]:g} (bill {i})")
    out["amount"], out["in_scope"] = to_fen(amount), to_fen(in_scope)
    out["scheme"] = _choice(bills["scheme"], SCHEMES, "scheme")
    out["setting"] = _choice(bills["setting"], SETTINGS, "setting")
    out["level"] = _choice(bills["level"].astype(str), LEVELS, "level")
    out["on"] = map_unique(bills["date"], to_date)
    filing = bills["offsite"].astype(object)
    out["offsite"] = np.where(filing.isna(), None, _choice(filing.fillna("long_term"), OFFSITE, "offsite filing"))
    out["offsite_scope"] = bills["offsite_scope"].fillna("cross_province").to_numpy()
    retired = bills["retired"]
    if not all(isinstance(v, (bool, np.bool_)) for v in pd.unique(retired.astype(object))):
        raise InputError("retired must be True or False in every bill")
    out["person_kind"] = np.where(retired.astype(bool), "retired", "in_service")
    out["year"] = [d.year for d in out["on"]]
    return out


def _rules(bills: pd.DataFrame, tables: PolicyTables) -> pd.DataFrame:
    """bills × band rows of the rule that applies to each bill (exact person/level beat `any`)."""
    keys = bills[["region_id", "scheme", "setting", "on"]].drop_duplicates().reset_index(drop=True)
    keys["key"] = np.arange(len(keys))
    rows = nearest_rows(keys, tables["reimbursement.csv"], ["scheme", "setting"], tables)
    rows = rows.rename(columns={"level": "rule_level", "person": "rule_person"})
    joined = bills.merge(keys, on=["region_id", "scheme", "setting", "on"]).merge(
        rows[["key", "rule_level", "rule_person", "band_from", "band_to", "ratio", "deductible", "deductible_basis",
              "deductible_repeat", "cap", "source_id", "confidence", "ancestor_id"]], on="key")
    joined = joined[((joined["rule_level"] == joined["level"]) | (joined["rule_level"] == "any"))
                    & ((joined["rule_person"] == joined["person_kind"]) | (joined["rule_person"] == "any"))]
    joined["rank"] = (joined["rule_level"] == "any").astype(int) + 2 * (joined["rule_person"] == "any")
    best = joined.groupby("bill")["rank"].transform("min")
    joined = joined[joined["rank"] == best]
    missing = sorted(set(bills["bill"]) - set(joined["bill"]))
    if missing:
        b = bills.set_index("bill").loc[missing[0]]
        names = tables["regions.csv"].set_index("region_id")["short_zh"]
        raise NoDataError(
            f"no {b['scheme']} {b['setting']} reimbursement rule for {names[b['region_id']]} "
            f"({b['person_kind']}, {b['level']}) on {b['on']}; regions with reimbursement data: "
            f"{regions_with('reimbursement.csv', tables)}")
    return joined


def _offsite(bills: pd.DataFrame, tables: PolicyTables) -> pd.DataFrame:
    """Ratio points and factor for bills treated off-site (none: 0 points, factor 1)."""
    out = pd.DataFrame({"points": np.zeros(len(bills), dtype=np.int64), "factor": np.full(len(bills), PPM),
                        "offsite_source": None}, index=bills["bill"])
    off = bills[bills["offsite"].notna()]
    if off.empty:
        return out
    frame = tables["offsite.csv"]
    for scope in ("exact", "any"):
        keys = off[["bill", "region_id", "scheme", "offsite", "offsite_scope", "on"]].rename(
            columns={"bill": "key", "offsite": "filing", "offsite_scope": "scope"})
        if scope == "any":
            keys["scope"] = "any"
        found = nearest_figures(keys, frame, ["scheme", "filing", "scope"], ["ratio_points", "ratio_factor"], tables)
        todo = out.loc[found.index, "offsite_source"].isna()
        found = found[todo & (found["ratio_points"].notna() | found["ratio_factor"].notna())]
        out.loc[found.index, "points"] = np.rint(found["ratio_points"].fillna(0).to_numpy() * PPM).astype(np.int64)
        out.loc[found.index, "factor"] = np.rint(found["ratio_factor"].fillna(1).to_numpy() * PPM).astype(np.int64)
        out.loc[found.index, "offsite_source"] = found["ratio_points_source"].fillna(found["ratio_factor_source"])
    unknown = out.loc[off["bill"], "offsite_source"].isna()
    if unknown.any():
        b = off.set_index("bill").loc[unknown[unknown].index[0]]
        raise NoDataError(f"no off-site rule for a {b['offsite']} {b['offsite_scope']} bill insured in "
                          f"{b['region_id']} ({b['scheme']}); regions with off-site rules: "
                          f"{regions_with('offsite.csv', tables)}")
    return out


def compute(raw: pd.DataFrame, tables: PolicyTables) -> pd.DataFrame:
    bills = _bills(raw, tables)
    order = bills.sort_values(["person", "year", "scheme", "setting", "on", "bill"], kind="stable").reset_index(drop=True)
    group = [order["person"], order["year"], order["scheme"], order["setting"]]
    in_scope = order["in_scope"].to_numpy(np.int64)
    cum_after = order.groupby(group, sort=False)["in_scope"].cumsum().to_numpy(np.int64)
    cum_before = cum_after - in_scope
    admission = order.groupby(group, sort=False).cumcount().to_numpy()

    # Rules are resolved once per distinct (region, scheme, setting, level, person, day), then
    # gathered for every bill by integer position: bill i owns rule rows [start, start + count).
    key = ["region_id", "scheme", "setting", "level", "person_kind", "on"]
    code = order.groupby(key, sort=False).ngroup().to_numpy()
    distinct = order[key].drop_duplicates().assign(bill=np.arange(code.max() + 1 if len(code) else 0))
    rules = _rules(distinct, tables).sort_values(["bill", "band_from"], kind="stable").reset_index(drop=True)
    counts = np.bincount(rules["bill"].to_numpy(), minlength=len(distinct))
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    per_bill = counts[code]
    rep = np.repeat(np.arange(len(order)), per_bill)
    first = np.concatenate([[0], np.cumsum(per_bill)[:-1]])
    pos = np.repeat(starts[code], per_bill) + np.arange(len(rep)) - np.repeat(first, per_bill)
    rule_of = rules.groupby("bill").first()  # one-per-rule figures: deductible, cap, source

    adjust = _offsite(order, tables)
    per_year = (rule_of["deductible_basis"].fillna("per_year").to_numpy() == "per_year")[code]
    deductible = to_fen(rule_of["deductible"].fillna(0).to_numpy())[code]
    repeat = rule_of["deductible_repeat"].to_numpy(dtype=float)[code]
    later = (admission > 0) & ~np.isnan(repeat)
    deductible = np.where(~per_year & later, to_fen(np.nan_to_num(repeat)), deductible)
    lo = np.where(per_year, cum_before, 0)
    hi = np.where(per_year, cum_after, in_scope)
    band_lo = np.maximum(to_fen(rules["band_from"].to_numpy())[pos], deductible[rep])
    band_to = rules["band_to"].to_numpy(dtype=float)
    band_hi = np.where(np.isnan(band_to), FAR, to_fen(np.nan_to_num(band_to)))[pos]
    ratio = np.rint(rules["ratio"].fillna(0).to_numpy() * PPM).astype(np.int64)[pos]
    points = adjust["points"].reindex(order["bill"]).to_numpy()[rep]
    factor = adjust["factor"].reindex(order["bill"]).to_numpy()[rep]
    ratio = np.clip(ratio - points, 0, PPM) * factor // PPM
    inside = overlap(lo[rep], hi[rep], band_lo, band_hi)
    share = np.add.reduceat(inside * ratio, first) if len(rep) else np.zeros(0, np.int64)
    top = np.maximum.reduceat(np.where(inside > 0, ratio, -1), first) if len(rep) else np.zeros(0, np.int64)
    deducted = overlap(lo, hi, 0, deductible)

    fund = round_amounts(share.astype(np.int64), 0)
    cap_yuan = rule_of["cap"].to_numpy(dtype=float)[code]
    cap = np.where(np.isnan(cap_yuan), FAR, to_fen(np.nan_to_num(cap_yuan)))
    paid_after = pd.Series(fund).groupby(group, sort=False).cumsum().to_numpy()
    fund = np.minimum(paid_after, cap) - np.minimum(paid_after - fund, cap)
    names = tables["regions.csv"].set_index("region_id")["short_zh"]
    source = rule_of["source_id"].to_numpy()[code]
    offsite_source = adjust["offsite_source"].reindex(order["bill"]).to_numpy()
    source = pd.Series(source, dtype=object)
    sources = source.where(pd.isna(offsite_source), source + ";" + pd.Series(offsite_source, dtype=object).fillna(""))
    amount = order["amount"].to_numpy(np.int64)
    out = pd.DataFrame({
        "person": order["person"].to_numpy(), "region": names.reindex(order["region_id"]).to_numpy(),
        "date": order["on"].to_numpy(), "scheme": order["scheme"].to_numpy(), "setting": order["setting"].to_numpy(),
        "level": order["level"].to_numpy(), "retired": order["person_kind"].to_numpy() == "retired",
        "offsite": order["offsite"].to_numpy(), "amount": to_yuan(amount), "in_scope": to_yuan(in_scope),
        "deductible_applied": to_yuan(deducted), "ratio": np.where(top >= 0, top / PPM, np.nan),
        "fund_pays": to_yuan(fund), "individual_pays": to_yuan(amount - fund), "cap_reached": paid_after >= cap,
        "rule_region": names.reindex(rule_of["ancestor_id"].to_numpy()[code]).to_numpy(),
        "source_id": sources.to_numpy(), "confidence": rule_of["confidence"].to_numpy()[code],
    }, index=order["bill"].to_numpy())
    return out.sort_index().reset_index(drop=True)
