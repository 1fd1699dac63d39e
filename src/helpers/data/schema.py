"""The tidy tables: their schema, how they are built from parsed reports, and how they are written.

The schema here is the single description of every table: it orders the CSV columns, types them
when the notebooks load them, and becomes `datapackage.json` (Frictionless Data Package).
Writing is all-or-nothing: every file goes to a temporary folder beside the output folder and
is moved into place only once all of them were written.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from helpers.files import write_all

# Text columns hold Python strings (pandas's "python" storage of its str dtype), not Arrow arrays: the tables of one
# report are small (tens to hundreds of rows), and on them every filter, lookup and row conversion of an Arrow text
# column costs more than the work itself (pyarrow's `take` per column per filter). The same values, the same CSV and
# Parquet files; the audit of a report runs in about three quarters of the time. Set before any table is made, so
# every frame of the tidy data (helpers.data.schema.DTYPES) has one kind of text column.
pd.set_option("mode.string_storage", "python")

AMOUNT = "万元"


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # frictionless type: integer | number | string | boolean
    description: str
    label_zh: str = ""
    unit: str = ""
    required: bool = False


def col(name: str, type_: str, description: str, label_zh: str = "", unit: str = "", required: bool = False) -> Column:
    return Column(name, type_, description, label_zh, unit, required)


YEAR = col("year", "integer", "Year the figure is about (a prior-year figure the report states carries the prior "
           "year; in the audit tables, the year of the report audited).", "年度",
           required=True)
LINE = col("source_line", "integer", "Line of the report text (1-based) the value was read from.", "来源行",
           required=True)
CODE = col("project_code", "string", "Project code as printed before the project name.", "项目编码", required=True)

# The audit tables' fields: structured, no prose in any language; words for a finding are made
# when a page shows it, from rules/audit_checks.csv and story/templates/<lang>/audit.j2.
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
        "bought_in_project, list_differs_from_tables (a stated count whose sentence lists projects: `related` "
        "holds the listed names that have no project table, as printed, then the key tables_not_named and the "
        "codes of the tables the list does not name).", "补充"),
    col("related", "string", "Keys the detail refers to (project codes or metrics), ';'-separated.", "相关"),
]

FINGERPRINT = col("fingerprint", "string", "sha256 (first 16 hex digits) of the audit's code (data/audit.py and the "
                  "indicator judgement of data/indicators.py), its rules tables (data/rules/*.csv) and the tidy input "
                  "it read: two runs with the same fingerprint audited the same figures with the same rules.",
                  "审核指纹")

TABLES: dict[str, dict] = {
    "facts": dict(
        title="Figures stated in the prose sections",
        columns=[YEAR, col("metric", "string", "Stable English key of the figure.", "指标", required=True),
                 col("value", "number", "The figure: 万元 for amounts, a fraction 0-1 for rates, a count.", "数值",
                     required=True),
                 col("unit", "string", "万元, ratio (a fraction), or the counting word (辆, 人, 个 …).", "单位"),
                 col("label_zh", "string", "The report's wording for the figure.", "中文名称"),
                 col("decimals", "integer", "Decimals of the figure as printed, counted in its stored unit (of the "
                     "percentage, for rates; an amount printed in 元 with 2 decimals has 6 in 万元, one in 亿元 with "
                     "2 has −2): the audit's rounding tolerance.", "小数位"), LINE,
                 col("derived", "boolean", "True when the value is not stated but follows from a stated change.",
                     "推算"),
                 col("printed_unit", "string", "The unit the report prints the figure in: 万元, 元 or 亿元 for an "
                     "amount (stored converted to 万元, exactly), % for a rate, the counting word for a count; blank "
                     "when the figure is stated in words or derived.", "原文单位"),
                 col("words_zh", "string", "The report's own words when it states the figure in words, not digits "
                     "(无结转结余资金 is a balance of 0; 与上年度持平 a change of 0); blank otherwise.", "原文表述")],
        key=["year", "metric"], sort=["year", "metric"]),
    "functional_classification": dict(
        title="Expenditure by functional classification (类/款/项)",
        columns=[YEAR, col("level", "string", "类 for a class total, 项 for an item line.", "级次", required=True),
                 col("class_zh", "string", "类: the functional class.", "类"),
                 col("category_zh", "string", "款: the category within the class.", "款"),
                 col("item_zh", "string", "项: the item within the category.", "项"),
                 col("amount", "number", "Final expenditure.", "支出决算", AMOUNT),
                 col("completion_rate", "number", "Stated budget completion (决算/预算) as a fraction.", "完成预算"),
                 col("reported_share", "number", "Stated share of the total as a fraction.", "占比"),
                 col("note", "string", "Stated reason when spending was below budget.", "原因说明"), LINE],
        key=["year", "source_line", "class_zh"], sort=["year", "source_line", "level"]),
    "projects": dict(
        title="Projects of the self-evaluation tables (项目支出绩效自评表), one row each",
        columns=[YEAR, CODE, col("project_name", "string", "Project name.", "项目名称"),
                 col("department", "string", "Supervising department.", "主管部门"),
                 col("implementer", "string", "Implementing unit.", "实施单位"),
                 col("budget_initial", "number", "Budget at the start of the year.", "年初预算", AMOUNT),
                 col("budget_adjusted", "number", "Budget after in-year adjustments.", "调整后预算数", AMOUNT),
                 col("executed", "number", "Amount executed (spent).", "预算执行数", AMOUNT),
                 col("execution_rate_reported", "number", "Execution rate as the table states it (fraction).",
                     "预算执行率"),
                 col("budget_weight", "number", "Points the budget-execution part is worth.", "权重"),
                 col("budget_score", "number", "Points given for budget execution (blank when left empty).", "得分"),
                 col("shortfall_reason", "string", "Reason written for execution below 90% (blank if none).", "原因"),
                 col("indicator_weight", "number", "Points the performance indicators are worth.", "绩效指标分值"),
                 col("total_weight", "number", "Total points of the table (合计 权重).", "合计权重"),
                 col("total_score", "number", "Self-evaluation total score (合计 得分).", "自评总分"),
                 col("annual_goal", "string", "Stated annual goal.", "项目年度目标"),
                 col("goal_completion", "string", "Stated completion of the annual goal.", "年度目标完成情况"),
                 col("implementation", "string", "Implementation summary.", "项目实施内容及过程概述"),
                 col("conclusion", "string", "Evaluation conclusion.", "评价结论"),
                 col("problems", "string", "Problems found.", "存在问题"),
                 col("measures", "string", "Improvement measures.", "改进措施"),
                 col("project_lead", "string", "Project lead.", "项目负责人"),
                 col("finance_lead", "string", "Finance lead.", "财务负责人"),
                 col("budget_line", "integer", "Report line of the 总额 row's adjusted budget (调整后预算数) "
                     "figure.", "总额行"),
                 col("executed_line", "integer", "Report line of the 总额 row's amount executed (预算执行数) "
                     "figure.", "执行数行"),
                 col("goal_line", "integer", "Report line of the stated completion of the annual goal "
                     "(年度目标完成情况; 0 when the table has none).", "目标完成情况行"),
                 col("total_line", "integer", "Report line of the 合计 (total score) row.", "合计行"),
                 LINE],
        key=["year", "project_code"], sort=["year", "source_line"]),
    "project_funding": dict(
        title="Funding sources of each project (资金来源)",
        columns=[YEAR, CODE, col("source_zh", "string", "Funding source.", "资金来源", required=True),
                 col("budget_initial", "number", "Budget at the start of the year.", "年初预算", AMOUNT),
                 col("budget_adjusted", "number", "Budget after adjustments.", "调整后预算数", AMOUNT),
                 col("executed", "number", "Amount executed.", "预算执行数", AMOUNT),
                 col("execution_rate_reported", "number", "Stated execution rate (fraction).", "预算执行率"), LINE],
        key=["year", "project_code", "source_zh"], sort=["year", "source_line"],
        foreign=[(["year", "project_code"], "projects")]),
    "indicators": dict(
        title="Performance indicators of each project (绩效指标)",
        columns=[YEAR, CODE,
                 col("indicator_no", "integer", "Position of the indicator within its project table (1, 2, …).",
                     "序号", required=True),
                 col("level1", "string", "一级指标 (产出/效益/满意度/成本).", "一级指标"),
                 col("level2", "string", "二级指标.", "二级指标"),
                 col("indicator", "string", "三级指标: the indicator.", "三级指标"),
                 col("name_inherited", "boolean", "True when the name cell was empty (merged) and the name above "
                     "was carried down.", "名称沿用"),
                 col("name_missing", "boolean", "True when the name cell is empty and the name above cannot be "
                     "carried down because this row has another unit: the report leaves the indicator unnamed.",
                     "名称缺失"),
                 col("operator", "string", "Comparison as printed (＝ ≥ ≤ ＞ ＜ 定性).", "指标性质"),
                 col("operator_symbol", "string", "The comparison in ASCII (= >= <= > <, qualitative).", ""),
                 col("target", "string", "Target as written.", "指标值"),
                 col("target_value", "number", "Target as a number, when it is one.", "指标值（数值）"),
                 col("unit", "string", "Unit of the target.", "度量单位"),
                 col("actual", "string", "Actual value as written.", "完成值"),
                 col("actual_value", "number", "Actual as a number, when it is one.", "完成值（数值）"),
                 col("weight", "number", "Points the indicator is worth.", "权重"),
                 col("score", "number", "Points given.", "得分"),
                 col("shortfall_reason", "string", "Stated reason for missing the target.", "未完成原因分析"),
                 col("actual_line", "integer", "Line of the row's actual (完成值) cell, blank or not.", "完成值行"),
                 col("source_line", "integer", "Line of the row's first figure (指标值, else 完成值, 权重, 得分).",
                     "来源行", required=True)],
        key=["year", "project_code", "indicator_no"], sort=["year", "source_line"],
        foreign=[(["year", "project_code"], "projects")]),
    "explanations": dict(
        title="Reasons the report states for a figure (主要原因)",
        columns=[YEAR, col("metric", "string", "The fact (facts.metric) the reason explains.", "指标", required=True),
                 col("text_zh", "string", "The reason as the report words it.", "原因"), LINE],
        key=["year", "metric"], sort=["year", "source_line"]),
    "reports": dict(
        title="The reports read: the unit that publishes each, as the report names it",
        columns=[YEAR, col("unit_zh", "string", "The publishing unit's name as the report states it.", "单位名称",
                           required=True), LINE],
        key=["year"], sort=["year"]),
    "glossary": dict(
        title="Terms explained by the report (名词解释)",
        columns=[YEAR, col("number", "integer", "Number of the term in the report.", "序号"),
                 col("term_zh", "string", "Term.", "名词"), col("definition_zh", "string", "Definition.", "解释"),
                 LINE],
        key=["year", "number"], sort=["year", "number"]),
    "named_projects": dict(
        title="Projects the prose names in a list (rules of helpers/read/rules/project_lists.csv), as printed",
        columns=[YEAR, col("list", "string", "Which list names the project: a key of project_lists.csv "
                           "(performance_evaluated: the 预算绩效管理情况 sentence; government_procurement: what "
                           "政府采购支出 went to).", "列举", required=True),
                 col("project_name", "string", "The project's name exactly as the list prints it.", "项目名称",
                     required=True), LINE],
        key=["year", "list", "project_name"], sort=["year", "list", "source_line"]),
    "audit_findings": dict(
        title="Arithmetic checks of the report that did not pass (errors first), grouped by cause",
        columns=[YEAR, col("finding_no", "integer", "Order of the finding within its year: by cause, errors, warnings, "
                           "info, each by the money at stake.", "序号", required=True),
                 col("cause", "string", "Findings that share one cause share this id (C1, C2 … in order: C1 the "
                     "largest contradiction).",
                     "原因编号", required=True),
                 *FINDING_FIELDS,
                 col("at_stake", "number", "The money the finding puts in doubt: |reported − computed| when the check "
                     "compares amounts (rules/audit_checks.csv at_stake); blank for rates, scores and counts.",
                     "涉及金额", unit=AMOUNT),
                 FINGERPRINT],
        key=["year", "finding_no"], sort=["year", "finding_no"]),
    "audit_checks": dict(
        title="Every arithmetic check that ran, passed or not",
        columns=[YEAR, col("check_no", "integer", "Order of the check within its year.", "序号", required=True),
                 *FINDING_FIELDS,
                 col("passed", "boolean", "True when the figures agree within the tolerance.", "通过"),
                 col("status", "string", "passed; failed (a finding: the figures disagree, or an observation, or "
                     "a reading that is ambiguous, which fails closed); not_applicable (the report states none of "
                     "the figures the check needs, or the check has nothing to compare, e.g. a rate on a zero "
                     "budget); not_enough_data (the report states some of them, or they cannot be told apart). Only "
                     "passed counts as passed.", "状态", required=True),
                 col("reason", "string", "Why a check did not run, as a key and the metrics or figures concerned "
                     "(missing:metric;metric, zero_budget, ambiguous:…).", "原因"),
                 FINGERPRINT],
        key=["year", "check_no"], sort=["year", "check_no"]),
    "unconsumed_lines": dict(
        title="Lines of the report the ingest did not turn into data, and why",
        columns=[YEAR, LINE, col("kind", "string", "chart_image_debris: OCR text of an embedded chart image; "
                                 "figures_not_extracted: prose with figures no rule reads; figures_left_in_used_line: "
                                 "a line a rule read that holds further figures (a share not stored, a number in a "
                                 "stated reason); project_list_not_read: a sentence with the wording of a project "
                                 "list (rules/project_lists.csv) whose names could not be read; "
                                 "table_row_not_recognised.", "类别"),
                 col("section", "string", "Section of the report the line sits in.", "所在部分"),
                 col("figures", "string", "The figures of the line that are in no fact, space-separated "
                     "(years, dates and list numbers are not counted as figures).", "未提取数字"),
                 col("text", "string", "The line as it stands in the report (lines joined when a sentence was "
                     "broken across them).", "原文")],
        key=["year", "source_line"], sort=["year", "source_line"]),
    "sections": dict(
        title="The report's sections and project self-evaluation tables, with the lines each spans: what a page "
              "cites a line by (a reader finds 绩效自评表：辅警经费 where a line number means nothing)",
        columns=[YEAR, col("source_line", "integer", "First line of the section (its heading) or table (its "
                           "title row).", "起始行", required=True),
                 col("last_line", "integer", "Last line of the section or table.", "结束行", required=True),
                 col("kind", "string", "section: a section of the prose (its key in read/rules/sections.csv); "
                     "project_table: a project's self-evaluation table.", "类别", required=True),
                 col("section", "string", "The section's key of read/rules/sections.csv; empty for a table.",
                     "部分"),
                 col("project_code", "string", "The table's project (projects.csv); empty for a section.",
                     "项目编码"),
                 col("heading_zh", "string", "The heading as printed (a table: its title row).", "标题")],
        key=["year", "source_line"], sort=["year", "source_line"]),
    "source_locations": dict(
        title="Where each line of a PDF report was printed (no rows for a .txt or .docx report)",
        columns=[YEAR, col("source_line", "integer", "Line of the report as read (the source_line of every other "
                           "table; a PDF's lines are its paragraphs and table cells, as in its .txt).", "来源行",
                           required=True),
                 col("page", "integer", "Page of the PDF the line was printed on (1-based).", "页码"),
                 col("line_on_page", "integer", "Printed line on that page, counted from the top (1-based).",
                     "页内行"),
                 col("location", "string", "page and line as one key, e.g. p12:L7.", "位置")],
        key=["year", "source_line"], sort=["year", "source_line"]),
    "restatements": dict(
        title="Figures two reports both state for the same year (a report restating last year's figures)",
        columns=[YEAR, col("metric", "string", "The fact (facts.metric) both reports state.", "指标", required=True),
                 col("value", "number", "The figure as this (the later) report states it.", "本报告数"),
                 LINE, col("derived", "boolean", "True when this report implies the figure by a stated change.",
                           "推算"),
                 col("other_report", "string", "The earlier report that also states the figure.", "对照报告",
                     required=True),
                 col("other_report_year", "integer", "The year of the earlier report.", "对照报告年度"),
                 col("other_value", "number", "The figure as the earlier report states it.", "对照报告数"),
                 col("other_source_line", "integer", "Line of the earlier report.", "对照来源行"),
                 col("other_derived", "boolean", "True when the earlier report implies the figure.", "对照推算"),
                 col("difference", "number", "value − other_value.", "差额"),
                 col("tolerance", "number", "Largest difference the rounding of both figures explains.", "容差"),
                 col("passed", "boolean", "True when the two agree within the tolerance.", "通过")],
        key=["year", "metric", "other_report"], sort=["year", "metric", "other_report_year"]),
}

# Report identity: every row says which unit's report stated it, so any number of units' reports
# of any years ingest together. A 2024 report restates 2023 figures; keyed by report, both statements are kept.
# The unit's id is `unit_id`, not `unit`: facts and indicators already have a `unit` column (万元, 辆, 人 …).
UNIT = col("unit_id", "string", "The unit that publishes the report: a file-system-safe id (data/names/units.csv "
           "`id`, else `unit-` and a hash of its name as printed; see helpers.read.identity.unit_id).", "单位标识",
           required=True)
REPORT = col("report", "string", "The report that states the row: its file name without extension.", "报告",
             required=True)
REPORT_YEAR = col("report_year", "integer", "The year the stating report is about (第二部分 YYYY年度…).", "报告年度",
                  required=True)
IDENTITY = [UNIT.name, REPORT.name, REPORT_YEAR.name]
for _spec in TABLES.values():
    _spec["columns"] = [UNIT, REPORT, REPORT_YEAR] + _spec["columns"]
    _spec["key"] = [UNIT.name, REPORT.name] + _spec["key"]
    _spec["sort"] = [UNIT.name, REPORT_YEAR.name, REPORT.name] + _spec["sort"]
    _spec["foreign"] = [([UNIT.name, REPORT.name] + fields, ref) for fields, ref in _spec.get("foreign", [])]


def frame(name: str, rows: list[dict]) -> pd.DataFrame:
    """A DataFrame of `rows` with the table's columns, in schema order, sorted by its sort keys.

    Rows built for one report before its identity is stamped (`stamp`) may leave out `unit_id`, `report`
    and `report_year` altogether; the frame then has every other column. Rows that carry them must all do.
    """
    spec = TABLES[name]
    stamped = not rows or any(REPORT.name in r for r in rows)
    specs = [c for c in spec["columns"] if stamped or c.name not in IDENTITY]
    columns = [c.name for c in specs]
    typed = {c.name: _typed_column([r.get(c.name, _MISSING) for r in rows], c.type) for c in specs}
    if all(column is not None for column in typed.values()):
        df = pd.DataFrame(typed)
    else:  # some value needs pandas's conversion (a missing field, a number in a text column …)
        df = cast(pd.DataFrame(rows, columns=columns), specs)
    df = df.sort_values([k for k in spec["sort"] if k in columns], kind="stable").reset_index(drop=True)
    if name == "facts":
        # Counts are written as whole numbers (112, not 112.0); amounts and rates as floats.
        counts = ~df["unit"].isin(["万元", "ratio"])
        df["value"] = pd.Series([int(v) if is_count else v for v, is_count in zip(df["value"], counts, strict=True)],
                                index=df.index, dtype=object)
    return df


_MISSING = object()  # a field a row leaves out: pandas makes it NaN, which `cast` converts by the column's type
_NATIVE = {"integer": {int, np.int64}, "number": {float, int, np.float64, np.int64, type(None)},
           "boolean": {bool, np.bool_}, "string": {str, type(None)}}


def as_framed(name: str, df: pd.DataFrame) -> pd.DataFrame:
    """`frame(name, records(df))` for a table of any reports, without their identity: `df`'s own columns in schema
    order, its rows sorted, when they already have the types `frame` gives them (a table `frame` built, as the
    audit reads it); else built anew from its rows (also an empty table: `frame` then keeps the identity columns)."""
    specs = [c for c in TABLES[name]["columns"] if c.name not in IDENTITY]
    columns = [c.name for c in specs]

    def as_frame_types(c: Column) -> bool:
        column = df[c.name]
        if name == "facts" and c.name == "value":  # counts as int, amounts and rates as float (see frame)
            amounts = df["unit"].isin(["万元", "ratio"])
            return column.dtype == object and all(type(v) is (float if amount else int)
                                                  for v, amount in zip(column, amounts, strict=True))
        dtype = DTYPES.get(c.type, DTYPES["string"])
        return column.dtype == dtype and not (dtype == DTYPES["string"] and column.hasnans)

    if len(df) and all(c in df for c in columns) and all(as_frame_types(c) for c in specs):
        sort = [k for k in TABLES[name]["sort"] if k in columns]
        return df[columns].sort_values(sort, kind="stable").reset_index(drop=True)
    return frame(name, records(df.drop(columns=[c for c in IDENTITY if c in df.columns])))


def _typed_column(values: list, type_: str) -> np.ndarray | pd.api.extensions.ExtensionArray | None:
    """`values` as a column of `type_` (what `cast` makes of them) when each is already a value of that type (None for
    a blank number or text); None when one is not, and pandas's conversion decides. Built at once, not converted:
    the tidy tables' rows are almost always so, and most of a small table's time went on converting."""
    if not {type(v) for v in values} <= _NATIVE[type_]:
        return None
    if type_ == "string":
        return pd.array(["" if v is None else v for v in values], dtype=DTYPES["string"])
    return np.array(values, dtype=DTYPES[type_])


def records(df: pd.DataFrame) -> list[dict]:
    """The rows of `df` as dicts, with the values `df.to_dict("records")` gives (Python int, float, bool, str), read
    as one array: to_dict reads a text column (Arrow-backed) value by value, several times slower."""
    columns = list(df.columns)
    return [dict(zip(columns, row, strict=True)) for row in df.to_numpy(dtype=object).tolist()]


DTYPES = {"integer": pd.api.types.pandas_dtype("int64"), "number": pd.api.types.pandas_dtype("float64"),
          "boolean": pd.api.types.pandas_dtype("bool"), "string": pd.Series([""]).astype("str").dtype}


def cast(df: pd.DataFrame, columns: list[Column]) -> pd.DataFrame:
    """`df` with each of `columns` in the dtype of its type: int64, float64, bool, or str (missing text is '')."""
    for c in columns:
        column, dtype = df[c.name], DTYPES.get(c.type, DTYPES["string"])
        if column.dtype == dtype and not (dtype == DTYPES["string"] and column.hasnans):
            continue  # already so (most columns, as pandas reads the rows): converting it would copy it unchanged
        df[c.name] = column.fillna("").astype("str") if dtype == DTYPES["string"] else column.astype(dtype)
    return df


def stamp(df: pd.DataFrame, unit_id: str, report: str, report_year: int) -> pd.DataFrame:
    """`df` with the identity of the unit and report that state its rows in `unit_id`, `report`, `report_year`."""
    columns = {UNIT.name: pd.array([unit_id] * len(df), dtype=DTYPES["string"]),
               REPORT.name: pd.array([report] * len(df), dtype=DTYPES["string"]),
               REPORT_YEAR.name: np.full(len(df), report_year, dtype="int64")}
    # the table's own columns as they are (copy on write keeps `df` apart): one frame made, not two joined
    columns.update({c: df[c].array for c in df.columns if c not in IDENTITY})
    return pd.DataFrame(columns, index=df.index, copy=False)


def read_table(name: str, tidy_dir: Path, columns: list[str] | None = None) -> pd.DataFrame:
    """Load one tidy CSV with the types its schema gives (text columns stay text, blanks stay ''); only `columns`
    when given (a few columns of a table of many reports: memory for those alone)."""
    spec = TABLES[name]
    path = Path(tidy_dir) / f"{name}.csv"
    if not path.exists():
        raise FileNotFoundError(f"{path} does not exist: build the tidy data first with `make data`")
    specs = [c for c in spec["columns"] if columns is None or c.name in columns]
    types = {c.name: ("str" if c.type == "string" else None) for c in specs}
    df = pd.read_csv(path, encoding="utf-8", dtype={k: v for k, v in types.items() if v}, keep_default_na=False,
                     na_values={c.name: [""] for c in specs if c.type in ("number", "integer")},
                     usecols=None if columns is None else [c.name for c in specs])
    for c in specs:
        if c.type == "boolean":
            df[c.name] = df[c.name].astype(str).str.lower().eq("true")
    return df


def to_csv_bytes(df: pd.DataFrame) -> bytes:
    """The CSV bytes of a table: UTF-8, '\\n' line ends, shortest float repr: the same input gives the same bytes."""
    return df.to_csv(index=False, lineterminator="\n").encode("utf-8")


def datapackage(names: list[str]) -> dict:
    """The Frictionless Data Package descriptor of the tables in `names`."""
    resources = []
    for name in names:
        spec = TABLES[name]
        fields = []
        for c in spec["columns"]:
            f = {"name": c.name, "type": c.type, "description": c.description}
            if c.label_zh:
                f["title"] = c.label_zh
            if c.unit:
                f["unit"] = c.unit
            if c.type == "boolean":
                f["trueValues"], f["falseValues"] = ["True"], ["False"]
            if c.required or c.name in spec["key"]:
                f["constraints"] = {"required": True}
            fields.append(f)
        schema = {"fields": fields, "primaryKey": spec["key"], "missingValues": [""]}
        if spec.get("foreign"):
            schema["foreignKeys"] = [{"fields": fields_, "reference": {"resource": ref, "fields": fields_}}
                                     for fields_, ref in spec["foreign"]]
        resources.append(
            {
                "name": name,
                "path": f"{name}.csv",
                "title": spec["title"],
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": schema,
            }
        )
    return {"name": "luzhou-final-accounts", "title": "Final-accounts reports (单位决算) as tidy tables",
            "profile": "tabular-data-package", "licenses": [{"name": "other-pd", "title": "Public government report"}],
            "resources": resources}


def write_tables(tables: dict[str, pd.DataFrame], out_dir: Path) -> list[Path]:
    """Write every table and datapackage.json into `out_dir`, all or nothing.

    Files are written into a temporary folder on the same file system first; only when every
    one is complete are they moved over the old ones (each move is atomic), so an error or an
    interrupt leaves `out_dir` as it was.
    """
    payloads = {f"{name}.csv": to_csv_bytes(df) for name, df in tables.items()}
    payloads["datapackage.json"] = (json.dumps(datapackage(list(tables)), ensure_ascii=False, indent=2)
                                    + "\n").encode("utf-8")
    return write_all(Path(out_dir), payloads)
