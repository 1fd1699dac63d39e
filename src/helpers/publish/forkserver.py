"""Kernels forked from one process that has already imported what the pages import.

A page's own work takes about half a second; starting its kernel and importing pandas, seaborn,
matplotlib and the helpers takes several. The batch therefore starts one template process (`serve`)
per run: it imports those libraries once, then forks a fresh kernel for each notebook. Every
notebook still runs in a process of its own, so nothing one notebook sets is seen by the next.

Forking is only safe before a process has ZMQ sockets or threads that hold locks a child would need: the
template process opens no socket but its own and starts no thread. Two native threads are started by the
imports, as in any kernel: numpy's OpenBLAS pool and pyarrow's jemalloc background thread; both libraries
register fork handlers (pthread_atfork) that stop or reset them around a fork, so a child starts with its
main thread alone and their locks free. It talks to the batch's workers over a Unix socket in a private
folder, one JSON request per connection:

    {"op": "spawn", "argv": [...], "env": {...}, "cwd": "..."}  -> {"pid": 1234}
    {"op": "poll", "pid": 1234}                                  -> {"returncode": null | int}
    {"op": "stop"}                                               -> {}

A kernel is forked only when it would be the same as a fresh one: the same interpreter and flags
(the kernel spec's command up to `-m ipykernel_launcher`) and the same environment apart from the
variables Jupyter sets per kernel. Anything else is refused, and the batch starts that kernel the
usual way (see `kernels.ipc_kernel_manager`).
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# What the notebooks import, paid once here instead of once per page. Not matplotlib's inline backend:
# imported before the kernel's shell exists it would not hook figures into the shell, so the first
# figure of each kernel imports it, as in a fresh kernel.
PRELOAD = (
    "numpy", "pandas", "matplotlib", "matplotlib.pyplot", "seaborn",
    "jinja2", "IPython", "ipykernel.kernelapp", "ipykernel.ipkernel",
    "helpers.show.charts", "helpers.show.page", "helpers.story.fmt", "helpers.story.overview",
    "helpers.story.three_public", "helpers.story.low_execution", "helpers.story.audit",
    "helpers.story.self_evaluation", "helpers.story.trend", "helpers.story.compare",
    "sqlite3", "ipykernel.debugger", "ipykernel.zmqshell",  # what every kernel imports as it starts
    # what a kernel imported after that, on the way to its first page (listed from sys.modules at a page's end)
    "IPython.core.completerlib", "IPython.core.debugger", "IPython.core.logger", "IPython.core.oinspect",
    "IPython.core.pylabtools", "IPython.extensions.storemagic", "faulthandler", "pdb", "runpy",
    "tornado.platform.asyncio", "zmq.utils.garbage", "pandas.io.formats.html", "pandas.io.formats.string",
    "pandas.core.methods.to_dict", "pandas.core.reshape.reshape", "helpers.show.audit_charts", "helpers.show.labels",
    "duckdb",  # the comparison page reads the corpus with it
)
# Work every page repeats that gives the same result in every kernel: done once, before forking.
WARM = (("helpers.story.wording", "warm"), ("helpers.publish.forkserver", "warm_tables"),
        ("helpers.publish.forkserver", "warm_charts"))
LAUNCHER = ["-m", "ipykernel_launcher"]
ADDRESS_ENV = "BUDGET_FORK_SERVER"
# The process that started it: a batch reuses a running template process only when it is its own (the test
# session's); a batch started as a process of its own starts its own, and a Ctrl-C there stops only that one.
OWNER_ENV = "BUDGET_FORK_SERVER_OWNER"
# Set by Jupyter for each kernel, or describing the terminal or the test in progress; no library the
# template process imports reads them at import. Any other variable must match the template's own.
PER_KERNEL_ENV = ("JPY_PARENT_PID", "JPY_SESSION_NAME", "PYTHONEXECUTABLE", ADDRESS_ENV, OWNER_ENV, "COLUMNS", "LINES",
                  "PYTEST_CURRENT_TEST")
PARENT_CHECK_S = 1.0
INLINE_BACKEND = "module://matplotlib_inline.backend_inline"


# ------------------------------------------------------------------ the template process

def warm_tables() -> None:
    """Compile pandas' table templates (its Styler renders through Jinja2), as a page's first table would."""
    import pandas as pd

    pd.DataFrame({"金额": [1.5], "name": ["项目"]}).style.format(precision=2).hide(axis="index").to_html()


def warm_charts() -> None:
    """Read the chart fonts' glyphs and outlines, as a page's first chart would: drawn off screen on Agg, so
    neither pyplot's figure list nor its backend (the kernel's own, chosen when its shell exists) is touched."""
    import io

    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(3, 2))
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    axes.barh(["支出 spending", "项目 project"], [1.0, 2.0])
    axes.set_title("决算 0123456789,.%")
    figure.savefig(io.BytesIO(), format="png")


def prepare() -> None:
    """Make this process what a kernel is after its first page's imports: the page libraries imported (PRELOAD),
    the work every page repeats done (WARM), pandas as a kernel sets it up."""
    # The backend ipykernel would choose, set before matplotlib reads it at import.
    os.environ.setdefault("MPLBACKEND", INLINE_BACKEND)
    for name in PRELOAD:
        importlib.import_module(name)
    for name, function in WARM:
        getattr(importlib.import_module(name), function)()
    # pandas chose its terminal default when imported here, outside a kernel (display.max_columns 0: fit the
    # terminal); a kernel's pandas chooses 20, and a wide DataFrame's text would differ from a fresh kernel's.
    import pandas

    pandas.set_option("display.max_columns", 20)


def serve(address: str) -> None:
    """Import the page libraries, then answer requests on `address` until told to stop."""
    os.environ.setdefault("MPLBACKEND", INLINE_BACKEND)  # as prepare() sets it: the kernels' own environment
    own_env = dict(os.environ)
    prepare()
    # What the imports set in the environment (debugpy: PYDEVD_USE_FRAME_EVAL), as they do in a fresh kernel.
    set_by_imports = {k: v for k, v in os.environ.items() if own_env.get(k) != v}
    prefix = json.loads(sys.argv[2])  # the interpreter and flags this process was started with
    children: dict[int, int | None] = {}
    # Ctrl-C reaches the whole process group: the batch stops this process itself, after its workers.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    batch = os.getppid()
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(address)
    listener.listen(16)
    listener.settimeout(PARENT_CHECK_S)
    print("ready", flush=True)
    while True:
        try:
            conn, _ = listener.accept()
        except TimeoutError:
            if os.getppid() != batch:  # the batch was killed: its kernels go with this process
                break
            continue
        conn.settimeout(None)
        with conn:
            try:
                request = json.loads(_receive(conn))
            except (OSError, ValueError):  # a worker killed mid-request (Ctrl-C, kill -9): serve the others
                continue
            op = request.get("op")
            if op == "spawn":
                reason = _refusal(request, own_env, prefix)
                reply = {"refused": reason} if reason else \
                    {"pid": _fork_kernel(listener, conn, request["argv"], {**request["env"], **set_by_imports},
                                         request["cwd"])}
                if "pid" in reply:
                    children[reply["pid"]] = None
            elif op == "poll":
                reply = {"returncode": _poll(children, int(request["pid"]))}
            elif op == "stop":
                conn.sendall(b"{}\n")
                break
            else:
                reply = {"refused": f"unknown request {op!r}"}
            conn.sendall(json.dumps(reply).encode() + b"\n")
    listener.close()
    with contextlib.suppress(FileNotFoundError):
        os.unlink(address)


def _refusal(request: dict, own_env: dict, prefix: list[str]) -> str | None:
    """Why a kernel for `request` would differ from a fresh one (None when it would not)."""
    argv = request["argv"]
    if argv[: len(prefix) + len(LAUNCHER)] != prefix + LAUNCHER:
        return f"the kernel command {argv[:4]} is not this interpreter's {prefix + LAUNCHER}"
    env = {k: v for k, v in request["env"].items() if k not in PER_KERNEL_ENV}
    mine = {k: v for k, v in own_env.items() if k not in PER_KERNEL_ENV}
    differs = sorted(k for k in env.keys() | mine.keys() if env.get(k) != mine.get(k) and k != "MPLBACKEND")
    if differs:
        return f"the kernel's environment differs in {', '.join(differs[:5])}"
    return None


def _fork_kernel(listener: socket.socket, conn: socket.socket, argv: list[str], env: dict, cwd: str) -> int:
    server = os.getpid()  # the child's parent, named before the fork: by the time the child asks, it may be gone
    pid = os.fork()
    if pid:
        return pid
    code = 1
    try:  # the child: become what `python -m ipykernel_launcher ARGS` would have been
        if os.getppid() != server:  # the template process was killed as it forked this: no kernel to start
            return
        listener.close()
        conn.close()
        os.setsid()  # its own process group, as jupyter_client starts kernels
        signal.signal(signal.SIGINT, signal.default_int_handler)  # how the batch interrupts a cell
        os.chdir(cwd)
        os.environ.clear()
        os.environ.update(env)
        # The kernel watches its parent and exits with it: its parent is the template process.
        os.environ["JPY_PARENT_PID"] = str(server)
        devnull = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(devnull, fd)
        os.close(devnull)
        sys.path[0] = cwd  # `-m` puts the working directory first
        _reseed()
        # ipykernel reads JPY_PARENT_PID when it is imported, which here was before any kernel: say it again,
        # so that the kernel exits when the template process does (a killed batch leaves no kernel behind).
        args = [*argv[argv.index("ipykernel_launcher") + 1:], f"--IPKernelApp.parent_handle={server}"]
        sys.argv = [sys.argv[0], *args]
        from ipykernel import kernelapp

        kernelapp.launch_new_instance(argv=args)
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:  # noqa: BLE001 - a child never returns into the server's loop
        code = 1
    finally:
        os._exit(code)


def _reseed() -> None:
    """A fork copies the parent's random state; a fresh kernel would have drawn its own."""
    import numpy as np

    np.random.seed()  # `random` reseeds itself after a fork


def _poll(children: dict[int, int | None], pid: int) -> int | None:
    if children.get(pid) is not None:
        return children[pid]
    try:
        done, status = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return children.get(pid, 0) or 0
    if done == 0:
        return None
    children[pid] = os.waitstatus_to_exitcode(status)
    return children[pid]


def _receive(conn: socket.socket) -> bytes:
    data = b""
    while not data.endswith(b"\n"):
        chunk = conn.recv(65536)
        if not chunk:
            break
        data += chunk
    return data


# ------------------------------------------------------------------ the batch's side

def request(address: str, message: dict) -> dict:
    """Send one request to the template process at `address` and return its reply."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
        conn.connect(address)
        conn.sendall(json.dumps(message).encode() + b"\n")
        return json.loads(_receive(conn) or b"{}")


class ForkServer:
    """The template process of one batch: `with ForkServer(prefix): …` sets BUDGET_FORK_SERVER for
    the workers it starts after it, and stops the process (and with it any kernel left) at the end."""

    def __init__(self, prefix: list[str]):
        self.prefix = prefix
        self.folder = Path(tempfile.mkdtemp(prefix="luzhou-forks-"))  # private: mode 0700
        self.address = str(self.folder / "socket")
        self.process: subprocess.Popen | None = None
        self.previous: dict[str, str | None] = {}  # the variables this replaces while it runs

    def start(self) -> ForkServer:
        """Start the process, without waiting for it: it imports while its caller does other work (`with` waits
        for it to be ready). Its environment is the caller's now, which must be the kernels' (see `_refusal`)."""
        if self.process is None:
            self.process = subprocess.Popen(
                [*self.prefix, "-m", "helpers.publish.forkserver", self.address, json.dumps(self.prefix)],
                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        return self

    def close(self) -> None:
        """Stop a process started and never entered (a batch that found nothing to run)."""
        self._stop(ask=False)

    def __enter__(self) -> ForkServer:
        self.start()
        ready = self.process.stdout.readline().strip() if self.process.stdout else ""
        if ready != "ready":
            self.process.kill()
            self.process.wait()
            raise RuntimeError("the kernel template process did not start")
        self.previous = {name: os.environ.get(name) for name in (ADDRESS_ENV, OWNER_ENV)}
        os.environ[ADDRESS_ENV], os.environ[OWNER_ENV] = self.address, str(os.getpid())
        return self

    def __exit__(self, *exc) -> None:
        for name, value in self.previous.items():  # an outer template process serves again
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        self._stop(ask=True)

    def _stop(self, ask: bool) -> None:
        """Stop the process (asked to when `ask`, as one that serves; else killed: it may still be importing)."""
        if self.process is not None:
            if ask:
                with contextlib.suppress(OSError, ValueError):
                    request(self.address, {"op": "stop"})
            try:
                self.process.wait(timeout=10 if ask else 0)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            if self.process.stdout:
                self.process.stdout.close()
            self.process = None
        with contextlib.suppress(OSError):
            os.unlink(self.address)
        with contextlib.suppress(OSError):
            self.folder.rmdir()


class ForkedKernel:
    """The little of `subprocess.Popen` jupyter_client's provisioner uses, for a kernel forked by the
    template process (its child, not ours: the template process reaps it and tells its exit code)."""

    stdin = stdout = stderr = None

    def __init__(self, address: str, pid: int):
        self.address, self.pid = address, pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            try:
                self.returncode = request(self.address, {"op": "poll", "pid": self.pid})["returncode"]
            except OSError:  # the template process is gone, and its kernels with it
                self.returncode = -9
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired("kernel", timeout)
            time.sleep(0.05)
        return self.returncode

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:
            os.kill(self.pid, signum)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)


if __name__ == "__main__":
    serve(sys.argv[1])
    # Told to stop, with its socket gone: exit now. An interpreter's own exit would tear down every module and
    # object the imports made (a third of a second the batch waits for at its end); nothing here needs it.
    os._exit(0)
