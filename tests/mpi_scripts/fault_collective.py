"""Faults on every rank: each case must raise the same spinfem error everywhere (or give the
same warnings), whatever the number of ranks.

Usage: python3 fault_collective.py OUT.json SCRATCH_DIR   (serially or under mpirun)

Rank 0 writes ``{"ranks": N, "cases": {case: [[type, message] per rank]}}``. A case that
raised on some ranks only would hang or abort the job: the test sees a timeout or a
non-zero exit code.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import gmsh
import numpy as np
from collective_cases import run_cases
from fault_helpers import NM, boxes, coarse_py_cu
from mpi4py import MPI

from spinfem import checks, library
from spinfem.contacts import Contact
from spinfem.errors import InputError, OutputError
from spinfem.geometry import Layer, pillar
from spinfem.io import run_directory
from spinfem.mesh import from_gmsh_model, validate
from spinfem.parallel import raise_collective, root_call
from spinfem.problem import TwoCurrentProblem
from spinfem.solvers import SolverSettings

comm = MPI.COMM_WORLD
out_path, scratch = Path(sys.argv[1]), Path(sys.argv[2])


def gmsh_device(spans, length_unit=NM):
    """boxes() meshed on rank 0, distributed over all ranks."""
    if comm.rank == 0:
        gmsh.initialize(interruptible=False)
        gmsh.option.setNumber("General.Terminal", 0)
        gmsh.model.add("faults")
        boxes(gmsh.model, spans, size=5.0)
    try:
        return from_gmsh_model(gmsh.model, length_unit=length_unit, comm=comm)
    finally:
        if comm.rank == 0:
            gmsh.finalize()


THREE = [("A", 0.0, 10.0), ("B", 10.0, 20.0), ("C", 30.0, 40.0)]
MATS3 = {"A": library.Cu, "B": library.Co, "C": library.Cu}
LR = [Contact("left", voltage=1e-3), Contact("right", voltage=0.0)]
islands = gmsh_device(THREE)
pair = gmsh_device(THREE[:2])
bar_mats = {"F": library.Co, "N": library.Cu}


def bar():
    return pillar([Layer("F", 10 * NM), Layer("N", 10 * NM)], width=10 * NM, dim=2, comm=comm)


def degenerate() -> None:
    dm = pillar([Layer("a", 5 * NM), Layer("b", 5 * NM), Layer("c", 5 * NM)], width=10 * NM, dim=2)
    x = dm.mesh.geometry.x
    x[:, 1] = np.minimum(x[:, 1], 12.0)
    validate(dm)


def coarse() -> None:
    dm, mats = coarse_py_cu(comm)
    warned = checks.resolution_warnings(dm, mats)
    raise InputError("WARNINGS: " + " | ".join(warned))


def diverged() -> None:
    opts = {"ksp_type": "cg", "pc_type": "jacobi", "ksp_max_it": 1}
    settings = SolverSettings(direct_max_dofs=0, petsc_options=opts)
    TwoCurrentProblem(
        bar(),
        bar_mats,
        [Contact("top", voltage=1e-3), Contact("bottom", voltage=0)],
        solver=settings,
    ).solve()


def one_rank_message() -> None:
    last = comm.size - 1
    problem = "mesh file 'part-7.msh' is unreadable" if comm.rank == last else None
    raise_collective(comm, problem, InputError)


def root_failure() -> None:
    root_call(comm, lambda: (scratch / "no-such-dir" / "x.txt").read_text(), OutputError)


def below_file() -> None:
    blocker = scratch / "blocker.txt"
    if comm.rank == 0:
        blocker.write_text("a file")
    comm.Barrier()
    with run_directory(blocker / "run", comm):
        pass


CASES: dict[str, Callable[[], object]] = {
    "floating_region": lambda: TwoCurrentProblem(islands, MATS3, LR),
    "current_only_island": lambda: TwoCurrentProblem(
        islands, MATS3, [*LR, Contact("c_face", current=1e-6)]
    ),
    "touching_contacts": lambda: TwoCurrentProblem(
        pair, {"A": library.Cu, "B": library.Cu}, [LR[0], Contact("front_A", voltage=0.0)]
    ),
    "length_unit_metres": lambda: gmsh_device(THREE[:2], length_unit=1.0),
    "degenerate_cells": degenerate,
    "coarse_mesh_warning": coarse,
    "solver_diverged": diverged,
    "one_rank_message": one_rank_message,
    "root_call_failure": root_failure,
    "output_below_file": below_file,
}

run_cases(CASES, out_path)
