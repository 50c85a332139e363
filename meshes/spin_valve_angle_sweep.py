"""Non-collinear Co/Cu/Co spin-valve pillar: resistance and spin-transfer torque vs angle.

The free layer F2 is rotated from parallel (0 deg) to antiparallel (180 deg) to the
fixed layer F1 (m = +z) with ``set_magnetization`` (no re-compilation); F1|N and N|F2 are
magnetoelectronic-circuit-theory interfaces (Co/Cu: AR_b* = 0.51 fOhm m^2, gamma = 0.77,
G_r = 5.4e14 S/m^2, G_i = 2e13 S/m^2). 2D cross-section, smoke size.

Usage: python3 meshes/spin_valve_angle_sweep.py     or     mpirun -n 2 python3 ...
"""

import numpy as np
from mpi4py import MPI

from spinfem import library
from spinfem.contacts import Contact
from spinfem.geometry import Layer, pillar
from spinfem.mixing import MixingConductance
from spinfem.vector_problem import VectorSpinProblem

NM = 1e-9
comm = MPI.COMM_WORLD
rows = [("lead1", library.Cu, 20), ("F1", library.Co, 10), ("N", library.Cu, 10),
        ("F2", library.Co, 5), ("lead2", library.Cu, 20)]  # fmt: skip
materials = {name: mat for name, mat, _ in rows}
device = pillar([Layer(n, t * NM) for n, _, t in rows], width=40 * NM, dim=2, materials=materials)
law = MixingConductance.from_ARb_mixing(0.51e-15, 0.77, G_r=5.4e14, G_i=2e13)
problem = VectorSpinProblem(
    device,
    materials,
    [Contact("top", voltage=1e-3), Contact("bottom", voltage=0.0)],  # electrons F1 -> F2
    {"F1": (0, 0, 1), "F2": (0, 0, 1)},
    interfaces={"F1|N": law, "N|F2": law},
)
for deg in range(0, 181, 30):
    a = np.radians(deg)
    problem.set_magnetization("F2", (np.sin(a), 0.0, np.cos(a)))
    sol = problem.solve()
    t = sol.torques()["F2"]
    if comm.rank == 0:
        print(
            f"theta = {deg:3d} deg: R = {sol.resistance():.6f} Ohm, "
            f"tau_DL = {t['damping_like_abs_Nm']:.3e} N m, "
            f"tau_FL = {t['field_like_abs_Nm']:.3e} N m",
            flush=True,
        )
