"""Spin-memory-loss interfaces (MODEL.md section 2): the exact cosh/sinh two-port.

A thin interfacial layer (thickness t_I, conductivity sigma_I, lambda_I = t_I/delta,
P_I = gamma) is represented by :class:`~spinfem.interfaces.SpinMemoryLoss` as a
zero-thickness two-port. Checked here, on quasi-1D 3D pillars:

1. the torque-reduction factor at fixed entrance accumulation
   eta(delta) = 1/(cosh delta + (g lambda_I/sigma_I) sinh delta), with an absorber
   (P = 0, thick compared with its l_A) carrying j_s = (g/2) mu_s, g = sigma_A/l_A;
2. the transmission at fixed incoming spin current
   T(delta) = 1/(cosh delta + (sigma_I/(g lambda_I)) sinh delta) (g inverted);
3. equality with the same layer meshed explicitly (converging with its refinement);
4. delta -> 0 recovers the G_up/G_dn law, and the F/N/SML/N/F stack RA equals the
   independent 1D transfer matrix with the layer inserted;
5. spin current is lost at the interface only when delta > 0, and the consistent bulk
   fluxes on both sides equal the law's currents.

Sign (MODEL.md section 1, P = 0): j_s = (sigma/2) mu_s', so in an absorber where mu_s
decays from mu_R to 0 along +n the spin current leaving the interface into it is
j_s^R = -(g/2) mu_R: the "-" in eta_FE below.
"""

from __future__ import annotations

import functools
import math

import numpy as np
import pytest

from conftest import rel_err
from reference.vf1d import Layer1D, sml_layer, solve_stack
from spinfem import library
from spinfem.contacts import Contact
from spinfem.geometry import Layer, pillar
from spinfem.interfaces import SpinConductance, SpinMemoryLoss
from spinfem.materials import Material
from spinfem.problem import TwoCurrentProblem

NM = 1e-9
Co, Cu = library.Co, library.Cu

# The interfacial layer: 1 nm of a Pt-like metal.
T_I = 1.0 * NM  # [m]
SIGMA_I = 4.0e6  # [S/m]
AR_I = T_I / SIGMA_I  # [Ohm m^2]

# Absorber: Pt (P = 0, l_A = 3.4 nm), 14 l_A long so mu_s ~ exp(-14) at the top contact.
ABS = library.Pt
G_ABS = ABS.sigma / ABS.l_sf  # g [S/m^2]: semi-infinite P = 0 metal, |j_s| = (g/2) |mu_s|
ABS_MATS = {"F": Co, "N": Cu, "A": ABS}
DELTAS = (0.0, 0.5, 1.0, 2.0, 3.0)

WIDTH = 10 * NM  # square cross-section, one lateral element: the problem is 1D
CONTACTS = (Contact("bottom", voltage=1e-3), Contact("top", voltage=0.0))

# F1/N1/N2/F2 spin valve for the explicit-layer and 1D-reference comparisons.
STACK = (("F1", Co, 20 * NM), ("N1", Cu, 10 * NM), ("N2", Cu, 10 * NM), ("F2", Co, 10 * NM))
STACK_MATS = {name: m for name, m, _ in STACK}


def sml(delta: float, gamma: float = 0.0) -> SpinMemoryLoss:
    return SpinMemoryLoss(delta=delta, t_I=T_I, sigma_I=SIGMA_I, gamma=gamma)


def eta_exact(delta: float) -> float:
    """1/(cosh delta + (g lambda_I/sigma_I) sinh delta); lambda_I sinh(delta) -> t_I at 0."""
    if delta == 0:
        return 1.0 / (1.0 + G_ABS * T_I / SIGMA_I)
    lam = T_I / delta
    return 1.0 / (math.cosh(delta) + G_ABS * lam / SIGMA_I * math.sinh(delta))


def transmission_exact(delta: float) -> float:
    """1/(cosh delta + (sigma_I/(g lambda_I)) sinh delta) (-> 1 at delta = 0)."""
    if delta == 0:
        return 1.0
    lam = T_I / delta
    return 1.0 / (math.cosh(delta) + SIGMA_I / (G_ABS * lam) * math.sinh(delta))


# --------------------------------------------------------------------------- devices
@functools.cache
def absorber_device():
    layers = [Layer("F", 20 * NM), Layer("N", 10 * NM), Layer("A", 14 * ABS.l_sf)]
    return pillar(layers, width=WIDTH, materials=ABS_MATS, lateral_size=WIDTH)


@functools.cache
def absorber_run(law) -> dict:
    """F (bottom contact) / N / law / absorber A (top contact): interface scalars of N|A."""
    sol = TwoCurrentProblem(absorber_device(), ABS_MATS, CONTACTS, interfaces={"N|A": law}).solve()
    return sol.interfaces["N|A"]


@functools.cache
def stack_device(explicit_after: str | None = None, elements: int | None = None):
    """The F1/N1/N2/F2 pillar, optionally with the layer "I" meshed above region
    ``explicit_after`` with ``elements`` elements across it."""
    layers = []
    for name, _, t in STACK:
        layers.append(Layer(name, t))
        if name == explicit_after:
            layers.append(Layer("I", T_I, elements=elements))
    return pillar(layers, width=WIDTH, materials=STACK_MATS, lateral_size=WIDTH)


def solve_stack_fe(mag: dict, interfaces: dict | None = None, explicit=None):
    """``explicit`` = (left region, elements, Material of I, polarity of I) or None."""
    if explicit is None:
        device, mats = stack_device(), STACK_MATS
        magnetization = dict(mag)
    else:
        left, elements, mat_i, pol = explicit
        device, mats = stack_device(left, elements), {**STACK_MATS, "I": mat_i}
        magnetization = {**mag, "I": pol}
    return TwoCurrentProblem(
        device, mats, CONTACTS, magnetization=magnetization, interfaces=interfaces
    ).solve()


def axis_points(z: np.ndarray) -> np.ndarray:
    return np.column_stack([np.zeros_like(z), np.zeros_like(z), z])


# --------------------------------------------------------------------------- the law itself
@pytest.mark.parametrize("gamma", [0.0, 0.4, -0.7])
@pytest.mark.parametrize("delta", DELTAS)
def test_two_port_admittance_algebra(delta, gamma):
    """Y is symmetric PSD, has the layer's RA and, closed by an ideal absorber, gives the
    eta and T formulas exactly (gamma = 0); no mesh involved."""
    law = sml(delta, gamma)
    Y = law.admittance()
    assert np.array_equal(Y, Y.T)
    assert np.linalg.eigvalsh(Y).min() >= -1e-12 * np.abs(Y).max()
    assert rel_err(law.resistance_area(), AR_I) < 1e-14
    # a uniform shift of V on both sides (mu_s = 0) is a null vector of Y: no current
    assert np.abs(Y @ np.array([1.0, 0.0, 1.0, 0.0])).max() <= 1e-14 * np.abs(Y).max()
    if gamma != 0:
        return
    # mu_L = 1, absorber on the right: 2 (Y31 mu_L + Y33 mu_R) = j_s^R = -(g/2) mu_R
    mu_R = -2 * Y[3, 1] / (2 * Y[3, 3] + G_ABS / 2)
    js_R = 2 * (Y[3, 1] + Y[3, 3] * mu_R)
    js_L = -2 * (Y[1, 1] + Y[1, 3] * mu_R)
    assert rel_err(-js_R / (G_ABS / 2), eta_exact(delta)) < 1e-12
    assert rel_err(js_R / js_L, transmission_exact(delta)) < 1e-12


def test_two_port_thick_layer_limit_is_finite():
    """A strongly spin-flipping layer (delta >> 1) is a perfect spin sink on both sides:
    Y_mu_mu -> (1 - gamma^2) delta/(4 AR_I) + gamma^2/(4 AR_I), no spin transmission."""
    delta, gamma = 1000.0, 0.4
    Y = sml(delta, gamma).admittance()
    G = 1.0 / AR_I
    diag = gamma**2 * G / 4 + (1 - gamma**2) * G * delta / 4  # coth(1000) = 1
    assert rel_err(Y[1, 1], diag) < 1e-12 and rel_err(Y[3, 3], diag) < 1e-12
    assert abs(Y[1, 3] - (-(gamma**2) * G / 4)) <= 1e-12 * G


# --------------------------------------------------------------------------- 1. and 2.
@pytest.mark.parametrize("delta", DELTAS)
def test_torque_reduction_factor_at_fixed_entrance_accumulation(delta):
    itf = absorber_run(sml(delta))
    area = itf["area_m2"]
    js_R = itf["spin_current_into_right_A"] / area  # [A/m^2]
    mu_L, mu_R = itf["mu_s_left_eV"], itf["mu_s_right_eV"]
    assert mu_L != 0 and js_R != 0
    # the absorber is ideal: j_s(0+) = -(g/2) mu_R (spin current flows up the mu_s gradient)
    assert js_R * mu_R < 0
    assert rel_err(-js_R, 0.5 * G_ABS * mu_R) < 2e-3
    eta = -js_R / (0.5 * G_ABS * mu_L)
    ref = eta_exact(delta)
    print(
        f"delta={delta}: eta FE {eta:.6f}, exact {ref:.6f}, rel err {rel_err(eta, ref):.1e}; "
        f"absorber -j_s/((g/2) mu_R) - 1 = {-js_R / (0.5 * G_ABS * mu_R) - 1:.1e}"
    )
    assert rel_err(eta, ref) < 1e-2


@pytest.mark.parametrize("delta", DELTAS)
def test_transmission_at_fixed_incoming_spin_current(delta):
    itf = absorber_run(sml(delta))
    T = itf["spin_current_into_right_A"] / itf["spin_current_from_left_A"]
    ref = transmission_exact(delta)
    print(f"delta={delta}: T FE {T:.6f}, exact {ref:.6f}, rel err {rel_err(T, ref):.1e}")
    assert 0 < T <= 1 + 1e-12
    assert rel_err(T, ref) < 1e-2


# --------------------------------------------------------------------------- 3.
EXPLICIT_CASES = {
    # name: (interface, delta, gamma, magnetization)
    "N1|N2-d2": ("N1|N2", 2.0, 0.0, {}),
    "F1|N1-d1-g0.4": ("F1|N1", 1.0, 0.4, {}),
    # gamma is given in the frame of the adjacent magnet: with F1 reversed the layer's
    # P_I in the global frame is -gamma
    "F1|N1-d1-g0.4-F1down": ("F1|N1", 1.0, 0.4, {"F1": -1}),
}


@pytest.mark.parametrize("case", list(EXPLICIT_CASES))
def test_two_port_equals_explicitly_meshed_layer(case):
    where, delta, gamma, mag = EXPLICIT_CASES[case]
    left = where.split("|")[0]
    pol = mag.get(left, 1) if STACK_MATS[left].P != 0 else 1
    two_port = solve_stack_fe(mag, interfaces={where: sml(delta, gamma)})
    mat_i = Material("I", sigma=SIGMA_I, l_sf=T_I / delta, P=gamma)

    z_i = sum(t for _, _, t in STACK[: [n for n, _, _ in STACK].index(left) + 1])
    z = np.array([3.0, 12.0, 25.0, 36.0, 47.0]) * NM
    z = z[np.abs(z - z_i) > 2 * NM]
    z_explicit = np.where(z > z_i, z + T_I, z)  # the meshed layer shifts everything above
    mu_tp = two_port.probe("mu_s", axis_points(z))
    ra_tp = two_port.resistance_area("bottom", "top")
    js_tp = two_port.contact("top").spin_current_A
    assert np.all(np.isfinite(mu_tp)) and np.abs(mu_tp).max() > 0

    errors = {}
    for elements in (4, 16):
        sol = solve_stack_fe(mag, explicit=(left, elements, mat_i, pol))
        mu = sol.probe("mu_s", axis_points(z_explicit))
        errors[elements] = {
            "RA": rel_err(sol.resistance_area("bottom", "top"), ra_tp),
            "top j_s": rel_err(sol.contact("top").spin_current_A, js_tp),
            "mu_s": np.abs(mu - mu_tp).max() / np.abs(mu_tp).max(),
        }
    print(case, {n: {k: f"{v:.1e}" for k, v in e.items()} for n, e in errors.items()})
    for key in errors[16]:
        assert errors[16][key] < 5e-3, key
        # second-order convergence of the explicit layer towards the two-port
        assert errors[16][key] < errors[4][key] / 4 or errors[16][key] < 1e-7, key


# --------------------------------------------------------------------------- 4.
@pytest.mark.parametrize("mag", [{}, {"F1": -1}], ids=["F1up", "F1down"])
def test_small_delta_recovers_spin_conductance(mag):
    gamma = 0.4
    law_sml = SpinMemoryLoss(delta=1e-8, AR_I=AR_I, gamma=gamma)
    law_g = SpinConductance(G_up=(1 + gamma) / (2 * AR_I), G_dn=(1 - gamma) / (2 * AR_I))
    assert np.abs(law_sml.admittance() - law_g.admittance()).max() < 1e-12 / AR_I
    a = solve_stack_fe(mag, interfaces={"F1|N1": law_sml})
    b = solve_stack_fe(mag, interfaces={"F1|N1": law_g})
    assert rel_err(a.resistance_area(), b.resistance_area()) < 1e-6
    ia, ib = a.interfaces["F1|N1"], b.interfaces["F1|N1"]
    for key in (
        "current_A",
        "spin_current_from_left_A",
        "spin_current_into_right_A",
        "jump_V_V",
        "jump_mu_s_eV",
    ):
        assert rel_err(ia[key], ib[key]) < 1e-6, key
    assert rel_err(a.contact("top").spin_current_A, b.contact("top").spin_current_A) < 1e-6


@pytest.mark.parametrize(("delta", "gamma"), [(0.3, 0.0), (1.0, 0.3), (2.0, 0.0)])
def test_spin_valve_with_sml_against_transfer_matrix(delta, gamma):
    ra, ref = {}, {}
    for state, mag in (("P", {}), ("AP", {"F2": -1})):
        sol = solve_stack_fe(mag, interfaces={"N1|N2": sml(delta, gamma)})
        ra[state] = sol.resistance_area("bottom", "top")
        layers = []
        for name, m, t in STACK:
            layers.append(Layer1D(t, m.sigma, m.P * mag.get(name, 1), m.l_sf))
            if name == "N1":
                layers.append(sml_layer(T_I, SIGMA_I, delta, gamma))
        ref[state] = solve_stack(layers).RA
    d_fe, d_ref = ra["AP"] - ra["P"], ref["AP"] - ref["P"]
    print(f"delta={delta} gamma={gamma}: RA {ra} ref {ref}; dRA rel err {rel_err(d_fe, d_ref):.1e}")
    assert d_ref > 0
    for state in ra:
        assert rel_err(ra[state], ref[state]) < 5e-3
    assert rel_err(d_fe, d_ref) < 5e-3


# --------------------------------------------------------------------------- 5.
LOSS_CASES = {
    "SML-d0": (sml(0.0), False),
    "SML-d0.5": (sml(0.5), True),
    "SML-d1": (sml(1.0), True),
    "SML-d3": (sml(3.0), True),
    "G-law": (SpinConductance.from_ARb(AR_I, 0.3), False),
}


@pytest.mark.parametrize("case", list(LOSS_CASES))
def test_spin_current_loss_and_bulk_fluxes(case):
    law, loses = LOSS_CASES[case]
    itf = absorber_run(law)
    js_L, js_R = itf["spin_current_from_left_A"], itf["spin_current_into_right_A"]
    loss = js_L - js_R
    print(f"{case}: j_s from L {js_L:.6e} A, into R {js_R:.6e} A, lost {loss:.3e} A")
    if loses:
        assert loss * np.sign(js_L) > 1e-3 * abs(js_L)
        assert abs(js_R) < abs(js_L)
    else:
        assert abs(loss) <= 1e-10 * abs(js_L)
    _check_bulk_fluxes(itf)


def test_bulk_fluxes_with_spin_charge_coupling():
    """gamma != 0 at an F/N SML interface under a reversed magnet (flipped law)."""
    sol = solve_stack_fe({"F1": -1}, interfaces={"F1|N1": sml(1.0, 0.4)})
    itf = sol.interfaces["F1|N1"]
    assert itf["spin_current_from_left_A"] != itf["spin_current_into_right_A"]
    _check_bulk_fluxes(itf)
    assert rel_err(itf["current_A"], sol.contact("bottom").current_A) < 1e-8


def _check_bulk_fluxes(itf: dict) -> None:
    bulk = itf["from_bulk"]
    pairs = (
        ("current_from_left_A", "current_A"),
        ("current_from_right_A", "current_A"),
        ("spin_current_from_left_A", "spin_current_from_left_A"),
        ("spin_current_into_right_A", "spin_current_into_right_A"),
    )
    for bulk_key, law_key in pairs:
        value, expected = bulk[bulk_key], itf[law_key]
        assert rel_err(value, expected) < 1e-8, (bulk_key, value, expected)
