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

import pytest

from helpers import paths
from helpers.data.ingest import ingest
from helpers.publish.batch import run_batch
from tests.conftest import UNIT_ID, digests, narrative

pytestmark = pytest.mark.slow

# three of the lighter pages (05_audit, the heaviest, takes half as long again as any of these)
FAST = ["02_three_public", "03_low_execution", "06_self_evaluation"]
LANGS = ("zh", "en")  # every notebook here takes `lang`: two editions each


@pytest.fixture(scope="module")
def built_once(tmp_path_factory, tidy_dir):
    """Three templates and their pages, built once for the module."""
    root = tmp_path_factory.mktemp("built_once")
    folder = root / "templates"
    folder.mkdir()
    for name in FAST:
        shutil.copy(paths.NOTEBOOKS / f"{name}.ipynb", folder)
    first = run_batch([2023], notebook_dir=folder, out_root=root / "reports", tidy_dir=tidy_dir, progress=False)
    assert not first.failures
    return root


@pytest.fixture
def templates_and_reports(built_once, tmp_path):
    """A copy of those templates and pages of each test's own, for it to interrupt, change and rebuild."""
    shutil.copytree(built_once, tmp_path, dirs_exist_ok=True)
    return tmp_path / "templates", tmp_path / "reports"


def _assert_reports_readable(year_dir: Path) -> None:
    import nbformat  # seconds to import: not at collection, which `make test-fast` shares

    names = sorted(p.name for p in year_dir.iterdir() if not p.name.startswith("."))
    assert names == sorted(f"{n}.{lang}.{kind}" for n in FAST for lang in LANGS for kind in ("ipynb", "html")), names
    for name in FAST:
        for lang in LANGS:
            nb = nbformat.read(year_dir / f"{name}.{lang}.ipynb", as_version=4)
            nbformat.validate(nb)
            assert narrative(year_dir / f"{name}.{lang}.ipynb"), (name, lang)
        html = (year_dir / f"{name}.en.html").read_text(encoding="utf-8")
        assert html.rstrip().endswith("</html>") and '@font-face { font-family: "Report CJK"' in html, name


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL], ids=["SIGINT", "SIGKILL"])
def test_killed_batch_keeps_reports_and_the_next_run_completes(templates_and_reports, tidy_dir, sig):
    folder, out = templates_and_reports
    year_dir = out / UNIT_ID / "2023"
    command = [sys.executable, "-m", "helpers.publish.batch", "--years", "2023", "--notebooks", str(folder),
               "--out", str(out), "--tidy", str(tidy_dir), "--no-progress", "--force"]
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
        assert len(err.strip().splitlines()) == 1, f"Ctrl-C must print one line, not:\n{err}"
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
    first = {name: narrative(out / UNIT_ID / "2023" / f"{name}.en.ipynb") for name in FAST}
    again_tidy = tmp_path / "tidy_again"
    ingest([report_path], again_tidy)
    assert digests(again_tidy, "*") == digests(tidy_dir, "*")
    out2 = tmp_path / "reports_again"
    assert not run_batch([2023], notebook_dir=folder, out_root=out2, tidy_dir=again_tidy, progress=False).failures
    second = {name: narrative(out2 / UNIT_ID / "2023" / f"{name}.en.ipynb") for name in FAST}
    assert first == second and all(first.values())


def test_two_batches_on_one_folder_take_turns_and_both_end_cleanly(templates_and_reports, tidy_dir):
    folder, out = templates_and_reports
    command = [sys.executable, "-m", "helpers.publish.batch", "--years", "2023", "--notebooks", str(folder),
               "--out", str(out), "--tidy", str(tidy_dir), "--no-progress", "--force"]
    first = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not list((out / UNIT_ID / "2023").glob(".*.staged*")):  # the first holds the lock and is running notebooks
        assert first.poll() is None and time.monotonic() < deadline
        time.sleep(0.05)
    second = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    results = [p.communicate(timeout=300) for p in (first, second)]
    assert [first.returncode, second.returncode] == [0, 0], results
    assert "another batch is writing" in results[1][1] and "Traceback" not in results[1][1], results[1][1]
    assert not [p for p in (out / UNIT_ID / "2023").iterdir() if p.name.startswith(".")]
    _assert_reports_readable(out / UNIT_ID / "2023")


def test_a_second_batch_refuses_when_the_first_holds_the_folder_too_long(templates_and_reports, tidy_dir):
    from filelock import FileLock

    from helpers.publish.batch import LOCK_NAME, main

    folder, out = templates_and_reports
    with FileLock(str(out / LOCK_NAME)):
        code = main(["--years", "2023", "--notebooks", str(folder), "--out", str(out), "--tidy", str(tidy_dir),
                     "--no-progress", "--wait", "0.5"])
    assert code == 2


def test_an_unchanged_batch_reruns_nothing_and_leaves_every_byte(templates_and_reports, tidy_dir, tmp_path):
    import nbformat  # seconds to import: not at collection, which `make test-fast` shares

    folder, out = templates_and_reports
    before = digests(out, "**/*.*")
    again = run_batch([2023], notebook_dir=folder, out_root=out, tidy_dir=tidy_dir, progress=False)
    assert again.outcomes == [] and len(again.up_to_date) == len(FAST) * len(LANGS)
    assert digests(out, "**/*.*") == before
    # one template changes: its page reruns, the others stay as they were
    template = folder / "03_low_execution.ipynb"
    nb = nbformat.read(template, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell("print('one more cell')"))
    nbformat.write(nb, template)
    changed = run_batch([2023], notebook_dir=folder, out_root=out, tidy_dir=tidy_dir, progress=False)
    # only the changed template reruns, in both its editions
    assert sorted((o.job.name, o.job.lang) for o in changed.outcomes if o.job.execute) == \
        [("03_low_execution", "en"), ("03_low_execution", "zh")]
    after = digests(out, "**/*.*")
    assert after[f"{UNIT_ID}/2023/02_three_public.en.ipynb"] == before[f"{UNIT_ID}/2023/02_three_public.en.ipynb"]
    assert after[f"{UNIT_ID}/2023/03_low_execution.en.ipynb"] != before[f"{UNIT_ID}/2023/03_low_execution.en.ipynb"]
    # --force reruns everything, and gives the same bytes again
    forced = run_batch([2023], notebook_dir=folder, out_root=out, tidy_dir=tidy_dir, progress=False, force=True)
    assert len(forced.outcomes) == len(FAST) * len(LANGS) and not forced.failures
    assert digests(out, "**/*.*") == after
