"""Build a .docx from a report text, the way the report is published: prose as paragraphs, each project
table as a real Word table (rows of cells, a cell's paragraphs, vertically merged cells, a short row's last
cell spanning the rest). Flattened back by helpers.read.docx it gives the text's lines.
"""

from __future__ import annotations

from pathlib import Path

import docx
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Length

from helpers.read.decode import read_report

MERGED_COLUMNS = range(0, 4)  # 绩效指标 and 一级/二级/三级指标: the columns a report merges downwards


def table_rows(lines: list[str]) -> list[list[list[str]]]:
    """The table region's rows, each a list of cells, each cell a list of paragraphs. A run of k blank
    lines after a row is its separator plus k-1 empty paragraphs at the end of its last cell."""
    rows: list[list[list[str]]] = []
    pending_blank = 0
    for line in lines:
        if line.startswith("\t"):
            if pending_blank or not rows:
                if rows and pending_blank > 1:
                    rows[-1][-1].extend([""] * (pending_blank - 1))
                rows.append([])
            rows[-1].append([line[1:]])
            pending_blank = 0
        elif not line.strip() and line == "":
            pending_blank += 1
        else:  # a continuation: the blank lines before it were inside the cell
            rows[-1][-1].extend([""] * pending_blank + [line])
            pending_blank = 0
    if rows and pending_blank > 1:
        rows[-1][-1].extend([""] * (pending_blank - 1))
    return rows


def _set_cell(cell, paragraphs: list[str]) -> None:
    cell.paragraphs[0].text = paragraphs[0]
    for text in paragraphs[1:]:
        cell.add_paragraph(text)


def _v_merge(cell, value: str) -> None:
    tc_pr = cell._tc.get_or_add_tcPr()
    merge = OxmlElement("w:vMerge")
    if value == "restart":
        merge.set(qn("w:val"), "restart")
    tc_pr.append(merge)


def _span_to_the_end(tcs: list) -> None:
    """The first of the new row's cells `tcs` spanning them all, as python-docx's `_Cell.merge` makes it (gridSpan,
    the widths added up, the others removed): merge finds the cells by their grid offsets again at each step, and
    took most of a report's build (1.5 s of 1.8)."""
    first, *rest = tcs
    width = first.width
    for tc in rest:  # new cells: empty, one grid column each, so there is no content to move
        if width and tc.width:
            width += tc.width
        tc.getparent().remove(tc)
    if width != first.width:
        first.width = Length(width)
    first.grid_span = len(tcs)
    first.vMerge = None


def add_table(document, rows: list[list[list[str]]]) -> None:
    width = max(len(r) for r in rows)
    table = document.add_table(rows=len(rows), cols=width)
    trs = table._tbl.tr_lst
    for r, cells in enumerate(rows):
        tcs = trs[r].tc_lst
        if len(cells) < width:
            _span_to_the_end(tcs[len(cells) - 1:])
            tcs = trs[r].tc_lst
        for c, paragraphs in enumerate(cells):
            cell = docx.table._Cell(tcs[c], table)
            above = rows[r - 1] if r else None
            if (c in MERGED_COLUMNS and paragraphs == [""] and above is not None and len(above) == len(cells) == 11
                    and c < len(above)):
                _v_merge(cell, "continue")
                above_tc = trs[r - 1].tc_lst[c]
                if above_tc.tcPr is None or above_tc.tcPr.find(qn("w:vMerge")) is None:
                    _v_merge(docx.table._Cell(above_tc, table), "restart")
            else:
                _set_cell(cell, paragraphs)


def build_docx(text_path: Path, out: Path) -> Path:
    """Write `out` (.docx) holding the report of `text_path`."""
    report = read_report(text_path)
    lines = report.lines
    document = docx.Document()
    for line in lines[: report.prose_end]:
        document.add_paragraph(line)
    region = lines[report.prose_end: report.tables_end]
    rows = table_rows(region)
    tables: list[list] = []
    for row in rows:
        if row[0][0].strip().startswith("部门预算项目支出绩效自评表") or not tables:
            tables.append([])
        tables[-1].append(row)
    for rows_of_table in tables:
        add_table(document, rows_of_table)
    for line in lines[report.tables_end:]:
        document.add_paragraph(line)
    # python-docx's default document starts with no paragraph; nothing to remove.
    document.save(out)
    return out
