"""Parse the project self-evaluation tables (项目支出绩效自评表).

In the flattened text a table row is a block of cells, each starting with a tab, blocks
separated by blank lines; a cell that runs over several lines continues on lines without a tab
(sometimes after a blank line). `split_rows` rebuilds the rows with the line of every cell;
`parse_tables` turns the rows of each table into a project, its funding rows and indicators.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from helpers.errors import ReportError
from helpers.read.numbers import parse_amount, parse_rate, parse_score, to_number
from helpers.read.decode import TABLE_TITLE, Report

FUNDING_SOURCES = {"其中：财政资金": "财政资金", "财政资金": "财政资金", "财政专户管理资金": "财政专户管理资金",
                   "单位资金": "单位资金", "其他资金": "其他资金"}
# The 原因 cell of the 总额 row holds the form's own instructions unless a reason was written in.
FORM_INSTRUCTIONS = re.compile(r"^1\.预算执行率=预算执行数/调整后预算数")
CODE_AND_NAME = re.compile(r"^\s*(?P<code>[0-9A-Z]{10,})\s*[-－—]\s*(?P<name>.+?)\s*$")
OPERATORS = {"＝": "=", "=": "=", "≥": ">=", "≤": "<=", "＞": ">", ">": ">", "＜": "<", "<": "<", "定性": "qualitative"}


@dataclass
class Row:
    """One table row: its cells and, for each cell, the report line (1-based) it starts on."""

    cells: list[str]
    lines: list[int]

    @property
    def line(self) -> int:
        return self.lines[0]

    def first(self) -> str:
        """The first non-empty cell, stripped ('' for an empty row)."""
        return next((c.strip() for c in self.cells if c.strip()), "")


@dataclass
class ProjectTable:
    project: dict
    funding: list[dict] = field(default_factory=list)
    indicators: list[dict] = field(default_factory=list)
    unconsumed: list[dict] = field(default_factory=list)


def split_rows(report: Report) -> list[Row]:
    """Rebuild table rows from the lines between the first table title and 第五部分 附表."""
    rows: list[Row] = []
    current: Row | None = None
    for index in range(report.prose_end, report.tables_end):
        text = report.lines[index]
        if text.startswith("\t"):
            if current is None:
                current = Row([], [])
                rows.append(current)
            current.cells.append(text[1:])
            current.lines.append(index + 1)
        elif not text.strip():
            current = None
        elif rows:
            # A continuation line belongs to the last cell written. After a blank line it shows
            # that the blank was inside the cell, so the row goes on: the next tab line adds a cell.
            current = rows[-1]
            current.cells[-1] += "\n" + text
        else:
            raise ReportError(report.path, f"expected a table cell (a line starting with a tab), found {text[:40]!r}",
                              line=index + 1, section=TABLE_TITLE)
    return rows


def group_tables(rows: list[Row]) -> list[list[Row]]:
    """Split the rows at each table title row."""
    tables: list[list[Row]] = []
    for row in rows:
        if row.first().startswith(TABLE_TITLE):
            tables.append([])
        if tables:
            tables[-1].append(row)
    return tables


def _cell(row: Row, i: int) -> str:
    return row.cells[i].strip() if i < len(row.cells) else ""


def _line(row: Row, i: int) -> int:
    return row.lines[i] if i < len(row.lines) else row.line


INDICATOR_VALUE_CELLS = (5, 7, 8, 9)  # 指标值, 完成值, 权重, 得分


def _values_line(row: Row) -> int:
    """The line of an indicator row's first value (its 指标值, else 完成值 …): in the text a row starts with
    empty merged cells, lines above the figures a reader would look for."""
    return next((_line(row, i) for i in INDICATOR_VALUE_CELLS if _cell(row, i)), row.line)


def parse_table(report: Report, rows: list[Row]) -> ProjectTable:
    """Parse one project table; raises ReportError for a missing part or a bad number cell."""
    path, year = report.path, report.year
    start = rows[0].line
    project: dict = dict(year=year, project_code="", project_name="", department="", implementer="",
                         annual_goal="", goal_completion="", implementation="", budget_weight=math.nan,
                         budget_initial=math.nan, budget_adjusted=math.nan, executed=math.nan,
                         execution_rate_reported=math.nan, budget_score=math.nan, shortfall_reason="",
                         indicator_weight=math.nan, total_weight=math.nan, total_score=math.nan, conclusion="",
                         problems="", measures="", project_lead="", finance_lead="", source_line=start,
                         budget_line=0, total_line=0)
    table = ProjectTable(project)
    section = f"{TABLE_TITLE} starting at line {start}"
    state = "head"
    level1 = level2 = name = name_unit = ""

    def amount(row: Row, i: int, what: str, blank: bool = False) -> float:
        return parse_amount(_cell(row, i), what=f"{what} of {project['project_name'] or 'this project'}",
                            path=path, line=_line(row, i), allow_blank=blank)

    def rate(row: Row, i: int, what: str, blank: bool = False) -> float:
        return parse_rate(_cell(row, i), what=f"{what} of {project['project_name'] or 'this project'}",
                          path=path, line=_line(row, i), allow_blank=blank)

    for row in rows[1:]:
        first = row.first()
        c0, c1 = _cell(row, 0), _cell(row, 1)
        if not first:
            continue
        if c0 in ("项目名称", "合计") and project["total_line"] or c0 == "项目名称" and project["project_name"]:
            raise ReportError(path, f"a second '{c0}' row inside the table of {project['project_name']}: expected "
                              f"the title row '{TABLE_TITLE}' before a new project (the report may be damaged)",
                              line=row.line, section=section)
        if state == "budget" and c1 == "总额" and project["budget_line"]:
            raise ReportError(path, f"a second '总额' row in the table of {project['project_name']}: expected one "
                              "budget row per project", line=row.line, section=section)
        if c0 == "项目名称":
            match = CODE_AND_NAME.match(c1)
            project["project_code"], project["project_name"] = (
                (match.group("code"), match.group("name")) if match else ("", c1))
            project["source_line"] = row.line
        elif c0 == "主管部门":
            project["department"], project["implementer"] = c1, _cell(row, 3)
        elif c0 == "项目基本情况":
            state = "goals"
        elif state == "goals" and c0 == "" and c1 == "" and len(row.cells) >= 4:
            project["annual_goal"], project["goal_completion"] = _cell(row, 2), _cell(row, 3)
            state = "head"
        elif c1.startswith("2.项目实施内容"):
            project["implementation"] = _cell(row, 2)
        elif c0.startswith("预算执行情况"):
            weight = re.search(r"（(\d+(?:\.\d+)?)分）", c0)
            project["budget_weight"] = float(weight.group(1)) if weight else math.nan
            state = "budget"
        elif state == "budget" and c1 == "总额":
            project.update(
                budget_initial=amount(row, 2, "年初预算"), budget_adjusted=amount(row, 3, "调整后预算数"),
                executed=amount(row, 4, "预算执行数"), execution_rate_reported=rate(row, 5, "预算执行率"),
                budget_score=parse_score(_cell(row, 7), what="预算执行得分", path=path, line=_line(row, 7)),
                budget_line=row.line)
            weight = to_number(_cell(row, 6))
            if weight is not None:
                project["budget_weight"] = weight
            reason = _cell(row, 8)
            project["shortfall_reason"] = "" if FORM_INSTRUCTIONS.match(reason) else reason
        elif state == "budget" and c1 in FUNDING_SOURCES:
            table.funding.append(dict(
                year=year, project_code=project["project_code"], source_zh=FUNDING_SOURCES[c1],
                budget_initial=amount(row, 2, f"{c1} 年初预算", True),
                budget_adjusted=amount(row, 3, f"{c1} 调整后预算数", True),
                executed=amount(row, 4, f"{c1} 预算执行数", True),
                execution_rate_reported=rate(row, 5, f"{c1} 预算执行率", True), source_line=row.line))
        elif c0.startswith("绩效指标"):
            weight = re.search(r"（(\d+(?:\.\d+)?)分）", c0)
            project["indicator_weight"] = float(weight.group(1)) if weight else math.nan
            state = "indicators"
        elif state == "indicators" and c0 == "" and len(row.cells) >= 10:
            unit = _cell(row, 6)
            inherited = not _cell(row, 3)
            level1 = _cell(row, 1) or level1
            level2 = _cell(row, 2) or level2
            # An empty name cell is a merged cell carrying the name above down, unless the row measures
            # something else: a different unit (人次 under a % satisfaction rate) means the name was left out.
            name_missing = inherited and unit != name_unit
            if not inherited:
                name, name_unit = _cell(row, 3), unit
            # The operator is never carried down: under an inherited name it is unknown, not the one above.
            operator = _cell(row, 4)
            target, actual = _cell(row, 5), _cell(row, 7)
            what = f"indicator {name!r} of {project['project_name']}"
            table.indicators.append(dict(
                year=year, project_code=project["project_code"], level1=level1, level2=level2,
                indicator="" if name_missing else name, name_inherited=inherited and not name_missing,
                name_missing=name_missing, operator=operator,
                operator_symbol=OPERATORS.get(operator, ""), target=target, target_value=to_number(target),
                unit=unit, actual=actual, actual_value=to_number(actual),
                weight=parse_score(_cell(row, 8), what=f"权重 of {what}", path=path, line=_line(row, 8)),
                score=parse_score(_cell(row, 9), what=f"得分 of {what}", path=path, line=_line(row, 9)),
                shortfall_reason=_cell(row, 10), source_line=_values_line(row)))
        elif c0 == "合计":
            project["total_weight"] = parse_score(c1, what="合计权重", path=path, line=_line(row, 1))
            project["total_score"] = parse_score(_cell(row, 2), what="合计得分 (总分)", path=path, line=_line(row, 2))
            project["total_line"] = row.line
            state = "closing"
        elif c0 == "评价结论":
            project["conclusion"] = c1
        elif c0 == "存在问题":
            project["problems"] = c1
        elif c0 == "改进措施":
            project["measures"] = c1
        elif c0.startswith("项目负责人"):
            project["project_lead"] = re.sub(r"^项目负责人[:：]\s*", "", c0)
            project["finance_lead"] = re.sub(r"^财务负责人[:：]\s*", "", c1)
        else:
            table.unconsumed.append(dict(year=year, source_line=row.line, kind="table_row_not_recognised", section=section, figures="",
                                         text=" | ".join(c.strip() for c in row.cells)[:200]))

    if not project["project_name"]:
        raise ReportError(path, "expected a '项目名称' row naming the project", line=start, section=section)
    section = f"{TABLE_TITLE} of {project['project_name']} (line {start})"
    if not project["budget_line"]:
        raise ReportError(path, "expected a '总额' row with the budget figures; the table is incomplete "
                          "(the report may be truncated)", line=start, section=section)
    if not project["total_line"]:
        raise ReportError(path, "expected a '合计' row with the total score; the table is incomplete "
                          "(the report may be truncated)", line=start, section=section)
    if not project["project_code"]:
        # Without a code the name keys the project; the other tables refer to it the same way.
        project["project_code"] = project["project_name"]
        for row_dict in table.funding + table.indicators:
            row_dict["project_code"] = project["project_name"]
    return table


def parse_tables(report: Report) -> list[ProjectTable]:
    """Every project table of the report, in report order."""
    tables = [parse_table(report, rows) for rows in group_tables(split_rows(report))]
    codes = [t.project["project_code"] for t in tables]
    duplicates = sorted({c for c in codes if codes.count(c) > 1})
    if duplicates:
        raise ReportError(report.path, f"project code(s) {', '.join(duplicates)} appear in more than one table; "
                          "expected one table per project", section=TABLE_TITLE)
    return tables
