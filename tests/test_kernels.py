"""Kernels forked from the batch's template process: each notebook still runs in a process of its own,
and its page is byte for byte the page a fresh kernel makes."""

from __future__ import annotations

import json
import os
import shutil

import pytest

from helpers import paths
from helpers.publish.forkserver import LAUNCHER, _refusal
from tests.conftest import UNIT_ID, digests


def _template(folder, name: str, code: str) -> None:
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "luzhou-budget", "display_name": "Python (luzhou-budget)",
                                 "language": "python"}
    nb.metadata["budget_story"] = {"scope": "year", "hide_code": False, "title": {"zh": name, "en": name}}
    params = nbformat.v4.new_code_cell("year: int = 2023  # report year")
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, nbformat.v4.new_code_cell(code)]
    nbformat.write(nb, folder / f"{name}.ipynb")


@pytest.mark.slow
def test_state_set_by_one_notebook_is_never_seen_by_the_next(tmp_path, tidy_dir):
    import nbformat

    from helpers.publish.batch import run_batch

    folder = tmp_path / "templates"
    folder.mkdir()
    # One worker runs them in this order; the first leaves state everywhere a kernel could keep it.
    _template(folder, "a_sets_state", "import os, helpers, matplotlib\n"
              "leaked_global = 1\nhelpers.leaked_attribute = 1\nos.environ['LEAKED_VARIABLE'] = '1'\n"
              "matplotlib.rcParams['lines.linewidth'] = 9.0\nos.chdir('/')")
    _template(folder, "b_reads_state", "import json, os, sys, helpers, matplotlib, pandas\n"
              "print(json.dumps({'forked': 'seaborn' in sys.modules, 'global': 'leaked_global' in globals(),\n"
              "  'max_columns': pandas.get_option('display.max_columns'),\n"
              "  'attribute': hasattr(helpers, 'leaked_attribute'), 'variable': 'LEAKED_VARIABLE' in os.environ,\n"
              "  'linewidth': matplotlib.rcParams['lines.linewidth'], 'cwd': os.getcwd()}))")
    result = run_batch([2023], notebook_dir=folder, out_root=tmp_path / "reports", tidy_dir=tidy_dir,
                       progress=False, workers=1)
    assert not result.failures
    nb = nbformat.read(tmp_path / "reports" / UNIT_ID / "2023" / "b_reads_state.en.ipynb", as_version=4)
    seen = json.loads(nb.cells[-1].outputs[0]["text"])
    # seaborn, never imported by the notebook, is there: the kernel was forked from the template process
    # pandas' display options as a kernel's pandas sets them (not the terminal's 0, as the template imported it)
    assert seen == {"forked": True, "global": False, "max_columns": 20, "attribute": False, "variable": False,
                    "linewidth": 1.5,
                    "cwd": str(paths.NOTEBOOKS)}


@pytest.mark.slow
def test_forked_pages_are_the_pages_of_fresh_kernels(tmp_path, tidy_dir, monkeypatch):
    from helpers.publish.batch import run_batch

    folder = tmp_path / "templates"
    folder.mkdir()
    # charts, tables, sentences in both languages; the analyst's DataFrames (03) as text too
    for name in ("03_low_execution", "04_summary"):
        shutil.copy(paths.NOTEBOOKS / f"{name}.ipynb", folder)
    forked = run_batch([2023], notebook_dir=folder, out_root=tmp_path / "forked", tidy_dir=tidy_dir, progress=False)
    monkeypatch.setenv("BUDGET_FRESH_KERNELS", "1")
    fresh = run_batch([2023], notebook_dir=folder, out_root=tmp_path / "fresh", tidy_dir=tidy_dir, progress=False)
    assert not forked.failures and not fresh.failures
    pages = digests(tmp_path / "forked", "**/*.*")
    assert len([p for p in pages if p.startswith(f"{UNIT_ID}/2023/") and p.endswith(".html")]) == 4
    assert pages == digests(tmp_path / "fresh", "**/*.*")


def test_a_kernel_that_would_differ_from_a_fresh_one_is_not_forked():
    prefix = ["/venv/bin/python", "-Xfrozen_modules=off"]
    argv = [*prefix, *LAUNCHER, "-f", "kernel.json"]
    env = {"PATH": "/usr/bin", "LANG": "C.UTF-8"}
    assert _refusal({"argv": argv, "env": {**env, "JPY_PARENT_PID": "12"}}, env, prefix) is None
    assert "PYTHONPATH" in _refusal({"argv": argv, "env": {**env, "PYTHONPATH": "/elsewhere"}}, env, prefix)
    assert "interpreter" in _refusal({"argv": ["/other/python", *LAUNCHER, "-f", "k.json"], "env": env}, env, prefix)


def test_the_batch_waits_for_a_kernel_with_its_own_ready_check_and_exit_poll():
    """jupyter_client binds `wait_for_ready` when its class is made, so overriding `_async_wait_for_ready` alone is
    never called (a whole release of this batch waited 0.2 s of silence per kernel that way); the kernel manager and
    the fork provisioner look for a killed kernel's exit at the batch's interval, not every 0.1 s."""
    import inspect

    from helpers.publish import kernels

    client = kernels.ready_client()
    assert client.wait_for_ready is client._async_wait_for_ready
    assert "_idle_after" in inspect.getsource(client.wait_for_ready)
    manager = kernels.ipc_kernel_manager()
    assert "EXIT_POLL_S" in inspect.getsource(manager._async_wait)
    assert "EXIT_POLL_S" in inspect.getsource(kernels.fork_provisioner().wait) and kernels.EXIT_POLL_S < 0.1


def test_the_benchmarks_stock_floor_starts_kernels_as_jupyter_client_does(monkeypatch):
    """BUDGET_FRESH_KERNELS=stock (the floor the speed targets were set against): no template process, and each
    kernel started and awaited by jupyter_client's own client and exit poll, not this project's."""
    import contextlib

    from jupyter_client.asynchronous import AsyncKernelClient

    from helpers.publish import kernels

    monkeypatch.setenv(kernels.FRESH_KERNELS_ENV, "stock")
    assert isinstance(kernels.template_process(), contextlib.nullcontext)
    assert kernels.ipc_kernel_manager()(kernel_name=kernels.KERNEL).client_factory is AsyncKernelClient
    monkeypatch.setenv(kernels.FRESH_KERNELS_ENV, "1")
    assert isinstance(kernels.template_process(), contextlib.nullcontext)
    ready = kernels.ipc_kernel_manager()(kernel_name=kernels.KERNEL).client_factory
    assert ready is not AsyncKernelClient and issubclass(ready, AsyncKernelClient)


def test_a_batch_reuses_only_its_own_processs_template_process(monkeypatch):
    """The test session's template process serves the session's batches; a batch started as a process of its
    own (the interrupt tests' Ctrl-C) starts its own, so killing it never touches the session's."""
    import contextlib

    from helpers.publish.forkserver import ADDRESS_ENV, OWNER_ENV, ForkServer
    from helpers.publish.kernels import template_process

    monkeypatch.setenv(ADDRESS_ENV, "/tmp/elsewhere/socket")
    monkeypatch.setenv(OWNER_ENV, str(os.getpid()))
    assert isinstance(template_process(), contextlib.nullcontext)
    monkeypatch.setenv(OWNER_ENV, str(os.getppid()))  # inherited from the process that started this one
    assert isinstance(template_process(), ForkServer)


@pytest.mark.slow  # starts a template process (imports pandas, seaborn, matplotlib)
def test_a_worker_killed_mid_request_does_not_stop_the_template_process(monkeypatch):
    import socket

    from helpers.publish.forkserver import OWNER_ENV, request
    from helpers.publish.kernels import template_process

    monkeypatch.delenv(OWNER_ENV, raising=False)  # a template process of this test's own, not the session's
    with template_process() as server:
        for broken in (b"", b'{"op": "sp'):  # connected and killed before or while sending
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
                conn.connect(server.address)
                conn.sendall(broken)
        assert request(server.address, {"op": "poll", "pid": os.getpid()}) == {"returncode": 0}


@pytest.mark.slow  # starts a template process and a kernel
def test_a_forked_kernel_exits_when_its_template_process_dies(monkeypatch):
    """A batch killed with kill -9 takes its template process with it; its kernels must not linger."""
    import asyncio
    import signal
    import time

    from helpers.publish.forkserver import OWNER_ENV
    from helpers.publish.kernels import ipc_kernel_manager, template_process

    monkeypatch.delenv(OWNER_ENV, raising=False)

    async def start():
        manager = ipc_kernel_manager()(kernel_name="luzhou-budget")
        await manager.start_kernel(cwd=str(paths.NOTEBOOKS))
        return manager.provisioner.pid, type(manager.provisioner.process).__name__

    with template_process() as server:
        pid, kind = asyncio.run(start())
        assert kind == "ForkedKernel"
        server.process.send_signal(signal.SIGKILL)
        server.process.wait()
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.2)
        else:
            os.kill(pid, signal.SIGKILL)
            pytest.fail("the forked kernel outlived its template process")


@pytest.mark.slow
def test_a_cold_batch_of_its_own_forks_from_the_template_process_it_started_while_planning(tmp_path, tidy_dir,
                                                                                         monkeypatch):
    """A batch into an empty folder starts its template process before it plans (it imports meanwhile); the
    kernels are forked from it, and it is gone when the batch ends."""
    import nbformat

    from helpers.publish import batch
    from helpers.publish.forkserver import OWNER_ENV, ForkServer

    monkeypatch.setenv(OWNER_ENV, str(os.getppid()))  # the session's template process is not this batch's own
    started, events = [], []
    monkeypatch.setattr(ForkServer, "start", lambda self, start=ForkServer.start:
                        events.append("template") or started.append(start(self)) or self)
    monkeypatch.setattr(batch, "plan", lambda *a, plan=batch.plan: events.append("plan") or plan(*a))
    folder = tmp_path / "templates"
    folder.mkdir()
    _template(folder, "b_reads_state", "import json, sys\nprint(json.dumps({'forked': 'seaborn' in sys.modules}))")
    result = batch.run_batch([2023], notebook_dir=folder, out_root=tmp_path / "reports", tidy_dir=tidy_dir,
                             progress=False, workers=1)
    assert not result.failures
    nb = nbformat.read(tmp_path / "reports" / UNIT_ID / "2023" / "b_reads_state.en.ipynb", as_version=4)
    assert json.loads(nb.cells[-1].outputs[0]["text"]) == {"forked": True}
    # one template process, started before planning (entering it waits for it, starting nothing new), now stopped
    assert len({id(server) for server in started}) == 1 and started[0].process is None
    assert events[:2] == ["template", "plan"]
    # a rebuild (the folder has build state) starts none before it knows it runs a notebook: here it runs none
    batch.run_batch([2023], notebook_dir=folder, out_root=tmp_path / "reports", tidy_dir=tidy_dir, progress=False,
                    workers=1)
    assert len({id(server) for server in started}) == 1


def test_the_command_starts_its_template_process_before_it_imports_pandas(tmp_path):
    """A cold batch started from the command line starts the template process first, so that it imports the page
    libraries while the batch imports and plans (importing the batch module pulls in no pandas); the batch is handed
    that process, and it is stopped when the batch could not run."""
    import subprocess
    import sys

    code = ("import json, sys\n"
            "from helpers.publish import batch, forkserver\n"
            "from helpers.publish.plan import BatchRefused\n"
            "events = [('imported', 'pandas' in sys.modules)]\n"
            "forkserver.ForkServer.start = lambda self: events.append(('template', 'pandas' in sys.modules)) or self\n"
            "forkserver.ForkServer.close = lambda self: events.append(('stopped',))\n"
            "def refused(*args, template=None, **kw):\n"
            "    events.append(('batch given it', template is not None))\n"
            "    raise BatchRefused('stop here')\n"
            "batch.run_batch = refused\n"
            f"code = batch.main(['--years', '2023', '--out', {str(tmp_path / 'reports')!r}, '--no-progress'])\n"
            "print(json.dumps([code, events]))\n")
    env = {k: v for k, v in os.environ.items() if k != "BUDGET_FRESH_KERNELS"}
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=paths.ROOT,
                           env=env)
    assert json.loads(shown.stdout) == [2, [["imported", False], ["template", False], ["batch given it", True],
                                            ["stopped"]]]


def test_the_kernel_found_without_jupyter_client_is_the_one_jupyter_finds():
    """The early template process runs the interpreter of the kernel.json this environment installed (read without
    importing jupyter_client); Jupyter finds that same kernel, so the template process is kept, not replaced."""
    from helpers.publish.kernels import installed_prefix, spec_prefix

    assert installed_prefix() == spec_prefix() and installed_prefix() is not None
    assert installed_prefix("no-such-kernel") is None


def test_a_template_process_of_another_interpreter_than_the_kernels_is_stopped_and_not_used(monkeypatch):
    import contextlib

    from helpers.publish import batch, kernels

    class Started:
        prefix, closed, entered = ["/elsewhere/bin/python"], False, False

        def close(self):
            self.closed = True

        def __enter__(self):
            self.entered = True

        def __exit__(self, *exc):
            pass

    made = []
    monkeypatch.setattr(kernels, "template_process", lambda name: made.append(name) or contextlib.nullcontext())
    other = Started()
    with batch.kernels_for_workers("luzhou-budget", other):
        pass
    assert (other.closed, other.entered, made) == (True, False, ["luzhou-budget"])
    same = Started()
    same.prefix = kernels.spec_prefix()
    with batch.kernels_for_workers("luzhou-budget", same):
        pass
    assert (same.closed, same.entered, made) == (False, True, ["luzhou-budget"])
