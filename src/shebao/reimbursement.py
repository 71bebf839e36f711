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
from shebao.rules import nearest_figures, nearest_rows

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
    dates = bills["date"].astype(object)
    out["on"] = dates.map({d: to_date(d) for d in pd.unique(dates)}).to_numpy()
    filing = bills["offsite"].astype(object)
    out["offsite"] = np.where(filing.isna(), None, _choice(filing.fillna("long_term"), OFFSITE, "offsite filing"))
    out["offsite_scope"] = bills["offsite_scope"].fillna("cross_province").to_numpy()
    retired = bills["retired"]
    if not retired.map(lambda v: isinstance(v, (bool, np.bool_))).all():
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
    order = bills.sort_values(["person", "year", "scheme", "setting", "on", "bill"], kind="stable")
    group = [order["person"], order["year"], order["scheme"], order["setting"]]
    cum_after = order.groupby(group, sort=False)["in_scope"].cumsum()
    order = order.assign(cum_before=cum_after - order["in_scope"], cum_after=cum_after,
                         admission=order.groupby(group, sort=False).cumcount())
    rules = _rules(order, tables)
    adjust = _offsite(bills, tables)

    per_year = rules["deductible_basis"].fillna("per_year").to_numpy() == "per_year"
    deductible = to_fen(rules["deductible"].fillna(0).to_numpy())
    repeat = rules["deductible_repeat"].to_numpy()
    later = (rules["admission"].to_numpy() > 0) & ~np.isnan(repeat.astype(float))
    deductible = np.where(~per_year & later, to_fen(np.nan_to_num(repeat.astype(float))), deductible)
    lo = np.where(per_year, rules["cum_before"], 0)
    hi = np.where(per_year, rules["cum_after"], rules["in_scope"])
    band_lo = np.maximum(to_fen(rules["band_from"].to_numpy()), deductible)
    band_hi = np.where(rules["band_to"].isna(), FAR, to_fen(rules["band_to"].fillna(0).to_numpy()))
    ratio = np.rint(rules["ratio"].fillna(0).to_numpy() * PPM).astype(np.int64)
    points = adjust["points"].reindex(rules["bill"]).to_numpy()
    factor = adjust["factor"].reindex(rules["bill"]).to_numpy()
    ratio = np.clip(ratio - points, 0, PPM) * factor // PPM
    rules = rules.assign(share=overlap(lo, hi, band_lo, band_hi) * ratio,
                         deducted=overlap(lo, hi, 0, deductible), top_ratio=np.where(overlap(lo, hi, band_lo, band_hi) > 0,
                                                                                      ratio, -1))
    per_bill = rules.groupby("bill").agg(
        share=("share", "sum"), deducted=("deducted", "first"), cap=("cap", "first"),
        ratio=("top_ratio", "max"), source_id=("source_id", "first"), confidence=("confidence", "first"),
        rule_region=("ancestor_id", "first"))
    bills = bills.set_index("bill").join(per_bill).loc[order["bill"]]
    fund = round_amounts(bills["share"].to_numpy(dtype=np.int64).copy(), 0)
    cap = np.where(bills["cap"].isna(), FAR, to_fen(bills["cap"].fillna(0).to_numpy()))
    group = [bills["person"], bills["year"], bills["scheme"], bills["setting"]]
    paid_after = pd.Series(fund, index=bills.index).groupby(group, sort=False).cumsum().to_numpy()
    paid_before = paid_after - fund
    fund = np.minimum(paid_after, cap) - np.minimum(paid_before, cap)
    names = tables["regions.csv"].set_index("region_id")["short_zh"]
    sources = [";".join(filter(None, dict.fromkeys([s, o]))) for s, o in
               zip(bills["source_id"], adjust["offsite_source"].reindex(bills.index))]
    out = pd.DataFrame({
        "person": bills["person"].to_numpy(), "region": names.reindex(bills["region_id"]).to_numpy(),
        "date": bills["on"].to_numpy(), "scheme": bills["scheme"].to_numpy(), "setting": bills["setting"].to_numpy(),
        "level": bills["level"].to_numpy(), "retired": bills["person_kind"].to_numpy() == "retired",
        "offsite": bills["offsite"].to_numpy(), "amount": to_yuan(bills["amount"].to_numpy()),
        "in_scope": to_yuan(bills["in_scope"].to_numpy()), "deductible_applied": to_yuan(bills["deducted"].to_numpy()),
        "ratio": np.where(bills["ratio"].to_numpy() >= 0, bills["ratio"].to_numpy() / PPM, np.nan),
        "fund_pays": to_yuan(fund), "individual_pays": to_yuan(bills["amount"].to_numpy() - fund),
        "cap_reached": paid_after >= cap, "rule_region": names.reindex(bills["rule_region"]).to_numpy(),
        "source_id": sources, "confidence": bills["confidence"].to_numpy(),
    }, index=bills.index)
    return out.sort_index().reset_index(drop=True)
