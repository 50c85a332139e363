"""Spin Hall magnetoresistance of a Pt Hall bar on YIG (3D, smoke size).

A Pt Hall bar (``spinfem.geometry.strip.hall_bar``: contacts ``left``/``right`` for the
current, ``south``/``north`` floating voltage arms) sits on a magnetic insulator: its
``bottom`` face gets the spin-mixing boundary law with Vlietstra et al.'s Pt/YIG mixing
conductance. The YIG magnetization is rotated in the film plane (angle alpha from the
current direction x); the longitudinal and transverse resistances then follow
R_L = R_0 - Delta R_1 sin^2(alpha)... (Chen et al. PRB 87, 144411: rho_long =
rho + Delta rho_0 + Delta rho_1 (1 - m_y^2), rho_trans = Delta rho_1 m_x m_y + ...).

Usage: python3 meshes/smr_pt_yig_hall_bar.py      or      mpirun -n 2 python3 ...
"""

import numpy as np
from mpi4py import MPI

from spinfem import library
from spinfem.contacts import Contact
from spinfem.geometry.strip import hall_bar
from spinfem.mixing import MagneticInsulator
from spinfem.vector_problem import VectorSpinProblem

NM = 1e-9
comm = MPI.COMM_WORLD
# 1. device: 40 nm x 8 nm bar, 6 nm wide arms reaching 6 nm out, 3 nm thick Pt
device = hall_bar(40 * NM, 8 * NM, 6 * NM, 6 * NM, thickness=3 * NM, dim=3, size=1.5 * NM)
# 2. materials: Pt with the parameters of the Pt/YIG SMR fit (theta = 0.08, lambda = 1.1 nm)
pt = library.Pt.with_(theta_sh=0.08, l_sf=1.1e-9)
yig = MagneticInsulator(**library.PT_YIG_MIXING, m=(1, 0, 0))
# 3. contacts: 1 mV across the bar; the Hall arms carry no current (voltage probes)
contacts = [
    Contact("left", voltage=1e-3),
    Contact("right", voltage=0.0),
    Contact("south", current=0.0),
    Contact("north", current=0.0),
]
problem = VectorSpinProblem(device, {"HM": pt}, contacts, boundaries={"bottom": yig})
# 4. sweep the YIG magnetization in the plane: only values change, forms are reused
rows = []
for alpha in np.radians([0, 45, 90, 135, 180]):
    problem.set_magnetization("bottom", (np.cos(alpha), np.sin(alpha), 0.0))
    sol = problem.solve()
    current = sol.contact("left").current_A
    r_long = (sol.contact("left").voltage_V - sol.contact("right").voltage_V) / current
    r_hall = (sol.contact("north").voltage_V - sol.contact("south").voltage_V) / current
    torque = sol.torques()["bottom"]["damping_like_abs_Nm"]
    rows.append((np.degrees(alpha), r_long, r_hall, torque))
    if comm.rank == 0:
        print(
            f"alpha = {np.degrees(alpha):5.1f} deg: R_long = {r_long:.6f} Ohm, "
            f"R_hall = {r_hall:+.3e} Ohm, |tau_DL| on YIG = {torque:.3e} N m",
            flush=True,
        )
if comm.rank == 0:
    r = np.array(rows)
    print(f"SMR: (R_long(0) - R_long(90))/R_long(90) = {(r[0, 1] - r[2, 1]) / r[2, 1]:.3e}")
    print(f"transverse SMR: R_hall(45) - R_hall(135) = {r[1, 2] - r[3, 2]:.3e} Ohm")
