"""The tidy folder: valid data package, byte-identical rebuilds, committed data up to date."""

from __future__ import annotations

import filecmp

from helpers import paths
from helpers.data.ingest import ingest, main
from helpers.data.validate import validate


def test_data_package_validates(tidy_dir):
    assert validate(tidy_dir) == []


def test_validation_catches_a_broken_table(tidy_dir, tmp_path):
    broken = tmp_path / "tidy"
    broken.mkdir()
    for f in tidy_dir.iterdir():
        (broken / f.name).write_bytes(f.read_bytes())
    text = (broken / "projects.csv").read_text(encoding="utf-8")
    (broken / "projects.csv").write_text(text.replace(",2879.25,", ",lots,", 1), encoding="utf-8")
    assert any("projects" in e for e in validate(broken))


def test_rebuild_is_byte_identical(tidy_dir, report_path, tmp_path):
    again = tmp_path / "again"
    ingest([report_path], again)
    names = sorted(p.name for p in tidy_dir.iterdir())
    assert names == sorted(p.name for p in again.iterdir())
    match, mismatch, errors = filecmp.cmpfiles(tidy_dir, again, names, shallow=False)
    assert mismatch == [] and errors == []


def test_committed_tidy_data_is_current(tidy_dir):
    """data/tidy/ in the repository is what `make data` builds from data/raw/ today."""
    committed = paths.DATA / "tidy"
    names = sorted(p.name for p in tidy_dir.iterdir())
    _, mismatch, errors = filecmp.cmpfiles(committed, tidy_dir, names, shallow=False)
    assert mismatch == [] and errors == [], "run `make data` and commit data/tidy/"


def test_year_override(report_path, tmp_path, capsys):
    assert main([str(report_path), "--out", str(tmp_path / "t"), "--year", "2031"]) == 0
    text = (tmp_path / "t" / "projects.csv").read_text(encoding="utf-8")
    assert text.splitlines()[1].startswith("2031,")
    assert "wrote" in capsys.readouterr().out
