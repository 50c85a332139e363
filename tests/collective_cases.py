"""Run named bad-input cases on every rank and record what each rank raised (for the
``mpirun`` scripts in tests/mpi_scripts that check errors are collective)."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path

from mpi4py import MPI

from spinfem.errors import SpinfemError


def run_cases(
    cases: Mapping[str, Callable[[], object]], out_path: str | Path, comm: MPI.Comm = MPI.COMM_WORLD
) -> None:
    """Write ``{"ranks": n, "cases": {name: [[error type, message] per rank]}}`` as JSON
    (rank 0); a case that raises nothing records ``["NO ERROR", ""]``."""
    results: dict[str, list[list[str]]] = {}
    for name, case in cases.items():
        try:
            case()
            mine = ["NO ERROR", ""]
        except SpinfemError as exc:
            mine = [type(exc).__name__, str(exc)]
        results[name] = comm.gather(mine, root=0)
    if comm.rank == 0:
        Path(out_path).write_text(json.dumps({"ranks": comm.size, "cases": results}, indent=1))
