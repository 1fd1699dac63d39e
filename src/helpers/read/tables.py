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
from helpers.read.decode import TABLE_TITLE, Report
from helpers.read.normalize import normalize_text, rules_table
from helpers.read.numbers import amount_units, in_wan_yuan, parse_amount, parse_rate, parse_score, to_number

# Row labels of the budget part, in the Sichuan and the Ministry of Finance templates (rules/*.csv).
FUNDING_SOURCES = {row["label"]: row["source_zh"] for row in rules_table("funding_labels")}
TOTAL_LABELS = {row["label"] for row in rules_table("total_labels")}
BUDGET_LABELS = set(FUNDING_SOURCES) | TOTAL_LABELS
# The 原因 cell of the 总额 row holds the form's own instructions unless a reason was written in.
FORM_INSTRUCTIONS = re.compile(r"^1\.预算执行率=预算执行数/调整后预算数")
# The code and the name are joined by a dash, or only by a space in some reports.
CODE_AND_NAME = re.compile(r"^\s*(?P<code>[0-9A-Z]{10,})(?:\s*[-－—]\s*|\s+)(?P<name>\S.*?)\s*$")
# The unit the budget part prints its amounts in: 年度预算数（万元）, or 元 / 亿元 in some reports.
BUDGET_UNIT = re.compile(r"（(?P<unit>[^（）]*元)）")
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
    """Cell `i` normalised (see `normalize`): for labels and numbers."""
    return normalize_text(row.cells[i]).strip() if i < len(row.cells) else ""


def _text(row: Row, i: int) -> str:
    """Cell `i` as the report writes it: for text the tidy data keeps."""
    return row.cells[i].strip() if i < len(row.cells) else ""


def _line(row: Row, i: int) -> int:
    return row.lines[i] if i < len(row.lines) else row.line


INDICATOR_VALUE_CELLS = (5, 7, 8, 9)  # 指标值, 完成值, 权重, 得分


def _values_line(row: Row) -> int:
    """The line of an indicator row's first value (its 指标值, else 完成值 …): in the text a row starts with
    empty merged cells, lines above the figures a reader would look for."""
    return next((_line(row, i) for i in INDICATOR_VALUE_CELLS if _cell(row, i)), row.line)


INDICATOR_CELLS = 11  # (merged 绩效指标), 一级, 二级, 三级指标, 指标性质, 指标值, 度量单位, 完成值, 权重, 得分, 原因


def _budget_row(row: Row, path, section: str) -> Row:
    """A budget row whose label is not in its second cell (a merged first cell, an extra cell), realigned
    on its label so its values land in their columns; an unknown label with figures is a reading error."""
    labels = [i for i, c in enumerate(row.cells) if normalize_text(c).strip() in BUDGET_LABELS]
    if labels:
        at = labels[0]
        if at == 0:
            return Row([""] + row.cells, [row.line] + row.lines)
        return Row(row.cells[at - 1:], row.lines[at - 1:])
    if _has_figures(row, 1):
        raise _unknown_budget_label(row, _cell(row, 0), path, section)
    return row


def _has_figures(row: Row, start: int) -> bool:
    return any(to_number(_cell(row, i)) is not None for i in range(start, len(row.cells)))


def _unknown_budget_label(row: Row, label: str, path, section: str) -> ReportError:
    return ReportError(path, f"the budget row '{label}' has figures but its label is not one this reader knows: "
                       f"expected one of {', '.join(sorted(BUDGET_LABELS))}; its amounts would be missing from the "
                       "funding sources",
                       line=row.line, section=section,
                       hint="add the label and the funding source it stands for to "
                            "src/helpers/read/rules/funding_labels.csv (or total_labels.csv)")


def _budget_unit(row: Row, path, section: str) -> str:
    """The unit of the budget amounts as the header prints it (年度预算数（万元）); 万元 when it prints none.
    A unit rules/amount_units.csv does not list is an error: the amounts would be off by a power of ten."""
    for i in range(len(row.cells)):
        match = BUDGET_UNIT.search(_cell(row, i))
        if match:
            if match.group("unit") not in amount_units():
                raise ReportError(path, f"amounts look like {match.group('unit')}: the budget header reads "
                                  f"{_cell(row, i)!r}; amounts are read in {', '.join(amount_units())}",
                                  line=_line(row, i), section=section,
                                  hint="add the unit and its worth in 万元 to src/helpers/read/rules/amount_units.csv")
            return match.group("unit")
    return "万元"


def _plausible_indicator(cells: list[str]) -> bool:
    """Whether the cells of an indicator row sit in their columns, judged by what they hold."""
    def cell(i: int) -> str:
        return normalize_text(cells[i]).strip() if i < len(cells) else ""
    return (cell(4) in OPERATORS or cell(4) == "") and to_number(cell(6)) is None \
        and all(cell(i) == "" or to_number(cell(i)) is not None for i in (8, 9))


def _indicator_row(row: Row, path, section: str) -> Row:
    """An indicator row of 11 cells as is; one cell short (a merged cell such as 度量单位), the empty cell
    is put back where the values say it is missing. When the values allow several places, or none, it is
    a reading error at the row, never a shifted row."""
    if len(row.cells) >= INDICATOR_CELLS:
        return row
    candidates = {tuple(row.cells[:i] + [""] + row.cells[i:]): i for i in range(1, len(row.cells) + 1)
                  if _plausible_indicator(row.cells[:i] + [""] + row.cells[i:])}
    if len(candidates) != 1:
        raise ReportError(path, f"an indicator row has {len(row.cells)} cells, one short of {INDICATOR_CELLS}, "
                          "and its values do not show which cell is missing: "
                          + " | ".join(c.strip() for c in row.cells), line=row.line, section=section,
                          hint="give the row its empty cell back (e.g. an empty 度量单位) in the report text")
    at = next(iter(candidates.values()))
    return Row(row.cells[:at] + [""] + row.cells[at:], row.lines[:at] + [row.lines[min(at, len(row.lines) - 1)]]
               + row.lines[at:])


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
                         budget_line=0, executed_line=0, goal_line=0, total_line=0)
    table = ProjectTable(project)
    section = f"{TABLE_TITLE} starting at line {start}"
    state = "head"
    level1 = level2 = name = name_unit = ""
    budget_unit = "万元"

    def amount(row: Row, i: int, what: str, blank: bool = False) -> float:
        value = parse_amount(_cell(row, i), what=f"{what} of {project['project_name'] or 'this project'}",
                             path=path, line=_line(row, i), allow_blank=blank)
        return value if math.isnan(value) else in_wan_yuan(value, _cell(row, i), budget_unit)[0]

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
        if state == "budget" and c0 not in ("", "绩效指标") and not c0.startswith("绩效指标"):
            row = _budget_row(row, path, section)
            c0, c1 = _cell(row, 0), _cell(row, 1)
        elif state == "budget" and c0 == "" and c1 not in BUDGET_LABELS and c1 and _has_figures(row, 2):
            raise _unknown_budget_label(row, c1, path, section)
        if state == "budget" and c1 in TOTAL_LABELS and project["budget_line"]:
            raise ReportError(path, f"a second '{c1}' row in the table of {project['project_name']}: expected one "
                              "budget row per project", line=row.line, section=section)
        if c0 == "项目名称":
            match = CODE_AND_NAME.match(_text(row, 1))
            project["project_code"], project["project_name"] = (
                (normalize_text(match.group("code")), match.group("name")) if match else ("", _text(row, 1)))
            project["source_line"] = row.line
        elif c0 == "主管部门":
            project["department"], project["implementer"] = _text(row, 1), _text(row, 3)
        elif c0 == "项目基本情况":
            state = "goals"
        elif state == "goals" and c0 == "" and c1 == "" and len(row.cells) >= 4:
            project["annual_goal"], project["goal_completion"] = _text(row, 2), _text(row, 3)
            project["goal_line"] = _line(row, 3)
            state = "head"
        elif c1.startswith("2.项目实施内容"):
            project["implementation"] = _text(row, 2)
        elif c0.startswith("预算执行情况"):
            weight = re.search(r"（(\d+(?:\.\d+)?)分）", c0)
            project["budget_weight"] = float(weight.group(1)) if weight else math.nan
            state = "budget"
            budget_unit = _budget_unit(row, path, section)
        elif state == "budget" and c1 in TOTAL_LABELS:
            # A blank 年初预算 is a project added during the year: no initial budget, not an error.
            project.update(
                budget_initial=amount(row, 2, "年初预算", True), budget_adjusted=amount(row, 3, "调整后预算数"),
                executed=amount(row, 4, "预算执行数"), execution_rate_reported=rate(row, 5, "预算执行率"),
                budget_score=parse_score(_cell(row, 7), what="预算执行得分", path=path, line=_line(row, 7)),
                # the lines of the 调整后预算数 and 预算执行数 figures, not the row's first (often empty) cell
                budget_line=_line(row, 3), executed_line=_line(row, 4))
            weight = to_number(_cell(row, 6))
            if weight is not None:
                project["budget_weight"] = weight
            reason = _text(row, 8)
            project["shortfall_reason"] = "" if FORM_INSTRUCTIONS.match(_cell(row, 8)) else reason
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
        elif state == "indicators" and c0 == "" and len(row.cells) >= INDICATOR_CELLS - 1:
            row = _indicator_row(row, path, section)
            unit = _cell(row, 6)
            inherited = not _cell(row, 3)
            level1 = _text(row, 1) or level1
            level2 = _text(row, 2) or level2
            # An empty name cell is a merged cell carrying the name above down, unless the row measures
            # something else: a different unit (人次 under a % satisfaction rate) means the name was left out.
            name_missing = inherited and unit != name_unit
            if not inherited:
                name, name_unit = _text(row, 3), unit
            # The operator is never carried down: under an inherited name it is unknown, not the one above.
            operator = _cell(row, 4)
            target, actual = _text(row, 5), _text(row, 7)
            what = f"indicator {name!r} of {project['project_name']}"
            table.indicators.append(dict(
                year=year, project_code=project["project_code"], level1=level1, level2=level2,
                indicator="" if name_missing else name, name_inherited=inherited and not name_missing,
                name_missing=name_missing, operator=_text(row, 4),
                operator_symbol=OPERATORS.get(operator, ""), target=target, target_value=to_number(_cell(row, 5)),
                unit=_text(row, 6), actual=actual, actual_value=to_number(_cell(row, 7)),
                weight=parse_score(_cell(row, 8), what=f"权重 of {what}", path=path, line=_line(row, 8)),
                score=parse_score(_cell(row, 9), what=f"得分 of {what}", path=path, line=_line(row, 9)),
                shortfall_reason=_text(row, 10), actual_line=_line(row, 7), source_line=_values_line(row)))
        elif c0 == "合计":
            project["total_weight"] = parse_score(c1, what="合计权重", path=path, line=_line(row, 1))
            project["total_score"] = parse_score(_cell(row, 2), what="合计得分 (总分)", path=path, line=_line(row, 2))
            project["total_line"] = row.line
            state = "closing"
        elif c0 == "评价结论":
            project["conclusion"] = _text(row, 1)
        elif c0 == "存在问题":
            project["problems"] = _text(row, 1)
        elif c0 == "改进措施":
            project["measures"] = _text(row, 1)
        elif c0.startswith("项目负责人"):
            project["project_lead"] = re.sub(r"^项目负责人[:：]\s*", "", _text(row, 0))
            project["finance_lead"] = re.sub(r"^财务负责人[:：]\s*", "", _text(row, 1))
        else:
            table.unconsumed.append(
                dict(
                    year=year,
                    source_line=row.line,
                    kind="table_row_not_recognised",
                    section=section,
                    figures="",
                    text=" | ".join(c.strip() for c in row.cells)[:200],
                )
            )

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
