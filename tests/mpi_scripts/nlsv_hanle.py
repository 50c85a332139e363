"""Hanle curves R_NL(B) [Ohm] of a 2D lateral spin valve (tunnel contacts), detector
parallel and perpendicular to the injector, written as JSON by rank 0; INFO logging on.

Usage: python3 nlsv_hanle.py OUT.json [iterative]   (serially or under mpirun)

``iterative``: GMRES + BoomerAMG at rtol 1e-13 instead of LU, so the sweeps carry the
AMG hierarchy from point to point (``solvers.PreconditionerReuse``).
"""

import json
import sys

from mpi4py import MPI
from nlsv_devices import R_NL, hanle_problem

from spinfem.log import setup_logging
from spinfem.solvers import SolverSettings
from spinfem.sweeps import field_sweep

setup_logging("INFO")
comm = MPI.COMM_WORLD
fields = [0.0, 0.05, 0.1, 0.2, -0.1]
_, problem = hanle_problem(1.0, comm=comm)
if "iterative" in sys.argv[2:]:
    problem.settings = SolverSettings(direct_max_dofs=0, rtol=1e-13)
out: dict = {"ranks": comm.size, "field_T": fields}
for key, m_det in (("R_NL_P_ohm", (1, 0, 0)), ("R_NL_perp_ohm", (0, 1, 0))):
    problem.set_magnetization("detector", m_det)
    res = field_sweep(problem, fields, {"R_NL_ohm": R_NL}, direction=(0, 0, 1))
    out[key] = res["R_NL_ohm"].tolist()
if comm.rank == 0:
    with open(sys.argv[1], "w") as f:
        json.dump(out, f)
