"""Fert-Jaffres spin injection through a spin-dependent F/N interface (MODEL.md section 2).

A. Fert and H. Jaffres, PRB 64, 184420 (2001): with an interface AR_b* = r_b and spin
asymmetry gamma between semi-infinite F and N, the current spin polarization at the
interface is

    eta = j_s(0)/J = (P r_F + gamma r_b)/(r_F + r_N + r_b),

r_F = l_F/(sigma_F (1 - P^2)), r_N = l_N/sigma_N (this project's conventions, see
``tests/reference/vf1d.py``). Across the conductance-mismatch range r_b/r_N = 0 ... 100 the
efficiency goes from P r_F/(r_F + r_N) (small: r_F << r_N for Co/Cu) to gamma. The spin
current through the interface comes from ``sol.interfaces["F|N"]`` (the law's fluxes);
for the transparent default there is no interface entry and it is extrapolated from the
cell-wise currents on both sides. Bars are quasi-1D (one lateral element), each side
12 spin-diffusion lengths long, ending in spin-equilibrated contacts.
"""

from __future__ import annotations

import functools

import numpy as np
import pytest

from conftest import rel_err
from reference.vf1d import Layer1D, fn_junction_interface, fn_junction_transparent
from spinfem import library
from spinfem.contacts import Contact
from spinfem.geometry import Layer, layer_elements, pillar
from spinfem.interfaces import SpinConductance
from spinfem.problem import TwoCurrentProblem

NM = 1e-9
N = library.Cu
PER_LSF = 10
WIDTH = 20 * NM
R_N = N.l_sf / N.sigma  # [Ohm m^2]
RATIOS = (0.1, 1.0, 10.0, 100.0)  # r_b / r_N
GAMMAS = (0.0, 0.5, -0.3)


def fj_efficiency(P: float, r_F: float, r_N: float, r_b: float, gamma: float) -> float:
    """(P r_F + gamma r_b)/(r_F + r_N + r_b)."""
    return (P * r_F + gamma * r_b) / (r_F + r_N + r_b)


def fj_excess_ra(P: float, r_F: float, r_N: float, r_b: float, gamma: float) -> float:
    """Junction RA on top of the bulk ohmic RA [Ohm m^2] (P_N = 0):
    r_b (1 - gamma^2) + [(P - gamma)^2 r_F r_b + gamma^2 r_N r_b + P^2 r_F r_N]/(r_F+r_N+r_b)."""
    s = r_F + r_N + r_b
    return (
        r_b * (1 - gamma**2)
        + ((P - gamma) ** 2 * r_F * r_b + gamma**2 * r_N * r_b + P**2 * r_F * r_N) / s
    )


def r_spin_F(F) -> float:
    return F.l_sf / (F.sigma * (1 - F.P**2))


@functools.cache
def bar(F_name: str, dim: int):
    F = library.get(F_name)
    mats = {"F": F, "N": N}
    layers = [Layer("F", 12 * F.l_sf), Layer("N", 12 * N.l_sf)]
    device = pillar(
        layers, width=WIDTH, dim=dim, materials=mats, per_lsf=PER_LSF, lateral_size=WIDTH
    )
    h = [
        layer.thickness / layer_elements(layer, mats[layer.name], per_lsf=PER_LSF)
        for layer in layers
    ]
    return device, mats, h


# (F, dim, polarity of F, r_b/r_N (0 = transparent default), gamma)
CASES = [("Co", 3, 1, 0.0, 0.0)]
CASES += [("Co", 3, 1, ratio, gamma) for ratio in RATIOS for gamma in GAMMAS]
# compensation P r_F + gamma r_b = 0: efficiency ~ 0 (absolute criterion)
_CO = library.Co
CASES += [("Co", 3, 1, 10.0, -_CO.P * r_spin_F(_CO) / (10.0 * R_N))]
# 2D cross-section, Py reversed: the law is given in Py's frame, so in the global frame
# both P and gamma change sign
CASES += [("Py", 2, -1, 1.0, 0.5), ("Py", 2, 1, 0.0, 0.0)]


def case_id(case) -> str:
    F, dim, pol, ratio, gamma = case
    rb = "transparent" if ratio == 0 else f"rb{ratio:g}rN-g{gamma:.3g}"
    return f"{F}{'' if pol > 0 else '-down'}|Cu-{dim}D-{rb}"


@pytest.mark.parametrize("case", CASES, ids=[case_id(c) for c in CASES])
def test_fert_jaffres_efficiency_and_excess_resistance(case):
    F_name, dim, pol, ratio, gamma = case
    device, mats, (h_F, h_N) = bar(F_name, dim)
    F = mats["F"]
    L_F, L_N = 12 * F.l_sf, 12 * N.l_sf
    r_b = ratio * R_N
    interfaces = {"F|N": SpinConductance.from_ARb(r_b, gamma)} if ratio else {}
    sol = TwoCurrentProblem(
        device,
        mats,
        [Contact("bottom", voltage=1e-3), Contact("top", voltage=0.0)],
        magnetization={"F": pol},
        interfaces=interfaces,
    ).solve()
    bottom = sol.contact("bottom")
    J = bottom.current_A / bottom.area_m2  # from F into N [A/m^2]
    assert J > 0

    # closed forms in the global frame (P and gamma follow the magnetization of F)
    P, g = pol * F.P, pol * gamma
    r_F = r_spin_F(F)
    assert rel_err(R_N, N.l_sf / N.sigma) == 0
    F1 = Layer1D(L_F, F.sigma, P, F.l_sf)
    N1 = Layer1D(L_N, N.sigma, N.P, N.l_sf)
    ref = fn_junction_interface(F1, N1, r_b, g, J) if ratio else fn_junction_transparent(F1, N1, J)
    eta_ref = fj_efficiency(P, r_F, R_N, r_b, g)
    exc_ref = fj_excess_ra(P, r_F, R_N, r_b, g)
    assert rel_err(ref.r_F, r_F) < 1e-14 and rel_err(ref.r_N, R_N) < 1e-14
    assert abs(ref.efficiency - eta_ref) < 1e-13
    assert rel_err(ref.excess_RA, exc_ref) < 1e-10

    if ratio:
        itf = sol.interfaces["F|N"]
        assert (itf["left"], itf["right"]) == ("F", "N")
        assert rel_err(itf["current_A"], bottom.current_A) < 1e-8
        # spin current is continuous through a G_up/G_dn interface
        js = itf["spin_current_from_left_A"]
        assert rel_err(itf["spin_current_into_right_A"], js) < 1e-10
        etas = {"law": js / itf["current_A"]}
    else:
        assert "F|N" not in sol.interfaces
        # j_s is constant per cell (P1): quadratic extrapolation of the first three cell
        # layers on each side to the interface (weights for x = h/2, 3h/2, 5h/2 -> 0).
        # Each layer's value is averaged over the cross-section (quadrant centres): with one
        # lateral element wider than l_F the P1 solution is not exactly uniform laterally,
        # and a single cell's j_s differs from the layer's mean flux by up to ~3 % (Py).
        w = np.array([1.875, -1.25, 0.375])
        q = (-WIDTH / 4, WIDTH / 4)
        lateral = [(x, y) for x in q for y in q] if dim == 3 else [(x,) for x in q]
        etas = {}
        for side, z in (
            ("N cells", L_F + (np.arange(3) + 0.5) * h_N),
            ("F cells", L_F - (np.arange(3) + 0.5) * h_F),
        ):
            js = []
            for xy in lateral:
                pts = np.zeros((3, 3))
                pts[:, : dim - 1] = xy
                pts[:, dim - 1] = z
                js.append(sol.probe("j_s", pts)[:, dim - 1])
            etas[side] = float(w @ np.mean(js, axis=0)) / J

    ra = sol.resistance_area("bottom", "top")
    excess = ra - L_F / F.sigma - L_N / N.sigma
    print(
        f"{case_id(case)}: eta FE {etas}, closed form {eta_ref:.6f}; "
        f"excess RA FE {excess:.5e}, closed form {exc_ref:.5e} (rel err "
        f"{rel_err(excess, exc_ref):.1e})"
    )
    tol = max(1e-2 * abs(eta_ref), 1e-3 if abs(eta_ref) < 1e-2 else 0.0)
    for eta in etas.values():
        assert abs(eta - eta_ref) <= tol
        assert abs(eta - ref.efficiency) <= tol
    assert rel_err(excess, exc_ref) < 1e-2
    assert rel_err(excess, ref.excess_RA) < 1e-2
