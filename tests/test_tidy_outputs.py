"""The tidy folder: valid data package, byte-identical rebuilds, committed data up to date."""

from __future__ import annotations

import filecmp

import pytest

from helpers import paths
from helpers.data import corpus
from helpers.data.ingest import ingest, main
from helpers.data.validate import validate


@pytest.mark.slow  # frictionless: seconds to import and validate (`make data` validates too)
def test_data_package_validates(tidy_dir):
    assert validate(tidy_dir) == []


@pytest.mark.slow  # frictionless: seconds to import and validate (`make data` validates too)
def test_validation_catches_a_broken_table(tidy_dir, tmp_path):
    broken = tmp_path / "tidy"
    broken.mkdir()
    for f in tidy_dir.glob("*.*"):
        (broken / f.name).write_bytes(f.read_bytes())
    text = (broken / "projects.csv").read_text(encoding="utf-8")
    (broken / "projects.csv").write_text(text.replace(",2879.25,", ",lots,", 1), encoding="utf-8")
    assert any("projects" in e for e in validate(broken))


def test_rebuild_is_byte_identical(tidy_dir, report_path, tmp_path):
    """Every file: the CSV files, datapackage.json and the corpus's Parquet files (corpus/<table>/…)."""
    again = tmp_path / "again"
    ingest([report_path], again)
    names = sorted(p.relative_to(tidy_dir).as_posix() for p in tidy_dir.rglob("*") if p.is_file())
    assert names == sorted(p.relative_to(again).as_posix() for p in again.rglob("*") if p.is_file())
    assert len([n for n in names if n.endswith(".parquet")]) == len(corpus.TABLE_ORDER) == 15
    match, mismatch, errors = filecmp.cmpfiles(tidy_dir, again, names, shallow=False)
    assert mismatch == [] and errors == []


def test_committed_tidy_data_is_current(tidy_dir):
    """data/tidy/ in the repository is what `make data` builds from data/raw/ today (its corpus/ is a build
    product, not committed: tests/test_corpus.py checks it holds the same rows)."""
    committed = paths.DATA / "tidy"
    names = sorted(p.name for p in tidy_dir.iterdir() if p.is_file())
    _, mismatch, errors = filecmp.cmpfiles(committed, tidy_dir, names, shallow=False)
    assert mismatch == [] and errors == [], "run `make data` and commit data/tidy/"


def test_year_override_files_every_figure_under_it_and_warns(report_path, tmp_path, capsys):
    assert main([str(report_path), "--out", str(tmp_path / "t"), "--year", "2031"]) == 0
    text = (tmp_path / "t" / "projects.csv").read_text(encoding="utf-8")
    assert text.splitlines()[1].startswith(f"luzhou-traffic-police,{report_path.stem},2031,2031,")
    out, err = capsys.readouterr()
    assert "wrote" in out
    # The report states 2023 in its 第二部分 heading (line 8).
    assert "warning:" in err and "--year 2031 overrides the year the report states (2023, line 8)" in err


def test_report_in_another_years_folder_warns(report_path, tmp_path, capsys):
    folder = tmp_path / "raw" / "2024"
    folder.mkdir(parents=True)
    (folder / "report.txt").write_bytes(report_path.read_bytes())
    assert main(["--raw", str(tmp_path / "raw"), "--out", str(tmp_path / "t")]) == 0
    assert "states 2023 but sits in the folder 2024/" in capsys.readouterr().err
