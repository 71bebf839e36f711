"""shebao: Chinese social-insurance and housing-fund policy by region, sourced and computable.

>>> import shebao as sb
>>> sb.compare(10000, 2025).columns[0]
'region'
"""

from shebao import charts
from shebao.contributions import (
    compare,
    contributions,
    covered_regions,
    left_out_regions,
    missing_items,
    month_table,
    payroll,
    yearly_contributions,
)
from shebao.coverage import coverage, coverage_summary
from shebao.data import check, data_info, load, sources, use_policydata
from shebao.errors import (
    AmbiguousRegionError,
    InputError,
    NoDataError,
    PolicyDataError,
    RateOutOfRangeError,
    RegionError,
    ShebaoError,
    UnknownRegionError,
)
from shebao.excel import build_report
from shebao.history import history
from shebao.medical import (
    family_account,
    personal_account,
    reimburse,
    resident_premiums,
)
from shebao.mutual_aid import can_use, mutual_aid, mutual_aid_matrix
from shebao.regions import regions, resolve_region
from shebao.tax import bonus_tax, bonus_thresholds, take_home, withholding

__version__ = "0.1.0"
__all__ = [
    "AmbiguousRegionError",
    "InputError",
    "NoDataError",
    "PolicyDataError",
    "RateOutOfRangeError",
    "RegionError",
    "ShebaoError",
    "UnknownRegionError",
    "bonus_tax",
    "bonus_thresholds",
    "build_report",
    "can_use",
    "charts",
    "check",
    "compare",
    "contributions",
    "coverage",
    "coverage_summary",
    "covered_regions",
    "data_info",
    "family_account",
    "history",
    "left_out_regions",
    "load",
    "missing_items",
    "month_table",
    "mutual_aid",
    "mutual_aid_matrix",
    "payroll",
    "personal_account",
    "regions",
    "reimburse",
    "resident_premiums",
    "resolve_region",
    "sources",
    "take_home",
    "use_policydata",
    "withholding",
    "yearly_contributions",
]
