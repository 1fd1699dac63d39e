"""The columns of the audit tables (contract C3): structured fields, no prose in any language.

`helpers.data.schema` describes every tidy table; the audit's two tables are described here, by
the module that owns them, and replace schema's entries when the package `helpers.data` is
imported (see its `__init__`). Columns schema adds to every table (the report's identity) are kept.
Words for a finding are made when a page shows it, from `rules/audit_checks.csv` and the
templates `story/templates/<lang>/audit.j2`.
"""

from __future__ import annotations

from helpers.data import schema
from helpers.data.schema import YEAR, col

REPORT_IDENTITY = ("report", "report_year")  # contract C1: schema adds these to every table

FINDING_FIELDS = [
    col("check", "string", "Kind of check: a key of rules/audit_checks.csv.", "检查", required=True),
    col("subject", "string", "What was checked: a facts metric, a 类 name, or a project name as printed.", "对象"),
    col("project_code", "string", "The project the check is about, if any.", "项目编码"),
    col("indicator", "string", "The indicator the check is about, if any (as printed).", "指标"),
    col("metrics", "string", "facts.csv metrics involved, ';'-separated.", "涉及指标"),
    col("reported", "number", "The figure as the report states it.", "报告数"),
    col("computed", "number", "The figure computed from the report's other figures.", "计算数"),
    col("difference", "number", "reported − computed.", "差额"),
    col("tolerance", "number", "Largest difference that rounding explains.", "容差"),
    col("rule", "string", "The tolerance rule applied: a key of rules/rounding_rules.csv.", "规则"),
    col("severity", "string", "error: figures contradict each other; warning: off by one printed unit or "
        "doubtful; info: explained or noteworthy. Blank when the check passed.", "严重程度"),
    col("lines", "string", "Report lines of the figures involved, ';'-separated, ascending.", "报告行"),
    col("detail", "string", "What else the audit established, as a key: share_agrees_with_items, "
        "class_totals_agree, truncated, explained_by_projects, not_explained, no_table_named, "
        "bought_in_project.", "补充"),
    col("related", "string", "Keys the detail refers to (project codes or metrics), ';'-separated.", "相关"),
]

AUDIT_TABLES = {
    "audit_findings": dict(
        title="Arithmetic checks of the report that did not pass (errors first), grouped by cause",
        columns=[YEAR, col("finding_no", "integer", "Order of the finding within its year: errors, warnings, info.",
                           "序号", required=True),
                 col("cause", "string", "Findings that share one cause share this id (C1, C2 … in order).",
                     "原因编号", required=True),
                 *FINDING_FIELDS],
        key=["year", "finding_no"], sort=["year", "finding_no"]),
    "audit_checks": dict(
        title="Every arithmetic check that ran, passed or not",
        columns=[YEAR, col("check_no", "integer", "Order of the check within its year.", "序号", required=True),
                 *FINDING_FIELDS,
                 col("passed", "boolean", "True when the figures agree within the tolerance.", "通过")],
        key=["year", "check_no"], sort=["year", "check_no"]),
}


def register(tables: dict[str, dict]) -> None:
    """Put the audit tables' specs into `tables`, keeping columns, keys and sort keys that schema added
    to every table in front of its own (the report identity of contract C1)."""
    for name, spec in AUDIT_TABLES.items():
        old = tables.get(name, {"columns": [], "key": [], "sort": []})
        added = [c for c in old["columns"] if c.name in REPORT_IDENTITY]
        names = {c.name for c in added}
        tables[name] = dict(spec, columns=added + spec["columns"],
                            key=[k for k in old["key"] if k in names] + spec["key"],
                            sort=[s for s in old["sort"] if s in names] + spec["sort"],
                            foreign=old.get("foreign", []))


register(schema.TABLES)
