"""A Pt/Py bilayer (2D) whose Py magnetization is read from an OVF file, then given as the
equivalent analytic callable: prints the probed V, mu_s and the Py torque of both.

Usage: python3 magnetization_file.py M.ovf   (serially or under mpirun)
"""

import sys

import numpy as np
from mpi4py import MPI
from test_magnetization_file import ORIGIN, SHAPE, STEP, field

from spinfem import library
from spinfem.contacts import Contact
from spinfem.geometry.strip import bilayer
from spinfem.magnetization import MagnetizationGrid
from spinfem.vector_problem import VectorSpinProblem

NM = 1e-9
device = bilayer(40 * NM, 4 * NM, 2 * NM, names=("Pt", "Py"), size=1.0 * NM)
materials = {"Pt": library.Pt, "Py": library.Py.with_(lambda_J=1.0e-9, lambda_phi=1.5e-9)}
contacts = [Contact("left", voltage=1e-3), Contact("right", voltage=0.0)]
hi = ORIGIN + STEP * (np.array(SHAPE[::-1]) - 1)


def analytic(x_nm: np.ndarray) -> np.ndarray:
    """The field the file samples, at the clamped point (the grid holds it constant
    beyond its outer cell centres), normalised."""
    x = np.clip(np.asarray(x_nm, float) * NM, ORIGIN[:, None], hi[:, None])
    f = field(x)
    return f / np.linalg.norm(f, axis=0)


grid = MagnetizationGrid.read(sys.argv[1])
pts = [[x * NM / NM, y, 0.0] for x in (-13.3, 0.7, 11.9) for y in (1.3, 4.6, 5.5)]
values = []
for m in (grid.in_mesh_units(NM), analytic):
    sol = VectorSpinProblem(device, materials, contacts, {"Py": m}).solve()
    probe = sol.probe(np.array(pts))
    torque = sol.torques()["Py"]
    values += list(np.ravel(probe["V_V"])) + list(np.ravel(probe["mu_s_eV"]))
    values += list(torque["damping_like_Nm"]) + list(torque["field_like_Nm"])
if MPI.COMM_WORLD.rank == 0:
    print("RESULT", " ".join(repr(float(v)) for v in values))
