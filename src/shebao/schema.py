"""The columns of every policy table: type, whether required, allowed values, meaning.

The loader validates against these declarations and ``policydata/README.md`` (the data
dictionary) is generated from them, so the two cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass

ITEMS = (
    "pension", "medical", "unemployment", "injury", "maternity",
    "serious_illness", "long_term_care",
)
ITEM_NAMES_ZH = {
    "pension": "养老保险", "medical": "医疗保险", "unemployment": "失业保险",
    "injury": "工伤保险", "maternity": "生育保险", "serious_illness": "大额医疗互助/大病保险",
    "long_term_care": "长期护理保险", "housing_fund": "住房公积金",
}
ROUNDING = (
    "fen_half_up", "jiao_half_up", "yuan_half_up",
    "fen_up", "jiao_up", "yuan_up",
    "fen_down", "jiao_down", "yuan_down",
)
LEVELS = ("national", "province", "city")
TAX_SCHEDULES = ("annual_cumulative", "monthly_bonus")
TAX_PARAMETERS = ("basic_deduction_monthly", "housing_fund_deductible_rate", "housing_fund_wage_cap_multiple",
                  "bonus_separate_taxation")
SCHEMES = ("employee", "resident")
PERSONS = ("in_service", "retired", "any")
SETTINGS = ("outpatient", "inpatient", "chronic_outpatient")
FACILITY_LEVELS = ("community", "level1", "level2", "level3", "any")
DEDUCTIBLE_BASES = ("per_year", "per_admission", "per_month")
YEAR_START_MONTHS = tuple(str(m) for m in range(1, 13))
START_BASES = ("stated", "in_force_by")
ACCOUNT_GROUPS = ("in_service", "retired")
ACCOUNT_BASES = ("contribution_base", "pension", "none")
FILINGS = ("long_term", "temporary", "unfiled", "emergency")
OFFSITE_SCOPES = ("in_province", "cross_province", "any")
RELATIONS = ("spouse", "parent", "child", "sibling", "grandparent", "grandchild", "parent_in_law")
AID_SCOPES = ("pooling_region", "province", "national")
YES_NO = ("yes", "no")
PREMIUM_GROUPS = ("any", "adult", "minor", "elderly", "student")
FAMILY_ACCOUNT_RULES = ("max_members", "face_verification_age")
KINDS = ("official", "secondary")
CONFIDENCE = ("official", "corroborated")


@dataclass(frozen=True)
class Column:
    name: str
    kind: str  # text | region | date | rate | money | number | choice | sources | url
    doc: str
    required: bool = True  # may the cell be empty?
    choices: tuple[str, ...] = ()


_PERIOD = (
    Column("effective_from", "date", "First day in force (YYYY-MM-DD, the 1st of a month), inclusive."),
    Column("effective_to", "date", "Last day in force (YYYY-MM-DD, the last day of a month), inclusive; "
           "empty = open: no end date stated, in force until a later row replaces it. The contribution "
           "and housing-fund calculators count an open row only up to its region's horizon: the furthest "
           "any row of the region or a region above it (not national) reaches, an open row reaching twelve "
           "months from its start; so one region's late notice never stretches another's open rows.", required=False),
)
_START_BASIS = Column("start_basis", "choice", "`stated`: a document gives `effective_from` as the start; "
                      "`in_force_by`: the earliest date a source shows the rule in force, its real start may "
                      "be earlier. Empty = stated.", required=False, choices=START_BASES)
_PROVENANCE = (
    Column("source_id", "sources", "Key into `sources.csv` of the document that states this row's figures."),
    Column("confidence", "choice", "`official`: read in the notice's own text; `corroborated`: two "
           "independent secondary sources agree (the second is in `confirmed_by`).", choices=CONFIDENCE),
    Column("confirmed_by", "sources", "Further `source_id`s (separated by `;`) that state the same "
           "figures; required when confidence is `corroborated`.", required=False),
    Column("note", "text", "Free text: how the notice phrases the figure, caveats.", required=False),
)
_ROUNDING = Column(
    "rounding", "choice", "How each monthly amount is rounded: `<unit>_<mode>`, unit fen/jiao/yuan, "
    "mode half_up/up/down. Empty: inherit, finally `fen_half_up`.", required=False, choices=ROUNDING)

TABLES: dict[str, tuple[Column, ...]] = {
    "regions.csv": (
        Column("region_id", "text", "6-digit administrative code (GB/T 2260); `000000` = national."),
        Column("name_zh", "text", "Full Chinese name, e.g. 北京市."),
        Column("short_zh", "text", "Short Chinese name, e.g. 北京."),
        Column("name_en", "text", "English name, e.g. Beijing."),
        Column("level", "choice", "`national`, `province` (incl. the four municipalities) or `city`.",
               choices=LEVELS),
        Column("parent_id", "region", "region_id of the next level up; empty only for national.",
               required=False),
        Column("source_id", "sources", "Where the code and name come from."),
    ),
    "sources.csv": (
        Column("source_id", "text", "Short unique key cited by policy rows."),
        Column("issuer", "text", "Issuing authority (or publisher, for a secondary source)."),
        Column("title", "text", "Document title as published."),
        Column("doc_number", "text", "Document number (文号), empty if the document has none.",
               required=False),
        Column("published", "date", "Publication date (YYYY-MM-DD).", required=False),
        Column("url", "url", "Where the text was read."),
        Column("kind", "choice", "`official`: the notice's own text; `secondary`: a page or public "
               "calculator quoting figures.", choices=KINDS),
        Column("quotes_notice", "text", "For a secondary source: the official notice it says it "
               "quotes (title, number), if it names one.", required=False),
        Column("consulted", "date", "Date the source was read for this project.", required=False),
    ),
    "contributions.csv": (
        Column("region_id", "region", "Region the row applies to (and, by fallback, its sub-regions)."),
        Column("item", "choice", "Insurance item.", choices=ITEMS),
        *_PERIOD,
        Column("employer_rate", "rate", "Employer rate as a fraction of the base (0.16 = 16 %).",
               required=False),
        Column("employee_rate", "rate", "Employee rate as a fraction of the base.", required=False),
        Column("employer_fixed", "money", "Fixed employer amount, yuan per month.", required=False),
        Column("employee_fixed", "money", "Fixed employee amount, yuan per month (e.g. 北京 大额互助).",
               required=False),
        Column("base_floor", "money", "Lowest monthly contribution base, yuan.", required=False),
        Column("base_ceiling", "money", "Highest monthly contribution base, yuan.", required=False),
        _ROUNDING,
        *_PROVENANCE,
    ),
    "housing_fund.csv": (
        Column("region_id", "region", "Region the row applies to (and, by fallback, its sub-regions)."),
        *_PERIOD,
        Column("rate_min", "rate", "Lowest rate, each of employee and employer.", required=False),
        Column("rate_max", "rate", "Highest rate, each of employee and employer.", required=False),
        Column("rate_default", "rate", "Rate used when the caller gives none, where a notice sets "
               "one; otherwise the calculators use `rate_min`.", required=False),
        Column("base_floor", "money", "Lowest monthly contribution base, yuan.", required=False),
        Column("base_ceiling", "money", "Highest monthly contribution base, yuan.", required=False),
        _ROUNDING,
        *_PROVENANCE,
    ),
    "tax_brackets.csv": (
        Column("schedule", "choice", "`annual_cumulative`: the comprehensive-income table applied to "
               "year-to-date wages (累计预扣法); `monthly_bonus`: the monthly table applied to bonus ÷ 12.",
               choices=TAX_SCHEDULES),
        Column("lower", "money", "The bracket applies to taxable amounts above this bound (yuan)."),
        *_PERIOD,
        Column("rate", "rate", "Tax rate of the bracket.", required=False),
        Column("quick_deduction", "money", "速算扣除数 of the bracket, yuan.", required=False),
        *_PROVENANCE,
    ),
    "tax_parameters.csv": (
        Column("parameter", "choice", "`basic_deduction_monthly` (yuan), `housing_fund_deductible_rate` "
               "(fraction), `housing_fund_wage_cap_multiple` (× city average wage), "
               "`bonus_separate_taxation` (1 = the annual bonus may be taxed on its own).",
               choices=TAX_PARAMETERS),
        *_PERIOD,
        Column("value", "number", "The parameter's value, in the unit its name gives.", required=False),
        *_PROVENANCE,
    ),
    "personal_account.csv": (
        Column("region_id", "region", "Region the row applies to (and, by fallback, its sub-regions)."),
        Column("group", "choice", "`in_service` (在职) or `retired` (退休).", choices=ACCOUNT_GROUPS),
        Column("age_from", "number", "Youngest age (years, inclusive) of the band; empty = no lower bound.",
               required=False),
        Column("age_to", "number", "Oldest age (years, inclusive) of the band; empty = no upper bound.",
               required=False),
        *_PERIOD,
        Column("basis", "choice", "What `rate` multiplies: the contribution base, the person's own "
               "pension, or nothing (fixed amount only).", choices=ACCOUNT_BASES),
        Column("rate", "rate", "Share of the basis credited each month.", required=False),
        Column("fixed", "money", "Fixed yuan credited each month (on top of rate × basis).", required=False),
        *_PROVENANCE,
    ),
    "reimbursement.csv": (
        Column("region_id", "region", "Region whose insured persons the rule covers."),
        Column("scheme", "choice", "`employee` (职工医保) or `resident` (城乡居民医保).", choices=SCHEMES),
        Column("person", "choice", "`in_service`, `retired` or `any`.", choices=PERSONS),
        Column("retired_from", "date", "Retirees only: the row covers people who retired on or after this day "
               "(e.g. 上海's deductible depends on the retirement date). Empty = no lower bound.", required=False),
        Column("retired_to", "date", "Retirees only: the row covers people who retired on or before this day. "
               "Empty = no upper bound. A bill needs `retired_on` when its rule sets either column.",
               required=False),
        Column("setting", "choice", "`outpatient` (普通门诊), `inpatient` (住院) or `chronic_outpatient` "
               "(门诊慢特病 / 门诊特殊慢性病: outpatient care of a listed chronic disease, usually per disease).",
               choices=SETTINGS),
        Column("level", "choice", "Facility level: `community` (社区/基层), `level1`–`level3` (一至三级医院) "
               "or `any`.", choices=FACILITY_LEVELS),
        Column("band_from", "money", "The band starts at this cumulative in-scope cost (yuan) of the "
               "year (or admission, when the deductible is per admission); 0 for the first band."),
        Column("band_to", "money", "The band ends at this cumulative in-scope cost; empty = no end.",
               required=False),
        *_PERIOD,
        Column("ratio", "rate", "Share of the in-scope cost within the band (above the deductible) "
               "that the fund pays.", required=False),
        Column("deductible", "money", "起付线, yuan: in-scope cost below it is the patient's.", required=False),
        Column("deductible_basis", "choice", "Whether the deductible applies `per_year` (over the medical "
               "year), `per_admission` (each bill is one admission) or `per_month` (over each calendar month, "
               "e.g. 广西's 门诊特殊慢性病 元/人·月).", required=False, choices=DEDUCTIBLE_BASES),
        Column("deductible_repeat", "money", "Per-admission deductible of the 2nd and later admission "
               "in a year, where it differs.", required=False),
        Column("cap", "money", "封顶线: most the fund pays per person and year in this setting, yuan.",
               required=False),
        Column("year_start_month", "choice", "Month (1–12) in which the region's medical year (医保年度) starts, "
               "e.g. 7 for 上海's July–June year: per-year deductibles, bands and caps count over that year. "
               "Empty = January (the calendar year).", required=False, choices=YEAR_START_MONTHS),
        *_PROVENANCE,
    ),
    "offsite.csv": (
        Column("region_id", "region", "Region of the insured person (参保地)."),
        Column("scheme", "choice", "`employee` or `resident`.", choices=SCHEMES),
        Column("filing", "choice", "`long_term` (长期异地居住备案), `temporary` (临时外出就医备案), "
               "`unfiled` (未备案) or `emergency` (急诊抢救).", choices=FILINGS),
        Column("scope", "choice", "Where the care happens: `in_province`, `cross_province` or `any`.",
               choices=OFFSITE_SCOPES),
        *_PERIOD,
        Column("ratio_points", "number", "Percentage points (as a fraction) taken off the ratio: "
               "0.10 = 10 points lower.", required=False),
        Column("ratio_factor", "rate", "Multiplier on the ratio, where the rule is a share of it "
               "(0.9 = 90 % of the usual ratio).", required=False),
        *_PROVENANCE,
    ),
    "resident_premiums.csv": (
        Column("region_id", "region", "Region (national rows: the national minimum)."),
        Column("group", "choice", "Who pays it, as the region groups people: `any` (everyone, or everyone "
               "not in another row's group), `adult` (working age), `minor` (children; with pupils where the "
               "region groups them so, e.g. 北京 学生儿童), `elderly`, `student` (students as the region defines "
               "them, e.g. 大学生 or 在校学生).", choices=PREMIUM_GROUPS),
        Column("age_from", "number", "Lowest age (years) of the group where the region splits it by age, "
               "e.g. 上海 60–69 and 70+; empty = no lower bound.", required=False),
        Column("age_to", "number", "Highest age (years), inclusive; empty = no upper bound.", required=False),
        Column("tier", "text", "The tier (档次) the insured chose where the region offers several, e.g. "
               "重庆 一档/二档; empty = one tier.", required=False),
        *_PERIOD,
        Column("premium", "money", "Individual premium, yuan per person for the insurance year "
               "that the period covers.", required=False),
        *_PROVENANCE,
    ),
    "mutual_aid.csv": (
        Column("region_id", "region", "Region whose employee's personal account pays (the payer's "
               "参保地); sub-regions fall back to it."),
        Column("relation", "choice", "The relative, seen from the account holder.", choices=RELATIONS),
        *_PERIOD,
        _START_BASIS,
        Column("medical", "choice", "`yes`/`no`: may the account pay the relative's own costs at "
               "designated facilities (就医购药)?", required=False, choices=YES_NO),
        Column("medical_scope", "choice", "Where the relative may be insured for `medical`: "
               "`pooling_region` (same 统筹区), `province`, `national`.", required=False, choices=AID_SCOPES),
        Column("premium", "choice", "`yes`/`no`: may the account pay the relative's resident-insurance "
               "premium (代缴居民医保)?", required=False, choices=YES_NO),
        Column("premium_scope", "choice", "Where the relative may be insured for `premium`.",
               required=False, choices=AID_SCOPES),
        Column("registration", "choice", "`yes` when the holder must authorise or register "
               "(备案/绑定) the relative first.", required=False, choices=YES_NO),
        *_PROVENANCE,
    ),
    "family_account.csv": (
        Column("rule", "choice", "Rule of the 亲情账户 of the national medical-insurance app: "
               "`max_members`, `face_verification_age`.", choices=FAMILY_ACCOUNT_RULES),
        *_PERIOD,
        _START_BASIS,
        Column("value", "number", "The rule's value (members, years).", required=False),
        *_PROVENANCE,
    ),
}

# Columns holding figures; a blank figure cell means "not set here, fall back".
VALUE_COLUMNS = {
    "contributions.csv": ("employer_rate", "employee_rate", "employer_fixed", "employee_fixed",
                          "base_floor", "base_ceiling", "rounding"),
    "housing_fund.csv": ("rate_min", "rate_max", "rate_default", "base_floor", "base_ceiling",
                         "rounding"),
    "tax_brackets.csv": ("rate", "quick_deduction"),
    "tax_parameters.csv": ("value",),
    "personal_account.csv": ("rate", "fixed"),
    "reimbursement.csv": ("ratio", "deductible", "deductible_basis", "deductible_repeat", "cap"),
    "offsite.csv": ("ratio_points", "ratio_factor"),
    "resident_premiums.csv": ("premium",),
    "mutual_aid.csv": ("medical", "medical_scope", "premium", "premium_scope", "registration"),
    "family_account.csv": ("value",),
}
POLICY_TABLES = tuple(VALUE_COLUMNS)
REGIONAL_TABLES = ("contributions.csv", "housing_fund.csv")  # keyed by region, with fallback
# Rows with equal keys may not set the same figure on overlapping days.
PERIOD_KEYS = {"contributions.csv": ("region_id", "item"), "housing_fund.csv": ("region_id",),
               "tax_brackets.csv": ("schedule", "lower"), "tax_parameters.csv": ("parameter",),
               "personal_account.csv": ("region_id", "group", "age_from"),
               "reimbursement.csv": ("region_id", "scheme", "person", "retired_from", "setting", "level",
                                         "band_from"),
               "offsite.csv": ("region_id", "scheme", "filing", "scope"),
               "resident_premiums.csv": ("region_id", "group", "age_from", "tier"),
               "mutual_aid.csv": ("region_id", "relation"),
               "family_account.csv": ("rule",)}
# Tables whose calculators work month by month: their periods start on the 1st and end on a
# month's last day. The others (bills, mutual-aid rules) are looked up by day.
MONTH_ALIGNED = ("contributions.csv", "housing_fund.csv", "tax_brackets.csv", "tax_parameters.csv",
                 "personal_account.csv")
# Tables the medical and mutual-aid calculators read, keyed by region with fallback.
MEDICAL_TABLES = ("personal_account.csv", "reimbursement.csv", "offsite.csv", "resident_premiums.csv",
                  "mutual_aid.csv")


def data_dictionary_markdown() -> str:
    """The column tables of ``policydata/README.md``.

    >>> "| region_id |" in data_dictionary_markdown()
    True
    """
    parts = []
    for table, columns in TABLES.items():
        parts.append(f"### `{table}`\n\n| column | type | required | meaning |\n|---|---|---|---|")
        for c in columns:
            kind = c.kind if not c.choices else "one of " + ", ".join(f"`{v}`" for v in c.choices)
            parts.append(f"| {c.name} | {kind} | {'yes' if c.required else 'no'} | {c.doc} |")
        parts.append("")
    return "\n".join(parts)
