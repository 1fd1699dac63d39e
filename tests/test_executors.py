"""Where the jobs run: the same reports and pages, byte for byte, from the local pool and from a dask cluster; an
unreachable scheduler stops the command naming its address, with nothing written; the batch's planning stands
apart from its running."""

from __future__ import annotations

import json
import os
import pickle
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from helpers import paths
from helpers.data.schema import read_table
from helpers.errors import ReportError
from helpers.executors import DaskExecutor, LocalExecutor
from tests.conftest import REPORT_2023, UNIT_ID, digests
from tests.test_kernels import _template


def _closed_port_address() -> str:
    """A scheduler address nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"tcp://127.0.0.1:{port}"


@pytest.mark.parametrize("command", ["batch", "ingest"])
def test_an_unreachable_scheduler_stops_the_command_naming_it_with_nothing_written(command, tmp_path, tidy_dir,
                                                                                    capsys):
    from helpers.data.ingest import main as ingest_main
    from helpers.publish.batch import main as batch_main

    address = _closed_port_address()
    out = tmp_path / "out"
    dask = ["--executor", "dask", "--scheduler", address, "--connect-timeout", "0.2"]
    if command == "batch":
        code = batch_main(["--years", "2023", "--tidy", str(tidy_dir), "--out", str(out), "--no-progress", *dask])
    else:
        code = ingest_main([str(REPORT_2023), "--out", str(out), *dask])
    err = capsys.readouterr().err
    assert code == 2
    assert f"cannot reach the dask scheduler at {address}" in err
    assert not out.exists(), "something was written although the scheduler could not be reached"


def test_a_scheduler_address_without_the_dask_executor_is_refused(tmp_path, tidy_dir, capsys):
    from helpers.publish.batch import main as batch_main

    code = batch_main(["--years", "2023", "--tidy", str(tidy_dir), "--out", str(tmp_path / "out"),
                       "--scheduler", "tcp://127.0.0.1:8786"])
    assert code == 2 and "needs --executor dask" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_a_report_error_raised_in_a_worker_reaches_the_command_whole(tmp_path):
    error = ReportError(tmp_path / "r.txt", "no 三公 section", line=12, section="三公", hint="check the heading")
    again = pickle.loads(pickle.dumps(error))
    assert (type(again), str(again), again.line, again.section) == (ReportError, str(error), 12, "三公")
    from helpers.data.ingest import ingest

    for stem in ("a_first", "b_second"):  # two reports: read by two worker processes
        (tmp_path / f"{stem}.txt").write_text("这不是决算报告\n", encoding="utf-8")
    with pytest.raises(ReportError) as raised, LocalExecutor(workers=2) as pool:
        ingest([tmp_path / "a_first.txt", tmp_path / "b_second.txt"], tmp_path / "tidy", executor=pool)
    assert raised.value.path == tmp_path / "a_first.txt"  # the first report's error, as a loop would raise
    assert not (tmp_path / "tidy").exists()


@pytest.mark.slow  # three ingests of two reports and a LocalCluster
def test_reports_read_on_a_pool_or_on_dask_give_the_same_tidy_bytes(tmp_path):
    from helpers.data.ingest import ingest
    from tests.variants import report_2024

    raw = tmp_path / "raw"
    (raw / "2024").mkdir(parents=True)
    shutil.copy(REPORT_2023, raw)
    (raw / "2024" / "luzhou_2024.txt").write_text(report_2024(), encoding="utf-8")
    reports = [raw / REPORT_2023.name, raw / "2024" / "luzhou_2024.txt"]
    ingest(reports, tmp_path / "serial")
    with LocalExecutor(workers=2) as pool:
        ingest(reports, tmp_path / "pool", executor=pool)
    with DaskExecutor(workers=1, processes=False) as cluster:
        ingest(reports, tmp_path / "dask", executor=cluster)
    serial = digests(tmp_path / "serial", "*.*")
    assert "facts.csv" in serial and "datapackage.json" in serial
    assert digests(tmp_path / "pool", "*.*") == serial
    assert digests(tmp_path / "dask", "*.*") == serial
    projects = read_table("projects", tmp_path / "dask")
    assert len(projects[projects["report_year"] == 2023]) == 17  # the 2023 report's 17 project tables
    facts = read_table("facts", tmp_path / "dask")
    three_public = facts[(facts["report_year"] == 2023) & (facts["metric"] == "three_public_total")
                         & (facts["year"] == 2023)]
    assert three_public["value"].tolist() == [617.37]


@pytest.mark.slow  # a LocalCluster worker process with its own kernel template process, and three pages twice
def test_pages_made_on_dask_are_the_pages_of_the_local_pool(tmp_path, tidy_dir):
    import nbformat

    from helpers.publish.batch import run_batch

    folder = tmp_path / "templates"
    folder.mkdir()
    shutil.copy(paths.NOTEBOOKS / "02_three_public.ipynb", folder)  # charts, tables, sentences in both languages
    # says whether its kernel was forked from a template process (seaborn there, never imported by the notebook)
    _template(folder, "z_kernel", "import sys\nprint('forked' if 'seaborn' in sys.modules else 'fresh')")
    started = time.perf_counter()
    local = run_batch([2023], notebook_dir=folder, out_root=tmp_path / "local", tidy_dir=tidy_dir, progress=False)
    local_s = time.perf_counter() - started
    started, environment = time.perf_counter(), dict(os.environ)
    with DaskExecutor(workers=1) as cluster:  # one worker process, one thread: its own template process
        on_dask = run_batch([2023], notebook_dir=folder, out_root=tmp_path / "dask", tidy_dir=tidy_dir,
                            progress=False, executor=cluster)
        dask_s = time.perf_counter() - started
    print(f"3 pages: local pool {local_s:.1f} s, dask LocalCluster (1 worker, started here) {dask_s:.1f} s")
    assert not local.failures and not on_dask.failures
    # dask's nanny sets its workers' variables here too; left, they would stop later local kernels being forked
    assert dict(os.environ) == environment
    assert sorted(o.job.label for o in on_dask.outcomes) == sorted(o.job.label for o in local.outcomes)
    pages = digests(tmp_path / "local", "**/*.*")
    html = [p for p in pages if p.startswith(f"{UNIT_ID}/2023/") and p.endswith(".html")]
    assert len(html) == 3 and "index.html" in pages
    assert pages == digests(tmp_path / "dask", "**/*.*")
    kernel = nbformat.read(next((tmp_path / "dask" / UNIT_ID / "2023").glob("z_kernel.*.ipynb")), as_version=4)
    assert kernel.cells[-1].outputs[0]["text"] == "forked\n"  # from the worker's own template process
    three_public = (tmp_path / "dask" / UNIT_ID / "2023" / "02_three_public.en.html").read_text(encoding="utf-8")
    assert "617.37" in three_public  # the 三公 total of the 2023 report


def _session(leader: int) -> list[str]:
    """The processes still alive in the session `leader` started (the command, its workers, their kernels)."""
    alive = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # ended while we looked
            continue
        if int(fields[3]) == leader and fields[0] != "Z":  # session id; a zombie has ended already
            alive.append(f"{stat.parent.name}: {(stat.parent / 'cmdline').read_bytes()[:120]!r}")
    return alive


@pytest.mark.slow  # a LocalCluster worker with its own kernel template process, stopped mid-batch
def test_ctrl_c_during_a_dask_batch_stops_the_cluster_and_leaves_no_staged_or_half_written_page(tmp_path, tidy_dir):
    folder, out = tmp_path / "templates", tmp_path / "reports"
    folder.mkdir()
    for name in ("02_three_public", "03_low_execution", "05_audit"):
        shutil.copy(paths.NOTEBOOKS / f"{name}.ipynb", folder)
    year_dir = out / UNIT_ID / "2023"
    command = [sys.executable, "-m", "helpers.publish.batch", "--years", "2023", "--notebooks", str(folder),
               "--out", str(out), "--tidy", str(tidy_dir), "--no-progress", "--executor", "dask", "--workers", "1"]
    # its own session, as a terminal runs a command: Ctrl-C reaches the command, the cluster's workers and kernels
    process = subprocess.Popen(command, start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    deadline = time.monotonic() + 240
    while not (year_dir.is_dir() and list(year_dir.glob(".*.staged*"))):  # a worker is making a page
        assert process.poll() is None and time.monotonic() < deadline, "the batch ended before it could be stopped"
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGINT)
    _, err = process.communicate(timeout=120)
    assert process.returncode == 130, err
    assert err.strip().startswith("batch interrupted") and len(err.strip().splitlines()) == 1, \
        f"Ctrl-C must print one line (no worker's traceback, no dask log), not:\n{err}"
    deadline = time.monotonic() + 10  # a kernel template process notices its worker is gone within a second
    while _session(process.pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not _session(process.pid), "processes of the stopped batch still run"
    time.sleep(1)  # a worker left running would stage its page now
    assert not [p.name for p in year_dir.iterdir() if p.name.startswith(".")], "staged files left after Ctrl-C"
    import nbformat

    for page in year_dir.iterdir():  # pages finished before the interrupt are whole, each with its notebook
        if page.suffix == ".html":
            assert page.read_text(encoding="utf-8").rstrip().endswith("</html>"), page.name
            nbformat.validate(nbformat.read(page.with_suffix(".ipynb"), as_version=4))


def test_planning_imports_neither_the_runner_nor_the_chart_theme():
    """publish.index and publish.plan stand without publish.batch (no import circle), and the font path comes
    from helpers.paths, not from the chart module that sets a seaborn theme when imported."""
    code = ("import sys, json\nimport helpers.publish.index, helpers.publish.plan, helpers.publish.fonts\n"
            "from helpers import paths\n"
            "print(json.dumps({'loaded': sorted(m for m in ('helpers.publish.batch', 'helpers.show.charts', 'seaborn')"
            " if m in sys.modules), 'font': paths.cjk_font_path().name}))")
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=paths.ROOT)
    assert json.loads(shown.stdout) == {"loaded": [], "font": "NotoSansCJKsc-Regular.otf"}


def test_ctrl_c_landing_where_python_drops_exceptions_still_ends_the_worker_quietly():
    """Ctrl-C can reach a worker while it runs a weakref callback or a `__del__`, where an exception is printed as
    "Exception ignored" and dropped: the worker must still exit with 130, print nothing, and not go on."""
    script = (
        "import signal, time\n"
        "from helpers.executors import quiet_interrupt\n"
        "quiet_interrupt()\n"
        "class Dropped:\n"
        "    def __del__(self):\n"
        "        signal.raise_signal(signal.SIGINT)\n"
        "        sum(range(1000))  # the handler runs here, inside __del__\n"
        "d = Dropped()\n"
        "del d\n"
        "time.sleep(0.5)\n"
        "print('went on')\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60,
                          cwd=paths.ROOT)
    assert (done.returncode, done.stdout, done.stderr) == (130, "", "")
