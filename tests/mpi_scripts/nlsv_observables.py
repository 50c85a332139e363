"""R_NL(P), R_NL(AP) [Ohm] of a 2D lateral spin valve, transparent and tunnel contacts,
written as JSON by rank 0.

Usage: python3 nlsv_observables.py OUT.json   (serially or under mpirun)
"""

import json
import sys

from mpi4py import MPI
from nlsv_devices import MATS, barriers, build, collinear_r_nl, valve

comm = MPI.COMM_WORLD
out: dict = {"ranks": comm.size}
mesh = build(valve(1.0, arm_lambdas=3.0), per_lsf=4, comm=comm)
for key, RA, P_J in (("transparent", None, 0.0), ("tunnel", 2e-13, 0.3)):
    r = collinear_r_nl(mesh, MATS, barriers(RA, P_J))
    out[key] = [r["P"], r["AP"]]
if comm.rank == 0:
    with open(sys.argv[1], "w") as f:
        json.dump(out, f)
