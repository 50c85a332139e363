"""Shared test helpers.

MPI tests run spinfem under ``mpirun -n N`` as a subprocess with a timeout, so one
pytest invocation covers serial and parallel runs, and a hang fails instead of
blocking CI.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]
MPI_SCRIPTS = REPO / "tests" / "mpi_scripts"


def rel_err(a: float, b: float) -> float:
    """|a - b| / |b| (no absolute floor: RA values are ~1e-15 Ohm m^2)."""
    return abs(a - b) / abs(b)


def mpi_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        OMPI_ALLOW_RUN_AS_ROOT="1",
        OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
        OMPI_MCA_rmaps_base_oversubscribe="1",
        OMP_NUM_THREADS="1",
        PYTHONPATH=os.pathsep.join([str(REPO), str(REPO / "tests"), env.get("PYTHONPATH", "")]),
    )
    env.setdefault("OMPI_MCA_btl", "self,sm")
    env.setdefault("OMPI_MCA_topo", "basic")  # Open MPI 5 dist-graph hang (spinfem.compat)
    return env


def run_python(
    args: list[str], nprocs: int = 1, timeout: float = 300, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``python3 ARGS`` (under ``mpirun -n nprocs`` if nprocs > 1); never hangs."""
    cmd = [sys.executable, *args]
    if nprocs > 1:
        mpirun = shutil.which("mpirun") or shutil.which("mpiexec")
        if mpirun is None:
            pytest.skip("no mpirun")
        cmd = [mpirun, "-n", str(nprocs), *cmd]
    try:
        return subprocess.run(
            cmd, capture_output=True, text=True, timeout=timeout, env=mpi_env(), cwd=cwd
        )
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"timed out after {timeout} s (hang?): {' '.join(cmd)}\n{exc.stderr}")


def run_script_json(
    script: str, tmp_path: Path, nprocs: int = 1, extra: list[str] | None = None
) -> dict[str, Any]:
    """Run tests/mpi_scripts/SCRIPT writing JSON to a file; return the parsed JSON."""
    out = tmp_path / f"{Path(script).stem}-np{nprocs}.json"
    proc = run_python([str(MPI_SCRIPTS / script), str(out), *(extra or [])], nprocs=nprocs)
    assert proc.returncode == 0, f"{script} on {nprocs} ranks failed:\n{proc.stdout}\n{proc.stderr}"
    return json.loads(out.read_text())
