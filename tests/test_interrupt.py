"""A batch killed mid-way (Ctrl-C, or SIGKILL) leaves every report complete and readable, and the
next run finishes; two runs give the same tidy data and the same narrative."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from helpers import paths
from helpers.publish.batch import run_batch
from helpers.data.ingest import ingest
from tests.conftest import digests, narrative

FAST = ["02_three_public", "03_low_execution", "05_audit"]


@pytest.fixture
def templates_and_reports(tmp_path, tidy_dir):
    folder = tmp_path / "templates"
    folder.mkdir()
    for name in FAST:
        shutil.copy(paths.NOTEBOOKS / f"{name}.ipynb", folder)
    out = tmp_path / "reports"
    first = run_batch([2023], notebook_dir=folder, out_root=out, tidy_dir=tidy_dir, progress=False)
    assert not first.failures
    return folder, out


def _assert_reports_readable(year_dir: Path) -> None:
    names = sorted(p.name for p in year_dir.iterdir() if not p.name.startswith("."))
    assert names == sorted([f"{n}.ipynb" for n in FAST] + [f"{n}.html" for n in FAST]), names
    for name in FAST:
        nb = nbformat.read(year_dir / f"{name}.ipynb", as_version=4)
        nbformat.validate(nb)
        assert narrative(year_dir / f"{name}.ipynb"), name
        html = (year_dir / f"{name}.html").read_text(encoding="utf-8")
        assert html.rstrip().endswith("</html>") and '@font-face { font-family: "Report CJK"' in html, name


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL], ids=["SIGINT", "SIGKILL"])
def test_killed_batch_keeps_reports_and_the_next_run_completes(templates_and_reports, tidy_dir, sig):
    folder, out = templates_and_reports
    year_dir = out / "2023"
    command = [sys.executable, "-m", "helpers.publish.batch", "--years", "2023", "--notebooks", str(folder), "--out", str(out),
               "--tidy", str(tidy_dir), "--no-progress"]
    # its own process group, as a terminal runs a command: Ctrl-C and kill -9 reach the workers and kernels too
    process = subprocess.Popen(command, start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    deadline = time.monotonic() + 90
    while not list(year_dir.glob(".*.staged")):  # at least one notebook finished, others still running
        assert process.poll() is None and time.monotonic() < deadline, "the batch ended before it could be killed"
        time.sleep(0.05)
    os.killpg(process.pid, sig)
    _, err = process.communicate(timeout=60)
    if sig == signal.SIGINT:
        assert process.returncode == 130 and "batch interrupted" in err and "Traceback" not in err, err
        assert not [p for p in year_dir.iterdir() if p.name.startswith(".")], "staged files left after Ctrl-C"
    else:
        assert process.returncode == -signal.SIGKILL
    time.sleep(0.5)
    hidden = [p for p in year_dir.iterdir() if p.name.startswith(".")]
    for leftover in hidden:  # only what SIGKILL cannot clean: staged or scratch files, never a report
        assert ".staged" in leftover.name or leftover.name.count(".") >= 2
    visible = year_dir.glob("[!.]*")
    assert all(p.stat().st_size > 0 for p in visible)
    _assert_reports_readable(year_dir)
    again = run_batch([2023], notebook_dir=folder, out_root=out, tidy_dir=tidy_dir, progress=False)
    assert not again.failures
    assert not [p for p in year_dir.iterdir() if p.name.startswith(".")], "the next run must clear leftovers"
    _assert_reports_readable(year_dir)


def test_two_runs_give_the_same_tidy_data_and_narrative(templates_and_reports, tidy_dir, report_path, tmp_path):
    folder, out = templates_and_reports
    first = {name: narrative(out / "2023" / f"{name}.ipynb") for name in FAST}
    again_tidy = tmp_path / "tidy_again"
    ingest([report_path], again_tidy)
    assert digests(again_tidy, "*") == digests(tidy_dir, "*")
    out2 = tmp_path / "reports_again"
    assert not run_batch([2023], notebook_dir=folder, out_root=out2, tidy_dir=again_tidy, progress=False).failures
    second = {name: narrative(out2 / "2023" / f"{name}.ipynb") for name in FAST}
    assert first == second and all(first.values())
