"""Read a report file (.txt, .docx or .pdf) into numbered lines and find its parts.

A report is prose sections (第一部分 … 第三部分 名词解释), then the project self-evaluation tables
(项目支出绩效自评表), which a unit that publishes its self-evaluations apart leaves
out. A .docx or a PDF is flattened to the same lines as its text (see `docx`, `pdf`). This module only
decodes and locates; the figures are taken out by `prose` and `tables`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from helpers.errors import ReportError
from helpers.read.normalize import Normalized, normalize

TABLE_TITLE = "部门预算项目支出绩效自评表"
REPORT_SUFFIXES = (".txt", ".docx", ".pdf")
# What the first bytes of a file say it is, for files that are not report text.
SIGNATURES = [
    (b"%PDF", "a PDF", "name it .pdf and it is read as a PDF"),
    (b"\xd0\xcf\x11\xe0", "an old Word .doc (or another Office 97 file)",
     "open it in Word or WPS and save it as .docx, then ingest that"),
]
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
PART2_HEADING = re.compile(r"第二部分\s*(\d{4})年度.*决算情况说明")
GLOSSARY_HEADING = re.compile(r"^(?:第三部分\s*)?名词解释")
APPENDIX_HEADING = re.compile(r"^第五部分\s*附表")


@dataclass(frozen=True)
class Report:
    """One decoded report: its path, its lines (index 0 is line 1) and where its parts start."""

    path: Path
    lines: list[str]
    year: int
    prose_end: int        # index of the first table title line, else of 第五部分 附表 (exclusive end of prose)
    glossary_start: int   # index of the 名词解释 heading
    tables_end: int       # index of 第五部分 附表, or len(lines)
    warnings: tuple[str, ...] = field(default=())  # said to the user, not errors (a --year override)
    normalized: tuple[Normalized, ...] = field(default=(), repr=False)  # each line normalised once
    locations: tuple[str, ...] = field(default=())  # a PDF's: where each line was printed, "p12:L7"

    def location(self, index: int) -> str:
        """Where line `index` (0-based) was printed: "p12:L7" for a PDF, "" for text and Word files."""
        return self.locations[index] if self.locations else ""

    def text(self, index: int) -> str:
        """Line `index` (0-based) normalised: the form every rule matches against."""
        return self.normalized[index].text


def decode(path: Path, raw: bytes) -> str:
    """Decode report bytes as UTF-8 or UTF-16 (with its byte-order mark), or explain what the bytes are."""
    if not raw.strip():
        raise ReportError(path, "the file is empty; expected the text of a final-accounts report")
    for signature, what, hint in SIGNATURES:
        if raw.startswith(signature):
            raise ReportError(path, f"this is {what}, not report text", hint=hint)
    if raw.startswith(b"PK\x03\x04"):
        raise ReportError(path, "this is a zip archive (a .docx, .xlsx or similar) named as text",
                          hint="if it is the report in Word format, name it .docx")
    if raw.startswith(UTF16_BOMS):
        try:
            text = raw.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise ReportError(path, f"the text starts as UTF-16 but is damaged at byte {exc.start}",
                              hint="save it again from the editor as UTF-8") from None
        return _lines_text(text)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        utf16 = _utf16_without_mark(raw)
        if utf16 is not None:
            return _lines_text(utf16)
        line = raw[: exc.start].count(b"\n") + 1
        hint = "convert it first, e.g. `iconv -f GBK -t UTF-8 IN > OUT`"
        looks = "like GBK/GB18030" if _looks_like_gbk(raw) else "like no encoding this reader knows"
        if not _looks_like_gbk(raw):
            hint = "find the program that wrote it and save the text as UTF-8 (Notepad: Save As, Encoding UTF-8)"
        raise ReportError(path, f"the text is not UTF-8 (byte 0x{raw[exc.start]:02x}); it looks {looks}",
                          line=line, hint=hint) from None
    return _lines_text(text)


def _lines_text(text: str) -> str:
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def _utf16_without_mark(raw: bytes) -> str | None:
    """The text when `raw` is UTF-16 without a byte-order mark (some editors save it so), else None.
    Read as UTF-16, a report shows its own words; bytes of another encoding do not."""
    for encoding in ("utf-16-le", "utf-16-be"):
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "决算" in text:
            return text
    return None


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
    locations: list[str] = []
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ReportError(path, f"cannot read the file: {exc.strerror}") from None
    if path.suffix.lower() == ".docx":
        from helpers.read.docx import docx_lines

        lines = docx_lines(path, raw)
    elif path.suffix.lower() == ".pdf":
        from helpers.read.pdf import pdf_lines

        if not raw.startswith(b"%PDF"):
            raise ReportError(path, "is named .pdf but is not a PDF (it does not start with %PDF)",
                              hint="rename it to what it is (.txt or .docx)")
        lines, locations = pdf_lines(path, raw)
    else:
        lines = decode(path, raw).split("\n")

    normalized = tuple(normalize(line) for line in lines)
    texts = [n.text for n in normalized]
    # each pattern only on the lines holding its literal words: the same matches, without a search of every line
    headings = [(i, PART2_HEADING.search(line)) for i, line in enumerate(texts) if "第二部分" in line]
    headings = [(i, m) for i, m in headings if m]
    stated_year = int(headings[0][1].group(1)) if headings else None
    if len(headings) > 1:
        where = ", ".join(f"line {i + 1} ({m.group(1)})" for i, m in headings)
        raise ReportError(path, f"holds more than one report: the heading '第二部分 YYYY年度…决算情况说明' "
                          f"appears {len(headings)} times, at {where}; expected one report per file",
                          line=headings[1][0] + 1,
                          hint="split the file so that each report is a file of its own (one per year folder)")
    if stated_year is None:
        _refuse_other_template(path, texts)
        raise ReportError(path, "this does not look like a final-accounts report: no heading "
                          "'第二部分 YYYY年度…决算情况说明' was found",
                          hint="pass the text of a 单位决算 report flattened from its .docx")

    # Many units publish the project self-evaluations (绩效自评) apart: without their tables the prose runs to
    # 第五部分 附表 (or the end), and the report has no projects.
    first_table = next((i for i, l in enumerate(texts) if l.strip().startswith(TABLE_TITLE)), None)
    appendix = next((i for i, l in enumerate(texts) if "第五部分" in l and i > (first_table or 0)
                     and APPENDIX_HEADING.search(l.strip())), len(lines))
    prose_end = first_table if first_table is not None else appendix
    glossary = next((i for i, l in enumerate(texts[:prose_end]) if GLOSSARY_HEADING.search(l.strip())), None)
    if glossary is None:
        raise ReportError(path, "no '第三部分 名词解释' heading after the prose sections"
                          + (" and before the project tables" if first_table is not None else ""),
                          section="第三部分 名词解释")
    tables_end = appendix
    warnings = ()
    if year is not None and year != stated_year:
        warnings = (f"{path}: --year {year} overrides the year the report states ({stated_year}, "
                    f"line {_stated_line(lines)}); every figure is filed under {year}",)
    return Report(path=path, lines=lines, year=year if year is not None else stated_year,
                  prose_end=prose_end, glossary_start=glossary, tables_end=tables_end, warnings=warnings,
                  normalized=normalized, locations=tuple(locations))


def _refuse_other_template(path: Path, texts: list[str]) -> None:
    """Refuse a 部门决算 (another template, e.g. Shanghai's) saying what was found in it."""
    from helpers.read.pdf import layout_rules

    title = next((m.group("title") for line in texts[:40] for p in layout_rules("other_template")
                  if (m := p.search(line.replace(" ", "")))), None)
    if title is None:
        return
    tables = list(dict.fromkeys(m.group("title") for line in texts for p in layout_rules("other_template_table")
                                if (m := p.search(line.strip().replace(" ", "")))))
    found = f"'{title}'" + (f" with the standard tables {'、'.join(tables[:6])}" if tables else "")
    raise ReportError(path, f"a 部门决算 of another template: {found}; this project reads the Sichuan 单位决算 "
                      "template (第二部分 YYYY年度…决算情况说明 and 部门预算项目支出绩效自评表)",
                      hint="only Sichuan 单位决算 reports can be read for now")


def _stated_line(lines: list[str]) -> int:
    return next(i for i, line in enumerate(lines, start=1) if PART2_HEADING.search(normalize(line).text))
