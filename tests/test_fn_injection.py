"""Johnson-Silsbee / Valet-Fert spin injection at a transparent F/N junction.

A long quasi-1D bar (each side 12 spin-diffusion lengths, ending in spin-equilibrated
contacts) against the semi-infinite closed form (Fert-Jaffres 2001 with r_b = 0):
mu_s(x) on both sides, the spin current carried into the contacts, and the
spin-coupled excess resistance-area P^2 r_F r_N/(r_F + r_N).
"""

from __future__ import annotations

import numpy as np
import pytest

from conftest import rel_err
from reference.vf1d import Layer1D, fn_junction_transparent
from spinfem import library
from spinfem.contacts import Contact
from spinfem.geometry import Layer, pillar
from spinfem.problem import TwoCurrentProblem

NM = 1e-9
CASES = [
    # (F, N, polarity of F, dim)
    (library.Co, library.Cu, +1, 3),
    (library.Py, library.Cu, -1, 3),
    (library.CoFe, library.Ag, +1, 2),
]


@pytest.mark.parametrize(
    ("F", "N", "pol", "dim"), CASES, ids=["Co|Cu-3D", "Py|Cu-AP-3D", "CoFe|Ag-2D"]
)
def test_fn_injection_profile_and_excess_resistance(F, N, pol, dim):
    LF, LN = 12 * F.l_sf, 12 * N.l_sf
    mats = {"F": F, "N": N}
    device = pillar(
        [Layer("F", LF), Layer("N", LN)], width=20 * NM, dim=dim, materials=mats, per_lsf=10
    )
    bias = 1e-3
    sol = TwoCurrentProblem(
        device,
        mats,
        [Contact("bottom", voltage=bias), Contact("top", voltage=0.0)],
        magnetization={"F": pol},
    ).solve()
    bottom = sol.contact("bottom")
    J = bottom.current_A / bottom.area_m2  # along +z (from F into N)
    assert J > 0

    ref = fn_junction_transparent(
        Layer1D(LF, F.sigma, pol * F.P, F.l_sf), Layer1D(LN, N.sigma, N.P, N.l_sf), J=J
    )
    # mu_s along the axis, compared by coordinates (x = 0 at the interface)
    x = np.concatenate([np.linspace(-4 * F.l_sf, 0, 41), np.linspace(0, 4 * N.l_sf, 41)[1:]])
    pts = np.zeros((x.size, 3))
    pts[:, dim - 1] = LF + x
    mu_fe = sol.probe("mu_s", pts)
    mu_ex = ref.mu(x)
    scale = abs(ref.mu_F0)
    assert scale > 0 and np.sign(mu_fe[40]) == np.sign(ref.mu_F0)
    err = np.max(np.abs(mu_fe - mu_ex)) / scale
    print(f"max |mu_FE - mu_exact| / |mu(0)| = {err:.2e}")
    assert err < 5e-3

    # spin current entering at the F end = P_F * I (bulk polarization), ~0 at the N end
    assert rel_err(bottom.spin_current_A, pol * F.P * bottom.current_A) < 1e-3
    assert abs(sol.contact("top").spin_current_A) < 1e-3 * abs(bottom.current_A)

    # spin-coupled excess resistance-area
    ra = sol.resistance_area("bottom", "top")
    excess = ra - LF / F.sigma - LN / N.sigma
    print(f"excess RA: FE {excess:.6e}, closed form {ref.excess_RA:.6e} Ohm m^2")
    assert rel_err(excess, ref.excess_RA) < 1e-2
    assert rel_err(excess, F.P**2 * ref.r_F * ref.r_N / (ref.r_F + ref.r_N)) < 1e-2
