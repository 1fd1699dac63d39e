"""The Jupyter kernel the batch runs notebooks on: installed on demand, talking over local IPC sockets,
forked from the batch's template process when there is one (see `forkserver`)."""

from __future__ import annotations

import asyncio
import importlib
import importlib.util
import logging
import os
import subprocess
import sys
import tempfile
import types
import uuid

from helpers.constants import KERNEL, KERNEL_DISPLAY_NAME

FRESH_KERNELS_ENV = "BUDGET_FRESH_KERNELS"
# BUDGET_FRESH_KERNELS=1: a fresh kernel per notebook, started and awaited by this module's client (below).
# BUDGET_FRESH_KERNELS=stock: a fresh kernel per notebook started and awaited as jupyter_client does by itself (its
# own ready check and exit polls): the benchmark's floor as first measured, before this module's client.
FRESH_VALUES = ("1", "stock")
# How soon a client tries again to reach a kernel that has not yet bound its sockets (milliseconds).
RECONNECT_MS = 5
# How often a batch looks whether a killed kernel has exited (seconds).
EXIT_POLL_S = 0.005


def ipc_kernel_manager():
    """A kernel manager class that talks to its kernel over local IPC sockets instead of TCP.

    Our kernels are local; TCP without encryption makes ipykernel warn on every start, which would
    flood the batch log. Each kernel gets its own socket path in the temp folder, removed at shutdown.
    """
    from jupyter_client.manager import AsyncKernelManager
    from traitlets import CaselessStrEnum, default

    from helpers.publish.forkserver import ADDRESS_ENV

    class IPCKernelManager(AsyncKernelManager):
        transport = CaselessStrEnum(["tcp", "ipc"], default_value="ipc", config=True)

        @default("client_factory")
        def _ready_client(self):
            if _stock():
                from jupyter_client.asynchronous import AsyncKernelClient

                return AsyncKernelClient
            return ready_client()

        @default("ip")
        def _unique_ipc_path(self) -> str:
            # jupyter_client's default prefix is shared by every kernel; parallel kernels need their own.
            return os.path.join(tempfile.gettempdir(), f"luzhou-kernel-{uuid.uuid4().hex}-ipc")

        async def _async_launch_kernel(self, kernel_cmd: list[str], **kw) -> None:
            # The kernel process's own stderr is chatter ("Parent appears to have exited" after a Ctrl-C);
            # what the notebook's cells print reaches the notebook over the kernel's messages, not this stream.
            kw["stderr"] = subprocess.DEVNULL
            await super()._async_launch_kernel(kernel_cmd, **kw)

        async def _async_pre_start_kernel(self, **kw):
            address = os.environ.get(ADDRESS_ENV) if os.environ.get(FRESH_KERNELS_ENV) not in FRESH_VALUES else None
            if address and self.provisioner is None:
                self.kernel_id = self.kernel_id or kw.pop("kernel_id", str(uuid.uuid4()))
                self.provisioner = fork_provisioner()(kernel_id=self.kernel_id, kernel_spec=self.kernel_spec,
                                                      parent=self, address=address)
            return await super()._async_pre_start_kernel(**kw)

        async def _async_wait(self, pollinterval: float = 0.1) -> None:
            # jupyter_client looks every 0.1 s whether a killed kernel has exited: a tenth of a second of every
            # page spent after the kernel is gone.
            await super()._async_wait(pollinterval=pollinterval if _stock() else EXIT_POLL_S)

        async def _async_interrupt_kernel(self) -> None:
            # jupyter_client interrupts before every shutdown; our kernels are idle by then, and the
            # interrupt only makes ipykernel log "KeyboardInterrupt caught in kernel".
            if not self.shutting_down:
                await super()._async_interrupt_kernel()

    return IPCKernelManager


def _stock() -> bool:
    return os.environ.get(FRESH_KERNELS_ENV) == "stock"


def ready_client():
    """jupyter_client's async kernel client, ready as soon as the kernel is.

    jupyter_client waits for a kernel's reply to `kernel_info`, checks that IOPub is connected, then reads IOPub
    until it has been silent for 0.2 s: a fifth of a second of every page spent waiting for nothing. This one
    reads IOPub until the kernel's `idle` status for one of its `kernel_info` requests, the last message the
    kernel sends for it; then the channel is connected and holds nothing of the start (a later message of it
    would carry another parent, which nbclient ignores). The rest is jupyter_client's own loop.
    """
    import time
    from queue import Empty

    import zmq
    from jupyter_client.asynchronous import AsyncKernelClient
    from jupyter_client.utils import ensure_async

    class ReadyKernelClient(AsyncKernelClient):
        def _create_connected_socket(self, channel: str, identity: bytes | None = None):
            # The client connects as the kernel is forked, before the kernel has bound its sockets: ZMQ tries
            # again after RECONNECT_IVL (0.1 s by default), so IOPub would join a tenth of a second late.
            self.context.setsockopt(zmq.RECONNECT_IVL, RECONNECT_MS)
            return super()._create_connected_socket(channel, identity)

        async def _async_wait_for_ready(self, timeout: float | None = None) -> None:
            deadline = time.time() + (float("inf") if timeout is None else timeout)
            asked: set[str] = set()
            while True:
                asked.add(self.kernel_info())
                try:
                    msg = await ensure_async(self.shell_channel.get_msg(timeout=1))
                except Empty:
                    pass
                else:
                    if msg["msg_type"] == "kernel_info_reply" and await self._idle_after(asked):
                        self._handle_kernel_info_reply(msg)
                        return
                if not await self._async_is_alive():
                    raise RuntimeError("Kernel died before replying to kernel_info")
                if time.time() > deadline:
                    raise RuntimeError(f"Kernel didn't respond in {timeout:.0f} seconds")

        async def _idle_after(self, asked: set[str], within: float = 0.2) -> bool:
            """Whether IOPub brings the kernel's idle status for one of the `asked` requests within `within`
            seconds of the last message (False: IOPub not yet connected, as jupyter_client's own check)."""
            while True:
                try:
                    msg = await ensure_async(self.iopub_channel.get_msg(timeout=within))
                except Empty:
                    return False
                if (msg["msg_type"] == "status" and msg["content"].get("execution_state") == "idle"
                        and msg.get("parent_header", {}).get("msg_id") in asked):
                    return True

        # jupyter_client binds `wait_for_ready` to its own function when the class is made: a subclass that only
        # overrides `_async_wait_for_ready` is never called.
        wait_for_ready = _async_wait_for_ready

    return ReadyKernelClient


def fork_provisioner():
    """jupyter_client's local provisioner, forking the kernel from the batch's template process; when the
    template process refuses (a kernel that would not be the same as a fresh one), it starts it as usual."""
    from jupyter_client.provisioning import LocalProvisioner
    from traitlets import Unicode

    from helpers.publish import forkserver

    class ForkProvisioner(LocalProvisioner):
        address = Unicode()

        async def launch_kernel(self, cmd: list[str], **kwargs):
            env = kwargs.get("env") or dict(os.environ)
            cwd = str(kwargs.get("cwd") or os.getcwd())
            try:
                reply = forkserver.request(self.address, {"op": "spawn", "argv": cmd, "env": env, "cwd": cwd})
            except OSError:
                reply = {"refused": "the template process is gone"}
            if "pid" not in reply:
                self.log.debug("starting a fresh kernel: %s", reply.get("refused"))
                return await super().launch_kernel(cmd, **kwargs)
            self.process = forkserver.ForkedKernel(self.address, reply["pid"])
            self.pid = self.pgid = reply["pid"]  # the child made itself a process group leader
            self.cwd = cwd
            return self.connection_info

        async def wait(self) -> int | None:
            # As jupyter_client's, which looks every 0.1 s: a killed kernel is reaped by the template process
            # within milliseconds.
            if self.process is None:
                return 0
            while await self.poll() is None:
                await asyncio.sleep(EXIT_POLL_S)
            code, self.process = self.process.wait(), None
            return code

    return ForkProvisioner


def template_process(name: str = KERNEL, quick: list[str] | None = None):
    """The batch's kernel template process (a context manager), or nothing when BUDGET_FRESH_KERNELS (1 or stock)
    asks for the usual fresh kernel per notebook (the benchmark's baseline) or when one is running already
    (the test session's). `quick`: the kernel's launcher prefix, known already (`installed_prefix`)."""
    import contextlib

    from helpers.publish.forkserver import ADDRESS_ENV, OWNER_ENV, ForkServer

    own = os.environ.get(ADDRESS_ENV) and os.environ.get(OWNER_ENV) == str(os.getpid())
    if os.environ.get(FRESH_KERNELS_ENV) in FRESH_VALUES or own:
        return contextlib.nullcontext()  # fresh kernels asked for, or this process's template process serves
    # The template's environment must be the kernels' own: set what the batch sets before starting it.
    quiet()
    prefix = spec_prefix(name) if quick is None else quick
    if prefix is None:  # not an ipykernel command line: nothing to fork from
        return contextlib.nullcontext()
    return ForkServer(prefix)


def launcher_prefix(argv: list[str]) -> list[str] | None:
    """The interpreter and its flags in a kernel's command line (what comes before `-m ipykernel_launcher`), or None
    when it does not start ipykernel."""
    from helpers.publish.forkserver import LAUNCHER

    at = next((i for i in range(len(argv)) if argv[i:i + len(LAUNCHER)] == LAUNCHER), None)
    return None if at is None else argv[:at]


def installed_prefix(name: str = KERNEL) -> list[str] | None:
    """The launcher prefix of the kernel `name` as `make setup` installs it (into this environment), read from its
    kernel.json without importing jupyter_client (a fifth of a second, on the path of a cold batch's first page);
    None when it is not there. Jupyter may find another kernel of that name first: compare with `spec_prefix`."""
    import json
    from pathlib import Path

    spec = Path(sys.prefix) / "share" / "jupyter" / "kernels" / name / "kernel.json"
    try:
        return launcher_prefix(json.loads(spec.read_text(encoding="utf-8"))["argv"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def spec_prefix(name: str = KERNEL) -> list[str] | None:
    """The launcher prefix of the kernel `name` as Jupyter finds it."""
    from jupyter_client.kernelspec import KernelSpecManager

    return launcher_prefix(KernelSpecManager().get_kernel_spec(name).argv)


def ensure_kernel(name: str = KERNEL) -> str:
    """Make sure the project's kernel exists (installing it into this environment if not)."""
    from jupyter_client.kernelspec import KernelSpecManager

    if name not in KernelSpecManager().find_kernel_specs():
        from ipykernel.kernelspec import install

        install(kernel_name=name, display_name=KERNEL_DISPLAY_NAME, prefix=sys.prefix)
    return name


def skip_iri_grammars() -> None:
    """Keep jsonschema from compiling the IRI grammars until a check uses them.

    nbformat (read and written by papermill, nbclient and the export; frictionless too) imports jsonschema, whose
    format checks import `rfc3987_syntax` when it is installed (jupyter-events asks for it), and rfc3987_syntax
    1.1.0 builds its 38 Lark grammars at import: 2-3 s of CPU in every batch and test process before anything is
    made (python-jsonschema/jsonschema#1428). Only a schema with an `iri` format uses them, and the notebook schema
    has none. A stand-in takes the module's place: the first use imports the real one, so nothing else changes.
    """
    if "rfc3987_syntax" in sys.modules or importlib.util.find_spec("rfc3987_syntax") is None:
        return
    stand_in = types.ModuleType("rfc3987_syntax")

    def real():
        if sys.modules.get("rfc3987_syntax") is stand_in:
            del sys.modules["rfc3987_syntax"]
            sys.modules["rfc3987_syntax"] = importlib.import_module("rfc3987_syntax")
        return sys.modules["rfc3987_syntax"]

    def is_valid_syntax(term: str, value: str) -> bool:
        return real().is_valid_syntax(term, value)

    def attribute(name: str):
        if name.startswith("__"):  # the import system asking whether it is a package (__path__) and such
            raise AttributeError(name)
        return getattr(real(), name)

    stand_in.is_valid_syntax = is_valid_syntax
    stand_in.__getattr__ = attribute
    sys.modules["rfc3987_syntax"] = stand_in


def quiet() -> None:
    """Keep the console to the progress bar and our own lines: no per-cell or kernel chatter."""
    logging.getLogger("papermill").setLevel(logging.ERROR)
    logging.getLogger("traitlets").setLevel(logging.ERROR)
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")  # the debugger's frozen-modules warning
