"""Faults in long runs through ``spinfem run`` (issue 8 item 3), on the M-m transient case
cases/mm_step_relaxation.toml at smoke size (subprocesses with timeouts):

- SIGTERM (serial) or SIGUSR1 to mpirun (2 ranks): checkpoint at the next step boundary,
  exit code 5 on every rank, the manifest says "interrupted at t = ... s (checkpoint ...)";
  ``--restart latest`` ends with the same final fields (relative 1e-10) and scalar series
  as an uninterrupted run, and the manifest says "ok".
- SIGKILL: the run restarts from the last complete checkpoint, same final fields.
- A truncated or garbled newest checkpoint: a warning naming it and the fallback to the
  previous checkpoint, decided alike on every rank; both corrupt (or none): OutputError
  (exit code 4) naming the files; an explicitly given corrupt checkpoint: OutputError.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from conftest import MPI_SCRIPTS, mpi_env, run_python

REPO = Path(__file__).resolve().parents[1]
CASE = str(REPO / "cases" / "mm_step_relaxation.toml")
SMOKE = ["--set", "mesh.cells=[80]", "--set", "transient.checkpoint_every=10"]
SLOW = str(MPI_SCRIPTS / "mm_slow_cli.py")
T_END = 2e-8  # t_end of the case [s]


def spinfem(*args: str, nprocs: int = 1, timeout: float = 300):
    return run_python(["-m", "spinfem.cli", *args], nprocs=nprocs, timeout=timeout)


def start_slow(out: Path, nprocs: int = 1) -> subprocess.Popen:
    cmd = [sys.executable, SLOW, "run", CASE, "--out", str(out), *SMOKE]
    if nprocs > 1:
        mpirun = shutil.which("mpirun") or shutil.which("mpiexec")
        if mpirun is None:
            pytest.skip("no mpirun")
        cmd = [mpirun, "-n", str(nprocs), *cmd]
    return subprocess.Popen(
        cmd, env=mpi_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def finish(proc: subprocess.Popen, timeout: float = 180) -> tuple[int, str]:
    try:
        _, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        _, err = proc.communicate()
        pytest.fail(f"no exit within {timeout} s (hang?):\n{err}")
    return proc.returncode, err


def wait_for(path: Path, proc: subprocess.Popen, timeout: float = 120) -> None:
    t0 = time.time()
    while not path.exists():
        if proc.poll() is not None:
            pytest.fail(f"the run ended before {path.name} appeared: {proc.communicate()}")
        if time.time() - t0 > timeout:
            proc.kill()
            pytest.fail(f"{path} did not appear within {timeout} s")
        time.sleep(0.05)


def manifest(run: Path) -> dict:
    return json.loads((run / "manifest.json").read_text())


def final(run: Path) -> tuple[dict, np.ndarray, np.ndarray]:
    """(stepper state, dM, dm [A/m] sorted by x) of the newest checkpoint of ``run``."""
    from spinfem.mm import checkpoint

    _, state, dM, dm = checkpoint.read_path(run / "fields" / "checkpoint.bp")
    x = dM.function_space.tabulate_dof_coordinates()[:, 0]
    order = np.argsort(x)
    return state, dM.x.array[order], dm.x.array[order]


def scalars(run: Path) -> np.ndarray:
    with open(run / "fields" / "scalars.csv", newline="") as fh:
        rows = list(csv.reader(fh))
    return np.array([[float(v) for v in r] for r in rows[1:]])


def same_result(run: Path, ref: Path, rtol: float = 1e-10) -> None:
    s_ref, M_ref, m_ref = final(ref)
    s_new, M_new, m_new = final(run)
    assert s_new["t"] == pytest.approx(T_END, rel=1e-14) and s_new["t"] == s_ref["t"]
    assert s_new["steps"] == s_ref["steps"]
    assert np.max(np.abs(M_new - M_ref)) <= rtol * np.max(np.abs(M_ref))
    assert np.max(np.abs(m_new - m_ref)) <= rtol * np.max(np.abs(m_ref))
    a, b = scalars(run), scalars(ref)  # no gap, no duplicate rows around the restart
    assert a.shape == b.shape
    # per column, relative to its largest value (sums over ranks change the rounding); the
    # totals of dM, dm and dM + dm [A m^2] relative to the largest total (total dm ~ 1e-18)
    scale = np.max(np.abs(b), axis=0)
    scale[2:5] = np.max(scale[2:5])
    assert np.all(np.abs(a - b) <= rtol * scale), np.max(np.abs(a - b) / np.maximum(scale, 1e-300))


def vtx_steps(path: Path) -> int:
    import adios4dolfinx

    assert adios4dolfinx  # imported first: it selects adios2's MPI bindings
    import adios2

    with adios2.FileReader(str(path)) as f:
        n = f.num_steps()
        assert np.all(np.isfinite(f.read("dM_A_per_m", step_selection=[n - 1, 1])))
        return n


def error_lines(stderr: str) -> list[str]:
    return [ln for ln in stderr.splitlines() if ln.startswith("spinfem: error:")]


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("mmref") / "run"
    proc = spinfem("run", CASE, "--out", str(out), *SMOKE)
    assert proc.returncode == 0, proc.stderr
    return out


@pytest.fixture(scope="module")
def interrupted(tmp_path_factory) -> tuple[Path, int, str]:
    """A serial run stopped by SIGTERM once it has two checkpoints."""
    out = tmp_path_factory.mktemp("mmterm") / "run"
    proc = start_slow(out)
    wait_for(out / "fields" / "checkpoint.prev.bp", proc)
    time.sleep(0.1)
    os.kill(proc.pid, signal.SIGTERM)
    code, err = finish(proc)
    return out, code, err


def copy_of(run: Path, tmp_path: Path) -> Path:
    target = tmp_path / "run"
    shutil.copytree(run, target)
    return target


# ------------------------------------------------------------------ the uninterrupted run
def test_uninterrupted_run_outputs(reference):
    man = manifest(reference)
    assert man["status"] == "ok"
    res = json.loads((reference / "results.json").read_text())["states"]["transient"]
    assert res["t_end_s"] == pytest.approx(T_END, rel=1e-14)
    assert 0 < res["factorizations"] < res["steps"]  # factorizations are reused
    assert vtx_steps(reference / "fields" / "fields.bp") == 41  # t = 0 and 40 outputs
    assert scalars(reference)[-1, 0] == pytest.approx(T_END, rel=1e-14)


# ------------------------------------------------------------------ SIGTERM / SIGKILL / SIGUSR1
def test_sigterm_checkpoints_exits_5_and_restart_latest_finishes(interrupted, reference, tmp_path):
    run, code, err = interrupted
    assert code == 5, err
    lines = error_lines(err)
    assert len(lines) == 1 and "interrupted at t = " in lines[0], err
    status = manifest(run)["status"]
    assert status.startswith("interrupted at t = ") and "(checkpoint " in status, status
    assert "checkpoint.bp" in status and "--restart latest" in status
    state, _, _ = final(run)
    assert 0 < state["t"] < T_END
    assert vtx_steps(run / "fields" / "fields.bp") >= 1  # the interrupted VTX file is readable
    run = copy_of(run, tmp_path)
    proc = spinfem("run", CASE, "--out", str(run), *SMOKE, "--restart", "latest")
    assert proc.returncode == 0, proc.stderr
    man = manifest(run)
    assert man["status"] == "ok" and man["restart"] == "latest" and len(man["restarted"]) == 1
    assert (run / "fields" / "fields_restart1.bp").is_dir()
    same_result(run, reference)


def test_sigkill_restarts_from_the_last_checkpoint(reference, tmp_path):
    run = tmp_path / "run"
    proc = start_slow(run)
    wait_for(run / "fields" / "checkpoint.bp", proc)
    time.sleep(0.3)
    proc.kill()
    code, _ = finish(proc)
    assert code == -signal.SIGKILL
    assert manifest(run)["status"] == "running"  # a killed run cannot say more
    proc = spinfem("run", CASE, "--out", str(run), *SMOKE, "--restart", "latest")
    assert proc.returncode == 0, proc.stderr
    assert manifest(run)["status"] == "ok"
    same_result(run, reference)


@pytest.mark.mpi
def test_sigusr1_to_mpirun_stops_both_ranks_and_restart_on_two_ranks(reference, tmp_path):
    """Open MPI's mpirun forwards SIGUSR1 to the ranks (SIGTERM to mpirun kills them)."""
    run = tmp_path / "run"
    proc = start_slow(run, nprocs=2)
    wait_for(run / "fields" / "checkpoint.bp", proc)
    time.sleep(0.2)
    os.kill(proc.pid, signal.SIGUSR1)
    code, err = finish(proc)
    assert code == 5, err
    lines = error_lines(err)
    assert len(lines) == 1 and "interrupted at t = " in lines[0], err  # once, from rank 0
    man = manifest(run)
    assert man["status"].startswith("interrupted at t = ") and man["mpi_ranks"] == 2
    proc = spinfem("run", CASE, "--out", str(run), *SMOKE, "--restart", "latest", nprocs=2)
    assert proc.returncode == 0, proc.stderr
    assert manifest(run)["status"] == "ok"
    same_result(run, reference, rtol=1e-10)


# ------------------------------------------------------------------ corrupt checkpoints
def corrupt(path: Path, how: str) -> str:
    """Truncate or garble the data file of the checkpoint ``path``; return its name."""
    data = sorted(path.glob("data.*"), key=lambda p: p.stat().st_size)[-1]
    raw = bytearray(data.read_bytes())
    if how == "truncate":
        data.write_bytes(raw[: len(raw) // 2])
    else:
        mid = len(raw) // 2
        raw[mid : mid + 64] = bytes(b ^ 0xFF for b in raw[mid : mid + 64])
        data.write_bytes(raw)
    return data.name


@pytest.mark.parametrize(
    ("how", "words"), [("truncate", "truncated"), ("garble", "corrupt (sha256 mismatch)")]
)
def test_corrupt_newest_checkpoint_falls_back_to_the_previous(
    interrupted, reference, tmp_path, how, words
):
    run = copy_of(interrupted[0], tmp_path)
    name = corrupt(run / "fields" / "checkpoint.bp", how)
    proc = spinfem("run", CASE, "--out", str(run), *SMOKE, "--restart", "latest")
    assert proc.returncode == 0, proc.stderr
    warn = [ln for ln in proc.stderr.splitlines() if "falling back" in ln]
    assert len(warn) == 1, proc.stderr
    assert "checkpoint.bp" in warn[0] and f"'{name}'" in warn[0] and words in warn[0]
    assert (run / "fields" / "checkpoint.corrupt.bp").is_dir()  # kept for inspection
    same_result(run, reference)


@pytest.mark.mpi
def test_corrupt_checkpoint_fallback_is_collective_on_two_ranks(interrupted, reference, tmp_path):
    run = copy_of(interrupted[0], tmp_path)
    corrupt(run / "fields" / "checkpoint.bp", "truncate")
    proc = spinfem("run", CASE, "--out", str(run), *SMOKE, "--restart", "latest", nprocs=2)
    assert proc.returncode == 0, proc.stderr
    assert sum("falling back" in ln for ln in proc.stderr.splitlines()) == 1, proc.stderr
    same_result(run, reference, rtol=1e-10)


@pytest.mark.parametrize("what", ["both corrupt", "none"])
def test_no_usable_checkpoint_is_an_output_error(interrupted, tmp_path, what):
    run = copy_of(interrupted[0], tmp_path)
    for name in ("checkpoint.bp", "checkpoint.prev.bp"):
        if what == "none":
            shutil.rmtree(run / "fields" / name)
        else:
            corrupt(run / "fields" / name, "garble")
    proc = spinfem("run", CASE, "--out", str(run), *SMOKE, "--restart", "latest", nprocs=2)
    assert proc.returncode == 4, proc.stderr
    lines = error_lines(proc.stderr)
    assert len(lines) == 1 and "no readable M-m checkpoint" in lines[0], proc.stderr
    assert "checkpoint.bp'" in lines[0] and "checkpoint.prev.bp'" in lines[0]
    assert ("missing" if what == "none" else "sha256 mismatch") in lines[0]
    assert manifest(run)["status"].startswith("failed: OutputError")


def test_explicit_corrupt_checkpoint_is_not_replaced(interrupted, tmp_path):
    run = copy_of(interrupted[0], tmp_path)
    corrupt(run / "fields" / "checkpoint.bp", "truncate")
    given = run / "fields" / "checkpoint.bp"
    proc = spinfem("run", CASE, "--out", str(run), *SMOKE, "--restart", str(given))
    assert proc.returncode == 4, proc.stderr
    lines = error_lines(proc.stderr)
    assert len(lines) == 1 and f"checkpoint '{given}'" in lines[0] and "truncated" in lines[0]
