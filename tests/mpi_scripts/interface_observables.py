"""Observables of a pillar with resistive and spin-memory-loss interfaces, as JSON.

Usage: python3 interface_observables.py OUT.json   (serially or under mpirun)
"""

import json
import sys

import stacks
from mpi4py import MPI

from spinfem.contacts import Contact
from spinfem.geometry import pillar
from spinfem.interfaces import SpinConductance, SpinMemoryLoss
from spinfem.problem import TwoCurrentProblem

NM = 1e-9
comm = MPI.COMM_WORLD
mats = stacks.materials(stacks.CO_CU_CO)
layers = stacks.layers(stacks.CO_CU_CO)
device = pillar(layers, radius=30 * NM, materials=mats, comm=comm)
laws = {
    "F1|N": SpinConductance.from_ARb(0.51e-15, 0.77),
    "N|F2": SpinMemoryLoss(delta=0.8, AR_I=0.4e-15, gamma=0.2),
    "F2|lead2": SpinConductance.from_ARb(0.3e-15, 0.5),
}
pts = [[1.37 * NM, 0.71 * NM, z * NM] for z in (5.3, 21.1, 25.7, 35.3, 42.9, 60.1)]
out: dict = {"ranks": comm.size}
for state, mag in (("P", {}), ("AP", {"F2": -1})):
    sol = TwoCurrentProblem(
        device,
        mats,
        [Contact("top", voltage=1e-3), Contact("bottom", voltage=0.0)],
        mag,
        interfaces=laws,
    ).solve()
    res = {"RA": sol.resistance_area(), "spin_current_top": sol.contact("top").spin_current_A}
    for name, itf in sol.interfaces.items():
        for key in (
            "current_A",
            "spin_current_from_left_A",
            "spin_current_into_right_A",
            "jump_V_V",
            "jump_mu_s_eV",
            "mu_s_left_eV",
            "area_m2",
        ):
            res[f"{name}.{key}"] = itf[key]
    for field in ("V", "mu_s", "j_c"):
        res[field] = sol.probe(field, pts).tolist()
    out[state] = res
if comm.rank == 0:
    with open(sys.argv[1], "w") as f:
        json.dump(out, f)
