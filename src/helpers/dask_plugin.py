"""The dask worker plugin of `helpers.executors`: apart, because importing distributed takes a second that a
local batch never pays."""

from __future__ import annotations

from collections.abc import Callable

from distributed.diagnostics.plugin import WorkerPlugin


class AroundWorker(WorkerPlugin):
    """Enters `context(*args)` (a context manager) when a worker starts and leaves it when the worker stops."""

    def __init__(self, context: Callable, args: tuple):
        self.context, self.args, self.entered = context, args, None

    def setup(self, worker) -> None:
        self.entered = self.context(*self.args)
        self.entered.__enter__()

    def teardown(self, worker) -> None:
        if self.entered is not None:
            self.entered.__exit__(None, None, None)
            self.entered = None
