"""Checkpoint/restart and interruption of M-m runs (subprocesses).

SIGTERM after the first checkpoint: exit code 5, outputs readable; the restarted run ends
at the same state as an uninterrupted run (relative 1e-10). SIGKILL: restart from the
previous checkpoint gives the same result."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from conftest import MPI_SCRIPTS, mpi_env

CASE = {
    "mesh": {"box": {"lengths": [8000.0, 400.0], "cells": [80, 2]}, "length_unit": 1e-9},
    "magnets": {"magnet": {"chi_M": 0.01, "xi": 0.3, "r": 1e9, "D_m": 1e-3, "w_m": 1e8}},
    "boundaries": {
        "xmin": {"type": "injected_flux", "sinusoid": {"amplitude": 1e3, "omega": 1e9}},
        "xmax": {"type": "fixed_deltam", "value": 0.0},
    },
    "initial": {"dM": {"step": {"axis": 0, "position": 2050.0, "left": 1e3, "right": 0.0}}},
    "transient": {
        "t_end": 2e-8,
        "rtol": 1e-6,
        "atol": 1e-3,
        "n_outputs": 10,
        "checkpoint_every": 10,
    },
}
SCRIPT = str(MPI_SCRIPTS / "mm_run.py")


def _start(case_path, out, *extra):
    return subprocess.Popen(
        [sys.executable, SCRIPT, str(case_path), str(out), *extra],
        env=mpi_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_for(path, proc, timeout=120):
    t0 = time.time()
    while not path.exists():
        if proc.poll() is not None:
            pytest.fail(f"run ended before its first checkpoint: {proc.communicate()}")
        if time.time() - t0 > timeout:
            proc.kill()
            pytest.fail("no checkpoint appeared")
        time.sleep(0.05)


def _final_state(directory):
    from spinfem.mm import checkpoint

    _, state, dM, dm = checkpoint.read(directory)
    x = dM.function_space.tabulate_dof_coordinates()
    order = np.lexsort((x[:, 1], x[:, 0]))
    return state, dM.x.array[order], dm.x.array[order]


def _csv(path):
    with open(path, newline="") as fh:
        rows = list(csv.reader(fh))
    return rows[0], np.array([[float(v) for v in r] for r in rows[1:]])


def _vtx_times(path):
    import adios2
    import adios4dolfinx  # noqa: F401  (sets ADIOS2_ALWAYS_USE_MPI before adios2 is loaded)

    with adios2.FileReader(str(path)) as f:
        n = f.num_steps()
        vals = f.read("dM_A_per_m", step_selection=[n - 1, 1])
        assert np.all(np.isfinite(vals))
        return np.atleast_1d(f.read("step", step_selection=[0, n]))


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    d = tmp_path_factory.mktemp("ref")
    case = d / "case.json"
    case.write_text(json.dumps(CASE))
    proc = _start(case, d / "out")
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    return case, d / "out"


def test_outputs_readable(reference):
    _, out = reference
    times = _vtx_times(out / "fields.bp")
    assert np.allclose(times, np.linspace(0, 2e-8, 11), rtol=1e-12, atol=1e-22)
    head, rows = _csv(out / "scalars.csv")
    assert head[0] == "t_s" and "free_energy_J" in head
    assert rows[-1, 0] == pytest.approx(2e-8, rel=1e-14)
    summary = json.loads((out / "summary.json").read_text())["transient"]
    assert summary["factorizations"] < summary["steps"]


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL])
def test_interrupted_run_restarts_to_the_same_result(reference, tmp_path, sig):
    case, ref = reference
    out = tmp_path / "out"
    proc = _start(case, out, "--sleep", "0.02")
    _wait_for(out / "checkpoint.bp", proc)
    time.sleep(0.1)
    os.kill(proc.pid, sig)
    _, err = proc.communicate(timeout=120)
    if sig == signal.SIGTERM:
        assert proc.returncode == 5, err
        assert "interrupted at t" in err
        state, _, _ = _final_state(out)
        assert 0 < state["t"] < 2e-8
        assert len(_vtx_times(out / "fields.bp")) >= 1  # the interrupted VTX file is readable
    else:
        assert proc.returncode == -signal.SIGKILL
    again = _start(case, out, "--restart", str(out))
    _, err = again.communicate(timeout=300)
    assert again.returncode == 0, err
    s_ref, M_ref, m_ref = _final_state(ref)
    s_new, M_new, m_new = _final_state(out)
    assert s_new["t"] == s_ref["t"]
    assert s_new["steps"] == s_ref["steps"]
    assert np.max(np.abs(M_new - M_ref)) <= 1e-10 * np.max(np.abs(M_ref))
    assert np.max(np.abs(m_new - m_ref)) <= 1e-10 * np.max(np.abs(m_ref))
    # the scalar time series continues where the checkpoint was taken: no gap, no duplicate
    _, rows_ref = _csv(ref / "scalars.csv")
    _, rows_new = _csv(out / "scalars.csv")
    assert rows_new.shape == rows_ref.shape
    assert np.allclose(rows_new, rows_ref, rtol=1e-10, atol=0)


@pytest.mark.mpi
def test_two_rank_run_stopped_by_sigusr1_restarts_on_one_rank(reference, tmp_path):
    """mpirun forwards SIGUSR1 to the ranks (SIGTERM to mpirun kills them): same clean stop,
    exit code 5; the checkpoint written on 2 ranks is continued on 1 rank (N-to-M)."""
    import shutil

    case, ref = reference
    mpirun = shutil.which("mpirun") or shutil.which("mpiexec")
    if mpirun is None:
        pytest.skip("no mpirun")
    out = tmp_path / "out"
    proc = subprocess.Popen(
        [mpirun, "-n", "2", sys.executable, SCRIPT, str(case), str(out), "--sleep", "0.02"],
        env=mpi_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    _wait_for(out / "checkpoint.bp", proc)
    time.sleep(0.1)
    os.kill(proc.pid, signal.SIGUSR1)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 5, err
    again = _start(case, out, "--restart", str(out))
    _, err = again.communicate(timeout=300)
    assert again.returncode == 0, err
    _, M_ref, m_ref = _final_state(ref)
    _, M_new, m_new = _final_state(out)
    assert np.max(np.abs(M_new - M_ref)) <= 1e-10 * np.max(np.abs(M_ref))
    assert np.max(np.abs(m_new - m_ref)) <= 1e-10 * np.max(np.abs(m_ref))
