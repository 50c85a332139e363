"""Vector-model devices shared by tests and MPI scripts (each returns JSON-able observables)."""

from __future__ import annotations

import numpy as np
from stacks import CO_CU_CO, layers, materials

from spinfem.contacts import Contact
from spinfem.geometry import pillar
from spinfem.interfaces import SpinConductance, SpinMemoryLoss
from spinfem.problem import TwoCurrentProblem
from spinfem.vector_problem import VectorSpinProblem

NM = 1e-9
LAWS = {
    "F1|N": SpinConductance.from_ARb(0.51e-15, 0.77),
    "N|F2": SpinMemoryLoss(delta=0.5, AR_I=0.4e-15, gamma=0.2),
}
CONTACTS = [Contact("top", voltage=1e-3), Contact("bottom", voltage=0.0)]
#: probe points (mesh units, nm) in every layer of the 2D Co/Cu/Co cross-section
PROBES = [[3.1, y, 0.0] for y in (5.3, 21.1, 25.7, 35.3, 42.9, 60.1)]


def collinear(comm) -> dict:
    """Co/Cu/Co 2D cross-section with resistive and SML interfaces, F2 reversed: the
    collinear model and the vector model with m = +/-z."""
    mats = materials(CO_CU_CO)
    dev = pillar(layers(CO_CU_CO), width=40 * NM, dim=2, materials=mats, comm=comm)
    two = TwoCurrentProblem(dev, mats, CONTACTS, {"F2": -1}, interfaces=LAWS).solve()
    vec = VectorSpinProblem(
        dev, mats, CONTACTS, {"F1": (0, 0, 1), "F2": (0, 0, -1)}, interfaces=LAWS
    ).solve()
    pts = np.asarray(PROBES)
    p = vec.probe(pts)
    return {
        "two_current_A": [c.current_A for c in two.contacts],
        "two_spin_current_A": [c.spin_current_A for c in two.contacts],
        "two_V": two.probe("V", pts * NM),
        "two_mu": two.probe("mu_s", pts * NM),
        "vec_current_A": [c.current_A for c in vec.contacts],
        "vec_spin_current_A": [vec.spin_currents_A[c.name] for c in vec.contacts],
        "vec_V": p["V_V"],
        "vec_mu": p["mu_s_eV"],
    }


OBSERVABLES = {"collinear": collinear}
