"""Direct (MUMPS) vs iterative (CG + BoomerAMG) solves of a multi-block pillar, as JSON;
the iterative solve also with hypre's default Galerkin product instead of the modular
one spinfem selects on several ranks (``compat.boomeramg_modular_rap``), forced by
hiding the hypre handle on the last rank only (the switch is collective). Also: the
operator with contact conditions derived from the unconstrained one
(``BlockSystem.operators``) against dolfinx's assembly with the conditions.

Usage: python3 solver_paths.py OUT.json   (serially or under mpirun)
"""

import json
import sys

import stacks
from mpi4py import MPI
from petsc4py import PETSc

from spinfem import compat
from spinfem.contacts import Contact
from spinfem.geometry import Layer, pillar
from spinfem.interfaces import SpinConductance
from spinfem.layout import build_layout
from spinfem.physics.scale import Scale
from spinfem.problem import TwoCurrentProblem
from spinfem.solvers import SolverSettings
from spinfem.system import BlockSystem

MAT_INFO_GLOBAL_SUM = PETSc.Mat.InfoType.GLOBAL_SUM

NM = 1e-9
comm = MPI.COMM_WORLD
mats = stacks.materials(stacks.CO_CU_CO)
layers = [Layer(name, t, elements=4) for name, _, t in stacks.CO_CU_CO]
device = pillar(layers, width=40 * NM, depth=30 * NM, lateral_size=5 * NM, comm=comm)
laws = {"F1|N": SpinConductance.from_ARb(0.51e-15, 0.77), "N|F2": SpinConductance.from_ARb(0.3e-15)}
layout = compat._boomeramg_layout()
out: dict = {"ranks": comm.size, "modular_rap_supported": bool(layout and layout[2])}
modular_rap = compat.boomeramg_modular_rap
for kind, settings in (
    ("direct", SolverSettings()),
    ("iterative", SolverSettings(direct_max_dofs=0, rtol=1e-12)),
    ("iterative_default_rap", SolverSettings(direct_max_dofs=0, rtol=1e-12)),
):
    calls: list[bool] = []

    def record(pc, on=True, calls=calls, kind=kind):
        handle = compat.boomeramg_handle
        if kind == "iterative_default_rap" and comm.rank == comm.size - 1:
            compat.boomeramg_handle = lambda pc: None  # this rank cannot set it
        try:
            calls.append(modular_rap(pc, on))  # collective: then no rank sets it
        finally:
            compat.boomeramg_handle = handle
        return calls[-1]

    compat.boomeramg_modular_rap = record
    sol = TwoCurrentProblem(
        device,
        mats,
        [Contact("top", voltage=1e-3), Contact("bottom", voltage=0.0)],
        {"F2": -1},
        interfaces=laws,
        solver=settings,
    ).solve()
    out[kind] = {
        "RA": sol.resistance_area(),
        "spin_current_top": sol.contact("top").spin_current_A,
        "iterations": sol.iterations,
        "modular_rap": calls,
    }
compat.boomeramg_modular_rap = modular_rap

# BlockSystem.operators (one assembly, identity rows by MatZeroRowsColumns) vs dolfinx
prob = TwoCurrentProblem(
    device, mats, [Contact("top", voltage=1e-3), Contact("bottom", voltage=0.0)], interfaces=laws
)
layout = build_layout(device, laws)
system = BlockSystem(layout, prob._coefficients(), Scale.of(device), prob._effective_laws(layout))
_, bcs, positions = prob._contact_conditions(system, layout)
A, A0 = system.operators(positions)
ref = system.matrix(bcs)
free = system.matrix([])
out["operators"] = {
    "nnz": [M.getInfo(MAT_INFO_GLOBAL_SUM)["nz_used"] for M in (A, ref, A0, free)],
    "diff": (A - ref).norm(PETSc.NormType.FROBENIUS) / ref.norm(PETSc.NormType.FROBENIUS),
    "diff_free": (A0 - free).norm(PETSc.NormType.FROBENIUS),
    "dirichlet_rows": comm.allreduce(sum(p[0].size + p[1].size for p in positions)),
}
if comm.rank == 0:
    with open(sys.argv[1], "w") as f:
        json.dump(out, f)
