"""Execution backends: hand chunk tasks to an existing engine and yield the reports as chunks finish.

Each backend is a generator ``backend(fn, tasks, execution, root)`` that calls ``fn(task)`` once
per task somewhere and yields the return values in completion order.  The engines do the
scheduling: joblib/loky processes here, a Dask cluster, or SLURM array jobs through submitit (one
array task per chunk).  Leaving a backend's generator early (Ctrl-C, an error) cancels what it
still has queued; chunks already stored stay stored.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from sim.sweep.spec import ExecutionSpec


class EngineLost(RuntimeError):
    """The engine that runs the chunks went away (the Dask scheduler); what is stored stays stored."""


def local(fn: Callable, tasks: Iterable, execution: ExecutionSpec, root: Path) -> Iterator[Any]:
    """joblib with the loky process backend; ``n_jobs=1`` runs serially in this process."""
    from joblib import Parallel, delayed

    with Parallel(n_jobs=execution.n_jobs, return_as="generator_unordered", batch_size=1) as parallel:
        yield from parallel(delayed(fn)(task) for task in tasks)


def dask(fn: Callable, tasks: Iterable, execution: ExecutionSpec, root: Path) -> Iterator[Any]:
    """Dask distributed: the scheduler at ``execution.dask_address``, or a LocalCluster started here
    with ``n_jobs`` single-threaded workers (all cores for -1)."""
    import logging

    from distributed import Client, LocalCluster, as_completed

    quiet = logging.getLogger("distributed.client")  # a lost scheduler is reported once, as one line, by the caller
    level = quiet.level
    quiet.setLevel(logging.CRITICAL)
    if execution.dask_address:
        try:
            client, cluster = Client(execution.dask_address, timeout=30), None
        except (OSError, TimeoutError) as err:
            quiet.setLevel(level)
            raise EngineLost(f"cannot reach the Dask scheduler at {execution.dask_address} "
                             f"({type(err).__name__}: {str(err).splitlines()[0][:120] if str(err) else ''})") from None
    else:
        n_workers = None if execution.n_jobs < 1 else execution.n_jobs
        cluster = LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=execution.dask_processes,
                               dashboard_address=None, silence_logs=logging.ERROR)
        client = Client(cluster)
    try:
        futures = client.map(fn, list(tasks), pure=False)
        try:
            done = as_completed(futures)
            futures = set(futures)
            for future in done:
                try:
                    result = future.result()
                except Exception as err:
                    if _lost(client, err):
                        raise EngineLost(f"lost the Dask scheduler ({type(err).__name__})") from None
                    raise
                futures.discard(future)
                future.release()  # a finished chunk is stored: it need not be recomputed if its worker dies
                yield result
        finally:
            with contextlib.suppress(Exception):
                client.cancel(list(futures))
    finally:
        with contextlib.suppress(Exception):
            client.close(timeout=5)
        if cluster is not None:
            with contextlib.suppress(Exception):
                cluster.close(timeout=5)
        quiet.setLevel(level)


def _lost(client, err: Exception) -> bool:
    """Whether ``err`` came from losing the scheduler rather than from the task itself."""
    import asyncio

    from distributed.comm.core import CommClosedError

    if isinstance(err, (asyncio.CancelledError, CommClosedError, asyncio.TimeoutError)) or \
            type(err).__name__ in ("FutureCancelledError", "CancelledError"):
        return True
    return client.status not in ("running", "connecting", "newly-created")


def submitit(fn: Callable, tasks: Iterable, execution: ExecutionSpec, root: Path) -> Iterator[Any]:
    """submitit: one SLURM array job with one array task per chunk (or local subprocesses / in-process
    debug jobs with ``submitit_cluster: local | debug``)."""
    import submitit as sb

    tasks = list(tasks)
    if not tasks:
        return
    executor = sb.AutoExecutor(folder=execution.submitit_folder or root / "submitit",
                               cluster=execution.submitit_cluster)
    executor.update_parameters(**execution.submitit_parameters)
    jobs = executor.map_array(fn, tasks)
    pending = {job.job_id: job for job in jobs}
    try:
        for job in sb.helpers.as_completed(jobs, poll_frequency=execution.submitit_poll_s):
            del pending[job.job_id]
            yield job.result()
    finally:
        for job in pending.values():
            job.cancel(check=False)


BACKENDS = {"local": local, "dask": dask, "submitit": submitit}
