"""Transverse spin accumulation in a ferromagnet: exchange precession (lambda_J) and
dephasing (lambda_phi) against the 1D closed form, with a measured convergence rate.

In a ferromagnet with m = z the transverse part psi = mu_x + i mu_y obeys
psi'' = kappa^2 psi, kappa^2 = (1 - P^2)/l_sf^2 + 1/lambda_phi^2 - i/lambda_J^2
(MODEL.md section 3 with the exchange term (mu x m)/lambda_J^2): it decays and rotates
from x toward +y as it enters the magnet, psi(s2)/psi(s1) = exp(-kappa (s2 - s1)).
"""

from __future__ import annotations

import numpy as np
from mpi4py import MPI

from spinfem import library
from spinfem.contacts import Contact
from spinfem.geometry import Layer, pillar
from spinfem.materials import Material
from spinfem.vector_problem import VectorSpinProblem

NM = 1e-9
F2 = Material("F2", sigma=4e6, l_sf=5e-9, P=0.5, lambda_J=2e-9, lambda_phi=3e-9)
MATS = {"lead1": library.Cu, "F1": library.Co, "N": library.Cu, "F2": F2, "lead2": library.Cu}
KAPPA = np.sqrt((1 - 0.5**2) / 5**2 + 1 / 3**2 - 1j / 2**2)  # 1/nm


def _ratio(n: int) -> complex:
    layers = [
        Layer("lead1", 10 * NM, 10),
        Layer("F1", 5 * NM, 10),
        Layer("N", 5 * NM, 10),
        Layer("F2", 15 * NM, n),
        Layer("lead2", 10 * NM, 10),
    ]
    dev = pillar(layers, width=4 * NM, dim=2, lateral_size=30 / n * NM, comm=MPI.COMM_WORLD)
    sol = VectorSpinProblem(
        dev,
        MATS,
        [Contact("top", voltage=1e-3), Contact("bottom", voltage=0.0)],
        {"F1": (1, 0, 0), "F2": (0, 0, 1)},  # F1 injects spins along x into N and F2
    ).solve()
    mu = sol.probe([[0.3, 21.0, 0.0], [0.3, 23.0, 0.0]])["mu_s_eV"]  # 1 and 3 nm into F2
    psi = mu[:, 0] + 1j * mu[:, 1]
    assert abs(psi[0]) > 0
    return psi[1] / psi[0]


def test_exchange_and_dephasing_decay_and_rotation():
    exact = np.exp(-2 * KAPPA)
    errs = []
    for n in (30, 60, 120):
        r = _ratio(n)
        errs.append(abs(r - exact) / abs(exact))
        assert r.imag > 0  # rotated from +x toward +y
    assert errs[-1] < 1e-3
    rate = np.polyfit(np.log([1 / 30, 1 / 60, 1 / 120]), np.log(errs), 1)[0]
    assert 1.7 < rate < 2.3, (errs, rate)
