"""The notebooks as a JupyterLab user runs them: a real Jupyter server on loopback, the project's
kernel started by that server in notebooks/, every cell executed over the kernel's websocket."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import pytest

from helpers import paths
from helpers.constants import KERNEL
from helpers.publish.kernels import ensure_kernel
from helpers.publish.lab import SERVER_CONFIG
from helpers.publish.plan import templates

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, port: int, token: str) -> None:
        self.base = f"http://127.0.0.1:{port}"
        self.ws_base = f"ws://127.0.0.1:{port}"
        self.headers = {"Authorization": f"token {token}"}

    def api(self, method: str, path: str, body: dict | None = None):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base + path, data=data, method=method,
                                         headers={**self.headers, "Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as response:
            text = response.read()
        return json.loads(text) if text else None


@contextlib.contextmanager
def jupyter_lab(root: Path, runtime: Path):
    """A JupyterLab server on loopback as `make lab` starts it (the project's server config), rooted at `root`."""
    ensure_kernel()
    port, token = _free_port(), secrets.token_hex(16)
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(runtime), "PYDEVD_DISABLE_FILE_VALIDATION": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "helpers.publish.lab", "--no-browser", "--ServerApp.ip=127.0.0.1",
         f"--ServerApp.port={port}", "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}",
         f"--ServerApp.root_dir={root}", "--ServerApp.log_level=INFO", f"--config={SERVER_CONFIG}",
         *(["--allow-root"] if os.geteuid() == 0 else [])],  # CI runs as root
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    srv = Server(port, token)
    deadline = time.monotonic() + 60
    while True:
        try:
            srv.api("GET", "/api/status")
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"Jupyter server did not start: {process.stderr.read().decode()[-2000:]}")
            time.sleep(0.3)
    try:
        yield srv
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def test_make_lab_starts_jupyter_with_the_project_config():
    makefile = (paths.ROOT / "Makefile").read_text(encoding="utf-8")
    lab = makefile[makefile.index("\nlab:"):].split("\n\n")[0]
    assert "--notebook-dir=notebooks" in lab and f"--config={SERVER_CONFIG.relative_to(paths.ROOT)}" in lab
    assert "-m helpers.publish.lab " in lab  # the entry point the tests' server starts from (jupyter_lab above)


def test_saving_a_run_template_in_jupyterlab_keeps_its_outputs_out(tmp_path):
    """JupyterLab saves (and autosaves) through the server's contents API: what reaches the disk has no outputs."""
    template = templates()[0]
    shutil.copy(template, tmp_path / template.name)
    run = json.loads(template.read_text(encoding="utf-8"))
    code = next(c for c in run["cells"] if c["cell_type"] == "code")
    code["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "17,211.32\n"}]
    code["execution_count"] = 4
    with jupyter_lab(tmp_path, tmp_path / "runtime") as srv:
        srv.api("PUT", f"/api/contents/{template.name}", {"type": "notebook", "format": "json", "content": run})
        saved = srv.api("GET", f"/api/contents/{template.name}")["content"]
    on_disk = json.loads((tmp_path / template.name).read_text(encoding="utf-8"))
    assert all(c["outputs"] == [] and c["execution_count"] is None
               for c in on_disk["cells"] if c["cell_type"] == "code")
    assert [c["source"] for c in on_disk["cells"]] == [c["source"] for c in json.loads(
        template.read_text(encoding="utf-8"))["cells"]]
    assert "17,211.32" not in json.dumps(saved)


# What a kernel's language_info looks like once JupyterLab has run a notebook (ipykernel, Python 3.11).
KERNEL_LANGUAGE_INFO = {"codemirror_mode": {"name": "ipython", "version": 3}, "file_extension": ".py",
                        "mimetype": "text/x-python", "name": "python", "nbconvert_exporter": "python",
                        "pygments_lexer": "ipython3", "version": "3.11.9"}


def _git_repo_with_templates(root: Path) -> None:
    """`root` as a clone of the templates: the project's .gitattributes and the nbstripout filter exactly as
    `make setup` registers it (read from the Makefile), every template committed."""
    makefile = (paths.ROOT / "Makefile").read_text(encoding="utf-8")
    filters = dict(re.findall(r"git config (filter\.nbstripout\.(?:clean|process)) '([^']+)'", makefile))
    assert set(filters) == {"filter.nbstripout.clean", "filter.nbstripout.process"}
    (root / "notebooks").mkdir()
    for template in templates():
        shutil.copy(template, root / "notebooks" / template.name)
    for name in (".gitattributes", ".gitignore"):  # the filter, and JupyterLab's checkpoints left out
        shutil.copy(paths.ROOT / name, root / name)
    git = ["git", "-C", str(root), "-c", "user.name=test", "-c", "user.email=test@example.org"]
    subprocess.run([*git, "init", "-q"], check=True)
    for key, command in filters.items():
        subprocess.run([*git, "config", key, command.replace(".venv/bin/python", sys.executable)], check=True)
    subprocess.run([*git, "config", "filter.nbstripout.smudge", "cat"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "templates"], check=True)


def _git_status(root: Path) -> str:
    return subprocess.run(["git", "-C", str(root), "status", "--porcelain"], capture_output=True, text=True,
                          check=True).stdout


def test_saving_an_unchanged_template_in_jupyterlab_leaves_git_clean(tmp_path):
    """Open, run, save: JupyterLab sends back the template with the kernel's language_info (10 lines) and outputs;
    neither the save hook's file nor git's view of it may differ from the committed template."""
    _git_repo_with_templates(tmp_path)
    assert _git_status(tmp_path) == ""
    with jupyter_lab(tmp_path, tmp_path.parent / "runtime") as srv:
        for template in templates():
            path = f"notebooks/{template.name}"
            content = srv.api("GET", f"/api/contents/{path}")["content"]
            content["metadata"]["language_info"] = KERNEL_LANGUAGE_INFO
            code = next(c for c in content["cells"] if c["cell_type"] == "code")
            code["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "17,211.32\n"}]
            code["execution_count"] = 1
            srv.api("PUT", f"/api/contents/{path}", {"type": "notebook", "format": "json", "content": content})
    assert _git_status(tmp_path) == ""
    assert [p.read_bytes() for p in sorted((tmp_path / "notebooks").glob("*.ipynb"))] == [
        t.read_bytes() for t in templates()]


def test_the_git_filter_keeps_the_kernels_language_info_of_a_template_saved_elsewhere_out_of_commits(tmp_path):
    """A template saved by another editor (no save hook) with the kernel's language_info: the file's bytes differ (git
    status lists it until it is added, as for any filtered file), but git diff shows nothing and adding it stages
    nothing."""
    _git_repo_with_templates(tmp_path)
    template = sorted((tmp_path / "notebooks").glob("*.ipynb"))[0]
    notebook = json.loads(template.read_text(encoding="utf-8"))
    notebook["metadata"]["language_info"] = KERNEL_LANGUAGE_INFO
    template.write_text(json.dumps(notebook, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    assert "pygments_lexer" in template.read_text(encoding="utf-8")  # the file has it
    diff = subprocess.run(["git", "-C", str(tmp_path), "diff"], capture_output=True, text=True, check=True).stdout
    assert diff == ""
    subprocess.run(["git", "-C", str(tmp_path), "add", "-A"], check=True)
    assert _git_status(tmp_path) == ""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with jupyter_lab(paths.NOTEBOOKS, tmp_path_factory.mktemp("jupyter-runtime")) as srv:
        yield srv


async def _execute_all(srv: Server, kernel_id: str, cells: list[str]) -> list[dict]:
    """Execute `cells` in order over the kernel's websocket; return one result per cell."""
    from tornado.httpclient import HTTPRequest
    from tornado.websocket import websocket_connect

    session = uuid.uuid4().hex
    request = HTTPRequest(f"{srv.ws_base}/api/kernels/{kernel_id}/channels?session_id={session}",
                          headers=srv.headers)
    ws = await websocket_connect(request)
    results = []
    try:
        for code in cells:
            msg_id = uuid.uuid4().hex
            await ws.write_message(json.dumps({
                "header": {"msg_id": msg_id, "username": "test", "session": session, "msg_type": "execute_request",
                           "version": "5.3"},
                "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
                "content": {"code": code, "silent": False, "store_history": True, "user_expressions": {},
                            "allow_stdin": False, "stop_on_error": True}}))
            result = {"status": None, "errors": [], "stdout": "", "stderr": "", "outputs": 0}
            idle = False  # iopub output may arrive after the shell reply: wait for both
            while result["status"] is None or not idle:
                raw = await asyncio.wait_for(ws.read_message(), timeout=120)
                if raw is None:
                    raise RuntimeError("kernel websocket closed")
                msg = json.loads(raw)
                if msg.get("parent_header", {}).get("msg_id") != msg_id:
                    continue
                kind = msg["msg_type"]
                if kind == "error":
                    result["errors"].append(f"{msg['content']['ename']}: {msg['content']['evalue']}")
                elif kind == "stream":
                    result[msg["content"]["name"]] += msg["content"]["text"]
                elif kind in ("display_data", "execute_result"):
                    result["outputs"] += 1
                elif kind == "execute_reply":
                    result["status"] = msg["content"]["status"]
                elif kind == "status" and msg["content"]["execution_state"] == "idle":
                    idle = True
            results.append(result)
    finally:
        ws.close()
    return results


@pytest.mark.parametrize("name", [p.name for p in templates()])
def test_notebook_runs_in_a_real_jupyter_server(server, name):
    model = server.api("GET", f"/api/contents/{name}?content=1")
    cells = [c["source"] for c in model["content"]["cells"] if c["cell_type"] == "code"]
    session = server.api("POST", "/api/sessions", {"path": name, "name": name, "type": "notebook",
                                                   "kernel": {"name": KERNEL}})
    try:
        assert session["kernel"]["name"] == KERNEL
        results = asyncio.run(_execute_all(server, session["kernel"]["id"],
                                           ["import os; print(os.getcwd(), flush=True)"] + cells))
    finally:
        server.api("DELETE", f"/api/sessions/{session['id']}")
    for i, result in enumerate(results):
        assert result["status"] == "ok", f"{name}, code cell {i}: {result['errors']}"
        assert "missing from font" not in result["stderr"], f"{name}, code cell {i}: {result['stderr']}"
    assert results[0]["stdout"].strip() == str(paths.NOTEBOOKS), "the kernel must run in notebooks/"
    assert sum(r["outputs"] for r in results) > 0
