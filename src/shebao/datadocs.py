"""Keep the generated parts of ``policydata/README.md`` (coverage table, column dictionary) current.

    shebao data readme --write   # rewrite the sections between the markers

>>> "columns:start" in MARKERS["columns"][0]
True
"""

from __future__ import annotations

import re

from shebao.coverage import (
    coverage,
    coverage_markdown,
    coverage_summary,
    coverage_summary_markdown,
)
from shebao.data import PolicyTables
from shebao.schema import data_dictionary_markdown

MARKERS = {name: (f"<!-- {name}:start (generated: shebao data readme --write) -->", f"<!-- {name}:end -->")
           for name in ("coverage", "columns")}


def sections(tables: PolicyTables | None = None) -> dict[str, str]:
    frame = coverage(tables)
    summary = coverage_summary_markdown(coverage_summary(tables, frame))
    return {"coverage": summary + "\n\n" + coverage_markdown(frame), "columns": data_dictionary_markdown()}


def render(text: str, tables: PolicyTables | None = None) -> str:
    """``text`` with every generated section replaced by its current content."""
    for name, body in sections(tables).items():
        start, end = MARKERS[name]
        pattern = re.compile(re.escape(start) + ".*?" + re.escape(end), re.DOTALL)
        if not pattern.search(text):
            raise ValueError(f"policydata/README.md lacks the markers of the {name} section")
        replacement = f"{start}\n{body}\n{end}"
        text = pattern.sub(lambda _, new=replacement: new, text)
    return text
