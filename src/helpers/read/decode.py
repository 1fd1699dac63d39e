"""Read a report text file into numbered lines and find its parts.

A report is a .docx flattened to text: prose sections (第一部分 … 第三部分 名词解释), then the
project self-evaluation tables (项目支出绩效自评表). This module only decodes and locates; the
figures are taken out by `prose` and `tables`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from helpers.errors import ReportError

TABLE_TITLE = "部门预算项目支出绩效自评表"
PART2_HEADING = re.compile(r"第二部分\s*(\d{4})年度.*决算情况说明")
GLOSSARY_HEADING = re.compile(r"^第三部分\s*名词解释")
APPENDIX_HEADING = re.compile(r"^第五部分\s*附表")


@dataclass(frozen=True)
class Report:
    """One decoded report: its path, its lines (index 0 is line 1) and where its parts start."""

    path: Path
    lines: list[str]
    year: int
    prose_end: int        # index of the first table title line (exclusive end of prose)
    glossary_start: int   # index of the 名词解释 heading
    tables_end: int       # index of 第五部分 附表, or len(lines)

    def text(self, index: int) -> str:
        return self.lines[index]


def decode(path: Path, raw: bytes) -> str:
    """Decode report bytes as UTF-8, or explain what the bytes look like instead."""
    if not raw.strip():
        raise ReportError(path, "the file is empty; expected the text of a final-accounts report")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        hint = "convert it first, e.g. `iconv -f GBK -t UTF-8 IN > OUT`"
        looks = "GBK/GB18030" if _looks_like_gbk(raw) else "not UTF-8"
        raise ReportError(path, f"the text is not UTF-8 (byte 0x{raw[exc.start]:02x}); it looks {looks}",
                          line=line, hint=hint) from None
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def _looks_like_gbk(raw: bytes) -> bool:
    try:
        raw.decode("gb18030")
    except UnicodeDecodeError:
        return False
    return True


def read_report(path: Path | str, year: int | None = None) -> Report:
    """Read and locate the parts of the report at `path`.

    `year` overrides the year the report states in its 第二部分 heading.
    Raises ReportError when the text is not such a report.
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ReportError(path, f"cannot read the file: {exc.strerror}") from None
    lines = decode(path, raw).split("\n")

    stated_year = None
    for line in lines:
        match = PART2_HEADING.search(line)
        if match:
            stated_year = int(match.group(1))
            break
    if stated_year is None:
        raise ReportError(path, "this does not look like a final-accounts report: no heading "
                          "'第二部分 YYYY年度…决算情况说明' was found",
                          hint="pass the text of a 单位决算 report flattened from its .docx")

    first_table = next((i for i, l in enumerate(lines) if l.strip().startswith(TABLE_TITLE)), None)
    if first_table is None:
        raise ReportError(path, f"no project self-evaluation table ('{TABLE_TITLE}') was found; "
                          "the report may be truncated", section="第四部分 附件")
    glossary = next((i for i, l in enumerate(lines[:first_table]) if GLOSSARY_HEADING.search(l.strip())), None)
    if glossary is None:
        raise ReportError(path, "no '第三部分 名词解释' heading before the project tables",
                          section="第三部分 名词解释")
    tables_end = next((i for i, l in enumerate(lines) if i > first_table and APPENDIX_HEADING.search(l.strip())),
                      len(lines))
    return Report(path=path, lines=lines, year=year if year is not None else stated_year,
                  prose_end=first_table, glossary_start=glossary, tables_end=tables_end)
