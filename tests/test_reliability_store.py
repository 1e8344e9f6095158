"""Issue 22: a sweep's store under every fault a user, a disk or another tool can cause.

Each row of ``FAULTS`` damages a copy of one finished sweep in one way; the test asserts that nothing is silently
wrong (``sim.sweep.load`` names the damaged file instead of mixing it in), that nothing is lost (a part that
belongs to another sweep is moved to ``foreign/``, never deleted) and that ``--resume`` gives back exactly the
table of the undamaged sweep.
"""

from __future__ import annotations

import errno
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

import sim.sweep
from sim.sweep import execute
from sim.sweep.store import DamagedSweep, SweepStore

SPEC = {"name": "faults", "overrides": ["market.accounts=500", "market.initial_customers=10", "weeks=20"],
        "levers": {"policy.max_discount": {"values": [0.1, 0.3, 0.5]}}, "design": {"method": "grid"},
        "replicates": 2, "chunk_size": 2, "weekly": True, "execution": {"backend": "local", "n_jobs": 1}}
"""Three points x two replicates = six runs in three chunks, with weekly tables: a few tenths of a second."""


def comparable(runs: pd.DataFrame) -> pd.DataFrame:
    """A table without the wall-clock column, sorted by run."""
    return runs.drop(columns=["seconds"], errors="ignore").sort_values(
        [c for c in ("run_id", "week") if c in runs]).reset_index(drop=True)


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> Path:
    """A finished, undamaged sweep."""
    out = tmp_path_factory.mktemp("reference") / "sweep"
    sim.sweep.run_sweep(SPEC, out, progress=False)
    return out


@pytest.fixture
def damaged(reference, tmp_path) -> Path:
    """A copy of the reference sweep to damage."""
    return Path(shutil.copytree(reference, tmp_path / "sweep"))


def part(root: Path, chunk: int, table: str = "runs") -> Path:
    return root / table / f"part-{chunk:06d}.parquet"


def double_revenue(root: Path) -> None:
    """Another tool rewrites part 1 with revenue doubled (its checksum file untouched)."""
    frame = pd.read_parquet(part(root, 1))
    frame["revenue_total"] *= 2
    frame.to_parquet(part(root, 1), index=False)


def double_revenue_and_checksum(root: Path) -> None:
    """As above, and the tool also writes a matching checksum: the part still carries no sweep identity."""
    import hashlib

    double_revenue(root)
    digest = hashlib.sha256(part(root, 1).read_bytes()).hexdigest()
    (root / "runs" / "part-000001.parquet.sha256").write_text(f"{digest}  part-000001.parquet\n")


def swap(root: Path) -> None:
    """Part 0 copied over part 2, with its checksum."""
    for suffix in ("", ".sha256"):
        shutil.copy(str(part(root, 0)) + suffix, str(part(root, 2)) + suffix)


def stray(root: Path) -> None:
    """A part of no chunk of this sweep (chunk 999), with its checksum."""
    for suffix in ("", ".sha256"):
        shutil.copy(str(part(root, 0)) + suffix, str(part(root, 999)) + suffix)


def truncate(root: Path) -> None:
    part(root, 1).write_bytes(part(root, 1).read_bytes()[:300])


FAULTS = [
    # (id, damage, table, fragment load's message must contain, files moved to foreign/ by resume)
    ("part without its checksum", lambda r: (r / "runs" / "part-000001.parquet.sha256").unlink(), "runs",
     "runs/part-000001.parquet: has no checksum", 0),
    ("part changed by another tool", double_revenue, "runs",
     "runs/part-000001.parquet: its checksum differs from part-000001.parquet.sha256", 0),
    ("part rewritten with a matching checksum", double_revenue_and_checksum, "runs",
     "runs/part-000001.parquet: was not written by a sweep of this alignsim (no sweep identity", 1),
    ("part of another chunk", swap, "runs", "runs/part-000002.parquet: was written as runs chunk 0", 0),
    ("stray part", stray, "runs", "runs/part-000999.parquet: not a chunk of this sweep (it has chunks 0..2)", 1),
    ("truncated part", truncate, "runs", "runs/part-000001.parquet: its checksum differs", 0),
    ("deleted weekly part", lambda r: part(r, 1, "weekly").unlink(), "weekly", "weekly/part-000001.parquet: missing",
     0),
    ("weekly part without its checksum", lambda r: (r / "weekly" / "part-000002.parquet.sha256").unlink(), "weekly",
     "weekly/part-000002.parquet: has no checksum", 0),
]
"""Each class of damage to a stored part."""


@pytest.mark.parametrize("case, damage, table, fragment, moved", FAULTS, ids=[f[0] for f in FAULTS])
def test_damaged_part_is_named_then_rerun_to_the_same_table(case, damage, table, fragment, moved, reference,
                                                             damaged):
    damage(damaged)
    with pytest.raises(DamagedSweep) as err:
        sim.sweep.load(damaged, table)
    assert fragment in str(err.value) and "alignsim sweep --resume --out" in str(err.value)
    with pytest.warns(UserWarning):
        sim.sweep.run_sweep(None, damaged, resume=True, progress=False)
    for name in ("runs", "weekly"):
        pd.testing.assert_frame_equal(comparable(sim.sweep.load(damaged, name)),
                                      comparable(sim.sweep.load(reference, name)))
    assert len(list((damaged / "foreign").rglob("*.parquet"))) == moved  # nothing of another sweep deleted


def test_a_new_sweep_never_counts_another_sweeps_parts(reference, damaged):
    """Issue 22, item 1: manifest deleted, then a spec differing only in its seed into the same folder."""
    (damaged / "manifest.json").unlink()
    with pytest.warns(UserWarning, match=r"re-running 6 damaged part\(s\).*belongs to another sweep"):
        runs = sim.sweep.run_sweep({**SPEC, "seed": 99}, damaged, progress=False)
    assert set(runs["seed"]) == set(sim.replicate_seeds(99, 2))
    fresh = sim.sweep.run_sweep({**SPEC, "seed": 99}, damaged.parent / "fresh", progress=False)
    pd.testing.assert_frame_equal(comparable(runs), comparable(fresh))
    assert len(list((damaged / "foreign" / "runs").glob("*.parquet"))) == 3  # the old sweep's parts, kept


def test_the_same_spec_after_a_lost_manifest_keeps_the_finished_parts(reference, damaged, monkeypatch):
    (damaged / "manifest.json").write_text((damaged / "manifest.json").read_text()[:200])  # truncated
    with pytest.raises(DamagedSweep, match=r"manifest.json is damaged \(not valid JSON.*delete it and run the same"):
        sim.sweep.load(damaged)
    (damaged / "manifest.json").unlink()
    ran = []
    monkeypatch.setattr(execute, "run_chunk", lambda task: ran.append(task.chunk))
    runs = sim.sweep.run_sweep(SPEC, damaged, progress=False)
    assert ran == []  # every part is this sweep's: nothing re-run
    pd.testing.assert_frame_equal(comparable(runs), comparable(sim.sweep.load(reference)))


def test_a_missing_design_is_rebuilt_on_resume(reference, damaged):
    (damaged / "design.parquet").unlink()
    with pytest.warns(UserWarning, match="design.parquet was missing: rebuilt from the stored spec"):
        runs = sim.sweep.run_sweep(None, damaged, resume=True, progress=False)
    pd.testing.assert_frame_equal(pd.read_parquet(damaged / "design.parquet"),
                                  pd.read_parquet(reference / "design.parquet"))
    pd.testing.assert_frame_equal(comparable(runs), comparable(sim.sweep.load(reference)))


def test_temporary_files_are_invisible_to_globs_and_removed_on_resume(reference, damaged):
    leftover = damaged / "runs" / ".part-000001.parquet.0123abcd.tmp"
    leftover.write_bytes(part(damaged, 1).read_bytes())
    assert sorted(p.name for p in (damaged / "runs").glob("*.parquet")) == [f"part-00000{k}.parquet"
                                                                              for k in range(3)]
    sim.sweep.run_sweep(None, damaged, resume=True, progress=False)
    assert not leftover.exists()


def test_a_recomputed_chunk_is_byte_identical(reference, damaged):
    """A chunk computed twice (a lost Dask worker, a preempted SLURM task) writes the same bytes."""
    before = {p.name: p.read_bytes() for p in (damaged / "runs").glob("part-*")}
    store = SweepStore(damaged)
    spec, base, design = execute._resumed(store, None, False)
    execute.run_chunk(execute.plan(damaged, base, design, spec, store.sweep_id)[1])
    after = {p.name: p.read_bytes() for p in (damaged / "runs").glob("part-*")}
    assert after == before
    assert json.loads((damaged / "timings" / "part-000001.json").read_text())["run_id"] == [2, 3]


def test_a_full_disk_loses_nothing_and_says_so_in_one_line(reference, tmp_path, monkeypatch, capsys):
    import pyarrow.parquet as pq
    import yaml

    from sim.cli import main

    real = pq.write_table

    def full_at_chunk_1(table, where, **kwargs):
        if "part-000001" in str(where):  # chunk 0's parts fit, chunk 1's do not
            raise OSError(errno.ENOSPC, "No space left on device", str(where))
        return real(table, where, **kwargs)

    monkeypatch.setattr(pq, "write_table", full_at_chunk_1)
    (tmp_path / "spec.yaml").write_text(yaml.safe_dump(SPEC))
    out = tmp_path / "full"
    with pytest.raises(SystemExit) as exit_:
        main(["sweep", str(tmp_path / "spec.yaml"), "--out", str(out), "--quiet"])
    err = capsys.readouterr().err
    assert exit_.value.code == 1 and len(err.strip().splitlines()) == 1 and "Traceback" not in err, err
    assert "No space left on device" in err and "--resume" in err
    assert sorted(p.name for p in (out / "runs").glob("*.parquet")) == ["part-000000.parquet"]
    assert not list(out.rglob("*.tmp"))
    monkeypatch.setattr(pq, "write_table", real)
    with pytest.raises(SystemExit) as exit_:
        main(["sweep", "--resume", "--out", str(out), "--quiet"])
    assert exit_.value.code == 0
    pd.testing.assert_frame_equal(comparable(sim.sweep.load(out)), comparable(sim.sweep.load(reference)))


ENVIRONMENT = [
    # (id, arguments, fragment of the one line): each an environment fault, exit 1
    ("read-only sweep folder", ["sweep", "{spec}", "--out", "/proc/alignsim-sweep"],
     "cannot write the outputs: /proc is not a writable folder"),
    ("read-only job folder", ["market.accounts=300", "market.initial_customers=5", "weeks=5", "replicates=2",
                              "hydra.run.dir=/proc/alignsim-job"], "cannot write the outputs: /proc is not a writable"),
    ("read-only report folder", ["report", "out=/proc/alignsim/debrief.html", "replicates=1"],
     "cannot write the outputs: /proc is not a writable folder"),
    ("truncated manifest on resume", ["sweep", "--resume", "--out", "{truncated}"], "manifest.json is damaged"),
    ("truncated manifest on analyze", ["analyze", "{truncated}"], "manifest.json is damaged"),
    ("damaged part on analyze", ["analyze", "{unchecked}"], "has no checksum"),
    ("a sweep folder in use", ["sweep", "{spec}", "--out", "{busy}"], "is in use by another sweep"),
]
"""Environment faults through the command line: one line, exit 1, in every subcommand."""


@pytest.mark.parametrize("case, argv, fragment", ENVIRONMENT, ids=[e[0] for e in ENVIRONMENT])
def test_environment_faults_give_one_line_and_exit_1(case, argv, fragment, reference, tmp_path, monkeypatch,
                                                       capsys):
    import yaml

    from sim.cli import main

    monkeypatch.chdir(tmp_path)
    (tmp_path / "spec.yaml").write_text(yaml.safe_dump(SPEC))
    truncated = Path(shutil.copytree(reference, tmp_path / "truncated"))
    (truncated / "manifest.json").write_text("{\"format\": 2, \"sp")
    unchecked = Path(shutil.copytree(reference, tmp_path / "unchecked"))
    (unchecked / "runs" / "part-000000.parquet.sha256").unlink()
    names = {"spec": str(tmp_path / "spec.yaml"), "truncated": str(truncated), "unchecked": str(unchecked),
             "busy": str(tmp_path / "busy")}
    with SweepStore(tmp_path / "busy").lock(), pytest.raises(SystemExit) as exit_:
        main([a.format(**names) for a in argv])
    err = capsys.readouterr().err
    assert exit_.value.code == 1, err
    assert fragment in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err, err
    assert not (tmp_path / "outputs").exists()


def test_duckdb_query_of_the_readme_reads_every_run_once(tmp_path):
    """The README's query on a sweep with a failed run (its part has no summary columns) and a leftover temporary
    file: union_by_name reads both parts, the glob never reads the temporary file."""
    duckdb = pytest.importorskip("duckdb")
    spec = {**SPEC, "levers": {"market.initial_customers": {"values": [5, 1000]}}, "replicates": 1, "chunk_size": 1,
            "weekly": False}
    out = tmp_path / "sweep"
    runs = sim.sweep.run_sweep(spec, out, progress=False)
    assert runs["status"].tolist() == ["ok", "failed"]
    (out / "runs" / ".part-000001.parquet.0123abcd.tmp").write_bytes(part(out, 1).read_bytes())
    query = (f"SELECT status, count(*) AS n FROM read_parquet('{out}/runs/*.parquet', union_by_name=true) "
             "GROUP BY status ORDER BY status")
    assert duckdb.sql(query).fetchall() == [("failed", 1), ("ok", 1)]
