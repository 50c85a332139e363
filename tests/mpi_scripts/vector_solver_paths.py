"""Vector bilayer of tests/test_vector_solver.py, iterative path (bs = 4, V | mu split):
JSON observables and the preconditioner."""

import json
import sys
from pathlib import Path

from mpi4py import MPI

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import test_vector_solver as t

from spinfem.solvers import SolverSettings

dev = t._device(0.5)
sol = t._problem(dev, SolverSettings(direct_max_dofs=0, rtol=1e-12)).solve()
# the preconditioner of that path, as built on this many ranks
s, A, b, _system = t._iterative_solver(dev)
splits = [
    (k.getPC().getType(), k.getOperators()[0].getBlockSize())
    for k in s.ksp.getPC().getFieldSplitSubKSP()
]
if MPI.COMM_WORLD.rank == 0:
    out = {
        "current_A": sol.contacts[0].current_A,
        "spin_current_A": [float(v) for v in sol.spin_currents_A["left"]],
        "iterations": sol.iterations,
        "solver": s.description,
        "splits": splits,
    }
    Path(sys.argv[1]).write_text(json.dumps(out))
for obj in (s, A, b):
    obj.destroy()
