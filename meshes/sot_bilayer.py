"""Spin-orbit torque in a heavy-metal/ferromagnet bilayer strip (Pt/Py, 2D, smoke size).

Current flows along x through a Pt/Py bilayer (``spinfem.geometry.strip.bilayer``, film
normal y in 2D, z out of plane). The spin Hall current of Pt flows along +/-y with spin
along z and enters Py (magnetization m along x, perpendicular to that spin), where it is
absorbed by exchange (lambda_J) and dephasing (lambda_phi): the damping-like and
field-like torques (split by mechanism: dephasing/G_r vs exchange/G_i), per area, and the
efficiency xi_DL = (2e/hbar) tau_DL/(area j_c,Pt). The second run replaces the transparent
interface by a spin-mixing conductance (transverse spin absorbed at the interface); its
xi_DL is compared with the 1D drift-diffusion value
theta (1 - sech(d/l)) G_r/(G_r + sigma tanh(d/l)/(2 l)) (docs/theory.md).

Usage: python3 meshes/sot_bilayer.py      or      mpirun -n 2 python3 meshes/sot_bilayer.py
"""

import numpy as np
from mpi4py import MPI

from spinfem import library
from spinfem.contacts import Contact
from spinfem.geometry.strip import bilayer
from spinfem.mixing import MixingConductance
from spinfem.vector_problem import VectorSpinProblem

NM = 1e-9
comm = MPI.COMM_WORLD
T_PT, T_PY = 4 * NM, 2 * NM
device = bilayer(40 * NM, T_PT, T_PY, names=("Pt", "Py"), size=0.5 * NM)
materials = {
    "Pt": library.Pt,
    # transverse absorption lengths of Py (order-of-magnitude values, ~1 nm)
    "Py": library.Py.with_(lambda_J=1.0e-9, lambda_phi=1.5e-9),
}
contacts = [Contact("left", voltage=1e-3), Contact("right", voltage=0.0)]
m = np.array([1.0, 0.0, 0.0])  # perpendicular to the spin-Hall spin direction z
for label, interfaces in (
    ("transparent Pt|Py", None),
    ("mixing Pt|Py", {"Pt|Py": MixingConductance.from_ARb_mixing(0.5e-15, 0.4, 6e14, 3e13)}),
):
    sol = VectorSpinProblem(device, materials, contacts, {"Py": m}, interfaces=interfaces).solve()
    I = sol.contact("left").current_A
    j_pt = sol.average_current_density("Pt")[0]  # mean current density in Pt [A/m^2]
    t = sol.torques(current_density_A_per_m2=j_pt)["Py"]
    if comm.rank == 0:
        print(
            f"{label}: I = {I:.4e} A, j_c(Pt) = {j_pt:.3e} A/m^2, "
            f"tau_DL = {np.array2string(t['damping_like_Nm'], precision=3)} N m, "
            f"tau_FL = {np.array2string(t['field_like_Nm'], precision=3)} N m, "
            f"xi_DL = {t.get('xi_DL', float('nan')):.4f}",
            flush=True,
        )
pt = materials["Pt"]
x = T_PT / pt.l_sf
xi_1d = pt.theta_sh * (1 - 1 / np.cosh(x)) * 6e14 / (6e14 + pt.sigma * np.tanh(x) / (2 * pt.l_sf))
if comm.rank == 0:
    print(f"1D estimate for the mixing interface: xi_DL = {xi_1d:.4f} (finite strip: end effects)")
