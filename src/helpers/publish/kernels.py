"""The Jupyter kernel the batch runs notebooks on: installed on demand, talking over local IPC sockets."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import tempfile
import uuid

from helpers.constants import KERNEL, KERNEL_DISPLAY_NAME


def ipc_kernel_manager():
    """A kernel manager class that talks to its kernel over local IPC sockets instead of TCP.

    Our kernels are local; TCP without encryption makes ipykernel warn on every start, which would
    flood the batch log. Each kernel gets its own socket path in the temp folder, removed at shutdown.
    """
    from jupyter_client.manager import AsyncKernelManager
    from traitlets import CaselessStrEnum, default

    class IPCKernelManager(AsyncKernelManager):
        transport = CaselessStrEnum(["tcp", "ipc"], default_value="ipc", config=True)

        @default("ip")
        def _unique_ipc_path(self) -> str:
            # jupyter_client's default prefix is shared by every kernel; parallel kernels need their own.
            return os.path.join(tempfile.gettempdir(), f"luzhou-kernel-{uuid.uuid4().hex}-ipc")

        async def _async_launch_kernel(self, kernel_cmd: list[str], **kw) -> None:
            # The kernel process's own stderr is chatter ("Parent appears to have exited" after a Ctrl-C);
            # what the notebook's cells print reaches the notebook over the kernel's messages, not this stream.
            kw["stderr"] = subprocess.DEVNULL
            await super()._async_launch_kernel(kernel_cmd, **kw)

        async def _async_interrupt_kernel(self) -> None:
            # jupyter_client interrupts before every shutdown; our kernels are idle by then, and the
            # interrupt only makes ipykernel log "KeyboardInterrupt caught in kernel".
            if not self.shutting_down:
                await super()._async_interrupt_kernel()

    return IPCKernelManager


def ensure_kernel(name: str = KERNEL) -> str:
    """Make sure the project's kernel exists (installing it into this environment if not)."""
    from jupyter_client.kernelspec import KernelSpecManager

    if name not in KernelSpecManager().find_kernel_specs():
        from ipykernel.kernelspec import install

        install(kernel_name=name, display_name=KERNEL_DISPLAY_NAME, prefix=sys.prefix)
    return name


def quiet() -> None:
    """Keep the console to the progress bar and our own lines: no per-cell or kernel chatter."""
    logging.getLogger("papermill").setLevel(logging.ERROR)
    logging.getLogger("traitlets").setLevel(logging.ERROR)
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")  # the debugger's frozen-modules warning
