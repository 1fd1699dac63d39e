"""The report as published (.docx) gives the same tidy data as its text."""

from __future__ import annotations

import filecmp

import pytest

from helpers.data.ingest import main
from helpers.data.load import load_year
from helpers.read.decode import read_report
from report_docx import build_docx
from variants import REPORT_2023, report_2024


@pytest.fixture(scope="module")
def docx_2023(tmp_path_factory):
    folder = tmp_path_factory.mktemp("docx")
    return build_docx(REPORT_2023, folder / f"{REPORT_2023.stem}.docx")


def test_docx_is_a_real_word_document_with_tables_and_merged_cells(docx_2023):
    import docx

    document = docx.Document(str(docx_2023))
    assert len(document.tables) == 17  # one per project table
    first = document.tables[0]
    assert first.rows[0].cells[0].text.startswith("部门预算项目支出绩效自评表")
    xml = first._tbl.xml
    assert 'w:vMerge w:val="restart"' in xml and "<w:vMerge/>" in xml and "w:gridSpan" in xml
    # The first paragraph is the report's first line.
    assert document.paragraphs[0].text == " 第一部分 单位概况"


def test_docx_flattens_to_the_lines_of_the_text(docx_2023):
    assert read_report(docx_2023).lines == read_report(REPORT_2023).lines


def test_docx_and_text_give_identical_tidy_data(docx_2023, tidy_dir, tmp_path, capsys):
    assert main([str(docx_2023), "--out", str(tmp_path / "tidy")]) == 0
    names = sorted(p.relative_to(tidy_dir).as_posix() for p in tidy_dir.rglob("*") if p.is_file())
    match, mismatch, errors = filecmp.cmpfiles(tidy_dir, tmp_path / "tidy", names, shallow=False)
    # every tidy file: the 15 tables (reports.csv, named_projects.csv, sections.csv and the empty
    # source_locations.csv among them) and datapackage.json, and in corpus/ the 15 Parquet files of the same
    # rows and the manifest
    assert (mismatch, errors) == ([], []) and len(match) == 16 + 15 + 1
    assert {"reports.csv", "named_projects.csv", "sections.csv"} <= set(match)


@pytest.mark.slow  # builds a second Word document and ingests two reports
def test_2024_docx_beside_2023_text(tmp_path):
    """make data's discovery: a .docx as a browser saves it (spaces, "(1)", Chinese) in data/raw/2024/."""
    raw = tmp_path / "raw"
    (raw / "2023").mkdir(parents=True)
    (raw / "2024").mkdir()
    (raw / "2023" / REPORT_2023.name).write_bytes(REPORT_2023.read_bytes())
    text_2024 = tmp_path / "2024.txt"
    text_2024.write_text(report_2024(), encoding="utf-8")
    name = "泸州市公安局交通警察支队 2024年度单位决算 (1).docx"
    build_docx(text_2024, raw / "2024" / name)
    (raw / "2024" / "~$泸州市公安局交通警察支队.docx").write_bytes(b"lock file of an open Word document")
    assert main(["--raw", str(raw), "--out", str(tmp_path / "tidy")]) == 0
    data = load_year(2024, tmp_path / "tidy")
    assert data.report == "泸州市公安局交通警察支队 2024年度单位决算 (1)"
    assert data.value("total_income_expenditure") == 17500.00
    assert load_year(2023, tmp_path / "tidy").value("total_income_expenditure") == 17211.32
