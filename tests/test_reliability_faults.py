"""Issue 22: a sweep survives the death of its processes.

* the sweep's main process killed (SIGKILL at a random moment; SIGTERM and SIGINT in the slow set): its workers
  stop within seconds and write nothing more, and ``--resume`` gives the uninterrupted table;
* a Dask worker lost mid-sweep (a ``LocalCluster``): the sweep finishes, exit 0, with the same table;
* the Dask scheduler lost (slow set): one line, stored chunks kept, ``--resume`` finishes.

Every process a test starts is killed at its end, whatever happens.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pandas as pd
import psutil
import pytest

import sim.sweep

SPEC = {"name": "kill", "overrides": ["market.accounts=1500", "market.initial_customers=30", "weeks=40"],
        "levers": {"policy.max_discount": {"values": [0.1, 0.2, 0.3, 0.4, 0.5]}}, "design": {"method": "grid"},
        "replicates": 2, "chunk_size": 1, "execution": {"backend": "local", "n_jobs": 2}}
"""Ten runs of about 0.2 s each, one chunk each (a worker's first run also pays its imports)."""
ROOT = Path(__file__).resolve().parents[1]
SWEEP = ("import json, sys, sim.sweep; sim.sweep.run_sweep(json.loads(sys.argv[1]), sys.argv[2], "
         "resume=sys.argv[3] == 'resume', progress=False)")


def comparable(runs: pd.DataFrame) -> pd.DataFrame:
    return runs.drop(columns=["seconds"]).sort_values("run_id").reset_index(drop=True)


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> pd.DataFrame:
    """The uninterrupted table (serial, in this process: results do not depend on the workers)."""
    spec = {**SPEC, "execution": {"backend": "local", "n_jobs": 1}}
    return comparable(sim.sweep.run_sweep(spec, tmp_path_factory.mktemp("ref") / "s", progress=False))


def parts(out: Path) -> list[Path]:
    return sorted((out / "runs").glob("part-*.parquet")) if (out / "runs").exists() else []


def wait_for(condition, timeout: float, poll: float = 0.02) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(poll)
    return False


def kill_all(procs: list[psutil.Process]) -> list[psutil.Process]:
    """Kill whatever of ``procs`` still runs; returns those that did."""
    alive = [p for p in procs if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
    for p in alive:
        try:
            p.kill()
        except psutil.NoSuchProcess:
            pass
    return alive


def interrupt_the_sweep(out: Path, sig: int, resume: bool = False) -> tuple[list[psutil.Process], float]:
    """Start (or resume) the sweep in a subprocess, send ``sig`` to its main process at a random moment once
    (more) chunks are being stored, and return its worker processes (as they were at that moment) and the kill's
    time."""
    env = {**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    before = len(parts(out))
    main = subprocess.Popen([sys.executable, "-c", SWEEP, json.dumps(SPEC), str(out), "resume" if resume else "new"],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    workers: list[psutil.Process] = []
    try:
        assert wait_for(lambda: len(parts(out)) > before or main.poll() is not None, 120), "no chunk in 2 minutes"
        time.sleep(random.uniform(0.0, 0.4))
        workers = psutil.Process(main.pid).children(recursive=True)
        if main.poll() is not None:
            pytest.skip("the sweep finished before it could be interrupted (machine too fast for the test)")
        main.send_signal(sig)
        killed_at = time.monotonic()
        main.wait(timeout=30)
        return workers, killed_at
    except BaseException:
        kill_all(workers)
        main.kill()
        raise


@pytest.mark.parametrize("sig", [signal.SIGKILL, pytest.param(signal.SIGTERM, marks=pytest.mark.slow),
                                 pytest.param(signal.SIGINT, marks=pytest.mark.slow)], ids=["kill-9", "term", "int"])
def test_killed_main_process_leaves_no_orphans_and_resume_gives_the_table(sig, reference, tmp_path):
    out = tmp_path / "sweep"
    workers, killed_at = interrupt_the_sweep(out, sig)
    try:
        _, alive = psutil.wait_procs(workers, timeout=6)
        assert not alive, f"orphans still running 6 s after the kill: {[p.cmdline()[:3] for p in alive]}"
        stopped = time.monotonic() - killed_at
        stored = {p.name: p.stat().st_mtime_ns for p in parts(out)}
        time.sleep(1.0)
        assert {p.name: p.stat().st_mtime_ns for p in parts(out)} == stored  # nothing written after the stop
    finally:
        kill_all(workers)
    assert stopped < 6
    assert len(stored) < 10  # it was interrupted
    resumed = sim.sweep.run_sweep(None, out, resume=True, n_jobs=1, progress=False)
    pd.testing.assert_frame_equal(comparable(resumed), reference)


@pytest.fixture
def cluster():
    """A Dask LocalCluster of two single-threaded worker processes, closed at the end."""
    distributed = pytest.importorskip("distributed")
    import logging

    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                       silence_logs=logging.CRITICAL)
    client = distributed.Client(cluster)
    try:
        yield cluster, client
    finally:
        procs = [psutil.Process(pid) for pid in _worker_pids(client)]
        client.close()
        cluster.close()
        kill_all(procs)


def _worker_pids(client) -> list[int]:
    try:
        return list(client.run(os.getpid, wait=True).values())
    except Exception:  # noqa: BLE001 - a closed cluster has no workers left to ask
        return []


def _when_first_part(out: Path, action) -> threading.Thread:
    def watch():
        if wait_for(lambda: bool(parts(out)), 120):
            action()

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    return thread


def test_a_lost_dask_worker_is_harmless(cluster, reference, tmp_path):
    cluster, client = cluster
    victim = psutil.Process(_worker_pids(client)[0])
    out = tmp_path / "sweep"
    spec = {**SPEC, "execution": {"backend": "dask", "dask_address": cluster.scheduler_address}}
    watcher = _when_first_part(out, victim.kill)
    runs = sim.sweep.run_sweep(spec, out, progress=False)  # no damaged-part error, no exception
    watcher.join(timeout=5)
    assert not victim.is_running() or victim.status() == psutil.STATUS_ZOMBIE  # it was really lost
    pd.testing.assert_frame_equal(comparable(runs), reference)


@pytest.mark.slow
def test_a_lost_dask_scheduler_ends_in_one_line_and_resume_finishes(cluster, reference, tmp_path):
    from sim.sweep.execute import SweepLost

    cluster, _ = cluster
    out = tmp_path / "sweep"
    spec = {**SPEC, "execution": {"backend": "dask", "dask_address": cluster.scheduler_address}}
    _when_first_part(out, lambda: cluster.close(timeout=10))
    with pytest.raises(SweepLost) as err:
        sim.sweep.run_sweep(spec, out, progress=False)
    message = str(err.value)
    assert "lost the Dask scheduler" in message and "--resume" in message and "\n" not in message
    resumed = sim.sweep.run_sweep(None, out, resume=True, backend="local", n_jobs=1, progress=False)
    pd.testing.assert_frame_equal(comparable(resumed), reference)


@pytest.mark.slow
def test_repeated_kill_9_leaves_every_part_checksummed_and_resume_gives_the_table(reference, tmp_path):
    """Issue 22, item 2: kill -9 at random moments, three times, then --resume."""
    out = tmp_path / "sweep"
    for attempt in range(3):
        if attempt and len(parts(out)) >= 10:
            break
        workers, _ = interrupt_the_sweep(out, signal.SIGKILL, resume=attempt > 0)
        _, alive = psutil.wait_procs(workers, timeout=6)
        kill_all(workers)
        assert not alive
    stored = parts(out)
    assert all(Path(f"{p}.sha256").exists() for p in stored)  # no kill leaves a part without its checksum
    resumed = sim.sweep.run_sweep(None, out, resume=True, n_jobs=1, progress=False)
    pd.testing.assert_frame_equal(comparable(resumed), reference)
