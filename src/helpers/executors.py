"""Where the batch's jobs run: a pool of processes on this machine (the default) or a dask.distributed cluster.

A job is a function of the package and its arguments (ingest one report, run one notebook); the executor hands
back each result as it finishes. What a job computes does not depend on where it ran: the same jobs give the same
bytes on either executor (tested).

    local  concurrent.futures' ProcessPoolExecutor, one process per core (or --workers)
    dask   a dask.distributed Client on the scheduler at --scheduler ADDRESS (tcp://HOST:8786), or on a
           LocalCluster of this machine when no address is given

On a cluster, every worker must see the project, the tidy data, the notebook templates and the output folder at
the same paths as the machine that starts the batch (a shared file system), with the same pinned environment.
The executor checks that the workers see the inputs before anything is written.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

EXECUTORS = ("local", "dask")
CONNECT_TIMEOUT_S = 10.0  # how long to try the scheduler (and wait for a first worker) before giving up
WORKER_EXIT_S = 20  # how long an interrupted batch waits for local workers to stop their kernels


class ExecutorUnavailable(RuntimeError):
    """The executor cannot run jobs (an unreachable scheduler, a cluster without workers, workers that cannot see
    the inputs): the message names the address and what to do."""


def _exit_on_interrupt(*_) -> None:
    # The worker ends mid-notebook: the kernel client's tasks it leaves unfinished would each be logged at exit
    # ("Task exception was never retrieved … Kernel died"), though the parent says all there is to say.
    logging.getLogger("asyncio").disabled = True
    raise SystemExit(130)


def _interrupt_again(unraisable) -> None:
    """A SystemExit raised where Python cannot propagate it (Ctrl-C landing in a weakref callback or a `__del__`)
    is printed as "Exception ignored" and dropped, and the worker would go on. Any Python code run to raise it
    again runs the handler again, here: end the process now instead. Its kernel watches its parent (the template
    process, or this worker for a fresh kernel) and exits with it, and the batch removes the pages this worker had
    staged, as after a worker killed outright."""
    if isinstance(unraisable.exc_value, SystemExit) and unraisable.exc_value.code == 130:
        with contextlib.suppress(Exception):
            sys.stdout.flush()
        os._exit(130)
    sys.__unraisablehook__(unraisable)


def quiet_interrupt() -> None:
    """In a local worker, Ctrl-C ends the process quietly (SystemExit, its kernel stopped on the way out): the
    parent reports it."""
    signal.signal(signal.SIGINT, _exit_on_interrupt)
    sys.unraisablehook = _interrupt_again


class LocalExecutor:
    """Jobs in a pool of processes of this machine, forked when the first job is submitted: a context set up
    before (`around_workers`) is inherited by every worker."""

    name = "local"

    def __init__(self, workers: int | None = None):
        self.workers = workers
        self.pool = None

    def __enter__(self) -> LocalExecutor:
        return self

    def __exit__(self, *exc) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True)
            self.pool = None

    def check_paths(self, needed: list[Path]) -> None:
        """Nothing to check: the workers are processes of this machine."""

    def around_workers(self, context: Callable, *args):
        """`context(*args)` (a context manager) around the workers: entered here, before they fork."""
        return context(*args)

    def as_completed(self, function: Callable, items: list) -> Iterator:
        """`function(item)` for every item, in worker processes; each result as soon as it is ready."""
        from concurrent.futures import ProcessPoolExecutor, as_completed

        if self.pool is None:
            workers = max(1, min(self.workers or os.cpu_count() or 1, len(items)))
            self.pool = ProcessPoolExecutor(max_workers=workers, initializer=quiet_interrupt)
        futures = [self.pool.submit(function, item) for item in items]
        for future in as_completed(futures):
            yield future.result()
        self.pool.shutdown(wait=True)
        self.pool = None

    def map(self, function: Callable, items: list, *args) -> list:
        """`function(item, *args)` for every item, results in the order of `items`; in this process when one
        worker or one item would gain nothing from a pool. The first failure is raised, as in a loop."""
        if len(items) <= 1 or (self.workers or os.cpu_count() or 1) == 1:
            return [function(item, *args) for item in items]
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(max_workers=min(self.workers or os.cpu_count() or 1, len(items)),
                                 initializer=quiet_interrupt) as pool:
            futures = [pool.submit(function, item, *args) for item in items]
            try:
                return [future.result() for future in futures]
            except BaseException:
                pool.shutdown(wait=False, cancel_futures=True)
                raise

    def stop(self) -> None:
        """After Ctrl-C or a crash: cancel what has not started and wait (briefly) for the workers to stop, so
        that none writes a file after the caller has cleaned up."""
        if self.pool is None:
            return
        workers_left = list(getattr(self.pool, "_processes", {}).values())
        self.pool.shutdown(wait=False, cancel_futures=True)
        for process in workers_left:
            process.join(timeout=WORKER_EXIT_S)
        self.pool = None


@contextlib.contextmanager
def _interrupts_left_to_this_process():
    """Worker processes started inside this block ignore SIGINT (an ignored signal stays ignored in a new process).
    Ctrl-C in a terminal reaches every process of the command; a LocalCluster's workers that took it would die
    mid-job with tracebacks while their job threads went on staging pages after the batch had cleaned up. Ignoring
    it, they are stopped in order by the batch (`DaskExecutor.stop`). A Ctrl-C while they start is not seen."""
    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread may set a handler (the batch's is the main thread)
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _restore(environment: dict[str, str]) -> None:
    """os.environ as it was in `environment`."""
    for name in set(os.environ) - set(environment):
        del os.environ[name]
    os.environ.update(environment)


def _missing(needed: list[str]) -> list[str]:
    return [path for path in needed if not os.path.exists(path)]


class DaskExecutor:
    """Jobs on a dask.distributed cluster: the scheduler at `scheduler`, or a LocalCluster of `workers` processes
    (one thread each) started when the first job is submitted. Connecting happens on entering, so an unreachable
    scheduler stops the batch before it writes anything."""

    name = "dask"

    def __init__(self, scheduler: str | None = None, workers: int | None = None,
                 connect_timeout: float = CONNECT_TIMEOUT_S, processes: bool = True):
        self.scheduler, self.workers, self.timeout, self.processes = scheduler, workers, connect_timeout, processes
        self.client = self.cluster = None
        self.futures: list = []
        self.plugins: list[tuple[Callable, tuple]] = []

    def __enter__(self) -> DaskExecutor:
        if self.scheduler:
            self._connect()
        return self

    def __exit__(self, *exc) -> None:
        for resource in (self.client, self.cluster):
            if resource is not None:
                with contextlib.suppress(Exception):  # closing a cluster that is gone is not the batch's failure
                    resource.close()
        self.client = self.cluster = None

    @property
    def where(self) -> str:
        return f"the dask scheduler at {self.scheduler}" if self.scheduler else "a dask LocalCluster"

    def _connect(self) -> None:
        import logging

        from distributed import Client, LocalCluster

        if self.client is not None:
            return
        if self.scheduler:
            try:
                self.client = Client(self.scheduler, timeout=self.timeout, set_as_default=False)
            except Exception as exc:  # noqa: BLE001 - OSError, TimeoutError, a malformed address: one message
                raise ExecutorUnavailable(
                    f"cannot reach the dask scheduler at {self.scheduler} (tried for {self.timeout:g} s: "
                    f"{type(exc).__name__}: {exc}). Start it with `dask scheduler` and its workers with "
                    f"`dask worker {self.scheduler}`, or check the address (tcp://HOST:8786)") from None
        else:
            environment = dict(os.environ)
            try:
                with _interrupts_left_to_this_process():
                    # No dashboard; the scheduler's HTTP server (which it starts anyway) on a free port, not on
                    # 8787: a second cluster on the machine (another batch, a parallel test) made dask warn.
                    self.cluster = LocalCluster(n_workers=self.workers or os.cpu_count() or 1, threads_per_worker=1,
                                                processes=self.processes, dashboard_address=None,
                                                scheduler_kwargs={"dashboard_address": ":0"},
                                                silence_logs=logging.ERROR)
            finally:
                # dask's nanny sets its workers' variables (OMP_NUM_THREADS, PYTHONHASHSEED …) in this process too;
                # kept, they would reach every later kernel here, which the template process then refuses to fork.
                _restore(environment)
            self.client = Client(self.cluster, set_as_default=False)
        try:
            self.client.wait_for_workers(1, timeout=self.timeout)
        except TimeoutError:
            self.__exit__(None, None, None)
            raise ExecutorUnavailable(f"{self.where} has no worker after {self.timeout:g} s: start one with "
                                      f"`dask worker {self.scheduler}`") from None
        for context, args in self.plugins:
            self._register(context, args)

    def _register(self, context: Callable, args: tuple) -> None:
        from helpers.dask_plugin import AroundWorker

        self.client.register_plugin(AroundWorker(context, args), name=self._name(context))

    @staticmethod
    def _name(context: Callable) -> str:
        return f"{context.__module__}.{context.__qualname__}"

    def check_paths(self, needed: list[Path]) -> None:
        """Refuse (before anything is written) when a worker does not see `needed` at the same paths."""
        if not self.scheduler:
            return  # a LocalCluster's workers are processes of this machine
        missing = {worker: gone for worker, gone in self.client.run(_missing, [str(p) for p in needed]).items()
                   if gone}
        if missing:
            worker, gone = next(iter(missing.items()))
            raise ExecutorUnavailable(
                f"{len(missing)} worker(s) of the dask scheduler at {self.scheduler} do not see {', '.join(gone)} "
                f"(e.g. {worker}): run the workers on machines that share the project and output folders at the "
                "same paths")

    def around_workers(self, context: Callable, *args):
        """`context(*args)` (a context manager) around every worker's jobs: entered in each worker when it starts
        (a worker plugin), on whichever machine it runs."""
        self.plugins.append((context, args))
        if self.client is not None:
            self._register(context, args)
        return self._until_done(context, args)

    @contextlib.contextmanager
    def _until_done(self, context: Callable, args: tuple):
        """Leave `context` in every worker at the end (a long-lived cluster keeps no template process of ours)."""
        try:
            yield
        finally:
            self.plugins.remove((context, args))
            if self.client is not None:
                with contextlib.suppress(Exception):  # a worker gone already has nothing left to stop
                    self.client.unregister_worker_plugin(self._name(context))

    def as_completed(self, function: Callable, items: list) -> Iterator:
        from distributed import as_completed

        self._connect()
        # pure=False: two jobs with equal arguments (a rerun) are run again, not taken from the scheduler's memory
        self.futures = self.client.map(function, items, pure=False)
        for future in as_completed(self.futures, loop=self.client.loop):
            yield future.result()

    def map(self, function: Callable, items: list, *args) -> list:
        self._connect()
        self.futures = self.client.map(function, items, *[[a] * len(items) for a in args], pure=False)
        try:
            return self.client.gather(self.futures)
        finally:
            self.futures = []

    def stop(self) -> None:
        """After Ctrl-C or a crash: cancel the jobs not yet run. A LocalCluster of the batch's own is closed, its
        workers and their kernels stopped, before the caller removes the staged files: none stages a page after.
        A cluster's workers that a scheduler address gave cannot be stopped from here: a page one of them was
        making may be staged after the batch ends, and the next batch removes it."""
        if self.client is not None and self.futures:
            with contextlib.suppress(Exception):
                self.client.cancel(self.futures)
        self.futures = []
        if self.cluster is not None:
            self.__exit__(None, None, None)


def executor(name: str = "local", *, scheduler: str | None = None, workers: int | None = None,
             connect_timeout: float = CONNECT_TIMEOUT_S):
    """The executor called `name` (see EXECUTORS). A scheduler address is for dask only."""
    if name not in EXECUTORS:
        raise ExecutorUnavailable(f"unknown executor {name!r}: choose one of {', '.join(EXECUTORS)}")
    if name == "local":
        if scheduler:
            raise ExecutorUnavailable(f"--scheduler {scheduler} needs --executor dask (the local executor has none)")
        return LocalExecutor(workers)
    return DaskExecutor(scheduler, workers, connect_timeout)


def add_arguments(parser) -> None:
    """The command-line options that choose the executor (the batch's and the ingest's)."""
    parser.add_argument("--executor", choices=EXECUTORS, default="local",
                        help="where jobs run: local processes (default) or a dask.distributed cluster")
    parser.add_argument("--scheduler", metavar="ADDRESS",
                        help="dask scheduler address, e.g. tcp://10.0.0.5:8786 (default: a LocalCluster)")
    parser.add_argument("--connect-timeout", type=float, default=CONNECT_TIMEOUT_S, metavar="SECONDS",
                        help=f"how long to try the scheduler (default {CONNECT_TIMEOUT_S:g})")


def from_arguments(args):
    return executor(args.executor, scheduler=args.scheduler, workers=getattr(args, "workers", None),
                    connect_timeout=args.connect_timeout)

