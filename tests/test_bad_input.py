"""Bad input: a clear error naming file, line or section and what was expected; exit 2; output untouched."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers.data.ingest import main


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.fixture
def out_dir(tmp_path) -> Path:
    """An output folder that already holds an earlier result, which must survive a failed run."""
    out = tmp_path / "tidy"
    out.mkdir()
    (out / "facts.csv").write_text("year,metric\n2022,earlier_result\n", encoding="utf-8")
    (out / "keep.txt").write_text("not ours", encoding="utf-8")
    return out


def _run_bad(tmp_path, out_dir, capsys, name: str, content: bytes) -> str:
    bad = tmp_path / name
    bad.write_bytes(content)
    before = _snapshot(out_dir)
    status = main([str(bad), "--out", str(out_dir)])
    err = capsys.readouterr().err
    assert status == 2
    assert str(bad) in err, err
    assert _snapshot(out_dir) == before, "a failed ingest changed the output folder"
    assert not [p for p in out_dir.parent.iterdir() if p.name.startswith(".tidy-")], "staging folder left behind"
    return err


def test_empty_file(tmp_path, out_dir, capsys):
    err = _run_bad(tmp_path, out_dir, capsys, "empty.txt", b"")
    assert "empty" in err


def test_text_that_is_not_a_report(tmp_path, out_dir, capsys):
    err = _run_bad(tmp_path, out_dir, capsys, "recipe.txt", "红烧肉的做法\n五花肉500克\n".encode())
    assert "第二部分" in err and "does not look like a final-accounts report" in err


def test_gbk_encoded_copy(tmp_path, out_dir, capsys, report_path):
    gbk = report_path.read_text(encoding="utf-8").encode("gb18030")
    err = _run_bad(tmp_path, out_dir, capsys, "gbk.txt", gbk)
    assert "not UTF-8" in err and "GBK" in err and "line 1" in err and "iconv" in err


def test_report_truncated_inside_a_table(tmp_path, out_dir, capsys, report_lines):
    cut = "\n".join(report_lines[:2000]).encode()  # stops inside 车驾管业务项目, before its 合计 row
    err = _run_bad(tmp_path, out_dir, capsys, "cut.txt", cut)
    assert "车驾管业务项目" in err and "合计" in err and "line 1767" in err and "truncated" in err


def test_report_truncated_in_the_prose(tmp_path, out_dir, capsys, report_lines):
    cut = "\n".join(report_lines[:50] + report_lines[193:]).encode()  # 六 … 十 and 名词解释 lost
    err = _run_bad(tmp_path, out_dir, capsys, "cut.txt", cut)
    assert "名词解释" in err


def test_missing_required_sentence_names_its_section(tmp_path, out_dir, capsys, report_lines):
    lines = list(report_lines)
    lines[58] = "2023年度“三公”经费财政拨款支出决算情况见下。"  # line 59 states the 三公 total
    err = _run_bad(tmp_path, out_dir, capsys, "reworded.txt", "\n".join(lines).encode())
    assert "three_public_total" in err and "七、财政拨款“三公”经费支出决算情况说明" in err


@pytest.mark.parametrize(("line", "value", "what"), [
    (2271, "1,182.5x", "预算执行数"),       # 道路交通组织优化项目 executed amount
    (2272, "八十九%", "预算执行率"),
    (300, "五", "得分"),                     # score of 聘请辅警人数
])
def test_number_cell_that_is_not_a_number(tmp_path, out_dir, capsys, report_lines, line, value, what):
    lines = list(report_lines)
    lines[line - 1] = "\t" + value
    err = _run_bad(tmp_path, out_dir, capsys, "garbled.txt", "\n".join(lines).encode())
    assert f"line {line}" in err and what in err and value in err and "expected" in err


def test_missing_file(tmp_path, out_dir, capsys):
    status = main([str(tmp_path / "nope.txt"), "--out", str(out_dir)])
    assert status == 2 and "nope.txt" in capsys.readouterr().err


def test_two_reports_in_one_file(tmp_path, out_dir, capsys, report_path):
    text = report_path.read_text(encoding="utf-8")
    second = text.replace("2023年度单位决算情况说明", "2024年度单位决算情况说明")
    err = _run_bad(tmp_path, out_dir, capsys, "two.txt", (text + "\n" + second).encode())
    # 7,386 lines: the second report's heading is line 7386 + 8.
    assert "holds more than one report" in err and "line 8 (2023), line 7394 (2024)" in err
    assert "one report per file" in err


def test_one_report_repeated_in_one_file(tmp_path, out_dir, capsys, report_path):
    text = report_path.read_text(encoding="utf-8")
    err = _run_bad(tmp_path, out_dir, capsys, "twice.txt", (text + "\n" + text).encode())
    assert "holds more than one report" in err and "appears 2 times" in err


def test_damaged_pdf_is_refused_clearly(tmp_path, out_dir, capsys):
    err = _run_bad(tmp_path, out_dir, capsys, "report.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n")
    assert "report.pdf: the PDF is damaged and cannot be read" in err and "Unexpected EOF" in err
    assert "iconv" not in err


def test_pdf_named_as_text_says_name_it_pdf(tmp_path, out_dir, capsys):
    err = _run_bad(tmp_path, out_dir, capsys, "report.txt", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n")
    assert "this is a PDF, not report text" in err and "name it .pdf" in err


def test_old_word_doc_says_save_it_as_docx(tmp_path, out_dir, capsys):
    err = _run_bad(tmp_path, out_dir, capsys, "report.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64)
    assert "old Word .doc" in err and "save it as .docx" in err


def test_docx_named_as_text(tmp_path, out_dir, capsys):
    err = _run_bad(tmp_path, out_dir, capsys, "report.txt", b"PK\x03\x04" + b"\0" * 64)
    assert "zip archive" in err and "name it .docx" in err


def test_text_named_as_docx(tmp_path, out_dir, capsys, report_path):
    err = _run_bad(tmp_path, out_dir, capsys, "report.docx", report_path.read_bytes()[:2000])
    assert "not a Word file" in err


def test_unknown_encoding_gets_no_gbk_advice(tmp_path, out_dir, capsys):
    # Bytes that are neither UTF-8 nor GB18030 (0xff never starts a GB18030 character).
    err = _run_bad(tmp_path, out_dir, capsys, "odd.txt", "第二部分".encode() + b"\xff\xfa\x80" * 20)
    assert "not UTF-8" in err and "GBK" not in err and "save the text as UTF-8" in err


def test_out_naming_a_file(tmp_path, capsys, report_path):
    target = tmp_path / "tidy.csv"
    target.write_text("mine", encoding="utf-8")
    assert main([str(report_path), "--out", str(target)]) == 2
    err = capsys.readouterr().err
    assert "is a file, not a folder" in err and "Traceback" not in err
    assert target.read_text(encoding="utf-8") == "mine"


def test_out_inside_a_file(tmp_path, capsys, report_path):
    parent = tmp_path / "notes.txt"
    parent.write_text("mine", encoding="utf-8")
    assert main([str(report_path), "--out", str(parent / "tidy")]) == 2
    assert "is a file, so" in capsys.readouterr().err


@pytest.mark.parametrize("locked", ["out", "parent"])
def test_read_only_output(tmp_path, capsys, report_path, locked, monkeypatch):
    import os

    parent = tmp_path / "site"
    out = parent / "tidy"
    out.mkdir(parents=True)
    (out / "facts.csv").write_text("earlier", encoding="utf-8")
    folder = out if locked == "out" else parent
    folder.chmod(0o555)
    if os.geteuid() == 0:  # root may write anyway: make the permission check see what a user would
        real_access = os.access
        monkeypatch.setattr(os, "access", lambda p, mode: False if Path(p) == folder and mode & os.W_OK
                            else real_access(p, mode))
    try:
        assert main([str(report_path), "--out", str(out)]) == 2
    finally:
        folder.chmod(0o755)
    err = capsys.readouterr().err
    assert "not writable" in err and "Traceback" not in err
    assert (out / "facts.csv").read_text(encoding="utf-8") == "earlier"


def test_damaged_docx(tmp_path, out_dir, capsys):
    import zipfile

    damaged = tmp_path / "damaged.zip"
    with zipfile.ZipFile(damaged, "w") as archive:
        archive.writestr("word/other.xml", "<nothing/>")  # a zip, but no Word document inside
    err = _run_bad(tmp_path, out_dir, capsys, "report.docx", damaged.read_bytes())
    assert "the Word file cannot be opened" in err and "save it as .docx again" in err


def test_raw_folder_without_reports(tmp_path, capsys):
    (tmp_path / "raw" / "2023").mkdir(parents=True)
    (tmp_path / "raw" / "2023" / "notes.md").write_text("my notes", encoding="utf-8")  # not a report: skipped
    assert main(["--raw", str(tmp_path / "raw"), "--out", str(tmp_path / "tidy")]) == 2
    err = capsys.readouterr().err
    assert "holds no report" in err and "<year>/<name>.docx" in err


def test_raw_folder_with_a_damaged_pdf_report(tmp_path, capsys, report_path):
    (tmp_path / "raw" / "2023").mkdir(parents=True)
    (tmp_path / "raw" / "2024").mkdir(parents=True)
    (tmp_path / "raw" / "2023" / report_path.name).write_bytes(report_path.read_bytes())
    (tmp_path / "raw" / "2024" / "2024年度单位决算.pdf").write_bytes(b"%PDF-1.7")
    assert main(["--raw", str(tmp_path / "raw"), "--out", str(tmp_path / "tidy")]) == 2
    err = capsys.readouterr().err
    # the PDF is found like a .txt or .docx, and read: this one is damaged, which is said, and nothing written
    assert "2024年度单位决算.pdf: the PDF is damaged and cannot be read" in err
    assert not (tmp_path / "tidy").exists()


def test_reports_and_raw_together_is_a_usage_error(tmp_path, capsys, report_path):
    assert main([str(report_path), "--raw", str(tmp_path), "--out", str(tmp_path / "tidy")]) == 2
    assert "either REPORT file(s) or --raw DIR" in capsys.readouterr().err
