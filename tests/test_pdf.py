"""The report as a PDF printed from its .docx gives the same tidy data as its text; PDFs that cannot be read
are refused clearly; the reader works on real PDFs of another template (../shared/realworld).

The test PDFs are printed by headless Chromium from the test .docx (tests/report_pdf.py): a running header
and page numbers on every page, ruled tables with merged cells, the tables' header rows repeated on each
page, columns narrow enough to wrap cell text over several lines. Most tests use the report's prose and
its first three tables (23 pages); one slow test prints and reads the whole report (98 pages).
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
from pathlib import Path

import pandas as pd
import pytest

from helpers import paths
from helpers.data.ingest import discover, main
from helpers.data.schema import TABLES, read_table
from helpers.read.decode import TABLE_TITLE, read_report
from report_docx import build_docx
from report_pdf import RUNNING_HEADER, docx_html, print_pdf
from variants import REPORT_2023

# Printing with Chromium and reading tens of pages with pdfplumber take seconds each: these run under
# `make test`, not `make test-fast`, except the few that read no PDF.
slow = pytest.mark.slow
REALWORLD = paths.ROOT.parent / "shared" / "realworld"
SHANGHAI_FINANCE = REALWORLD / "shanghai_putuo_finance_2024_final_accounts.pdf"
SHANGHAI_PLANNING = REALWORLD / "shanghai_putuo_planning_2024_final_accounts.pdf"
TABLES_IN_SMALL = 3


def _small_report(folder: Path) -> Path:
    """The 2023 report with its prose and first three project tables (and the closing lines)."""
    report = read_report(REPORT_2023)
    lines = report.lines
    starts = [i for i in range(report.prose_end, report.tables_end) if lines[i].startswith("\t" + TABLE_TITLE)]
    path = folder / "luzhou_2023_three_tables.txt"
    path.write_text("\n".join(lines[: starts[TABLES_IN_SMALL]] + lines[report.tables_end:]), encoding="utf-8")
    return path


def _as_pdf(text: Path) -> Path:
    docx = build_docx(text, text.with_suffix(".docx"))
    return print_pdf(docx_html(docx), text.with_suffix(".pdf"))


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """(text, pdf, text tidy dir, pdf tidy dir) of the reduced report."""
    folder = tmp_path_factory.mktemp("pdf_small")
    text = _small_report(folder)
    pdf = _as_pdf(text)
    assert main([str(text), "--out", str(folder / "tidy_txt")]) == 0
    assert main([str(pdf), "--out", str(folder / "tidy_pdf")]) == 0
    return text, pdf, folder / "tidy_txt", folder / "tidy_pdf"


@pytest.fixture(scope="module", autouse=True)
def each_pdf_read_once():
    """The reader reads each PDF of this module once: the fixtures read the test and the real PDFs, then the tests
    give the same bytes to the command line or to read_report again (seconds a read: 20-odd pages each). Same bytes,
    same lines: each caller gets a copy of the first read's lines and places. A read that fails is not kept. Text
    files are read anew: that takes milliseconds."""
    from helpers.read import pdf as reader

    read, done = reader.pdf_lines, {}

    def once(path: Path, raw: bytes) -> tuple[list[str], list[str]]:
        key = hashlib.sha256(raw).digest()
        if key not in done:
            done[key] = read(path, raw)
        lines, where = done[key]
        return list(lines), list(where)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(reader, "pdf_lines", once)
        yield


@functools.cache
def _pdf_pages_text(pdf: Path) -> list[str]:
    """Each page's text as pdfplumber extracts it (once per PDF: a page takes a good part of a second)."""
    import pdfplumber

    with pdfplumber.open(pdf) as document:
        return [page.extract_text() for page in document.pages]


# source_line, budget_line, total_line, other_source_line, lines; and the audit's fingerprint, which hashes its input
# with the line numbers (a PDF numbers its lines otherwise)
PROVENANCE = re.compile(r"(^|_)lines?$|^fingerprint$")


def _without_provenance(df: pd.DataFrame) -> pd.DataFrame:
    """The table less its line columns, with free text compared without white space: a run of spaces typed to
    push text onto the next line prints as a line break, and a PDF cannot tell the two apart."""
    df = df.drop(columns=[c for c in df.columns if PROVENANCE.search(c)])
    for column in df.columns:
        if df[column].dtype == "str" or df[column].dtype == object:
            df[column] = df[column].astype(str).str.replace(r"\s+", "", regex=True)
    return df.reset_index(drop=True)


def assert_same_tidy_data(txt_dir: Path, pdf_dir: Path) -> None:
    for name in TABLES:
        if name == "source_locations":
            continue
        from_text, from_pdf = read_table(name, txt_dir), read_table(name, pdf_dir)
        assert len(from_text) == len(from_pdf), name
        pd.testing.assert_frame_equal(_without_provenance(from_text), _without_provenance(from_pdf), obj=name)


@slow
def test_pdf_and_text_give_the_same_tidy_data(small):
    _, _, txt_dir, pdf_dir = small
    assert_same_tidy_data(txt_dir, pdf_dir)
    projects = read_table("projects", pdf_dir)
    assert len(projects) == TABLES_IN_SMALL
    assert projects["project_name"].iloc[0] == "辅警经费"
    facts = read_table("facts", pdf_dir).set_index(["metric", "year"])
    assert facts.loc[("three_public_total", 2023), "value"] == pytest.approx(617.37)


@slow
def test_every_pdf_line_knows_its_page_and_printed_line(small):
    text, pdf, txt_dir, pdf_dir = small
    assert read_table("source_locations", txt_dir).empty  # a text file has lines, not pages
    locations = read_table("source_locations", pdf_dir).set_index("source_line")
    report = read_report(pdf)
    assert len(locations) == len(report.lines)
    assert locations["location"].iloc[0] == "p1:L2"  # line 1 of page 1 is the running header
    # the 三公 total (617.37) is printed on the page its location names
    facts = read_table("facts", pdf_dir).set_index(["metric", "year"])
    line = int(facts.loc[("three_public_total", 2023), "source_line"])
    where = locations.loc[line]
    page_text = _pdf_pages_text(pdf)[int(where["page"]) - 1]
    assert "617.37" in page_text and where["location"] == f"p{where['page']}:L{where['line_on_page']}"
    assert report.location(line - 1) == where["location"]


@slow
def test_running_headers_page_numbers_and_repeated_table_headers_are_dropped(small):
    _, pdf, _, _ = small
    from helpers.read.pdf import _radicals

    lines = read_report(pdf).lines
    pages = [page.translate(_radicals()) for page in _pdf_pages_text(pdf)]
    assert len(pages) > 20 and all(RUNNING_HEADER in page for page in pages)
    assert not any(RUNNING_HEADER in line for line in lines)
    assert not any(re.fullmatch(r"-\s*\d+\s*-", line.strip()) for line in lines)
    # the table title is printed on more pages than there are tables (repeated header rows) but read once each
    printed = sum(TABLE_TITLE in page for page in pages)
    assert printed > TABLES_IN_SMALL
    assert sum(line.startswith("\t" + TABLE_TITLE) for line in lines) == TABLES_IN_SMALL


@slow
def test_a_paragraph_broken_by_a_page_break_is_one_line(small):
    from helpers.read.pdf import _radicals

    text, pdf, _, _ = small
    report = read_report(pdf)
    pages = [re.sub(r"\s+", "", page.translate(_radicals())) for page in _pdf_pages_text(pdf)]
    across = []
    for i, line in enumerate(report.lines[: report.prose_end]):
        page, flat = int(report.location(i)[1:].split(":")[0]), re.sub(r"\s+", "", line)
        if flat and flat not in pages[page - 1] and flat[:12] in pages[page - 1] and flat[-12:] in pages[page]:
            across.append(line)
    assert len(across) >= 2  # begun at the foot of one page, ended at the top of the next (三公, 财务管理)
    assert set(across) <= set(read_report(text).lines)


@slow
def test_a_table_split_over_pages_and_wrapped_cells_read_whole(small):
    text, pdf, _, pdf_dir = small
    report = read_report(pdf)
    first, second = [i for i, line in enumerate(report.lines) if line.startswith("\t" + TABLE_TITLE)][:2]
    pages = {report.location(i).split(":")[0] for i in range(first, second)}
    assert len(pages) >= 2  # the first table runs over at least two pages
    # a cell printed over several lines in its narrow column is one line again
    name = "保障路面执勤执法警用摩托车数量"
    import pdfplumber

    from helpers.read.pdf import _radicals

    # pdfplumber's own table reading, on the page the reader places the cell on (each page takes a second)
    printed_on = int(report.location(report.lines.index("\t" + name)).split(":")[0][1:])
    with pdfplumber.open(pdf, pages=[printed_on]) as document:
        cells = [cell.translate(_radicals()) for page in document.pages for table in page.extract_tables()
                 for row in table for cell in row if cell]
    wrapped = [cell for cell in cells if cell.replace("\n", "") == name]
    assert wrapped and all(cell.count("\n") >= 2 for cell in wrapped)
    assert "\t" + name in report.lines and "\t" + name in read_report(text).lines


@slow
def test_merged_cells_are_empty_cells_as_in_the_docx(small):
    text, pdf, _, _ = small
    from_text, from_pdf = read_report(text).lines, read_report(pdf).lines
    header = from_pdf.index("\t绩效指标（90分）")
    # the indicator header row, then the first indicator row: 绩效指标 merged down (an empty cell) before 产出指标
    block = from_pdf[header: header + 25]
    assert block[12:15] == ["\t", "\t产出指标", "\t数量指标"]
    start = from_text.index("\t绩效指标（90分）")
    assert block == from_text[start: start + 25]


def test_make_data_finds_a_pdf_beside_text(tmp_path):
    (tmp_path / "2023").mkdir()
    (tmp_path / "2024").mkdir()
    (tmp_path / "2023" / "report.txt").write_text("x", encoding="utf-8")
    (tmp_path / "2024" / "泸州 2024年度单位决算.pdf").write_bytes(b"%PDF-1.7")
    assert [p.name for p in discover(tmp_path)] == ["report.txt", "泸州 2024年度单位决算.pdf"]


# --- refusals: nothing written, exit 2, the pages named ---


def _refused(pdf: Path, tmp_path: Path, capsys) -> str:
    out = tmp_path / "tidy"
    assert main([str(pdf), "--out", str(out)]) == 2
    assert not out.exists()
    return capsys.readouterr().err


@slow
def test_a_scanned_pdf_is_refused_naming_its_pages(tmp_path, capsys):
    import base64
    import io

    from PIL import Image, ImageDraw

    image = Image.new("RGB", (600, 300), "white")
    ImageDraw.Draw(image).rectangle((40, 40, 560, 260), outline="black", width=3)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    page = f'<img src="data:image/png;base64,{data}" style="width:100%">'
    html = f"<html><body>{page}<div style='break-before:page'>{page}</div></body></html>"
    pdf = print_pdf(html, tmp_path / "scanned.pdf", header="")
    err = _refused(pdf, tmp_path, capsys)
    assert "scanned.pdf: the PDF has no text layer on pages 1, 2 (a scanned or image-only PDF)" in err
    assert "OCR" in err


@slow
def test_glyphs_without_unicode_are_refused_naming_the_pages(tmp_path, capsys):
    """A font that maps no glyph to Unicode reads as "(cid:N)": here Chromium with no Chinese font at all."""
    pdf = print_pdf("<html><body><p>Page one is fine.</p><p style='break-before:page'>第二部分 2023年度"
                    "单位决算情况说明</p></body></html>", tmp_path / "garbled.pdf", header="", cjk_font=False)
    err = _refused(pdf, tmp_path, capsys)
    assert "garbled.pdf: the PDF's fonts give no Unicode text on page 2 (glyphs read as '(cid:N)')" in err


def test_a_file_named_pdf_that_is_no_pdf(tmp_path, capsys):
    fake = tmp_path / "report.pdf"
    fake.write_text("第二部分 2023年度单位决算情况说明", encoding="utf-8")
    err = _refused(fake, tmp_path, capsys)
    assert "is named .pdf but is not a PDF" in err


# --- real PDFs of another template (../shared/realworld) ---


@pytest.fixture(scope="module")
def realworld():
    if not SHANGHAI_FINANCE.exists() or not SHANGHAI_PLANNING.exists():
        message = f"the real PDFs are not in {REALWORLD} (CI has shared/ beside the clone)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from helpers.read.pdf import pdf_lines

    return {path.name: pdf_lines(path, path.read_bytes()) for path in (SHANGHAI_FINANCE, SHANGHAI_PLANNING)}


def _page_lines(lines: list[str], where: list[str], page: int) -> list[str]:
    return [line for line, loc in zip(lines, where, strict=True) if loc.startswith(f"p{page}:")]


@slow
def test_real_pdfs_of_another_template_are_refused_saying_what_was_found(realworld, tmp_path, capsys):
    for path, title in ((SHANGHAI_FINANCE, "2024年度部门决算"), (SHANGHAI_PLANNING, "2024年度部门决算")):
        message = _refused(path, tmp_path, capsys)  # exit 2, nothing written
        assert f"a 部门决算 of another template: '{title}'" in message
        assert "收入支出决算总表" in message and "Sichuan 单位决算" in message


@slow
def test_real_pdfs_text_has_no_garbage(realworld):
    for lines, _ in realworld.values():
        text = "\n".join(lines)
        assert "(cid:" not in text and "\ufffd" not in text
        assert not re.search(r"[\u2e80-\u2fdf]", text)  # radicals mapped to the characters they stand for
    finance, where = realworld[SHANGHAI_FINANCE.name]
    assert finance[0] == "上海市普陀区财政局"
    assert "第四部分 名词解释" in [re.sub(r"\s+", " ", line) for line in finance]


@slow
def test_real_pdfs_tables_are_found_page_by_page(realworld):
    finance, where = realworld[SHANGHAI_FINANCE.name]
    # page 6: the first standard table, its title and unit above it, its cells below
    page6 = _page_lines(finance, where, 6)
    assert "收入支出决算总表" in page6 and "单位：万元" in page6
    cells = [line[1:] for line in page6 if line.startswith("\t")]
    assert cells[:6] == ["收入", "支出", "项目", "决算数", "项目", "决算数"]
    # page 18: the 三公 table
    page18 = [line[1:] for line in _page_lines(finance, where, 18) if line.startswith("\t")]
    assert "公务用车购置及运行费" in page18
    # the prose pages (1-4, 21-25) have no table cells
    assert not [line for page in (1, 2, 3, 4, 21, 22) for line in _page_lines(finance, where, page)
                if line.startswith("\t")]
    planning, where = realworld[SHANGHAI_PLANNING.name]
    page7 = [line[1:] for line in _page_lines(planning, where, 7) if line.startswith("\t")]
    assert page7[page7.index("一、一般公共预算财政拨款收入") + 1] == "9746.50"


# --- the whole report (slow) ---


@pytest.mark.slow  # prints and reads 98 pages
def test_whole_report_as_pdf_gives_the_same_tidy_data(tmp_path, tidy_dir):
    text = tmp_path / REPORT_2023.name
    text.write_bytes(REPORT_2023.read_bytes())
    pdf = _as_pdf(text)
    assert main([str(pdf), "--out", str(tmp_path / "tidy")]) == 0
    assert_same_tidy_data(tidy_dir, tmp_path / "tidy")
    assert len(read_table("projects", tmp_path / "tidy")) == 17
    # every line was read from the printed pages, the last ones beyond page 90 (not counted a second time)
    assert read_table("source_locations", tmp_path / "tidy")["page"].max() >= 90


@slow
def test_pages_cite_a_pdf_report_by_page_and_a_text_report_by_line(small):
    from helpers.show.page import Page
    from helpers.story import wording

    _, _, txt_dir, pdf_dir = small
    from helpers.show.display import safe

    page = Page(2023, "zh", str(pdf_dir))
    line = page.data.fact_store.line("three_public_total", 2023)
    printed_on = page.data.pages[line]
    # cited by its section, the page in the tooltip
    section = "七、财政拨款“三公”经费支出决算情况说明"
    assert printed_on > 1 and safe(wording.say("zh", "common", "line", n=line)) == (
        f'<span class="cite" title="报告第{printed_on}页">{section}</span>')
    assert safe(wording.say("en", "audit", "lines_text", lines=[line, line])) == (
        f'<span class="cite" title="page {printed_on} of the report ({section})">section on “three public” (三公) '
        "spending</span>")
    Page(2023, "en", str(txt_dir))  # the same report as text: cited by its lines again
    assert f'title="line {line} of the report (' in safe(wording.say("en", "common", "line", n=line))
