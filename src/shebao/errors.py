"""Errors shebao raises: every one is a ``ShebaoError`` with a message a person can act on."""

from __future__ import annotations


class ShebaoError(Exception):
    """Base class of every error shebao raises on bad input or bad data."""


class RegionError(ShebaoError, LookupError):
    """A region name or code that does not resolve."""


class UnknownRegionError(RegionError):
    """No region has this name or code; the message lists close matches."""


class AmbiguousRegionError(RegionError):
    """Several regions share this name; the message lists the candidates."""


class NoDataError(ShebaoError, LookupError):
    """The tables hold no figures for this region, date or year; the message gives the covered range."""


class InputError(ShebaoError, ValueError):
    """A bad argument: a negative, missing or non-numeric base, an unparseable date, ..."""


class RateOutOfRangeError(InputError):
    """A housing-fund or injury rate outside what the region allows."""


class PolicyDataError(ShebaoError):
    """A policy table failed validation; ``problems`` lists every finding."""

    def __init__(self, problems):
        self.problems = list(problems)
        shown = "\n".join(f"  {p}" for p in self.problems[:20])
        more = f"\n  ... and {len(self.problems) - 20} more" if len(self.problems) > 20 else ""
        super().__init__(f"policy data has {len(self.problems)} problem(s):\n{shown}{more}")
