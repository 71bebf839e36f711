"""家庭共济: may an employee's medical personal account pay for a relative, for what, and where?

Rules live in ``policydata/mutual_aid.csv`` per region, relation and period; each figure
(``medical``, ``premium``, their scopes, ``registration``) falls back city → province →
national on its own, and every answer names the row and source it rests on.

>>> relation_id("兄弟姐妹")
'sibling'
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from shebao.data import PolicyTables, load
from shebao.errors import InputError
from shebao.periods import to_date
from shebao.regions import NATIONAL, resolve_many, resolve_region
from shebao.rules import ancestors, map_unique, nearest_figures
from shebao.schema import RELATIONS

PURPOSES = ("medical", "premium")
PURPOSE_ZH = {"medical": "就医购药", "premium": "代缴居民医保"}
RELATION_ZH = {"spouse": "配偶", "parent": "父母", "child": "子女", "sibling": "兄弟姐妹",
               "grandparent": "祖父母/外祖父母", "grandchild": "孙子女/外孙子女", "parent_in_law": "公婆/岳父母"}
SCOPE_ZH = {"pooling_region": "同一统筹区", "province": "省内", "national": "全国(跨省)"}
_WORDS = {
    "spouse": ("配偶", "夫妻", "丈夫", "妻子", "老公", "老婆", "husband", "wife", "spouses"),
    "parent": ("父母", "父亲", "母亲", "爸爸", "妈妈", "parents", "father", "mother"),
    "child": ("子女", "儿子", "女儿", "孩子", "children", "son", "daughter", "kids"),
    "sibling": ("兄弟姐妹", "兄弟", "姐妹", "哥哥", "弟弟", "姐姐", "妹妹", "siblings", "brother", "sister"),
    "grandparent": ("祖父母", "外祖父母", "爷爷", "奶奶", "外公", "外婆", "姥姥", "姥爷", "祖父", "祖母",
                    "外祖父", "外祖母", "grandparents", "grandfather", "grandmother"),
    "grandchild": ("孙子女", "外孙子女", "孙子", "孙女", "外孙", "外孙女", "grandchildren", "grandson",
                   "granddaughter"),
    "parent_in_law": ("公婆", "岳父母", "公公", "婆婆", "岳父", "岳母", "parents_in_law", "in-laws",
                      "in_laws", "father_in_law", "mother_in_law"),
}
_LOOKUP = {w.casefold(): r for r, words in _WORDS.items() for w in (r, *words)}
FIGURES = ["medical", "medical_scope", "premium", "premium_scope", "registration"]


def relation_id(word: str) -> str:
    """The relation key for an English key or a common Chinese word (配偶, 父母, 兄弟姐妹, ...)."""
    key = str(word).strip().casefold()
    if key in _LOOKUP:
        return _LOOKUP[key]
    known = ", ".join(f"{r} ({RELATION_ZH[r]})" for r in RELATIONS)
    raise InputError(f"unknown relation {word!r}; known relations: {known}")


def _purpose(value: str) -> str:
    key = {"就医": "medical", "购药": "medical", "就医购药": "medical", "缴费": "premium", "代缴": "premium",
           "参保缴费": "premium"}.get(str(value).strip(), str(value).strip().casefold())
    if key not in PURPOSES:
        raise InputError(f"unknown purpose {value!r}; use 'medical' (the relative's own costs at "
                         "designated facilities) or 'premium' (the relative's resident-insurance premium)")
    return key


def _rules(keys: pd.DataFrame, tables: PolicyTables) -> pd.DataFrame:
    """keys: key, region_id, relation, on → figures with their source and region, per key."""
    frame = tables["mutual_aid.csv"]
    return nearest_figures(keys, frame, ["relation"], FIGURES, tables).reindex(keys["key"].unique())


def mutual_aid(region, relation=None, on=None, tables: PolicyTables | None = None) -> pd.DataFrame:
    """The rules in force in ``region`` on ``on`` (default today), one row per relation.

    Each figure comes from the most specific region that sets it; ``rule_region`` names those
    regions and ``source_id`` the documents.

    >>> mutual_aid("北京", "配偶", on="2025-06-01")["relation"].tolist()
    ['spouse']
    """
    tables = tables or load()
    region_id = resolve_region(region, tables)
    day = to_date(on) if on is not None else dt.date.today()
    relations = list(RELATIONS) if relation is None else [relation_id(relation)]
    keys = pd.DataFrame({"key": range(len(relations)), "region_id": region_id, "relation": relations, "on": day})
    found = _rules(keys, tables)
    names = tables["regions.csv"].set_index("region_id")["short_zh"]
    out = pd.DataFrame({"region": names[region_id], "relation": relations,
                        "relation_zh": [RELATION_ZH[r] for r in relations]})
    for figure in FIGURES:
        out[figure] = found[figure].to_numpy()
    sources = found[[f"{f}_source" for f in FIGURES]].to_numpy()
    origins = found[[f"{f}_region" for f in FIGURES]].to_numpy()
    out["rule_region"] = [_join(names.reindex([o for o in row if isinstance(o, str)])) for row in origins]
    out["source_id"] = [_join(s for s in row if isinstance(s, str)) for row in sources]
    out["national_fallback"] = [any(o == NATIONAL for o in row if isinstance(o, str)) and region_id != NATIONAL
                                for row in origins]
    return out


def _join(values) -> str:
    return ";".join(dict.fromkeys(v for v in values if isinstance(v, str)))


def _province(region_ids: pd.Series, tables: PolicyTables) -> pd.Series:
    """The province-level ancestor of each region (national stays national)."""
    levels = tables["regions.csv"].set_index("region_id")["level"]
    anc = ancestors(tables)
    anc = anc[anc["ancestor_id"].map(levels) == "province"].set_index("region_id")["ancestor_id"]
    return region_ids.map(anc).fillna(region_ids)


def can_use(payer_region, relative_region=None, relation=None, purpose="medical", on=None,
            tables: PolicyTables | None = None) -> pd.DataFrame:
    """May the payer's personal account pay for this relative? One row per pair.

    Pass scalars, or a DataFrame of pairs as ``payer_region`` (columns ``payer_region``,
    ``relative_region`` (optional: same as the payer's), ``relation``, ``purpose`` and ``on``
    (optional)). ``purpose``: ``medical`` (the relative's own costs at designated facilities) or
    ``premium`` (the relative's resident-insurance premium). Columns: ``allowed``, ``scope``,
    ``reason`` (which rule, which region's row, which source), ``source_id``.

    >>> can_use("福建", "福建", "兄弟姐妹", "premium", on="2025-06-01")["allowed"].tolist()
    [True]
    """
    tables = tables or load()
    if isinstance(payer_region, pd.DataFrame):
        pairs = payer_region.copy()
        if "payer_region" not in pairs or "relation" not in pairs:
            raise InputError("a frame of pairs needs the columns payer_region and relation "
                             "(and optionally relative_region, purpose, on)")
    else:
        if relation is None:
            raise InputError("say which relation, e.g. relation='sibling' or '兄弟姐妹'")
        pairs = pd.DataFrame({"payer_region": [payer_region], "relative_region": [relative_region],
                              "relation": [relation], "purpose": [purpose], "on": [on]})
    if "relative_region" not in pairs:
        pairs["relative_region"] = None
    if "purpose" not in pairs:
        pairs["purpose"] = purpose
    if "on" not in pairs:
        pairs["on"] = on
    today = dt.date.today()
    payer = resolve_many(pairs["payer_region"].to_numpy(), tables).to_numpy()
    relative_names = pairs["relative_region"].where(pairs["relative_region"].notna(), pairs["payer_region"])
    relative = resolve_many(relative_names.to_numpy(), tables).to_numpy()
    relations = map_unique(pairs["relation"], relation_id)
    purposes = map_unique(pairs["purpose"], _purpose)
    days = map_unique(pairs["on"].astype(object).where(pairs["on"].notna(), None),
                       lambda d: today if d is None else to_date(d))

    keys = pd.DataFrame({"region_id": payer, "relation": relations, "on": days})
    distinct = keys.drop_duplicates().reset_index(drop=True)
    distinct["key"] = np.arange(len(distinct))
    found = _rules(distinct, tables)
    index = keys.merge(distinct, on=["region_id", "relation", "on"], how="left")["key"].to_numpy()
    rule = found.iloc[index].reset_index(drop=True)

    is_medical = (purposes == "medical")

    def by_purpose(suffix: str = "") -> np.ndarray:  # the medical or the premium figure of each pair
        return np.where(is_medical, rule[f"medical{suffix}"].to_numpy(), rule[f"premium{suffix}"].to_numpy())

    permitted, scope, source = by_purpose(), by_purpose("_scope"), by_purpose("_source")
    confidence, rule_region, since = by_purpose("_confidence"), by_purpose("_region"), by_purpose("_from")
    in_force_by, scope_source = by_purpose("_in_force_by"), by_purpose("_scope_source")

    payer_s, relative_s = pd.Series(payer), pd.Series(relative)
    same_region = payer == relative
    same_province = (_province(payer_s, tables) == _province(relative_s, tables)).to_numpy()
    in_scope = np.select([scope == "national", scope == "province", scope == "pooling_region"],
                         [True, same_province, same_region], default=same_region)
    allowed = (permitted == "yes") & in_scope

    names = tables["regions.csv"].set_index("region_id")["short_zh"]
    reasons = _reasons(pd.DataFrame({
        "permitted": permitted, "scope": scope, "in_scope": in_scope, "rule_region": rule_region,
        "source": source, "relation": relations, "purpose": purposes, "payer": payer, "since": since,
        "in_force_by": in_force_by,
    }), names)
    sources = [_join([s, t]) for s, t in zip(source, scope_source)]
    return pd.DataFrame({
        "payer_region": names.reindex(payer).to_numpy(), "relative_region": names.reindex(relative).to_numpy(),
        "relation": relations, "purpose": purposes, "on": [d.isoformat() for d in days],
        "allowed": allowed.astype(bool), "rule_found": pd.notna(permitted).astype(bool),
        "scope": scope, "registration": rule["registration"].to_numpy(), "reason": reasons,
        "rule_region": names.reindex(rule_region).to_numpy(), "source_id": sources,
        "confidence": confidence,
    }, index=pairs.index)


def _reasons(frame: pd.DataFrame, names: pd.Series) -> list[str]:
    """One sentence per distinct situation, mapped back to the pairs."""
    def sentence(row) -> str:
        what = f"{RELATION_ZH[row.relation]} ({row.relation}), {row.purpose}"
        if not isinstance(row.permitted, str):
            return (f"No rule in the data lets {names[row.payer]}'s accounts pay for {what}: "
                    "no row of this region, its province or the national rules names it.")
        dated = (f", in force by {row.since.isoformat()}; its start date is not known" if row.in_force_by is True
                 else f", from {row.since.isoformat()}")
        where = f"{names.get(row.rule_region, row.rule_region)}'s row ({row.source}{dated})"
        if row.permitted == "no":
            return f"Not allowed: {where} says no for {what}."
        if not row.in_scope:
            return (f"Not allowed here: {where} allows {what} only within "
                    f"{SCOPE_ZH.get(row.scope, 'the same pooling region')}.")
        scope = SCOPE_ZH.get(row.scope, "same region (scope not stated)")
        return f"Allowed by {where}: {what}, scope {scope}."
    distinct = frame.astype(object).where(frame.notna(), None).drop_duplicates()
    text = {tuple(r): sentence(r) for r in distinct.itertuples(index=False)}
    return [text[tuple(r)] for r in frame.astype(object).where(frame.notna(), None).itertuples(index=False)]


def mutual_aid_matrix(on=None, purpose: str = "medical", tables: PolicyTables | None = None) -> pd.DataFrame:
    """One row per province and per city with rules of its own; one boolean column per relation:
    may an account there pay for that relative (insured in the same region) for ``purpose``?

    >>> "sibling" in mutual_aid_matrix(on="2025-06-01").columns
    True
    """
    tables = tables or load()
    purpose = _purpose(purpose)
    regions = tables["regions.csv"]
    own = set(tables["mutual_aid.csv"]["region_id"])
    shown = regions[(regions["level"] == "province") | regions["region_id"].isin(own - {NATIONAL})]
    pairs = pd.DataFrame([(r, rel) for r in shown["region_id"] for rel in RELATIONS],
                         columns=["payer_region", "relation"])
    pairs["purpose"], pairs["on"] = purpose, on
    answers = can_use(pairs, tables=tables)
    answers["region_id"] = pairs["payer_region"].to_numpy()
    matrix = answers.pivot(index="region_id", columns="relation", values="allowed")[list(RELATIONS)]
    fallback = answers.groupby("region_id")["rule_region"].agg(lambda s: "全国" in set(s))
    out = shown[["region_id", "short_zh", "level"]].rename(columns={"short_zh": "region"}).set_index("region_id")
    out = out.join(matrix.astype(bool)).join(fallback.rename("uses_national_rules"))
    return out.reset_index()
